package org.coalition.gateway.shared;

import java.lang.reflect.Method;
import java.util.Optional;

import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.Query;

/** The schema name of the field a GraphQL API method serves, read from its annotations as smallrye-graphql reads them. */
public final class GraphQlFields {

    private GraphQlFields() {
    }

    /** The root field (an operation) a method serves; empty for nested fields ({@code @Source}) and subscriptions. */
    public static Optional<String> operationOf(Method method) {
        Query query = method.getAnnotation(Query.class);
        if (query != null) {
            return Optional.of(query.value().isEmpty() ? method.getName() : query.value());
        }
        Mutation mutation = method.getAnnotation(Mutation.class);
        if (mutation != null) {
            return Optional.of(mutation.value().isEmpty() ? method.getName() : mutation.value());
        }
        return Optional.empty();
    }

    /** The field a method serves, root or nested ({@code @Name}, else the method's name). */
    public static String fieldOf(Method method) {
        return operationOf(method).orElseGet(() -> {
            Name name = method.getAnnotation(Name.class);
            return name != null ? name.value() : method.getName();
        });
    }
}
