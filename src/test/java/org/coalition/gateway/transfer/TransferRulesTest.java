package org.coalition.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;

class TransferRulesTest {

    private static final CoalitionConfig.Transfers LIMITS = new CoalitionConfig.Transfers() {
        public int maxPointsPerTransfer() { return 10_000; }
        public int maxPointsPerDay() { return 20_000; }
        public Duration offerTtl() { return Duration.ofDays(7); }
        public int maxHouseholdMembers() { return 6; }
        public Duration expiryInterval() { return Duration.ofMinutes(1); }
        public int expiryBatchSize() { return 500; }
    };

    @Test
    void aTransferWithinTheLimitsPasses() {
        assertEquals(List.of(), TransferRules.check(input(10_000, "thanks"), LIMITS));
    }

    @Test
    void zeroNegativeAndTooManyPointsAreRefusedWithTheirCodes() {
        assertEquals(ErrorCode.INVALID_INPUT, TransferRules.check(input(0, null), LIMITS).get(0).code());
        assertEquals(ErrorCode.INVALID_INPUT, TransferRules.check(input(-5, null), LIMITS).get(0).code());
        assertEquals(ErrorCode.LIMIT_EXCEEDED, TransferRules.check(input(10_001, null), LIMITS).get(0).code());
    }

    @Test
    void everyFaultOfTheInputIsNamed() {
        TransferTypes.TransferPointsInput input = input(0, "x".repeat(281));
        input.toCardNumber = " ";
        input.idempotencyKey = "";

        List<UserError> errors = TransferRules.check(input, LIMITS);

        assertEquals(4, errors.size(), errors.toString());
    }

    @Test
    void theDailyLimitCountsWhatWasSentTodayAndSaysWhatIsLeft() {
        assertTrue(TransferRules.dailyLimit(10_000, 10_000, 20_000).isEmpty());
        UserError refused = TransferRules.dailyLimit(15_000, 5_001, 20_000).orElseThrow();
        assertEquals(ErrorCode.LIMIT_EXCEEDED, refused.code());
        assertTrue(refused.message().contains("5000 left"), refused.message());
    }

    @Test
    void theDayStartsAtMidnightUtc() {
        assertEquals(Instant.parse("2026-03-01T00:00:00Z"), TransferRules.startOfUtcDay(Instant.parse("2026-03-01T23:59:59.999Z")));
        assertEquals(Instant.parse("2026-03-02T00:00:00Z"), TransferRules.startOfUtcDay(Instant.parse("2026-03-02T00:00:00Z")));
    }

    private static TransferTypes.TransferPointsInput input(int points, String message) {
        TransferTypes.TransferPointsInput input = new TransferTypes.TransferPointsInput();
        input.idempotencyKey = "k";
        input.toCardNumber = "9000000000000000";
        input.points = points;
        input.message = message;
        return input;
    }
}
