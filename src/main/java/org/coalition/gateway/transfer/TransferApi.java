package org.coalition.gateway.transfer;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;
import org.coalition.gateway.transfer.TransferTypes.HouseholdPayload;
import org.coalition.gateway.transfer.TransferTypes.InvitationPayload;
import org.coalition.gateway.transfer.TransferTypes.MyHousehold;
import org.coalition.gateway.transfer.TransferTypes.MyTransfers;
import org.coalition.gateway.transfer.TransferTypes.TransferPayload;

/** Households and transfers between members; the operator reverses transfers. */
@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class TransferApi {

    private final HouseholdService households;
    private final TransferService transfers;
    private final TransferReversals reversals;
    private final CurrentCaller caller;

    public TransferApi(HouseholdService households, TransferService transfers, TransferReversals reversals, CurrentCaller caller) {
        this.households = households;
        this.transfers = transfers;
        this.reversals = reversals;
        this.caller = caller;
    }

    @Mutation("createHousehold")
    @Description("Starts a household with the calling member in it; a member belongs to one household at most.")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<HouseholdPayload> createHousehold(@NonNull @Name("input") TransferTypes.CreateHouseholdInput input) {
        return caller.get().flatMap(c -> households.create(c, input));
    }

    @Mutation("inviteToHousehold")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<InvitationPayload> inviteToHousehold(@NonNull @Name("input") TransferTypes.InviteInput input) {
        return caller.get().flatMap(c -> households.invite(c, input));
    }

    @Mutation("joinHousehold")
    @Description("Accepts an invitation: the standing consent to send and receive points among the household's members.")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<HouseholdPayload> joinHousehold(@NonNull @Name("input") TransferTypes.InvitationAnswerInput input) {
        return caller.get().flatMap(c -> households.join(c, input));
    }

    @Mutation("declineHouseholdInvitation")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<InvitationPayload> declineHouseholdInvitation(@NonNull @Name("input") TransferTypes.InvitationAnswerInput input) {
        return caller.get().flatMap(c -> households.decline(c, input));
    }

    @Mutation("leaveHousehold")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<HouseholdPayload> leaveHousehold(@NonNull @Name("input") TransferTypes.LeaveHouseholdInput input) {
        return caller.get().flatMap(c -> households.leave(c, input));
    }

    @Mutation("transferPoints")
    @Description("Gives points to another member: at once within a household, otherwise as an offer the recipient accepts within 7 days.")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<TransferPayload> transferPoints(@NonNull @Name("input") TransferTypes.TransferPointsInput input) {
        return caller.get().flatMap(c -> transfers.transfer(c, input));
    }

    @Mutation("acceptPointsTransfer")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<TransferPayload> acceptPointsTransfer(@NonNull @Name("input") TransferTypes.TransferAnswerInput input) {
        return caller.get().flatMap(c -> transfers.accept(c, input));
    }

    @Mutation("declinePointsTransfer")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<TransferPayload> declinePointsTransfer(@NonNull @Name("input") TransferTypes.TransferAnswerInput input) {
        return caller.get().flatMap(c -> transfers.decline(c, input));
    }

    @Mutation("reverseTransfer")
    @Description("Operator only: moves a posted transfer's points back to the sender's original lots.")
    @PermissionsAllowed(CallerAugmentor.MEMBERS_READ_ALL)
    @NonNull
    public Uni<TransferPayload> reverseTransfer(@NonNull @Name("input") TransferTypes.ReverseTransferInput input) {
        return caller.get().flatMap(c -> reversals.reverse(c, input));
    }

    @Query("myHousehold")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<MyHousehold> myHousehold() {
        return caller.get().flatMap(households::mine);
    }

    @Query("myTransfers")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<MyTransfers> myTransfers() {
        return caller.get().flatMap(transfers::mine);
    }
}
