package org.coalition.gateway.earning;

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
public class EarnApi {

    private final EarnService earning;
    private final CurrentCaller caller;

    public EarnApi(EarnService earning, CurrentCaller caller) {
        this.earning = earning;
        this.caller = caller;
    }

    @Mutation("earnPoints")
    @PermissionsAllowed("points:earn")
    @NonNull
    public Uni<EarnPointsPayload> earnPoints(@NonNull @Name("input") EarnPointsInput input) {
        return caller.get().flatMap(c -> earning.earn(c, input));
    }
}
