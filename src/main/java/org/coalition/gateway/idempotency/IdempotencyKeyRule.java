package org.coalition.gateway.idempotency;

import java.util.Optional;

import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.UserError;

/** Every mutation's key: 1 to 255 characters, unique per partner (or member). */
public final class IdempotencyKeyRule {

    public static final int MAX_KEY_LENGTH = 255;

    private IdempotencyKeyRule() {
    }

    /** For mutations that fail on their first bad field: throws the INVALID_INPUT failure of a bad key. */
    public static void require(String key) {
        check(key).ifPresent(error -> {
            throw new BusinessFailure(error);
        });
    }

    public static Optional<UserError> check(String key) {
        if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            return Optional.of(UserError.invalid(
                    "idempotencyKey must be 1 to " + MAX_KEY_LENGTH + " characters", "input", "idempotencyKey"));
        }
        return Optional.empty();
    }
}
