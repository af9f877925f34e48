package org.coalition.gateway.reversal;

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
public class ReversalApi {

    private final ReversalService reversals;
    private final CurrentCaller caller;

    public ReversalApi(ReversalService reversals, CurrentCaller caller) {
        this.reversals = reversals;
        this.caller = caller;
    }

    @Mutation("reverseTransaction")
    @PermissionsAllowed("points:reverse")
    @NonNull
    public Uni<ReverseTransactionPayload> reverseTransaction(@NonNull @Name("input") ReverseTransactionInput input) {
        return caller.get().flatMap(c -> reversals.reverse(c, input));
    }
}
