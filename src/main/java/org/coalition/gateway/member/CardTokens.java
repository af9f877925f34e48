package org.coalition.gateway.member;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.runtime.LaunchMode;

import org.coalition.gateway.shared.CoalitionConfig;

/**
 * What the gateway stores instead of a card number: its last four digits and its keyed hash,
 * {@code 0017:9f86d0…} (HMAC-SHA256 under {@code coalition.privacy.card-key}). A card number has too little
 * entropy for a plain hash (every 16-digit Luhn number under a known prefix can be hashed in minutes), but
 * without the key a stolen table reveals nothing beyond the last four digits. Look-ups hash the number a
 * partner sends and compare tokens on the unique index: one round trip, as before. The card number itself
 * is never written anywhere; V26 turned the numbers stored before into tokens with the same key.
 * <p>
 * The key can be rotated (README, "Rotating the card key"): tokens and seals are made with the current key only,
 * while look-ups compare the tokens under the current and every previous key ({@link #candidates}) and
 * {@link #open} tries each key, until {@link CardKeyRotation} has moved every member to the current key.
 */
@ApplicationScoped
public class CardTokens {

    static final int MIN_KEY_LENGTH = 32;
    static final String DEV_KEY = "dev-and-test-only-card-key-not-a-secret";
    private static final String ALGORITHM = "HmacSHA256";
    private static final String SEPARATOR = ":";
    /** Joins a card's candidate tokens for the hot-path functions' text argument (V50); no token contains it. */
    static final String CANDIDATE_SEPARATOR = ",";
    private static final String ERASED_PREFIX = "erased" + SEPARATOR;
    private static final int SHOWN_DIGITS = 4;
    private static final int KEY_ID_HEX_DIGITS = 16;

