package org.coalition.gateway.settlement;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.shared.UserError;

/** GraphQL shapes of disputes; record, raisedBy and adjustment resolve in {@link SettlementApi}. */
public final class DisputeTypes {

    private DisputeTypes() {
    }

    @Enum("DisputeStatus")
    public enum DisputeStatus {
        OPEN,
        ACCEPTED,
        REJECTED
    }

    @Type("Dispute")
    public record Dispute(@Id @NonNull String id, @NonNull String reason, @NonNull DisputeStatus status,
            @Ignore UUID recordId, @Ignore String raisedBy, @Ignore UUID adjustmentRecordId) {

        static final String COLUMNS = "id, record_id, raised_by, reason, status, adjustment_record_id";

        static Dispute from(Row row) {
            return new Dispute(row.getUUID("id").toString(), row.getString("reason"), DisputeStatus.valueOf(row.getString("status")),
                    row.getUUID("record_id"), row.getString("raised_by"), row.getUUID("adjustment_record_id"));
        }
    }

    @Input("DisputeSettlementRecordInput")
    public static class DisputeSettlementRecordInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String recordId;
        @NonNull
        public String reason;
    }

    @Input("ResolveDisputeInput")
    public static class ResolveDisputeInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String disputeId;
        public boolean accept;
        @Description("For an accepted dispute: the corrected amount.")
        public BigDecimal adjustedAmount;
        public String note;
    }

    @Type("DisputePayload")
    public record DisputePayload(Dispute dispute, @NonNull List<@NonNull UserError> userErrors) {
        static DisputePayload of(Dispute dispute) {
            return new DisputePayload(dispute, List.of());
        }

        static DisputePayload failed(List<UserError> errors) {
            return new DisputePayload(null, errors);
        }
    }
}
