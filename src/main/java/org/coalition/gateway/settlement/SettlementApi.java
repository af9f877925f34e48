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

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionReads;
import org.coalition.gateway.partner.Partner;
import org.coalition.gateway.partner.PartnerApi;
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
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;

@GraphQLApi
@MutationBudget
public class SettlementApi {

    private final SettlementService settlement;
    private final PartnerApi partners;
    private final TransactionReads transactions;
    private final CurrentCaller caller;

    public SettlementApi(SettlementService settlement, PartnerApi partners, TransactionReads transactions, CurrentCaller caller) {
        this.settlement = settlement;
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
                throw new ForbiddenException("a partner reads only its own statement");
            }
            return caller.partnerId();
        }
        if (partnerId == null) {
            throw new InvalidArgument("partnerId is required");
        }
        return partnerId;
    }

    private static UUID period(String periodId) {
        try {
            return SettlementService.parsePeriod(periodId);
        } catch (BusinessFailure notFound) {
            throw new InvalidArgument("periodId is not a settlement period");
        }
    }
}
