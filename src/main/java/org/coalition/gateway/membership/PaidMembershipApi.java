package org.coalition.gateway.membership;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.membership.PaidMembershipTypes.CancelPaidMembershipInput;
import org.coalition.gateway.membership.PaidMembershipTypes.PaidMembership;
import org.coalition.gateway.membership.PaidMembershipTypes.PaidMembershipConnection;
import org.coalition.gateway.membership.PaidMembershipTypes.PaidMembershipPayload;
import org.coalition.gateway.membership.PaidMembershipTypes.RenewPaidMembershipInput;
import org.coalition.gateway.membership.PaidMembershipTypes.StartPaidMembershipInput;
import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.shared.PageRequest;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

/** Paid club memberships: partners sell and renew them, members and their sellers cancel them. */
@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class PaidMembershipApi {

    private static final String ENROLL = "members:enroll";

    private final PaidMembershipService memberships;
    private final CurrentCaller caller;

    public PaidMembershipApi(PaidMembershipService memberships, CurrentCaller caller) {
        this.memberships = memberships;
        this.caller = caller;
    }

    @Mutation("startPaidMembership")
    @PermissionsAllowed(ENROLL)
    @Description("The calling partner sold a member a club membership and took the fee (paymentReference); it owes the operator the fee less its commission.")
    public @NonNull Uni<PaidMembershipPayload> startPaidMembership(@NonNull @Name("input") StartPaidMembershipInput input) {
        return caller.get().flatMap(c -> memberships.start(c, input));
    }

    @Mutation("renewPaidMembership")
    @PermissionsAllowed(ENROLL)
    @Description("The selling partner charged the fee again: the term is extended from the current end.")
    public @NonNull Uni<PaidMembershipPayload> renewPaidMembership(@NonNull @Name("input") RenewPaidMembershipInput input) {
        return caller.get().flatMap(c -> memberships.renew(c, input));
    }

    @Mutation("cancelPaidMembership")
    @PermissionsAllowed({ CallerAugmentor.MEMBER_SELF, ENROLL })
    @Description("By the member or the selling partner: within the club's cooling-off days the fees are refunded and the benefits stop now; later there is no refund and the membership runs to the end of its term.")
    public @NonNull Uni<PaidMembershipPayload> cancelPaidMembership(@NonNull @Name("input") CancelPaidMembershipInput input) {
        return caller.get().flatMap(c -> memberships.cancel(c, input));
    }

    @Query("myPaidMemberships")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @Description("The calling member's paid memberships, newest first (100 at most).")
    public @NonNull Uni<List<@NonNull PaidMembership>> myPaidMemberships() {
        return caller.get().flatMap(memberships::mine);
    }

    @Query("paidMembershipsSold")
    @PermissionsAllowed(ENROLL)
    @Description("The paid memberships the calling partner sold, oldest first.")
    public @NonNull Uni<PaidMembershipConnection> paidMembershipsSold(@Name("first") Integer first, @Name("after") String after) {
        return caller.get().flatMap(c -> memberships.sold(c, PageRequest.of(first, after)));
    }
}