    private static final String SEALING = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    /**
     * A cipher per thread for {@link #open}, which every member's own read ({@code me}) calls: made once rather than per
     * call, and initialised again with the same key it keeps that key's schedule (a fresh cipher per call was 3-4 % of a
     * read's CPU, bench/README.md, "Session 24"). Each {@code init} takes the sealed card's own nonce.
     */
    private static final ThreadLocal<Cipher> OPENING = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance(SEALING);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    });

    /** The current key first, then the previous ones in the order configured. */
    private final List<Key> keys;
    private final java.security.SecureRandom random = new java.security.SecureRandom();

    @Inject
    public CardTokens(CoalitionConfig config) {
        this(config.privacy().cardKey(), config.privacy().previousCardKeys().orElse(List.of()),
                LaunchMode.current() == LaunchMode.NORMAL);
    }

    /** @param production whether the published development key is refused */
    public CardTokens(String key, boolean production) {
        this(key, List.of(), production);
    }

    /**
     * @param previousKeys keys tokens were made with before {@code key}; look-ups and {@link #open} still accept them
     * @param production whether the published development key is refused, as current or previous key
     */
    public CardTokens(String key, List<String> previousKeys, boolean production) {
        List<Key> all = new ArrayList<>();
        all.add(new Key(checked(key, "coalition.privacy.card-key (COALITION_PRIVACY_CARD_KEY)", production)));
        for (String previous : previousKeys) {
            Key candidate = new Key(checked(previous == null ? null : previous.strip(),
                    "coalition.privacy.previous-card-keys (COALITION_PRIVACY_PREVIOUS_CARD_KEYS)", production));
            if (all.stream().noneMatch(known -> known.id.equals(candidate.id))) {
                all.add(candidate);
            }
        }
        keys = List.copyOf(all);
    }

    private static String checked(String key, String setting, boolean production) {
        if (key == null || key.length() < MIN_KEY_LENGTH) {
            throw new IllegalStateException(setting + " must have at least " + MIN_KEY_LENGTH + " characters per key");
        }
        if (production && key.equals(DEV_KEY)) {
            throw new IllegalStateException(setting + " is the published development key: set the production key");
        }
        return key;
    }

    /**
     * The card number sealed for its member's own view (the QR card at the till): AES-256-GCM under a key derived
     * from the current card key, base64 of nonce and ciphertext. Never compared or indexed; only {@link #open} reads it.
     */
    public String seal(String cardNumber) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance(SEALING);
            cipher.init(Cipher.ENCRYPT_MODE, current().sealingKey, new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = cipher.doFinal(cardNumber.getBytes(StandardCharsets.UTF_8));
            byte[] stored = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, stored, 0, IV_BYTES);
            System.arraycopy(sealed, 0, stored, IV_BYTES, sealed.length);
            return java.util.Base64.getEncoder().encodeToString(stored);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The sealed card number, opened with whichever configured key sealed it (GCM's tag tells a wrong key). */
    public String open(String sealed) {
        byte[] stored = java.util.Base64.getDecoder().decode(sealed);
        Cipher cipher = OPENING.get();
        for (Key key : keys) {
            try {
                cipher.init(Cipher.DECRYPT_MODE, key.sealingKey, new GCMParameterSpec(TAG_BITS, stored, 0, IV_BYTES));
                return new String(cipher.doFinal(stored, IV_BYTES, stored.length - IV_BYTES), StandardCharsets.UTF_8);
            } catch (javax.crypto.AEADBadTagException wrongKey) {
                // sealed under another key: try the next one
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available", e);
            }
        }
        throw new IllegalStateException("a sealed card number opens with none of the configured card keys");
    }

    /** A stored card as the current key stores it: token, seal and key fingerprint. */
    public record Reissued(String token, String sealed, String keyId) {
    }

    /** The card behind a sealed number, tokenized and sealed again under the current key (for {@link CardKeyRotation}). */
    public Reissued reissue(String sealed) {
        String cardNumber = open(sealed);
        return new Reissued(token(cardNumber), seal(cardNumber), keyId());
    }

    /** The stored token of a well-formed card number. */
    public String token(String cardNumber) {
        return current().token(cardNumber);
    }

    /**
     * The tokens a stored card may have: under the current key first, then under each previous key. A look-up
     * compares all of them on the unique index ({@code card_number = any($1)}), still one statement.
     */
    public List<String> candidates(String cardNumber) {
        return keys.stream().map(key -> key.token(cardNumber)).toList();
    }

    /** A short public fingerprint of the current key, stored beside the tokens it made ({@code members.card_key}, V50). */
    public String keyId() {
        return current().id;
    }

    /** The fingerprints of the previous keys: members stored under them are still to be moved. */
    public List<String> previousKeyIds() {
        return keys.stream().skip(1).map(key -> key.id).toList();
    }

    /**
     * A new card number under the coalition's prefix, drawn from the keyed hash of an enrolment's idempotency scope,
     * key and attempt: unpredictable without the key, and the same again when a retried enrolment must show the
     * number it generated the first time (the gateway does not keep it).
     */
    public String generated(String scope, String idempotencyKey, int attempt) {
        return generated(current(), scope, idempotencyKey, attempt);
    }

    /** {@link #generated} under each key, current first: a replayed enrolment's number may have been drawn under a previous key. */
    public List<String> generatedUnderEveryKey(String scope, String idempotencyKey, int attempt) {
        return keys.stream().map(key -> generated(key, scope, idempotencyKey, attempt)).toList();
    }

    private static String generated(Key key, String scope, String idempotencyKey, int attempt) {
        byte[] digest = key.hmac("enroll\n" + scope + "\n" + idempotencyKey + "\n" + attempt);
        StringBuilder digits = new StringBuilder(CardNumbers.COALITION_PREFIX);
        for (int i = 0; digits.length() < CardNumbers.GENERATED_LENGTH - 1; i++) {
            digits.append(Math.floorMod(digest[i], 10));
        }
        return CardNumbers.withCheckDigit(digits.toString());
    }

    private Key current() {
        return keys.get(0);
    }

    /** One card key and what is derived from it. */
    private static final class Key {
        private final Mac prototype;
        private final SecretKeySpec sealingKey;
        private final String id;

        Key(String key) {
            try {
                prototype = Mac.getInstance(ALGORITHM);
                prototype.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA256 is not available", e);
            }
            sealingKey = new SecretKeySpec(hmac("card sealing key v1"), "AES");
            id = HexFormat.of().formatHex(hmac("card key id v1")).substring(0, KEY_ID_HEX_DIGITS);
        }

        String token(String cardNumber) {
            byte[] digest = hmac(cardNumber);
            return cardNumber.substring(cardNumber.length() - SHOWN_DIGITS) + SEPARATOR + HexFormat.of().formatHex(digest);
        }

        byte[] hmac(String text) {
            try {
                return ((Mac) prototype.clone()).doFinal(text.getBytes(StandardCharsets.UTF_8));
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("HMAC-SHA256 cannot be cloned", e);
            }
        }
    }

    /** What the API shows of a stored card: {@code ****0017}; an erased member's card shows as {@code erased}. */
    public static String display(String token) {
        if (token == null || token.startsWith(ERASED_PREFIX)) {
            return "erased";
        }
        int separator = token.indexOf(SEPARATOR);
        return "****" + (separator < 0 ? token : token.substring(0, separator));
    }

    /** The token an erased member's row keeps: unique, and no card number hashes to it. */
    public static String erasedToken(java.util.UUID memberId) {
        return ERASED_PREFIX + memberId;
    }
}
