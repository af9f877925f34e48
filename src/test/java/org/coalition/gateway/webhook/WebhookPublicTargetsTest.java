package org.coalition.gateway.webhook;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * As in production, an endpoint must be on a public address. The gateway resolves the host on Quarkus's worker pool, off
 * the event loop, and the request goes on from there: saving the endpoint and answering must still work, with the thread
 * contexts left unchanged at each Mutiny step (application.properties). The hosts are address literals, so nothing here
 * needs DNS.
 */
@GatewayTest
@TestProfile(WebhookPublicTargetsTest.PublicTargetsOnly.class)
class WebhookPublicTargetsTest {

    public static class PublicTargetsOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coalition.webhooks.allow-private-targets", "false");
        }
    }

    @Test
    void anEndpointOnAPublicAddressIsSavedAndListed() {
        JsonPath created = Webhooks.create(FRESHMART, "https://93.184.216.34/coalition", List.of("TRANSACTION_POSTED"));

        assertEquals(List.of(), created.getList("data.createWebhookEndpoint.userErrors"), created::prettify);
        String id = created.getString("data.createWebhookEndpoint.endpoint.id");
        assertTrue(endpointIds().contains(id), "the saved endpoint is listed");
        Webhooks.delete(FRESHMART, id);
    }

    @Test
    void anEndpointOnAPrivateAddressIsRefusedAndNothingIsSaved() {
        List<String> before = endpointIds();
        for (String url : List.of("https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://[::1]/hook", "https://169.254.169.254/latest")) {
            JsonPath refused = Webhooks.create(FRESHMART, url, List.of("TRANSACTION_POSTED"));

            assertEquals("INVALID_INPUT", refused.getString("data.createWebhookEndpoint.userErrors[0].code"), refused::prettify);
            assertEquals(List.of("input", "url"), refused.getList("data.createWebhookEndpoint.userErrors[0].field"), refused::prettify);
            assertFalse(refused.prettify().contains("Exception"), refused::prettify);
        }
        assertEquals(before, endpointIds(), "a refused endpoint is not saved");
    }

    private static List<String> endpointIds() {
        return GraphQl.call(Tokens.partner(FRESHMART), Webhooks.LIST).getList("data.webhookEndpoints.id");
    }
}
