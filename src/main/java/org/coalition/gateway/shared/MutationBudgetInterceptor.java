package org.coalition.gateway.shared;

import java.util.List;
import java.util.Map;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import org.eclipse.microprofile.graphql.Mutation;

import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.Selection;
import graphql.schema.DataFetchingEnvironment;
import io.smallrye.graphql.api.Context;

/**
 * Before a mutation runs, counts the root fields of the whole operation; over the budget, every one of
 * them refuses, so an oversized batch writes nothing rather than half of itself.
 */
@MutationBudget
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class MutationBudgetInterceptor {

    public static final int MAX_MUTATIONS_PER_REQUEST = 10;

    @Inject
    Context graphQlContext;

    @AroundInvoke
    Object checkBudget(InvocationContext invocation) throws Exception {
        if (invocation.getMethod().isAnnotationPresent(Mutation.class)) {
            DataFetchingEnvironment environment = graphQlContext.unwrap(DataFetchingEnvironment.class);
            int mutations = rootFields(environment.getOperationDefinition().getSelectionSet().getSelections(),
                    environment.getFragmentsByName());
            if (mutations > MAX_MUTATIONS_PER_REQUEST) {
                throw new InvalidArgument("A request may run at most " + MAX_MUTATIONS_PER_REQUEST
                        + " mutations, this one asks for " + mutations + "; send them in several requests");
            }
        }
        return invocation.proceed();
    }

    static int rootFields(List<Selection> selections, Map<String, FragmentDefinition> fragments) {
        int count = 0;
        for (Selection<?> selection : selections) {
            if (selection instanceof Field) {
                count++;
            } else if (selection instanceof InlineFragment inline) {
                count += rootFields(inline.getSelectionSet().getSelections(), fragments);
            } else if (selection instanceof FragmentSpread spread && fragments.containsKey(spread.getName())) {
                count += rootFields(fragments.get(spread.getName()).getSelectionSet().getSelections(), fragments);
            }
        }
        return count;
    }
}
