package org.coalition.gateway.webhook;

import static org.awaitility.Awaitility.await;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.WebhookReceiver;
import org.coalition.gateway.support.WebhookReceiver.Received;

/** A busy replica gives the tills the CPU first: new events wait, but never longer than the longest deferral. */
@GatewayTest
@TestProfile(WebhookDeferralTest.AlwaysBusy.class)
class WebhookDeferralTest {

    static final Duration MAX_DEFERRAL = Duration.ofSeconds(2);

    /** Busy from the first request in flight, that is always (no request in flight still counts as 0 >= 0). */
    public static class AlwaysBusy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coalition.webhooks.yield-at-operations-in-flight", "0",
                    "coalition.webhooks.max-deferral", MAX_DEFERRAL.toMillis() + "ms");
        }
    }

    @Test
    void whileBusyAnEventWaitsForTheLongestDeferralAndThenArrives() {
        try (WebhookReceiver receiver = WebhookReceiver.started()) {
            Webhooks.Endpoint endpoint = Webhooks.createOk(FRESHMART, receiver.url());
            String transactionId = Webhooks.earn(FRESHMART, Fixtures.enroll(FRESHMART));

            Received delivery = await().atMost(Duration.ofSeconds(30))
                    .until(() -> receiver.received().stream()
                            .filter(r -> transactionId.equals(r.json().getJsonObject("data").getString("transactionId"))).findFirst(),
                            found -> found.isPresent()).orElseThrow();

            Instant raised = Instant.parse(delivery.json().getString("createdAt"));
            Duration held = Duration.between(raised, Instant.now());
            assertTrue(held.compareTo(MAX_DEFERRAL) >= 0, "held back while busy, for " + held);
            Webhooks.delete(FRESHMART, endpoint.id());
        }
    }
}
