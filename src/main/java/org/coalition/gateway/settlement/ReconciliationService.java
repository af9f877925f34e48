package org.coalition.gateway.settlement;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionKind;
import org.coalition.gateway.ledger.TransactionRepository;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.settlement.ReconciliationTypes.PartnerReportLine;
import org.coalition.gateway.settlement.ReconciliationTypes.PartnerReportLineInput;
import org.coalition.gateway.settlement.ReconciliationTypes.ReconciliationMismatch;
import org.coalition.gateway.settlement.ReconciliationTypes.ReconciliationReport;
import org.coalition.gateway.settlement.ReconciliationTypes.SubmitPartnerReportInput;
import org.coalition.gateway.settlement.ReconciliationTypes.SubmitPartnerReportPayload;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * A partner's own lines for a period against the ledger, matched by receipt reference and kind:
 * matched, missing on either side, points that differ. Points compare as magnitudes; the kind says
 * which way they went.
 */
@ApplicationScoped
public class ReconciliationService {

    static final int MAX_REPORT_LINES = 5000;
    static final int MAX_REFERENCE_LENGTH = 128;
    private static final String INSERT_REPORT = """
            insert into reconciliation_reports (id, period_id, partner_id)
            select $1, id, $3 from settlement_periods where id = $2
            """;
    private static final String INSERT_LINE = """
            insert into reconciliation_lines (report_id, line_no, partner_reference, kind, points) values ($1, $2, $3, $4, $5)
            """;
    private static final String REPORT = """
            select r.id, r.partner_id, r.period_id, p.starts_at, p.ends_at as ends
            from reconciliation_reports r join settlement_periods p on p.id = r.period_id where r.id = $1
            """;
    private static final String COMPARE = """
            with ledger as (
                select e.partner_reference as ref, e.kind, sum(abs(e.points)) as points,
                       (array_agg(e.id order by e.posted_at, e.id))[1] as transaction_id
                from journal_entries e
                where e.partner_id = $2 and e.posted_at >= $3 and e.posted_at < $4 and e.partner_reference is not null
                group by 1, 2
            ), report as (
                select partner_reference as ref, kind, sum(points) as points from reconciliation_lines where report_id = $1 group by 1, 2
            )
            select coalesce(l.ref, r.ref) as ref, coalesce(l.kind, r.kind) as kind, l.points as ledger_points,
                   r.points as reported_points, l.transaction_id
            from ledger l full join report r on l.ref = r.ref and l.kind = r.kind
            order by 1, 2
            """;

    private final TenantSessions sessions;
    private final TransactionRepository transactions;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;

    public ReconciliationService(TenantSessions sessions, TransactionRepository transactions, IdempotentTransactions idempotent,
            RequestFingerprints fingerprints) {
        this.sessions = sessions;
        this.transactions = transactions;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
    }

    @WithSpan
    public Uni<SubmitPartnerReportPayload> submit(Caller partner, SubmitPartnerReportInput input) {
        Tracing.tag(partner, "submitPartnerReport");
        UUID periodId;
        try {
            validate(input);
            periodId = SettlementService.parsePeriod(input.periodId);
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(SubmitPartnerReportPayload.failed(failure.errors()));
        }
        return idempotent.execute(partner, fingerprints.of(partner, "submitPartnerReport", input.idempotencyKey, input),
                        (connection, reportId) -> connection.preparedQuery(INSERT_REPORT)
                                .execute(Tuple.of(reportId, periodId, partner.partnerId()))
                                .flatMap(inserted -> {
                                    if (inserted.rowCount() == 0) {
                                        throw BusinessFailure.of(ErrorCode.PERIOD_NOT_FOUND, "No settlement period has this id",
                                                "input", "periodId");
                                    }
                                    return connection.preparedQuery(INSERT_LINE).executeBatch(lines(reportId, input.lines));
                                })
                                .flatMap(ignored -> compare(connection, reportId)),
                        this::compare)
                .map(report -> SubmitPartnerReportPayload.of(report.orElseThrow()))
                .onFailure(UserErrors::answerable)
                .recoverWithItem(failure -> SubmitPartnerReportPayload.failed(UserErrors.of(failure)));
    }

