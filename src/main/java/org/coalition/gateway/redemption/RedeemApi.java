package org.coalition.gateway.redemption;

import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.shared.MutationBudget;

import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class RedeemApi {

    private final RedeemService redemptions;
    private final CurrentCaller caller;

    public RedeemApi(RedeemService redemptions, CurrentCaller caller) {
        this.redemptions = redemptions;
        this.caller = caller;
    }

    @Mutation("redeemPoints")
    @PermissionsAllowed("points:redeem")
    @NonNull
    public Uni<RedeemPointsPayload> redeemPoints(@NonNull @Name("input") RedeemPointsInput input) {
        return caller.get().flatMap(c -> redemptions.redeem(c, input));
    }
}
