package org.coalition.gateway.shared;

/**
 * A malformed query argument (page size, cursor, filter). Queries have no userErrors, so this becomes a
 * GraphQL error whose message is shown to the caller (see show-runtime-exception-message), with
 * {@code extensions.reason} INVALID_ARGUMENT.
 */
public final class InvalidArgument extends RuntimeException {
    public InvalidArgument(String message) {
        super(message, null, false, false);
    }
}
