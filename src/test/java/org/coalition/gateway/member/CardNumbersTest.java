package org.coalition.gateway.member;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Card numbers carry a Luhn check digit, so a mistyped number is caught at the till instead of crediting a stranger. */
class CardNumbersTest {

    /** Published Luhn-valid test numbers of 12 to 19 digits. */
    private static final String[] KNOWN_VALID = {
            "4111111111111111", // Visa, 16
            "5500005555555559", // Mastercard, 16
            "378282246310005", // Amex, 15
            "6011111111111117", // Discover, 16
            "4222222222222", // Visa, 13
            "3530111333300000", // JCB, 16
            "6304000000000000", // Maestro, 16
    };

    @ParameterizedTest
    @CsvSource({
            "7992739871,      3",
            "411111111111111, 1",
            "550000555555555, 9",
            "37828224631000,  5",
            "000000000000000, 0",
            "637000000000000, 9",
    })
    void theCheckDigitIsTheLuhnDigitOfThePayload(String payload, String checkDigit) {
        assertEquals(payload + checkDigit, CardNumbers.withCheckDigit(payload));
    }

    @Test
    void knownValidNumbersAreWellFormed() {
        for (String number : KNOWN_VALID) {
            assertTrue(CardNumbers.isWellFormed(number), number);
        }
    }

    @Test
    void everyWrongCheckDigitIsRejected() {
        for (String number : KNOWN_VALID) {
            String payload = number.substring(0, number.length() - 1);
            char valid = number.charAt(number.length() - 1);
            for (char digit = '0'; digit <= '9'; digit++) {
                if (digit != valid) {
                    assertFalse(CardNumbers.isWellFormed(payload + digit), payload + digit);
                }
            }
        }
    }

    @Test
    void aSingleMistypedDigitAnywhereIsRejected() {
        String number = "4111111111111111";
        for (int i = 0; i < number.length() - 1; i++) {
            for (char digit = '0'; digit <= '9'; digit++) {
                if (digit != number.charAt(i)) {
                    String typo = number.substring(0, i) + digit + number.substring(i + 1);
                    assertFalse(CardNumbers.isWellFormed(typo), typo);
                }
            }
        }
    }

    @Test
    void swappingTwoNeighbouringDigitsIsRejected() {
        String number = "5500005555555559";
        assertFalse(CardNumbers.isWellFormed("5050005555555559"));
        assertFalse(CardNumbers.isWellFormed("5500050555555559"));
        assertTrue(CardNumbers.isWellFormed(number), "while the original is accepted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111a11111111111", "411111111111111O", "4111-1111-1111-1111", "4111 1111 1111 1111",
            " 4111111111111111", "4111111111111111 ", "+4111111111111111", "٤١١١١١١١١١١١١١١١"})
    void numbersWithLettersOrOtherCharactersAreRejected(String number) {
        assertFalse(CardNumbers.isWellFormed(number));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void aMissingNumberIsRejected(String number) {
        assertFalse(CardNumbers.isWellFormed(number));
    }

    @Test
    void luhnValidNumbersOfTheWrongLengthAreRejected() {
        assertFalse(CardNumbers.isWellFormed("79927398713"), "11 digits, Luhn-valid but too short");
        assertFalse(CardNumbers.isWellFormed(CardNumbers.withCheckDigit("1234567890123456789")), "20 digits is too long");
        assertFalse(CardNumbers.isWellFormed("0"));
    }

    @Test
    void luhnValidNumbersOfTwelveToNineteenDigitsAreAccepted() {
        assertTrue(CardNumbers.isWellFormed(CardNumbers.withCheckDigit("12345678901")), "12 digits");
        assertTrue(CardNumbers.isWellFormed(CardNumbers.withCheckDigit("123456789012345678")), "19 digits");
    }

    @Test
    void generatedNumbersAreSixteenWellFormedDigitsUnderTheCoalitionPrefix() {
        Set<String> generated = new HashSet<>();
        CardTokens cards = new CardTokens("card-numbers-test-key-0123456789abcdef", false);
        for (int i = 0; i < 1_000; i++) {
            String number = cards.generated("partner:freshmart", "key-" + i, 0);
            assertEquals(16, number.length(), number);
            assertTrue(number.startsWith("6370"), number);
            assertTrue(number.chars().allMatch(c -> c >= '0' && c <= '9'), number);
            assertTrue(CardNumbers.isWellFormed(number), number);
            generated.add(number);
        }
        assertTrue(generated.size() > 990, "generated numbers are random, got " + generated.size() + " distinct of 1000");
        assertEquals(cards.generated("partner:freshmart", "key-7", 0), cards.generated("partner:freshmart", "key-7", 0),
                "a retried enrolment finds its number again");
    }

    @Test
    void aCardIsStoredAsItsLastFourDigitsAndAKeyedHashAndShownMasked() {
        CardTokens cards = new CardTokens("card-numbers-test-key-0123456789abcdef", false);
        String token = cards.token("6370000000000017");

        assertTrue(token.matches("0017:[0-9a-f]{64}"), token);
        assertFalse(token.contains("637000000000"), token);
        assertEquals(token, cards.token("6370000000000017"));
        assertNotEquals(token, new CardTokens("another-card-numbers-key-0123456789abc", false).token("6370000000000017"),
                "without the key nobody can compute the token of a guessed number");
        assertEquals("****0017", CardTokens.display(token));
        assertEquals("erased", CardTokens.display(CardTokens.erasedToken(java.util.UUID.randomUUID())));
    }

    @Test
    void aSealedCardOpensWithItsKeyOnly() {
        CardTokens cards = new CardTokens("card-numbers-test-key-0123456789abcdef", false);
        String sealed = cards.seal("6370000000000017");

        assertFalse(sealed.contains("6370000000000017"));
        assertNotEquals(sealed, cards.seal("6370000000000017"), "a fresh nonce every time");
        assertEquals("6370000000000017", cards.open(sealed));
        assertThrows(IllegalStateException.class,
                () -> new CardTokens("another-card-numbers-key-0123456789abc", false).open(sealed));
    }

    @Test
    void aShortKeyOrTheDevelopmentKeyInProductionRefusesToStart() {
        assertThrows(IllegalStateException.class, () -> new CardTokens("too-short", false));
        assertThrows(IllegalStateException.class, () -> new CardTokens(CardTokens.DEV_KEY, true));
    }
}
