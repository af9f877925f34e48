package org.coalition.gateway.settlement;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionReads;
import org.coalition.gateway.partner.Partner;
import org.coalition.gateway.partner.PartnerApi;
import org.coalition.gateway.settlement.DisputeTypes.Dispute;
import org.coalition.gateway.settlement.DisputeTypes.DisputePayload;
import org.coalition.gateway.settlement.DisputeTypes.DisputeSettlementRecordInput;
import org.coalition.gateway.settlement.DisputeTypes.ResolveDisputeInput;
import org.coalition.gateway.settlement.ReconciliationTypes.ReconciliationReport;
import org.coalition.gateway.settlement.ReconciliationTypes.SubmitPartnerReportInput;
import org.coalition.gateway.settlement.ReconciliationTypes.SubmitPartnerReportPayload;
import org.coalition.gateway.settlement.SettlementTypes.BilateralPosition;
import org.coalition.gateway.settlement.SettlementTypes.CloseSettlementPeriodInput;
import org.coalition.gateway.settlement.SettlementTypes.CloseSettlementPeriodPayload;
import org.coalition.gateway.settlement.SettlementTypes.SettlementPeriod;
import org.coalition.gateway.settlement.SettlementTypes.SettlementPeriodConnection;
import org.coalition.gateway.settlement.SettlementTypes.SettlementRecord;
import org.coalition.gateway.settlement.SettlementTypes.SettlementRecordConnection;
import org.coalition.gateway.settlement.SettlementTypes.SettlementStatement;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.InvalidArgument;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.shared.Refusal;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class SettlementApi {

    private final SettlementService settlement;
    private final ReconciliationService reconciliation;
    private final DisputeService disputes;
    private final PartnerApi partners;
    private final TransactionReads transactions;
    private final CurrentCaller caller;

    public SettlementApi(SettlementService settlement, ReconciliationService reconciliation, DisputeService disputes,
            PartnerApi partners, TransactionReads transactions, CurrentCaller caller) {
        this.settlement = settlement;
        this.reconciliation = reconciliation;
        this.disputes = disputes;
        this.partners = partners;
        this.transactions = transactions;
        this.caller = caller;
    }

    @Query("settlementPeriods")
    @PermissionsAllowed({ "settlement:read", CallerAugmentor.SETTLEMENT_MANAGE })
    @NonNull
    public Uni<SettlementPeriodConnection> settlementPeriods(Integer first, String after) {
        return caller.get().flatMap(c -> settlement.periods(c, first, after));
    }

    @Query("settlementStatement")
    @Description("A partner's statement for a period; partners may read only their own.")
    @PermissionsAllowed({ "settlement:read", CallerAugmentor.SETTLEMENT_MANAGE })
    public Uni<SettlementStatement> settlementStatement(@NonNull @Id String periodId, @Id String partnerId) {
        return caller.get().flatMap(c -> settlement.statements(c, period(periodId), statementPartner(c, partnerId)))
                .map(statements -> statements.isEmpty() ? null : statements.get(0));
    }

    @Query("settlementMatrix")
    @Description("Who owes whom in a period (settlement/operator).")
    @PermissionsAllowed(CallerAugmentor.SETTLEMENT_MANAGE)
    @NonNull
    public Uni<List<@NonNull BilateralPosition>> settlementMatrix(@NonNull @Id String periodId) {
        return caller.get().flatMap(c -> settlement.matrix(c, period(periodId)));
    }

    @Mutation("closeSettlementPeriod")
    @PermissionsAllowed(CallerAugmentor.SETTLEMENT_MANAGE)
    @NonNull
    public Uni<CloseSettlementPeriodPayload> closeSettlementPeriod(@NonNull @Name("input") CloseSettlementPeriodInput input) {
        return caller.get().flatMap(c -> settlement.close(c, input));
    }

    @Query("reconciliation")
    @PermissionsAllowed({ "settlement:read", CallerAugmentor.SETTLEMENT_MANAGE })
    public Uni<ReconciliationReport> reconciliation(@NonNull @Id String id) {
        return caller.get().flatMap(c -> reconciliation.find(c, uuidOrNull(id))).map(found -> found.orElse(null));
    }

    @Mutation("submitPartnerReport")
    @PermissionsAllowed("settlement:read")
    @NonNull
    public Uni<SubmitPartnerReportPayload> submitPartnerReport(@NonNull @Name("input") SubmitPartnerReportInput input) {
        return caller.get().flatMap(c -> reconciliation.submit(partnerOnly(c), input));
    }

    @Mutation("disputeSettlementRecord")
    @PermissionsAllowed("settlement:read")
    @NonNull
    public Uni<DisputePayload> disputeSettlementRecord(@NonNull @Name("input") DisputeSettlementRecordInput input) {
        return caller.get().flatMap(c -> disputes.raise(partnerOnly(c), input));
    }

    @Mutation("resolveDispute")
    @PermissionsAllowed(CallerAugmentor.SETTLEMENT_MANAGE)
    @NonNull
    public Uni<DisputePayload> resolveDispute(@NonNull @Name("input") ResolveDisputeInput input) {
        return caller.get().flatMap(c -> disputes.resolve(c, input));
    }

    @Name("period")
    @NonNull
    public Uni<SettlementPeriod> periodOfReport(@Source ReconciliationReport report) {
        return periodById(report.periodId());
    }

    @Name("partner")
    @NonNull
    public Partner partnerOfReport(@Source ReconciliationReport report) {
        return partners.byId(report.partnerId());
    }

    @Name("record")
    @NonNull
    public Uni<SettlementRecord> recordOfDispute(@Source Dispute dispute) {
        return caller.get().flatMap(c -> settlement.record(c, dispute.recordId())).map(found -> found.orElseThrow());
    }

    @Name("raisedBy")
    @NonNull
    public Partner raisedBy(@Source Dispute dispute) {
        return partners.byId(dispute.raisedBy());
    }

    @Name("adjustment")
    public Uni<SettlementRecord> adjustmentOfDispute(@Source Dispute dispute) {
        if (dispute.adjustmentRecordId() == null) {
            return Uni.createFrom().nullItem();
        }
        return caller.get().flatMap(c -> settlement.record(c, dispute.adjustmentRecordId())).map(found -> found.orElse(null));
    }

    @Name("period")
    @NonNull
    public Uni<SettlementPeriod> periodOfStatement(@Source SettlementStatement statement) {
        return periodById(statement.periodId());
    }

    @Name("partner")
    @NonNull
    public Partner partnerOfStatement(@Source SettlementStatement statement) {
        return partners.byId(statement.partnerId());
    }

    @NonNull
    public Uni<SettlementRecordConnection> records(@Source SettlementStatement statement, Integer first, String after) {
        return caller.get().flatMap(c -> settlement.records(c, statement.periodId(), statement.partnerId(), first, after));
    }

    @NonNull
    public Partner debtor(@Source BilateralPosition position) {
        return partners.byId(position.debtorId());
    }

    @NonNull
    public Partner creditor(@Source BilateralPosition position) {
        return partners.byId(position.creditorId());
    }

    @Name("period")
    @NonNull
    public Uni<SettlementPeriod> periodOfRecord(@Source SettlementRecord record) {
        if (record.periodId() == null) {
            // not swept yet: it will fall into the earliest period still open
            return caller.get().flatMap(c -> settlement.periods(c, 100, null))
                    .map(page -> page.edges().stream().map(edge -> edge.node())
                            .filter(period -> period.status() == PeriodStatus.OPEN)
                            .reduce((newer, older) -> older).orElseThrow());
        }
        return periodById(record.periodId());
    }

    @Name("debtor")
    @NonNull
    public Partner debtorOfRecord(@Source SettlementRecord record) {
        return partners.byId(record.debtorId());
    }

    @Name("creditor")
    @NonNull
    public Partner creditorOfRecord(@Source SettlementRecord record) {
        return partners.byId(record.creditorId());
    }

    @Name("transaction")
    public Uni<PointTransaction> transactionOfRecord(@Source SettlementRecord record) {
        if (record.entryId() == null) {
            return Uni.createFrom().nullItem();
        }
        return caller.get().flatMap(c -> transactions.find(c, record.entryId())).map(found -> found.orElse(null));
    }

    private Uni<SettlementPeriod> periodById(UUID periodId) {
        return caller.get().flatMap(c -> settlement.period(c, periodId)).map(found -> found.orElseThrow());
    }

    /** Partners read their own statement only; the settlement team names the partner. */
    private static String statementPartner(Caller caller, String partnerId) {
        if (caller.isPartner()) {
            if (partnerId != null && !partnerId.equals(caller.partnerId())) {
                throw new Refusal("a partner reads only its own statement");
            }
            return caller.partnerId();
        }
        if (partnerId == null) {
            throw new InvalidArgument("partnerId is required");
        }
        return partnerId;
    }

    private static Caller partnerOnly(Caller caller) {
        if (!caller.isPartner()) {
            throw new Refusal("partners submit reports and disputes");
        }
        return caller;
    }

    private static UUID uuidOrNull(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return new UUID(0, 0);
        }
    }

    private static UUID period(String periodId) {
        try {
            return SettlementService.parsePeriod(periodId);
        } catch (BusinessFailure notFound) {
            throw new InvalidArgument("periodId is not a settlement period");
        }
    }
}
