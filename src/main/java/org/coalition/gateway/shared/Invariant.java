package org.coalition.gateway.shared;

/**
 * Assertions of ledger invariants that must hold in production too: when one fails the transaction
 * is rolled back and the failure is loud, instead of a wrong balance being committed.
 */
public final class Invariant {

    private Invariant() {
    }

    public static void check(boolean condition, String what) {
        if (!condition) {
            throw new InvariantViolation(what);
        }
    }

    public static final class InvariantViolation extends IllegalStateException {
        public InvariantViolation(String message) {
            super("ledger invariant violated: " + message);
        }
    }
}
