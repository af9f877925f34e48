package org.coalition.gateway.member;

/**
 * Coalition card numbers: 12 to 19 digits whose last digit is a Luhn check digit, so a mistyped number
 * is caught at the till instead of crediting a stranger. Generated cards are 16 digits under the
 * coalition's prefix ({@link CardTokens#generated}).
 */
public final class CardNumbers {

    static final String COALITION_PREFIX = "6370";
    static final int GENERATED_LENGTH = 16;

    private CardNumbers() {
    }

    public static boolean isWellFormed(String cardNumber) {
        return cardNumber != null
                && cardNumber.length() >= 12 && cardNumber.length() <= 19
                && cardNumber.chars().allMatch(c -> c >= '0' && c <= '9')
                && checkDigit(cardNumber.substring(0, cardNumber.length() - 1)) == cardNumber.charAt(cardNumber.length() - 1) - '0';
    }

    public static String withCheckDigit(String payload) {
        return payload + checkDigit(payload);
    }

    /** Luhn: double every second digit from the right of the payload, sum the digits, round up to ten. */
    static int checkDigit(String payload) {
        int sum = 0;
        boolean doubled = true;
        for (int i = payload.length() - 1; i >= 0; i--) {
            int digit = payload.charAt(i) - '0';
            if (doubled) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            doubled = !doubled;
        }
        return (10 - sum % 10) % 10;
    }
}
