package org.coalition.gateway.settlement;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.settlement.SettlementTypes.BilateralPosition;
import org.coalition.gateway.settlement.SettlementTypes.CloseSettlementPeriodInput;
import org.coalition.gateway.settlement.SettlementTypes.CloseSettlementPeriodPayload;
import org.coalition.gateway.settlement.SettlementTypes.SettlementPeriod;
import org.coalition.gateway.settlement.SettlementTypes.SettlementPeriodConnection;
import org.coalition.gateway.settlement.SettlementTypes.SettlementPeriodEdge;
import org.coalition.gateway.settlement.SettlementTypes.SettlementRecord;
import org.coalition.gateway.settlement.SettlementTypes.SettlementRecordConnection;
import org.coalition.gateway.settlement.SettlementTypes.SettlementRecordEdge;
import org.coalition.gateway.settlement.SettlementTypes.SettlementStatement;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.Invariant;
import org.coalition.gateway.shared.PageRequest;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Settlement periods and their close. Everything is aggregated in SQL: closing a period with a million
 * records moves no record into the JVM.
 */
@ApplicationScoped
public class SettlementService {

    private static final String LOCK_PERIOD = "select " + SettlementPeriod.COLUMNS + " from settlement_periods where id = $1 for update";
    private static final String EARLIER_OPEN = "select 1 from settlement_periods where status = 'OPEN' and starts_at < $1 limit 1";
    private static final String SWEEP = """
            insert into period_records (record_id, period_id)
            select r.id, $1 from settlement_records r
            where r.posted_at < $2 and not exists (select 1 from period_records p where p.record_id = r.id)
            """;
    private static final String STATEMENTS = """
            with recs as (
                select r.* from settlement_records r join period_records p on p.record_id = r.id where p.period_id = $1
            ), parties as (
                select debtor_id as partner_id, currency from recs
                union select creditor_id, currency from recs
                union select * from unnest($2::text[], $3::text[])
            ), sums as (
                select x.partner_id, x.currency,
                       coalesce(sum(r.points) filter (where r.kind = 'ISSUANCE_FEE' and r.debtor_id = x.partner_id), 0) as issued,
                       coalesce(sum(r.points) filter (where r.kind = 'REDEMPTION' and r.creditor_id = x.partner_id), 0) as redeemed_here,
                       coalesce(sum(r.points) filter (where r.kind = 'REDEMPTION' and r.debtor_id = x.partner_id
                                                        and r.creditor_id <> x.partner_id), 0) as redeemed_elsewhere,
                       coalesce(sum(r.points) filter (where r.kind = 'EXPIRY' and r.creditor_id = x.partner_id), 0) as expired,
                       coalesce(sum(r.amount) filter (where r.debtor_id = x.partner_id and r.creditor_id <> x.partner_id), 0) as owed,
                       coalesce(sum(r.amount) filter (where r.creditor_id = x.partner_id and r.debtor_id <> x.partner_id), 0) as due
                from parties x
                left join recs r on r.currency = x.currency and (r.debtor_id = x.partner_id or r.creditor_id = x.partner_id)
                group by x.partner_id, x.currency
            )
            insert into settlement_statements (period_id, partner_id, currency, points_issued, points_redeemed_here,
                points_redeemed_elsewhere, points_expired, amount_owed, amount_due, net)
            select $1, partner_id, currency, issued, redeemed_here, redeemed_elsewhere, expired, owed, due, due - owed from sums
            """;
    private static final String MATRIX = """
            with gross as (
                select r.debtor_id as d, r.creditor_id as c, r.currency, sum(r.points) as points, sum(r.amount) as amount
                from settlement_records r join period_records p on p.record_id = r.id
                where p.period_id = $1 and r.debtor_id <> r.creditor_id
                group by 1, 2, 3
            ), pairs as (
                select least(d, c) as x, greatest(d, c) as y, currency,
                       sum(case when d < c then amount else -amount end) as amount,
                       sum(case when d < c then points else -points end) as points
                from gross group by 1, 2, 3
            )
            insert into bilateral_positions (period_id, debtor_id, creditor_id, currency, points, amount)
            select $1, case when amount >= 0 then x else y end, case when amount >= 0 then y else x end,
                   currency, abs(points), abs(amount)
            from pairs where amount <> 0 or points <> 0
            """;
    private static final String CLOSE = """
            update settlement_periods set status = 'CLOSED', closed_at = now(), cutoff = $2 where id = $1
            returning\s""" + SettlementPeriod.COLUMNS;
    private static final String STATEMENT_COLUMNS = """
            period_id, partner_id, currency, points_issued, points_redeemed_here, points_redeemed_elsewhere, points_expired,
            amount_owed, amount_due, net""";

