package org.coalition.gateway.offer;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.offer.Offer.OfferKind;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * What a member can earn now: the running campaigns whose segment, cap and budget still let them in, and the
 * challenges they have not completed this period, closest first. It reads, as the gateway, only campaign rules
 * and the member's own history: nothing of one partner's customers reaches another partner, and partners never
 * see this list.
 */
@ApplicationScoped
public class OfferService {

    private static final String CAMPAIGNS = """
            select c.id, c.partner_id, c.name, c.rule_kind, c.category, c.multiplier, c.minimum_basket, c.bonus_points,
                   c.currency, c.ends_at, c.per_member_cap_points, coalesce(u.points, 0) as got
            from campaigns c
            join members m on m.id = $1
            left join campaign_member_bonuses u on u.campaign_id = c.id and u.member_id = m.id
            where c.status = 'ACTIVE' and c.starts_at <= now() and c.ends_at > now()
              and exists (select 1 from campaign_budget_slots s where s.campaign_id = c.id and s.remaining > 0)
              and (c.per_member_cap_points is null or coalesce(u.points, 0) < c.per_member_cap_points)
              and campaign_admits(c, m, now(), null)
            """;
    private static final String CHALLENGES = """
            select c.id, c.name, c.kind, c.target, c.partner_id, c.reward_points, c.ends_at,
                   challenge_progress($1, c, now()) as progress
            from challenges c
            where c.status = 'ACTIVE' and c.starts_at <= now() and c.ends_at > now()
              and not exists (select 1 from challenge_completions k where k.challenge_id = c.id and k.member_id = $1
                              and k.period = challenge_period(c, now()))
            """;

    private final TenantSessions sessions;
    private final MemberRepository members;

    public OfferService(TenantSessions sessions, MemberRepository members) {
        this.sessions = sessions;
        this.members = members;
    }

    public Uni<List<Offer>> offersFor(Caller member) {
        return members.idOfSubject(member.subject()).flatMap(id -> id.isEmpty()
                ? Uni.createFrom().item(List.<Offer>of())
                : sessions.asSystem(connection -> connection.preparedQuery(CAMPAIGNS).execute(Tuple.of(id.get()))
                        .flatMap(campaigns -> connection.preparedQuery(CHALLENGES).execute(Tuple.of(id.get()))
                                .map(challenges -> ranked(campaigns, challenges)))));
    }

    private static List<Offer> ranked(Iterable<Row> campaigns, Iterable<Row> challenges) {
        List<Offer> offers = new ArrayList<>();
        campaigns.forEach(row -> offers.add(campaign(row)));
        challenges.forEach(row -> offers.add(new Offer(OfferKind.CHALLENGE, row.getUUID("id").toString(), row.getString("partner_id"),
                row.getString("name"), challengeDescription(row), row.getInteger("reward_points"),
                Math.max(1, row.getInteger("target") - row.getInteger("progress")), row.getOffsetDateTime("ends_at").toInstant())));
        offers.sort(Comparator.comparingInt(Offer::stepsToGo)
                .thenComparing(offer -> offer.rewardPoints() == null ? 0 : -offer.rewardPoints())
                .thenComparing(Offer::endsAt));
        return offers;
    }

    private static Offer campaign(Row row) {
        Integer cap = row.getInteger("per_member_cap_points");
        Integer bonus = row.getInteger("bonus_points");
        Integer reward = bonus == null ? null : cap == null ? bonus : Math.min(bonus, cap - row.getInteger("got"));
        return new Offer(OfferKind.CAMPAIGN, row.getUUID("id").toString(), row.getString("partner_id"), row.getString("name"),
                campaignDescription(row), reward, 1, row.getOffsetDateTime("ends_at").toInstant());
    }

    static String campaignDescription(Row row) {
        return switch (row.getString("rule_kind")) {
            case "CATEGORY_MULTIPLIER" -> row.getBigDecimal("multiplier").stripTrailingZeros().toPlainString() + "x points on "
                    + row.getString("category") + " at " + row.getString("partner_id");
            case "BASKET_BONUS" -> "+" + row.getInteger("bonus_points") + " points on a basket of "
                    + money(row.getBigDecimal("minimum_basket")) + " " + row.getString("currency") + " or more at " + row.getString("partner_id");
            default -> "+" + row.getInteger("bonus_points") + " points on your first purchase at " + row.getString("partner_id");
        };
    }

    static String challengeDescription(Row row) {
        int left = Math.max(0, row.getInteger("target") - row.getInteger("progress"));
        return "DISTINCT_PARTNERS".equals(row.getString("kind"))
                ? "Earn at " + row.getInteger("target") + " different partners (" + left + " to go)"
                : "Earn " + row.getInteger("target") + " times at " + row.getString("partner_id") + " (" + left + " to go)";
    }

    private static String money(BigDecimal amount) {
        return amount.stripTrailingZeros().scale() <= 0 ? amount.setScale(0).toPlainString() : amount.setScale(2).toPlainString();
    }
}
