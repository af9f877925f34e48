package org.coalition.gateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    private static final Instant SENT = Instant.parse("2026-11-27T10:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(5);
    private static final String BODY = "{\"id\":\"evt_1\",\"type\":\"TransactionPosted\"}";

    @Test
    void theHeaderIsTimestampAndHmacOfTimestampDotBody() {
        // independently computed: printf '1795773600.%s' "$BODY" | openssl dgst -sha256 -hmac whsec_test
        assertEquals("t=1795773600,v1=62dc6c99b5978cf19d4ac472621dbc9022bbe518bd9024d61ef7e6c945853efd",
                WebhookSignature.header(SENT, BODY, List.of("whsec_test")));
    }

    @Test
    void verifiesWithinTheWindowAndRefusesReplaysTamperingAndOtherSecrets() {
        String header = WebhookSignature.header(SENT, BODY, List.of("whsec_new", "whsec_old"));

        assertTrue(WebhookSignature.verify(header, BODY, "whsec_new", SENT.plusSeconds(60), WINDOW));
        assertTrue(WebhookSignature.verify(header, BODY, "whsec_old", SENT.plusSeconds(60), WINDOW));
        assertFalse(WebhookSignature.verify(header, BODY, "whsec_other", SENT, WINDOW));
        assertFalse(WebhookSignature.verify(header, BODY.replace("evt_1", "evt_2"), "whsec_new", SENT, WINDOW));
        assertFalse(WebhookSignature.verify(header, BODY, "whsec_new", SENT.plus(WINDOW).plusSeconds(1), WINDOW), "a replay");
        assertFalse(WebhookSignature.verify(header.replace("t=1795773600", "t=1795773900"), BODY, "whsec_new", SENT, WINDOW),
                "a fresher timestamp does not carry the old signature");
        assertFalse(WebhookSignature.verify("garbage", BODY, "whsec_new", SENT, WINDOW));
    }

    @Test
    void secretsAreRandomAndLongEnough() {
        String one = WebhookSignature.newSecret();
        assertTrue(one.startsWith(WebhookSignature.SECRET_PREFIX));
        assertTrue(one.length() >= 6 + 43);
        assertFalse(one.equals(WebhookSignature.newSecret()));
    }
}
