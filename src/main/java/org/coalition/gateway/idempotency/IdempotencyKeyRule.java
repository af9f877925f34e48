package org.coalition.gateway.idempotency;

import java.util.Optional;

import org.coalition.gateway.shared.UserError;

/** Every mutation's key: 1 to 255 characters, unique per partner (or member). */
public final class IdempotencyKeyRule {

    public static final int MAX_KEY_LENGTH = 255;

    private IdempotencyKeyRule() {
    }

    public static Optional<UserError> check(String key) {
        if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            return Optional.of(UserError.invalid(
                    "idempotencyKey must be 1 to " + MAX_KEY_LENGTH + " characters", "input", "idempotencyKey"));
        }
        return Optional.empty();
    }
}
