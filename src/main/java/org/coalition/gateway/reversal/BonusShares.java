package org.coalition.gateway.reversal;

import org.coalition.gateway.shared.Invariant;

/** How much of a bonus follows its earn back when the earn is reversed, in full or in parts. */
final class BonusShares {

    private BonusShares() {
    }

    /**
     * Points of a {@code bonus} to have reversed in all once {@code reversed} of the earn's {@code earned} points are:
     * floor(bonus x reversed / earned). Cumulative, so reversing in parts ends exactly where reversing in full does,
     * and rounding never takes back more than the bonus.
     */
    static int toReverse(int bonus, int earned, int reversed) {
        Invariant.check(earned > 0 && reversed >= 0 && reversed <= earned, "reversed " + reversed + " of an earn of " + earned);
        return (int) ((long) bonus * reversed / earned);
    }
}
