package org.coalition.gateway.shared;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * The failures a mutation answers in its payload's {@code userErrors} rather than as a GraphQL error: its
 * business failures, and the database being unavailable. Every mutation recovers with these two, so a
 * partner's till handles an outage like any other typed answer: {@code SERVICE_UNAVAILABLE}, send again.
 */
public final class UserErrors {

    private UserErrors() {
    }

    public static boolean answerable(Throwable failure) {
        return failure instanceof BusinessFailure || failure instanceof ServiceUnavailable;
    }

    public static List<UserError> of(Throwable failure) {
        if (failure instanceof ServiceUnavailable unavailable) {
            return List.of(unavailable.userError());
        }
        return ((BusinessFailure) failure).errors();
    }

    /**
     * Runs a mutation and answers its business failures, whether thrown while validating, before any Uni exists,
     * or failed inside it, as the payload {@code failed} builds from their userErrors.
     */
    public static <P> Uni<P> answered(Supplier<Uni<P>> mutation, Function<List<UserError>, P> failed) {
        try {
            return mutation.get().onFailure(UserErrors::answerable).recoverWithItem(failure -> failed.apply(of(failure)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(failed.apply(failure.errors()));
        }
    }
}
