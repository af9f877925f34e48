package org.coalition.gateway.transfer;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;

/** What a transfer must respect before anything is read or written: the arithmetic of its limits. */
final class TransferRules {

    static final int MAX_MESSAGE_LENGTH = 280;

    private TransferRules() {
    }

    /** Failures of the input alone, every one of them; empty when it may go on. */
    static List<UserError> check(TransferTypes.TransferPointsInput input, CoalitionConfig.Transfers limits) {
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
        if (input.toCardNumber == null || input.toCardNumber.isBlank()) {
            errors.add(UserError.invalid("toCardNumber is required", "input", "toCardNumber"));
        }
        if (input.points <= 0) {
            errors.add(UserError.invalid("points must be greater than zero", "input", "points"));
        } else if (input.points > limits.maxPointsPerTransfer()) {
            errors.add(UserError.of(ErrorCode.LIMIT_EXCEEDED,
                    "At most " + limits.maxPointsPerTransfer() + " points per transfer", "input", "points"));
        }
        if (input.message != null && input.message.length() > MAX_MESSAGE_LENGTH) {
            errors.add(UserError.invalid("message is longer than " + MAX_MESSAGE_LENGTH + " characters", "input", "message"));
        }
        return errors;
    }

    /** The daily limit, given what the member already sent (or offered) since the start of the UTC day. */
    static Optional<UserError> dailyLimit(long sentToday, int points, int maxPointsPerDay) {
        if (sentToday + points <= maxPointsPerDay) {
            return Optional.empty();
        }
        return Optional.of(UserError.of(ErrorCode.LIMIT_EXCEEDED, "At most " + maxPointsPerDay + " points per day; "
                + Math.max(0, maxPointsPerDay - sentToday) + " left today", "input", "points"));
    }

    /** Midnight UTC of the day the instant falls on: where the daily limit starts counting. */
    static Instant startOfUtcDay(Instant at) {
        return at.atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
