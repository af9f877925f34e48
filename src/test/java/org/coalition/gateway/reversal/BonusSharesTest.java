package org.coalition.gateway.reversal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BonusSharesTest {

    @Test
    void aBonusGoesBackInTheEarnsProportionRoundedDown() {
        assertEquals(50, BonusShares.toReverse(101, 150, 75));
        assertEquals(0, BonusShares.toReverse(3, 150, 1), "a small part of a small bonus rounds to nothing");
        assertEquals(101, BonusShares.toReverse(101, 150, 150), "in full, all of it");
    }

    @Test
    void reversingInPartsEndsWhereReversingInFullDoes() {
        int reversedSoFar = 0;
        int bonusBack = 0;
        for (int part : new int[] { 7, 13, 29, 101 }) {
            reversedSoFar += part;
            bonusBack += BonusShares.toReverse(97, 150, reversedSoFar) - bonusBack;
        }
        assertEquals(150, reversedSoFar);
        assertEquals(97, bonusBack);
    }

    @Test
    void moreThanTheEarnIsNoShare() {
        assertThrows(IllegalStateException.class, () -> BonusShares.toReverse(10, 150, 151));
    }
}
