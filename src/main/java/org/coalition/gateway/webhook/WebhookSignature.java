package org.coalition.gateway.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook requests the way receivers verify them (README, "Webhooks"): the header
 * {@code Coalition-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}, with one {@code v1}
 * per valid secret while a rotation overlaps. The timestamp is signed, so a receiver that refuses old
 * timestamps refuses replays.
 */
public final class WebhookSignature {

    public static final String HEADER = "Coalition-Signature";
    public static final String SECRET_PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSignature() {
    }

    /** A new signing secret: 32 random bytes. The whole string, prefix included, is the HMAC key. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String header(Instant timestamp, String body, List<String> secrets) {
        StringBuilder header = new StringBuilder("t=").append(timestamp.getEpochSecond());
        for (String secret : secrets) {
            header.append(",v1=").append(hmac(secret, timestamp.getEpochSecond() + "." + body));
        }
        return header.toString();
    }

    /**
     * The receiver's side, as documented: some {@code v1} matches in constant time and the timestamp is
     * within {@code tolerance} of {@code now}.
     */
    public static boolean verify(String header, String body, String secret, Instant now, Duration tolerance) {
        long timestamp = -1;
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] pair = part.split("=", 2);
            if (pair.length != 2) {
                return false;
            }
            if (pair[0].equals("t")) {
                try {
                    timestamp = Long.parseLong(pair[1]);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (pair[0].equals("v1")) {
                signatures.add(pair[1]);
            }
        }
        if (timestamp < 0 || Math.abs(now.getEpochSecond() - timestamp) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = hmac(secret, timestamp + "." + body).getBytes(StandardCharsets.US_ASCII);
        return signatures.stream().anyMatch(signature ->
                MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII)));
    }

    static String hmac(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
