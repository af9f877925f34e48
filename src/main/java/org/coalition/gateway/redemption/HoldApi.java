package org.coalition.gateway.redemption;

import java.util.UUID;

import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.quarkus.security.Authenticated;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionReads;
import org.coalition.gateway.member.Member;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.partner.Partner;
import org.coalition.gateway.partner.PartnerApi;
import org.coalition.gateway.redemption.HoldInputs.AuthorizeRedemptionInput;
import org.coalition.gateway.redemption.HoldInputs.CaptureRedemptionInput;
import org.coalition.gateway.redemption.HoldInputs.RedemptionHoldPayload;
import org.coalition.gateway.redemption.HoldInputs.VoidRedemptionInput;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class HoldApi {

    private final HoldService holds;
    private final MemberRepository members;
    private final PartnerApi partners;
    private final TransactionReads transactions;
    private final CurrentCaller caller;

    public HoldApi(HoldService holds, MemberRepository members, PartnerApi partners, TransactionReads transactions,
            CurrentCaller caller) {
        this.holds = holds;
        this.members = members;
        this.partners = partners;
        this.transactions = transactions;
        this.caller = caller;
    }

    @Mutation("authorizeRedemption")
    @PermissionsAllowed("points:redeem")
    @NonNull
    public Uni<RedemptionHoldPayload> authorizeRedemption(@NonNull @Name("input") AuthorizeRedemptionInput input) {
        return caller.get().flatMap(c -> holds.authorize(c, input));
    }

    @Mutation("captureRedemption")
    @PermissionsAllowed("points:redeem")
    @NonNull
    public Uni<RedeemPointsPayload> captureRedemption(@NonNull @Name("input") CaptureRedemptionInput input) {
        return caller.get().flatMap(c -> holds.capture(c, input));
    }

    @Mutation("voidRedemption")
    @PermissionsAllowed("points:redeem")
    @NonNull
    public Uni<RedemptionHoldPayload> voidRedemption(@NonNull @Name("input") VoidRedemptionInput input) {
        return caller.get().flatMap(c -> holds.voidHold(c, input));
    }

    @Query("hold")
    @Authenticated
    public Uni<RedemptionHold> hold(@NonNull @Id String id) {
        UUID holdId;
        try {
            holdId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().nullItem();
        }
        return caller.get().flatMap(c -> holds.find(c, holdId)).map(found -> found.orElse(null));
    }

    @NonNull
    public Uni<Member> member(@Source RedemptionHold hold) {
        return members.find(new MemberKey.ById(hold.memberId())).map(found -> found.orElseThrow());
    }

    @NonNull
    public Partner partner(@Source RedemptionHold hold) {
        return partners.byId(hold.partnerId());
    }

    public Uni<PointTransaction> transaction(@Source RedemptionHold hold) {
        if (hold.transactionId() == null) {
            return Uni.createFrom().nullItem();
        }
        return caller.get().flatMap(c -> transactions.find(c, hold.transactionId())).map(found -> found.orElse(null));
    }
}
