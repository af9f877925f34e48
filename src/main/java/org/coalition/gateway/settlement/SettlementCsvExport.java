package org.coalition.gateway.settlement;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.partner.PartnerApi;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * CSV exports of a closed period for finance systems, for the settlement team:
 * {@code GET /settlement/periods/{id}/statements.csv} and {@code .../records.csv} (also under {@code /app} for the
 * settlement dashboard's session). Amounts are exact
 * decimals in the record's currency (four places, as stored), so the nets of a file still sum to zero.
 */
@ApplicationScoped
public class SettlementCsvExport {

    static final int MAX_EXPORT_ROWS = 5_000_000;
    private static final String STATEMENTS = """
            select s.partner_id, s.currency, s.points_issued, s.points_redeemed_here, s.points_redeemed_elsewhere,
                   s.points_expired, s.amount_owed, s.amount_due, s.net, p.starts_at, p.ends_at
            from settlement_statements s join settlement_periods p on p.id = s.period_id
            where s.period_id = $1 order by s.partner_id, s.currency
            """;
    private static final String RECORDS = """
            select r.id, r.kind, r.entry_id, r.debtor_id, r.creditor_id, r.points, r.amount, r.currency, r.posted_at
            from settlement_records r join period_records p on p.record_id = r.id
            where p.period_id = $1 order by r.posted_at, r.id limit $2
            """;

    private final TenantSessions sessions;
    private final PartnerApi partners;

    public SettlementCsvExport(TenantSessions sessions, PartnerApi partners) {
        this.sessions = sessions;
        this.partners = partners;
    }

    void routes(@Observes Router router) {
        router.get("/settlement/periods/:id/statements.csv").handler(context -> export(context, true));
        router.get("/settlement/periods/:id/records.csv").handler(context -> export(context, false));
        // the same files for the settlement dashboard's signed-in people (web tenant, README "Web apps")
        router.get("/app/settlement/periods/:id/statements.csv").handler(context -> export(context, true));
        router.get("/app/settlement/periods/:id/records.csv").handler(context -> export(context, false));
    }

    private void export(RoutingContext context, boolean statements) {
        SecurityIdentity identity = context.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        if (identity == null || identity.isAnonymous()) {
            context.response().setStatusCode(401).end();
            return;
        }
        Caller caller = identity.getAttribute(CallerAugmentor.CALLER_ATTRIBUTE);
        if (caller == null || !caller.seesAllPartners()) {
            context.response().setStatusCode(403).end();
            return;
        }
        UUID periodId;
        try {
            periodId = UUID.fromString(context.pathParam("id"));
        } catch (IllegalArgumentException e) {
            context.response().setStatusCode(404).end();
            return;
        }
        Uni<String> csv = sessions.inTransaction(caller, connection -> connection
                .preparedQuery("select status from settlement_periods where id = $1").execute(Tuple.of(periodId))
                .flatMap(period -> {
                    if (period.size() == 0 || !"CLOSED".equals(period.iterator().next().getString("status"))) {
                        return Uni.createFrom().nullItem();
                    }
                    return statements
                            ? connection.preparedQuery(STATEMENTS).execute(Tuple.of(periodId)).map(this::statementsCsv)
                            : connection.preparedQuery(RECORDS).execute(Tuple.of(periodId, MAX_EXPORT_ROWS)).map(SettlementCsvExport::recordsCsv);
                }));
        csv.subscribe().with(body -> {
            if (body == null) {
                context.response().setStatusCode(404).end("no closed settlement period has this id\n");
                return;
            }
            context.response().putHeader("Content-Type", "text/csv; charset=utf-8")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + periodId + (statements ? "-statements" : "-records") + ".csv\"")
                    .end(body);
        }, failure -> failed(context, failure));
    }

    /** A finance system's scheduler understands 503 with Retry-After as "try again", 500 as a bug to report. */
    private static void failed(RoutingContext context, Throwable failure) {
        if (failure instanceof ServiceUnavailable) {
            context.response().setStatusCode(503).putHeader("Retry-After", "5").end(ServiceUnavailable.QUERY_MESSAGE + "\n");
            return;
        }
        context.response().setStatusCode(500).end();
    }

    private String statementsCsv(RowSet<Row> rows) {
        StringBuilder csv = new StringBuilder("period_start,period_end,partner_id,partner_name,currency,points_issued,"
                + "points_redeemed_here,points_redeemed_elsewhere,points_expired,amount_owed,amount_due,net\n");
        for (Row row : rows) {
            csv.append(row.getOffsetDateTime("starts_at").toInstant()).append(',')
                    .append(row.getOffsetDateTime("ends_at").toInstant()).append(',')
                    .append(field(row.getString("partner_id"))).append(',')
                    .append(field(partners.byId(row.getString("partner_id")).name())).append(',')
                    .append(row.getString("currency").strip()).append(',')
                    .append(row.getLong("points_issued")).append(',').append(row.getLong("points_redeemed_here")).append(',')
                    .append(row.getLong("points_redeemed_elsewhere")).append(',').append(row.getLong("points_expired")).append(',')
                    .append(row.getBigDecimal("amount_owed").toPlainString()).append(',')
                    .append(row.getBigDecimal("amount_due").toPlainString()).append(',')
                    .append(row.getBigDecimal("net").toPlainString()).append('\n');
        }
        return csv.toString();
    }

    private static String recordsCsv(RowSet<Row> rows) {
        StringBuilder csv = new StringBuilder("record_id,kind,transaction_id,debtor_id,creditor_id,points,amount,currency,posted_at\n");
        for (Row row : rows) {
            UUID entry = row.getUUID("entry_id");
            csv.append(row.getUUID("id")).append(',').append(row.getString("kind")).append(',')
                    .append(entry == null ? "" : entry.toString()).append(',')
                    .append(field(row.getString("debtor_id"))).append(',').append(field(row.getString("creditor_id"))).append(',')
                    .append(row.getInteger("points")).append(',').append(row.getBigDecimal("amount").toPlainString()).append(',')
                    .append(row.getString("currency").strip()).append(',')
                    .append(row.getOffsetDateTime("posted_at").toInstant()).append('\n');
        }
        return csv.toString();
    }

    /** RFC 4180 quoting, and no formula injection into spreadsheets. */
    static String field(String value) {
        String safe = value.startsWith("=") || value.startsWith("+") || value.startsWith("-") || value.startsWith("@")
                ? "'" + value : value;
        return safe.contains(",") || safe.contains("\"") || safe.contains("\n")
                ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
    }
}
