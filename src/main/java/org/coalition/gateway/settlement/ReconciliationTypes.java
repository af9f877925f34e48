package org.coalition.gateway.settlement;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionKind;
import org.coalition.gateway.shared.UserError;

/** GraphQL shapes of reconciliation and disputes. */
public final class ReconciliationTypes {

    private ReconciliationTypes() {
    }

    @Input("PartnerReportLineInput")
    public static class PartnerReportLineInput {
        @NonNull
        public String partnerReference;
        @NonNull
        public TransactionKind kind;
        public int points;
    }

    @Input("SubmitPartnerReportInput")
    public static class SubmitPartnerReportInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String periodId;
        @NonNull
        public List<@NonNull PartnerReportLineInput> lines;
    }

    @Type("PartnerReportLine")
    public record PartnerReportLine(@NonNull String partnerReference, @NonNull TransactionKind kind, int points) {
    }

    @Type("ReconciliationMismatch")
    public record ReconciliationMismatch(@NonNull String partnerReference, int reportedPoints, int ledgerPoints,
            @NonNull PointTransaction transaction) {
    }

    @Type("ReconciliationReport")
    public record ReconciliationReport(
            @Id @NonNull String id,
            int matched,
            @Description("Lines the partner reported that the ledger does not have.") @NonNull List<@NonNull PartnerReportLine> missingInLedger,
            @Description("Ledger transactions of the partner that the report does not have.") @NonNull List<@NonNull PointTransaction> missingInReport,
            @Description("Lines whose points differ from the ledger.") @NonNull List<@NonNull ReconciliationMismatch> mismatched,
            @Ignore UUID periodId,
            @Ignore String partnerId) {
    }

    @Type("SubmitPartnerReportPayload")
    public record SubmitPartnerReportPayload(ReconciliationReport report, @NonNull List<@NonNull UserError> userErrors) {
        static SubmitPartnerReportPayload of(ReconciliationReport report) {
            return new SubmitPartnerReportPayload(report, List.of());
        }

        static SubmitPartnerReportPayload failed(List<UserError> errors) {
            return new SubmitPartnerReportPayload(null, errors);
        }
    }
}