    /** A record with the period it was swept into (if any) and whether a dispute about it is open. */
    static final String RECORD_COLUMNS = """
            r.id, r.kind, r.points, r.amount, r.currency, r.posted_at, r.debtor_id, r.creditor_id, r.entry_id,
            (select pr.period_id from period_records pr where pr.record_id = r.id) as period_id,
            exists (select 1 from disputes d where d.record_id = r.id and d.status = 'OPEN') as disputed""";

    private final TenantSessions sessions;
    private final PartnerDirectory partners;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final SettlementEvents events;
    private final CoalitionConfig config;

    public SettlementService(TenantSessions sessions, PartnerDirectory partners, IdempotentTransactions idempotent,
            RequestFingerprints fingerprints, SettlementEvents events, CoalitionConfig config) {
        this.sessions = sessions;
        this.events = events;
        this.partners = partners;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.config = config;
    }

    // ------------------------------------------------------------------ periods

    public Uni<SettlementPeriodConnection> periods(Caller caller, Integer first, String after) {
        PageRequest page = PageRequest.of(first, after);
        return sessions.inTransaction(caller, connection -> ensurePeriods(connection, Instant.now())
                .flatMap(ignored -> connection.preparedQuery("select " + SettlementPeriod.COLUMNS + " from settlement_periods"
                                + (page.hasCursor() ? " where (starts_at, id) < ($2, $3)" : "")
                                + " order by starts_at desc, id desc limit $1")
                        .execute(page.hasCursor()
                                ? Tuple.of(page.fetchSize(), page.afterTime().atOffset(ZoneOffset.UTC), page.afterId())
                                : Tuple.of(page.fetchSize()))))
                .map(rows -> {
                    List<SettlementPeriod> periods = new ArrayList<>();
                    rows.forEach(row -> periods.add(SettlementPeriod.from(row)));
                    PageRequest.Page<SettlementPeriodEdge> shown = page.page(periods, period -> new SettlementPeriodEdge(
                            PageRequest.cursor(period.startsAt(), UUID.fromString(period.id())), period), SettlementPeriodEdge::cursor);
                    return new SettlementPeriodConnection(shown.edges(), shown.pageInfo());
                });
    }

