package org.coalition.gateway.tier;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;
import org.coalition.gateway.tier.TierProgram.Tier;
import org.coalition.gateway.tier.TierTypes.MemberTier;
import org.coalition.gateway.tier.TierTypes.TierChange;
import org.coalition.gateway.tier.TierTypes.TierChangeReason;
import org.coalition.gateway.tier.TierTypes.TierMeasure;
import org.coalition.gateway.tier.TierTypes.TierProgress;

/** Reads a member's tier, progress and history; the earn statement and the review write them. */
@ApplicationScoped
public class TierService {

    private static final String TIER = "select tier, since from member_tiers where member_id = $1";
    private static final String MEASURE = """
            select tier_measure($1, (date_trunc('month', now() at time zone 'UTC') - make_interval(months => $2 - 1))::date,
                                date_trunc('month', now() at time zone 'UTC')::date, $3) as qualifying
            """;
    private static final String HISTORY = """
            select from_tier, to_tier, reason, qualifying, changed_at from tier_changes where member_id = $1
            order by changed_at desc, id desc limit 50
            """;

    private final TenantSessions sessions;
    private final TierPrograms programs;

    public TierService(TenantSessions sessions, TierPrograms programs) {
        this.sessions = sessions;
        this.programs = programs;
    }

    public Uni<MemberTier> tier(Caller caller, UUID memberId) {
        TierProgram program = programs.current();
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(TIER).execute(Tuple.of(memberId)))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        return view(program.lowest(), null);
                    }
                    Row row = rows.iterator().next();
                    return view(program.byId(row.getString("tier")), row.getOffsetDateTime("since").toInstant());
                });
    }

    /** The member's own figures: for the member, the settlement team and operators; nobody else. */
    public Uni<Optional<TierProgress>> progress(Caller caller, UUID memberId) {
        if (!mayReadFigures(caller)) {
            return Uni.createFrom().item(Optional.empty());
        }
        TierProgram program = programs.current();
        return tier(caller, memberId).flatMap(tier -> sessions.inTransaction(caller, connection -> connection.preparedQuery(MEASURE)
                        .execute(Tuple.of(memberId, program.windowMonths(), program.measure().name())))
                .map(rows -> {
                    int qualifying = rows.iterator().next().getInteger("qualifying");
                    Optional<Tier> next = program.above(program.byId(tier.id()));
                    return Optional.of(new TierProgress(TierMeasure.valueOf(program.measure().name()), program.windowMonths(),
                            qualifying, next.map(t -> view(t, null)).orElse(null),
                            next.map(t -> Math.max(0, t.threshold() - qualifying)).orElse(0), nextReviewAt(program)));
                }));
    }

    public Uni<Optional<List<TierChange>>> history(Caller caller, UUID memberId) {
        if (!mayReadFigures(caller)) {
            return Uni.createFrom().item(Optional.empty());
        }
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(HISTORY).execute(Tuple.of(memberId)))
                .map(rows -> Optional.of(rows.stream().map(row -> new TierChange(row.getString("from_tier"), row.getString("to_tier"),
                        TierChangeReason.valueOf(row.getString("reason")), row.getInteger("qualifying"),
                        row.getOffsetDateTime("changed_at").toInstant())).toList()));
    }

    private static boolean mayReadFigures(Caller caller) {
        return caller.isMember() || caller.seesAllPartners();
    }

    private static Instant nextReviewAt(TierProgram program) {
        Instant now = Instant.now();
        return program.lastReviewAt(now).atZone(ZoneOffset.UTC).plusYears(1).toInstant();
    }

    static MemberTier view(Tier tier, Instant since) {
        return new MemberTier(tier.id(), tier.name(), tier.earnMultiplier(), since);
    }
}
