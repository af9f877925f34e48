package org.coalition.gateway.referral;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.referral.ReferralTypes.ApplyReferralCodeInput;
import org.coalition.gateway.referral.ReferralTypes.ApplyReferralCodePayload;
import org.coalition.gateway.referral.ReferralTypes.ReferralCode;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

/** Members bring friends: their code to pass on, and a friend's code to apply. */
@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class ReferralApi {

    private final ReferralService referrals;
    private final CurrentCaller caller;

    public ReferralApi(ReferralService referrals, CurrentCaller caller) {
        this.referrals = referrals;
        this.caller = caller;
    }

    @Query("myReferralCode")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @Description("The calling member's referral code (assigned on first asking) and how it has been used.")
    public @NonNull Uni<ReferralCode> myReferralCode() {
        return caller.get().flatMap(referrals::code);
    }

    @Mutation("applyReferralCode")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @Description("A new member applies a friend's code before their first earn; their first qualifying earn then pays both.")
    public @NonNull Uni<ApplyReferralCodePayload> applyReferralCode(@NonNull @Name("input") ApplyReferralCodeInput input) {
        return caller.get().flatMap(c -> referrals.apply(c, input));
    }
}