    public Uni<Optional<ReconciliationReport>> find(Caller caller, UUID reportId) {
        return sessions.inTransaction(caller, connection -> compare(connection, reportId));
    }

    private static void validate(SubmitPartnerReportInput input) {
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
        if (input.lines.isEmpty() || input.lines.size() > MAX_REPORT_LINES) {
            errors.add(UserError.of(ErrorCode.LIMIT_EXCEEDED, "A report has 1 to " + MAX_REPORT_LINES + " lines", "input", "lines"));
        }
        for (int i = 0; i < input.lines.size() && errors.size() < 20; i++) {
            PartnerReportLineInput line = input.lines.get(i);
            if (line.partnerReference.isBlank() || line.partnerReference.length() > MAX_REFERENCE_LENGTH) {
                errors.add(UserError.invalid("partnerReference must be 1 to " + MAX_REFERENCE_LENGTH + " characters",
                        "input", "lines", String.valueOf(i), "partnerReference"));
            }
            if (line.points < 0) {
                errors.add(UserError.invalid("points are reported as a positive number; the kind says which way they went",
                        "input", "lines", String.valueOf(i), "points"));
            }
        }
        if (!errors.isEmpty()) {
            throw new BusinessFailure(errors);
        }
    }

    private static List<Tuple> lines(UUID reportId, List<PartnerReportLineInput> lines) {
        List<Tuple> tuples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            PartnerReportLineInput line = lines.get(i);
            tuples.add(Tuple.of(reportId, i, line.partnerReference, line.kind.name(), line.points));
        }
        return tuples;
    }

    private Uni<Optional<ReconciliationReport>> compare(SqlConnection connection, UUID reportId) {
        return connection.preparedQuery(REPORT).execute(Tuple.of(reportId)).flatMap(found -> {
            if (found.size() == 0) {
                return Uni.createFrom().item(Optional.<ReconciliationReport>empty());
            }
            Row report = found.iterator().next();
            String partnerId = report.getString("partner_id");
            return connection.preparedQuery(COMPARE).execute(Tuple.of(reportId, partnerId,
                            report.getOffsetDateTime("starts_at"), report.getOffsetDateTime("ends")))
                    .flatMap(rows -> {
                        List<Row> compared = new ArrayList<>();
                        rows.forEach(compared::add);
                        List<UUID> ids = compared.stream().map(row -> row.getUUID("transaction_id")).filter(id -> id != null).toList();
                        return transactions.findAll(connection, ids).map(loaded -> Optional.of(report(reportId,
                                report.getUUID("period_id"), partnerId, compared,
                                loaded.stream().collect(Collectors.toMap(PointTransaction::id, Function.identity())))));
                    });
        });
    }

    private static ReconciliationReport report(UUID reportId, UUID periodId, String partnerId, List<Row> compared,
            Map<String, PointTransaction> transactions) {
        int matched = 0;
        List<PartnerReportLine> missingInLedger = new ArrayList<>();
        List<PointTransaction> missingInReport = new ArrayList<>();
        List<ReconciliationMismatch> mismatched = new ArrayList<>();
        for (Row row : compared) {
            Long ledger = row.getLong("ledger_points");
            Long reported = row.getLong("reported_points");
            String reference = row.getString("ref");
            if (ledger == null) {
                missingInLedger.add(new PartnerReportLine(reference, TransactionKind.valueOf(row.getString("kind")), reported.intValue()));
            } else if (reported == null) {
                missingInReport.add(transactions.get(row.getUUID("transaction_id").toString()));
            } else if (ledger.equals(reported)) {
                matched++;
            } else {
                mismatched.add(new ReconciliationMismatch(reference, reported.intValue(), ledger.intValue(),
                        transactions.get(row.getUUID("transaction_id").toString())));
            }
        }
        return new ReconciliationReport(reportId.toString(), matched, missingInLedger, missingInReport, mismatched, periodId, partnerId);
    }
}
