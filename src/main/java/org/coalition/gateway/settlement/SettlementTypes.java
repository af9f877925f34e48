package org.coalition.gateway.settlement;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.shared.PageInfo;
import org.coalition.gateway.shared.UserError;

/** The GraphQL shapes of settlement; partners, periods and records inside them resolve in {@link SettlementApi}. */
public final class SettlementTypes {

    private SettlementTypes() {
    }

    @Type("SettlementPeriod")
    public record SettlementPeriod(@Id @NonNull String id, @NonNull Instant startsAt, @NonNull Instant endsAt,
            @NonNull PeriodStatus status, Instant closedAt) {

        static final String COLUMNS = "id, starts_at, ends_at, status, closed_at";

        static SettlementPeriod from(Row row) {
            var closed = row.getOffsetDateTime("closed_at");
            return new SettlementPeriod(row.getUUID("id").toString(), row.getOffsetDateTime("starts_at").toInstant(),
                    row.getOffsetDateTime("ends_at").toInstant(), PeriodStatus.valueOf(row.getString("status")),
                    closed == null ? null : closed.toInstant());
        }
    }

    @Type("SettlementPeriodConnection")
    public record SettlementPeriodConnection(@NonNull List<@NonNull SettlementPeriodEdge> edges, @NonNull PageInfo pageInfo) {
    }

    @Type("SettlementPeriodEdge")
    public record SettlementPeriodEdge(@NonNull String cursor, @NonNull SettlementPeriod node) {
    }

    @Type("SettlementStatement")
    public record SettlementStatement(
            @NonNull String currency,
            @NonNull BigInteger pointsIssued,
            @NonNull BigInteger pointsRedeemedHere,
            @Description("Points this partner issued that were redeemed at other partners.") @NonNull BigInteger pointsRedeemedElsewhere,
            @NonNull BigInteger pointsExpired,
            @Description("What this partner owes (issuance fees, its points redeemed elsewhere).") @NonNull BigDecimal amountOwed,
            @Description("What this partner is due (redemptions at it).") @NonNull BigDecimal amountDue,
            @Description("amountDue - amountOwed; over all partners of a period the nets sum to zero.") @NonNull BigDecimal net,
            @Ignore UUID periodId,
            @Ignore String partnerId) {

        static SettlementStatement from(Row row) {
            return new SettlementStatement(row.getString("currency").strip(),
                    BigInteger.valueOf(row.getLong("points_issued")), BigInteger.valueOf(row.getLong("points_redeemed_here")),
                    BigInteger.valueOf(row.getLong("points_redeemed_elsewhere")), BigInteger.valueOf(row.getLong("points_expired")),
                    row.getBigDecimal("amount_owed"), row.getBigDecimal("amount_due"), row.getBigDecimal("net"),
                    row.getUUID("period_id"), row.getString("partner_id"));
        }
    }

    @Type("BilateralPosition")
    public record BilateralPosition(@NonNull BigInteger points, @NonNull BigDecimal amount, @NonNull String currency,
            @Ignore String debtorId, @Ignore String creditorId) {

        static BilateralPosition from(Row row) {
            return new BilateralPosition(BigInteger.valueOf(row.getLong("points")), row.getBigDecimal("amount"),
                    row.getString("currency").strip(), row.getString("debtor_id"), row.getString("creditor_id"));
        }
    }

    @Type("SettlementRecord")
    public record SettlementRecord(@Id @NonNull String id, @NonNull RecordKind kind, int points, @NonNull BigDecimal amount,
            @NonNull String currency, boolean disputed, @NonNull Instant createdAt,
            @Ignore UUID periodId, @Ignore String debtorId, @Ignore String creditorId, @Ignore UUID entryId) {

        static SettlementRecord from(Row row) {
            return new SettlementRecord(row.getUUID("id").toString(), RecordKind.valueOf(row.getString("kind")),
                    row.getInteger("points"), row.getBigDecimal("amount"), row.getString("currency").strip(),
                    row.getBoolean("disputed"),
                    row.getOffsetDateTime("posted_at").toInstant(), row.getUUID("period_id"), row.getString("debtor_id"),
                    row.getString("creditor_id"), row.getUUID("entry_id"));
        }
    }

    @Type("SettlementRecordConnection")
    public record SettlementRecordConnection(@NonNull List<@NonNull SettlementRecordEdge> edges, @NonNull PageInfo pageInfo) {
    }

    @Type("SettlementRecordEdge")
    public record SettlementRecordEdge(@NonNull String cursor, @NonNull SettlementRecord node) {
    }

    @Input("CloseSettlementPeriodInput")
    public static class CloseSettlementPeriodInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String periodId;
    }

    @Type("CloseSettlementPeriodPayload")
    public record CloseSettlementPeriodPayload(SettlementPeriod period, List<@NonNull SettlementStatement> statements,
            @NonNull List<@NonNull UserError> userErrors) {

        static CloseSettlementPeriodPayload closed(SettlementPeriod period, List<SettlementStatement> statements) {
            return new CloseSettlementPeriodPayload(period, statements, List.of());
        }

        static CloseSettlementPeriodPayload failed(List<UserError> errors) {
            return new CloseSettlementPeriodPayload(null, null, errors);
        }
    }
}
