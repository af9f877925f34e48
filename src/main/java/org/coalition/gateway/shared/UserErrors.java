package org.coalition.gateway.shared;

import java.util.List;

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
}
