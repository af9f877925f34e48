package org.coalition.gateway.web;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.security.ForbiddenException;

/**
 * CSRF tokens of the web forms: HMAC-SHA256 of the signed-in person's subject and the UTC day, so a token is useless
 * for anybody else and expires after a day at most (yesterday's is still taken, for a form left open over midnight).
 * Every state-changing form carries one; {@link SameOriginFilter} also refuses cross-site POSTs by their headers.
 */
@ApplicationScoped
public class CsrfTokens {

    static final int MIN_SECRET_LENGTH = 32;

    private final byte[] key;
    private final Clock clock;

    @Inject
    public CsrfTokens(WebConfig config) {
        this(config.csrfSecret().map(CsrfTokens::checkedKey).orElseGet(CsrfTokens::randomKey), Clock.systemUTC());
    }

    CsrfTokens(byte[] key, Clock clock) {
        this.key = key.clone();
        this.clock = clock;
    }

    public String tokenFor(String subject) {
        return tokenFor(subject, LocalDate.now(clock));
    }

    /** @throws ForbiddenException unless the token is this subject's, of today or yesterday */
    public void verify(String subject, String token) {
        LocalDate today = LocalDate.now(clock);
        if (token == null || subject == null
                || !(same(token, tokenFor(subject, today)) || same(token, tokenFor(subject, today.minusDays(1))))) {
            throw new ForbiddenException("CSRF token missing or invalid");
        }
    }

    private String tokenFor(String subject, LocalDate day) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((subject + "\n" + day).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] checkedKey(String secret) {
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalStateException("coalition.web.csrf-secret must be at least " + MIN_SECRET_LENGTH + " characters");
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomKey() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return random;
    }
}
