package org.coalition.gateway.donation;

import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.redemption.RedeemPointsPayload;
import org.coalition.gateway.shared.MutationBudget;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class DonationApi {

    private final DonationService donations;
    private final CurrentCaller caller;

    public DonationApi(DonationService donations, CurrentCaller caller) {
        this.donations = donations;
        this.caller = caller;
    }

    @Mutation("donatePoints")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<RedeemPointsPayload> donatePoints(@NonNull @Name("input") DonatePointsInput input) {
        return caller.get().flatMap(c -> donations.donate(c, input));
    }
}
