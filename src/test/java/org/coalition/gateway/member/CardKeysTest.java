package org.coalition.gateway.member;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The rules of card key rotation in {@link CardTokens}: what is made with the current key, what previous keys still do. */
class CardKeysTest {

    private static final String OLD_KEY = "card-keys-test-old-key-0123456789abcdef";
    private static final String NEW_KEY = "card-keys-test-new-key-0123456789abcdef";
    private static final String CARD = "6370000000000017";

    private final CardTokens before = new CardTokens(OLD_KEY, false);
    private final CardTokens rotating = new CardTokens(NEW_KEY, List.of(OLD_KEY), false);
    private final CardTokens after = new CardTokens(NEW_KEY, false);

    @Test
    void newTokensAndSealsAreMadeWithTheCurrentKeyOnly() {
        assertEquals(after.token(CARD), rotating.token(CARD));
        assertEquals(after.keyId(), rotating.keyId());
        assertEquals(CARD, after.open(rotating.seal(CARD)), "a seal made while rotating opens with the new key alone");
        assertThrows(IllegalStateException.class, () -> before.open(rotating.seal(CARD)));
        assertEquals(after.generated("partner:freshmart", "key-1", 0), rotating.generated("partner:freshmart", "key-1", 0));
    }

    @Test
    void aLookUpComparesTheCardsTokenUnderEveryKeyCurrentFirst() {
        assertEquals(List.of(after.token(CARD), before.token(CARD)), rotating.candidates(CARD));
        assertEquals(List.of(after.token(CARD)), after.candidates(CARD));
        assertTrue(rotating.candidates(CARD).stream().noneMatch(token -> token.contains(CardTokens.CANDIDATE_SEPARATOR)),
                "the hot-path functions split the candidates at the separator");
        assertEquals(List.of(before.keyId()), rotating.previousKeyIds());
    }

    @Test
    void aCardSealedUnderAPreviousKeyOpensAndIsReissuedUnderTheCurrentKey() {
        String sealedBefore = before.seal(CARD);
        assertEquals(CARD, rotating.open(sealedBefore));
        assertThrows(IllegalStateException.class, () -> after.open(sealedBefore), "once the old key is dropped it does not open");

        CardTokens.Reissued reissued = rotating.reissue(sealedBefore);
        assertEquals(after.token(CARD), reissued.token());
        assertEquals(after.keyId(), reissued.keyId());
        assertEquals(CARD, after.open(reissued.sealed()));
    }

    @Test
    void aReplayedEnrolmentFindsTheNumberItGeneratedUnderAPreviousKey() {
        String drawnBefore = before.generated("partner:freshmart", "key-1", 0);
        assertEquals(List.of(after.generated("partner:freshmart", "key-1", 0), drawnBefore),
                rotating.generatedUnderEveryKey("partner:freshmart", "key-1", 0));
    }

    @Test
    void keyFingerprintsTellKeysApartAndRevealNeitherKey() {
        assertNotEquals(before.keyId(), after.keyId());
        assertTrue(after.keyId().matches("[0-9a-f]{16}"), after.keyId());
        assertFalse(NEW_KEY.contains(after.keyId()));
    }

    @Test
    void previousKeysFollowTheCurrentKeysRulesAndRepeatsAreIgnored() {
        assertThrows(IllegalStateException.class, () -> new CardTokens(NEW_KEY, List.of("too-short"), false));
        assertThrows(IllegalStateException.class, () -> new CardTokens(NEW_KEY, List.of(CardTokens.DEV_KEY), true));
        new CardTokens(NEW_KEY, List.of(CardTokens.DEV_KEY), false);
        assertEquals(List.of(before.keyId()), new CardTokens(NEW_KEY, List.of(OLD_KEY, NEW_KEY, " " + OLD_KEY), false).previousKeyIds());
    }
}
