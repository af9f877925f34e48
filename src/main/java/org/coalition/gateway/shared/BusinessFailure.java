package org.coalition.gateway.shared;

import java.util.List;

/**
 * Thrown inside a database transaction to roll it back and answer with typed user errors.
 * It is control flow, not a bug, so it carries no stack trace.
 */
public final class BusinessFailure extends RuntimeException {

    private final List<UserError> errors;

    public BusinessFailure(List<UserError> errors) {
        super(errors.isEmpty() ? "business failure" : errors.get(0).message(), null, false, false);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a business failure needs at least one user error");
        }
        this.errors = List.copyOf(errors);
    }

    public BusinessFailure(UserError error) {
        this(List.of(error));
    }

    public static BusinessFailure of(ErrorCode code, String message, String... fieldPath) {
        return new BusinessFailure(UserError.of(code, message, fieldPath));
    }

    public List<UserError> errors() {
        return errors;
    }
}
