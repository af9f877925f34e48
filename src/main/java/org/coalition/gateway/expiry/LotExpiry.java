package org.coalition.gateway.expiry;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.ledger.AccountBook;
import org.coalition.gateway.ledger.EntryIds;
import org.coalition.gateway.ledger.JournalWriter;
import org.coalition.gateway.ledger.NewEntry;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.settlement.SettlementRecorder;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.Invariant;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Expires lots past their validity to breakage, one lot per short transaction. Safe when several
 * gateways run it at the same moment: each lot is re-read under its member's row lock and only
 * expired while points remain, so a lot is expired exactly once. Points reserved by an active hold
 * stay until the hold resolves; the next run takes them.
 */
@ApplicationScoped
public class LotExpiry {

    private static final String DUE = """
            select id, member_id from lots where remaining > 0 and expires_at <= now() order by expires_at, id limit $1
            """;
    private static final String LOCK_DUE_LOT = """
            select id, issuer_id, remaining from lots where id = $1 and remaining > 0 and expires_at <= now() for update
            """;
    private static final String OPEN_LOTS_OF_MEMBER = """
            select id, issuer_id, remaining from lots where member_id = $1 and remaining > 0 order by earned_at, id for update
            """;
    /** The reference forfeited points carry, so that statements and the member's history tell them from expiry. */
    public static final String FORFEIT_REFERENCE = "member-erasure";
    private static final String TAKE = "update lots set remaining = remaining - $2 where id = $1";
    private static final String DRAW = """
            insert into lot_consumptions (entry_id, lot_id, member_id, issuer_id, points, partner_id)
            values ($1, $2, $3, $4, $5, $4)
            """;

    private final TenantSessions sessions;
    private final MemberRepository members;
    private final JournalWriter journal;
    private final AccountBook accounts;
    private final CoalitionConfig config;
    private final SettlementRecorder settlement;

    public LotExpiry(TenantSessions sessions, MemberRepository members, JournalWriter journal, AccountBook accounts,
            CoalitionConfig config, SettlementRecorder settlement) {
        this.settlement = settlement;
        this.sessions = sessions;
        this.members = members;
        this.journal = journal;
        this.accounts = accounts;
        this.config = config;
    }

    @Scheduled(every = "${coalition.expiry.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> expireOnSchedule() {
        return expireDue().invoke(points -> {
            if (points > 0) {
                Log.infof("Expired %d points to breakage", points);
            }
        }).replaceWithVoid()
                // the circuit breaker logs the outage once; the next run takes up the lots still due
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    /** Expires up to one batch of due lots; returns the points expired. */
    public Uni<Long> expireDue() {
        return sessions.asSystem(connection -> connection.preparedQuery(DUE).execute(Tuple.of(config.expiry().batchSize())))
                .map(rows -> {
                    List<DueLot> due = new ArrayList<>();
                    rows.forEach(row -> due.add(new DueLot(row.getLong("id"), row.getUUID("member_id"))));
                    return due;
                })
                .flatMap(due -> Multi.createFrom().iterable(due)
                        .onItem().transformToUniAndConcatenate(lot -> sessions.asSystem(connection -> expire(connection, lot)))
                        .collect().in(() -> new long[1], (sum, points) -> sum[0] += points)
                        .map(sum -> sum[0]));
    }

    private record DueLot(long id, UUID memberId) {
    }

    private Uni<Integer> expire(SqlConnection connection, DueLot due) {
        return members.lock(connection, due.memberId())
                .flatMap(member -> connection.preparedQuery(LOCK_DUE_LOT).execute(Tuple.of(due.id()))
                        .flatMap(rows -> rows.size() == 0
                                ? Uni.createFrom().item(0)
                                : post(connection, member, rows.iterator().next(), null)));
    }

    /**
     * Forfeits all of a member's points, booked exactly as expiry (to breakage, one entry per lot, each with the
     * expiry's settlement records): for an erasure whose member gives up the rest. The caller holds the member's
     * row lock and has released every hold first. Returns the points forfeited.
     */
    public Uni<Integer> forfeitAll(SqlConnection connection, MemberAccount member) {
        Invariant.check(member.held() == 0, "points forfeited while holds are active");
        return connection.preparedQuery(OPEN_LOTS_OF_MEMBER).execute(Tuple.of(member.id()))
                .flatMap(lots -> Multi.createFrom().iterable(lots)
                        .onItem().transformToUniAndConcatenate(lot -> post(connection, member, lot, FORFEIT_REFERENCE))
                        .collect().in(() -> new int[1], (sum, points) -> sum[0] += points)
                        .map(sum -> sum[0]));
    }

    private Uni<Integer> post(SqlConnection connection, MemberAccount member, Row lot, String reference) {
        int points = (int) Math.min(lot.getInteger("remaining"), member.balance() - member.held());
        if (points <= 0) {
            return Uni.createFrom().item(0);
        }
        String issuer = lot.getString("issuer_id");
        UUID entryId = EntryIds.next();
        NewEntry entry = new NewEntry(entryId, PostingTemplate.EXPIRY.kind(), member.id(), issuer, -points, null, null, null,
                reference, Instant.now().truncatedTo(ChronoUnit.MICROS), null, null,
                PostingTemplate.EXPIRY.postings(points, accounts.accountsFor(member.accountId(), issuer)), Optional.empty(), null);
        return journal.post(connection, entry)
                .flatMap(ignored -> connection.preparedQuery(TAKE).execute(Tuple.of(lot.getLong("id"), points)))
                .flatMap(ignored -> connection.preparedQuery(DRAW)
                        .execute(Tuple.of(entryId, lot.getLong("id"), member.id(), issuer, points)))
                .flatMap(ignored -> members.adjustBalance(connection, member.id(), -points))
                .flatMap(ignored -> settlement.write(connection, entryId, member.id(),
                        settlement.expiry(issuer, points, entry.occurredAt())))
                .replaceWith(points);
    }
}