    public Uni<Optional<SettlementPeriod>> period(Caller caller, UUID periodId) {
        return sessions.inTransaction(caller, connection -> connection
                .preparedQuery("select " + SettlementPeriod.COLUMNS + " from settlement_periods where id = $1").execute(Tuple.of(periodId)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(SettlementPeriod.from(rows.iterator().next())));
    }

    /** Creates every period from the first one (or the current one) up to the one containing {@code now}. */
    Uni<Void> ensurePeriods(SqlConnection connection, Instant now) {
        return connection.query("select max(starts_at) as latest, (select min(posted_at) from settlement_records) as earliest"
                        + " from settlement_periods").execute()
                .flatMap(rows -> {
                    var row = rows.iterator().next();
                    Instant latest = row.getOffsetDateTime("latest") == null ? null : row.getOffsetDateTime("latest").toInstant();
                    Instant earliest = row.getOffsetDateTime("earliest") == null ? now : row.getOffsetDateTime("earliest").toInstant();
                    Instant start = latest != null ? next(latest) : periodStart(earliest);
                    List<Tuple> missing = new ArrayList<>();
                    for (Instant at = start; !at.isAfter(periodStart(now)); at = next(at)) {
                        missing.add(Tuple.of(UUID.randomUUID(), at.atOffset(ZoneOffset.UTC), next(at).atOffset(ZoneOffset.UTC)));
                    }
                    if (missing.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    return connection.preparedQuery("insert into settlement_periods (id, starts_at, ends_at, status)"
                            + " values ($1, $2, $3, 'OPEN') on conflict (starts_at) do nothing").executeBatch(missing).replaceWithVoid();
                });
    }

    Instant periodStart(Instant at) {
        ZonedDateTime utc = at.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
        return ("WEEKLY".equals(config.settlement().cycle())
                ? utc.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                : utc.withDayOfMonth(1)).toInstant();
    }

    Instant next(Instant start) {
        ZonedDateTime utc = start.atZone(ZoneOffset.UTC);
        return ("WEEKLY".equals(config.settlement().cycle()) ? utc.plusWeeks(1) : utc.plusMonths(1)).toInstant();
    }

    // ------------------------------------------------------------------ close

    @WithSpan
    public Uni<CloseSettlementPeriodPayload> close(Caller caller, CloseSettlementPeriodInput input) {
        Tracing.tag(caller, "closeSettlementPeriod");
        UUID periodId;
        try {
            IdempotencyKeyRule.require(input.idempotencyKey);
            periodId = parsePeriod(input.periodId);
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(CloseSettlementPeriodPayload.failed(failure.errors()));
        }
        return idempotent.execute(caller, fingerprints.of(caller, "closeSettlementPeriod", input.idempotencyKey, input),
                        (connection, ignored) -> close(connection, periodId),
                        (connection, ignored) -> closed(connection, periodId))
                .onFailure(UserErrors::answerable)
                .recoverWithItem(failure -> CloseSettlementPeriodPayload.failed(UserErrors.of(failure)));
    }

    private Uni<CloseSettlementPeriodPayload> close(SqlConnection connection, UUID periodId) {
        return connection.preparedQuery(LOCK_PERIOD).execute(Tuple.of(periodId)).flatMap(rows -> {
            if (rows.size() == 0) {
                throw notFound();
            }
            SettlementPeriod period = SettlementPeriod.from(rows.iterator().next());
            if (period.status() == PeriodStatus.CLOSED) {
                // answered as it was closed; only the close itself tells the parties (SettlementPeriodClosed)
                return closed(connection, periodId);
            }
            if (period.startsAt().isAfter(Instant.now())) {
                throw BusinessFailure.of(ErrorCode.PERIOD_NOT_OPEN, "The period has not started yet", "input", "periodId");
            }
            Instant cutoff = period.endsAt().isBefore(Instant.now()) ? period.endsAt() : Instant.now();
            return connection.preparedQuery(EARLIER_OPEN).execute(Tuple.of(period.startsAt().atOffset(ZoneOffset.UTC)))
                    .flatMap(earlier -> {
                        if (earlier.size() > 0) {
                            throw BusinessFailure.of(ErrorCode.PERIOD_NOT_OPEN, "Close the earlier open periods first",
                                    "input", "periodId");
                        }
                        return freeze(connection, periodId, cutoff);
                    });
        });
    }

    private Uni<CloseSettlementPeriodPayload> freeze(SqlConnection connection, UUID periodId, Instant cutoff) {
        List<String> parties = new ArrayList<>();
        List<String> currencies = new ArrayList<>();
        parties.add(config.operator().partnerId());
        currencies.add(config.settlement().currency());
        for (PartnerContract contract : partners.all()) {
            parties.add(contract.id());
            currencies.add(contract.versionAtOrFirst(cutoff).settlement().currency());
        }
        return connection.preparedQuery(SWEEP).execute(Tuple.of(periodId, cutoff.atOffset(ZoneOffset.UTC)))
                .flatMap(swept -> connection.preparedQuery(STATEMENTS).execute(Tuple.of(periodId,
                                parties.toArray(String[]::new), currencies.toArray(String[]::new)))
                        .flatMap(ignored -> connection.preparedQuery(MATRIX).execute(Tuple.of(periodId)))
                        .flatMap(ignored -> connection.preparedQuery(CLOSE).execute(Tuple.of(periodId, cutoff.atOffset(ZoneOffset.UTC))))
                        .flatMap(ignored -> closed(connection, periodId))
                        .call(payload -> events.periodClosed(connection, payload.period(), payload.statements()))
                        .invoke(payload -> {
                            assertNetsSumToZero(payload.statements());
                            Log.infof("Closed settlement period %s: %d records, %d statements", periodId, swept.rowCount(),
                                    payload.statements().size());
                        }));
    }

    /** The whole point of a close: every currency's nets over all parties cancel out exactly. */
    static void assertNetsSumToZero(List<SettlementStatement> statements) {
        statements.stream().collect(java.util.stream.Collectors.groupingBy(SettlementStatement::currency,
                        java.util.stream.Collectors.reducing(BigDecimal.ZERO, SettlementStatement::net, BigDecimal::add)))
                .forEach((currency, sum) -> Invariant.check(sum.signum() == 0, "settlement nets in " + currency + " sum to " + sum));
    }

    private Uni<CloseSettlementPeriodPayload> closed(SqlConnection connection, UUID periodId) {
        return connection.preparedQuery("select " + SettlementPeriod.COLUMNS + " from settlement_periods where id = $1")
                .execute(Tuple.of(periodId))
                .flatMap(periodRows -> statementsOf(connection, periodId, null).map(statements ->
                        CloseSettlementPeriodPayload.closed(SettlementPeriod.from(periodRows.iterator().next()), statements)));
    }

    // ------------------------------------------------------------------ reads

    public Uni<List<SettlementStatement>> statements(Caller caller, UUID periodId, String partnerId) {
        return sessions.inTransaction(caller, connection -> statementsOf(connection, periodId, partnerId));
    }

    private Uni<List<SettlementStatement>> statementsOf(SqlConnection connection, UUID periodId, String partnerId) {
        return connection.preparedQuery("select " + STATEMENT_COLUMNS + " from settlement_statements where period_id = $1"
                        + " and ($2::text is null or partner_id = $2) order by partner_id, currency")
                .execute(Tuple.of(periodId, partnerId))
                .map(rows -> {
                    List<SettlementStatement> statements = new ArrayList<>();
                    rows.forEach(row -> statements.add(SettlementStatement.from(row)));
                    return statements;
                });
    }

    public Uni<List<BilateralPosition>> matrix(Caller caller, UUID periodId) {
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(
                        "select debtor_id, creditor_id, currency, points, amount from bilateral_positions where period_id = $1"
                                + " order by debtor_id, creditor_id, currency").execute(Tuple.of(periodId)))
                .map(rows -> {
                    List<BilateralPosition> positions = new ArrayList<>();
                    rows.forEach(row -> positions.add(BilateralPosition.from(row)));
                    return positions;
                });
    }

    /** The records of a closed period that a partner is a party to, oldest first. */
    public Uni<SettlementRecordConnection> records(Caller caller, UUID periodId, String partnerId, Integer first, String after) {
        PageRequest page = PageRequest.of(first, after);
        String sql = "select " + RECORD_COLUMNS + """

                from settlement_records r join period_records p on p.record_id = r.id
                where p.period_id = $1 and (r.debtor_id = $2 or r.creditor_id = $2)
                """ + (page.hasCursor() ? " and (r.posted_at, r.id) > ($4, $5)" : "") + " order by r.posted_at, r.id limit $3";
        Tuple params = Tuple.of(periodId, partnerId, page.fetchSize());
        if (page.hasCursor()) {
            params.addOffsetDateTime(page.afterTime().atOffset(ZoneOffset.UTC)).addUUID(page.afterId());
        }
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(sql).execute(params)).map(rows -> {
            List<SettlementRecord> records = new ArrayList<>();
            rows.forEach(row -> records.add(SettlementRecord.from(row)));
            PageRequest.Page<SettlementRecordEdge> shown = page.page(records, record -> new SettlementRecordEdge(
                    PageRequest.cursor(record.createdAt(), UUID.fromString(record.id())), record), SettlementRecordEdge::cursor);
            return new SettlementRecordConnection(shown.edges(), shown.pageInfo());
        });
    }

    public Uni<Optional<SettlementRecord>> record(Caller caller, UUID recordId) {
        return sessions.inTransaction(caller, connection -> connection
                        .preparedQuery("select " + RECORD_COLUMNS + " from settlement_records r where r.id = $1").execute(Tuple.of(recordId)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(SettlementRecord.from(rows.iterator().next())));
    }

    static UUID parsePeriod(String periodId) {
        try {
            return UUID.fromString(periodId);
        } catch (IllegalArgumentException e) {
            throw notFound();
        }
    }

    private static BusinessFailure notFound() {
        return BusinessFailure.of(ErrorCode.PERIOD_NOT_FOUND, "No settlement period has this id", "input", "periodId");
    }
}
