package org.coalition.gateway.webhook;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Projection;
import org.coalition.gateway.support.Tokens;

/** A receiver that lost events catches up by reading its partner's events back, after the last one it handled. */
@GatewayTest
class PartnerEventFeedTest {

    private static final String EVENTS = """
            query($after: ID, $types: [PartnerEventType], $first: Int) {
              partnerEvents(after: $after, types: $types, first: $first) { id type createdAt body }
            }""";

    @Test
    void aPartnerReadsItsOwnEventsBackInDeliveryOrderFromTheLastOneItHandled() throws Exception {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String handled = Webhooks.earn(FRESHMART, member);
        String missed = Webhooks.earn(FRESHMART, member);
        String elsewhere = Webhooks.earn(FUELCO, member);
        String missedToo = Webhooks.earn(FRESHMART, member);

        List<Map<String, Object>> page = events(FRESHMART, eventOf(handled), List.of("TRANSACTION_POSTED"), 200);

        List<String> transactions = page.stream().map(PartnerEventFeedTest::transactionOf).toList();
        assertEquals(List.of(missed, missedToo), transactions.stream().filter(List.of(handled, missed, elsewhere, missedToo)::contains).toList(),
                "after the handled one, in order; another partner's never");
        Map<String, Object> first = page.get(transactions.indexOf(missed));
        assertEquals(eventOf(missed), first.get("id"));
        assertEquals("TRANSACTION_POSTED", first.get("type"));
        assertEquals(eventOf(missed), new JsonObject((String) first.get("body")).getString("id"), "the body a webhook carries");
        assertEquals("freshmart", new JsonObject((String) first.get("body")).getString("partnerId"));
    }

    @Test
    void typesFilterAndAnUnknownCursorListsNothingOfAnotherPartner() throws Exception {
        EnrolledMember member = Fixtures.enroll(FUELCO);
        String fuelcoEarn = Webhooks.earn(FUELCO, member);

        List<Map<String, Object>> reversalsOnly = events(FUELCO, null, List.of("TRANSACTION_REVERSED"), 200);
        assertTrue(reversalsOnly.stream().allMatch(event -> "TRANSACTION_REVERSED".equals(event.get("type"))));
        assertEquals(List.of(), events(FUELCO, "not-an-event", null, 10));
        assertFalse(events(FRESHMART, eventOf(fuelcoEarn), null, 200).stream()
                .anyMatch(event -> fuelcoEarn.equals(transactionOf(event))), "FuelCo's event id gives FreshMart nothing of FuelCo's");
    }

    private static List<Map<String, Object>> events(String partnerClient, String after, List<String> types, int first) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("after", after);
        variables.put("types", types);
        variables.put("first", first);
        JsonPath result = GraphQl.call(Tokens.partner(partnerClient), EVENTS, variables);
        assertNull(result.get("errors"), result::prettify);
        return result.getList("data.partnerEvents");
    }

    private static String transactionOf(Map<String, Object> event) {
        return new JsonObject((String) event.get("body")).getJsonObject("data").getString("transactionId");
    }

    private static String eventOf(String transactionId) throws Exception {
        Projection.awaitLevel();
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
                PreparedStatement query = sql.prepareStatement("select id from partner_events where entry_id = ?")) {
            query.setObject(1, UUID.fromString(transactionId));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return EventBody.eventId(rows.getLong(1));
            }
        }
    }
}
