package org.coalition.gateway.campaign;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.shared.UserError;

/** GraphQL shapes of partner campaigns and of the bonuses they grant. */
public final class CampaignTypes {

    private CampaignTypes() {
    }

    @Enum("CampaignStatus")
    public enum CampaignStatus {
        ACTIVE,
        @Description("Grants nothing until resumed.")
        PAUSED,
        @Description("Over for good.")
        ENDED
    }

    @Type("Campaign")
    @Description("Bonus points a partner funds from its own budget; every bonus appears in settlement as an issuance by that partner.")
    public record Campaign(@Id @NonNull String id, @NonNull @Description("Shown to members as the reason for their bonus.") String name,
            @NonNull CampaignRuleKind ruleKind, String category, BigDecimal multiplier, BigDecimal minimumBasket,
            Integer bonusPoints, @NonNull String currency, @NonNull Instant startsAt, @NonNull Instant endsAt,
            int budgetPoints, @Description("Points still to give; the last few may stay unspent when smaller than a bonus.") int remainingBudgetPoints,
            Integer perMemberCapPoints, Integer newMembersWithinDays, Integer inactiveForDays,
            @Description("The tiers (ids) the campaign is for; empty: every tier.") List<@NonNull String> tiers,
            @Description("true: members of a paid club only; false: members of none; empty: anyone.") Boolean paidMembers,
            @NonNull CampaignStatus status, int bonusesGranted) {

        static final String COLUMNS = """
                c.id, c.name, c.rule_kind, c.category, c.multiplier, c.minimum_basket, c.bonus_points, c.currency, c.starts_at,
                c.ends_at, c.budget_points, c.per_member_cap_points, c.new_members_within_days, c.inactive_for_days, c.status,
                c.segment_tiers, c.segment_paid_members,
                (select coalesce(sum(s.remaining), 0) from campaign_budget_slots s where s.campaign_id = c.id) as remaining,
                (select count(*) from bonus_grants g where g.campaign_id = c.id) as granted
                """;

        static Campaign from(Row row) {
            return new Campaign(row.getUUID("id").toString(), row.getString("name"), CampaignRuleKind.valueOf(row.getString("rule_kind")),
                    row.getString("category"), row.getBigDecimal("multiplier"), row.getBigDecimal("minimum_basket"),
                    row.getInteger("bonus_points"), row.getString("currency"), row.getOffsetDateTime("starts_at").toInstant(),
                    row.getOffsetDateTime("ends_at").toInstant(), row.getInteger("budget_points"), row.getLong("remaining").intValue(),
                    row.getInteger("per_member_cap_points"), row.getInteger("new_members_within_days"),
                    row.getInteger("inactive_for_days"), tiers(row.getArrayOfStrings("segment_tiers")),
                    row.getBoolean("segment_paid_members"), CampaignStatus.valueOf(row.getString("status")),
                    row.getLong("granted").intValue());
        }

        private static List<String> tiers(String[] tiers) {
            return tiers == null ? null : List.of(tiers);
        }
    }

    @Type("EarnBonus")
    @Description("Bonus points a campaign or the member's tier added to an earn, as their own transaction.")
    public record EarnBonus(@Id @Description("The campaign that gave it; empty for the tier's bonus.") String campaignId,
            @NonNull @Description("Why, for the member to read: the campaign's name, or the tier and its multiplier.") String reason,
            int points, @NonNull @Id String transactionId) {
    }

    @Input("CampaignRuleInput")
    public static class CampaignRuleInput {
        @NonNull
        public CampaignRuleKind kind;
        @Description("CATEGORY_MULTIPLIER: the basket line category, e.g. organic.")
        public String category;
        @Description("CATEGORY_MULTIPLIER: more than 1, at most 10.")
        public BigDecimal multiplier;
        @Description("BASKET_BONUS: the smallest purchase amount that qualifies.")
        public BigDecimal minimumBasket;
        @Description("BASKET_BONUS and FIRST_VISIT_BONUS: the points given.")
        public Integer bonusPoints;
    }

    @Input("CampaignSegmentInput")
    @Description("Who qualifies; every condition given must hold. Empty: every member.")
    public static class CampaignSegmentInput {
        @Description("Members enrolled at most this many days ago.")
        public Integer newMembersWithinDays;
        @Description("Members whose previous earn anywhere is at least this many days old (win-back).")
        public Integer inactiveForDays;
        @Description("Members in one of these tiers of the coalition's tier program (ids, e.g. SILVER, GOLD).")
        public List<String> tiers;
        @Description("true: members of a paid club only; false: members of no paid club.")
        public Boolean paidMembers;
    }

    @Input("CreateCampaignInput")
    public static class CreateCampaignInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        public String name;
        @NonNull
        public CampaignRuleInput rule;
        @NonNull
        public String currency;
        @NonNull
        public Instant startsAt;
        @NonNull
        public Instant endsAt;
        @Description("Points the campaign may give in all; never overspent, however many earns run at once.")
        public int budgetPoints;
        @Description("Points one member may get from this campaign in all.")
        public Integer perMemberCapPoints;
        public CampaignSegmentInput segment;
    }

    @Input("SetCampaignStatusInput")
    public static class SetCampaignStatusInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String id;
        @NonNull
        public CampaignStatus status;
    }

    @Type("CampaignPayload")
    public record CampaignPayload(Campaign campaign, @NonNull List<@NonNull UserError> userErrors) {
        static CampaignPayload of(Campaign campaign) {
            return new CampaignPayload(campaign, List.of());
        }

        static CampaignPayload failed(List<UserError> errors) {
            return new CampaignPayload(null, errors);
        }
    }
}
