package org.coalition.gateway.challenge;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.TenantSessions;

/** The coalition's operators set challenges; members see their progress; the completing earn pays once. */
@GatewayTest
class ChallengeTest {

    static final String CREATE = """
            mutation($input: CreateChallengeInput!) {
              createChallenge(input: $input) { challenge { id name } userErrors { code field message } }
            }""";
    static final String END = """
            mutation($input: EndChallengeInput!) { endChallenge(input: $input) { challenge { id } userErrors { code } } }""";
    static final String PROGRESS = "{ myChallenges { challenge { id name } progress completed } }";
    static final String EARN = """
            mutation($input: EarnPointsInput!) {
              earnPoints(input: $input) { transaction { points } bonuses { reason points transactionId } userErrors { code } }
            }""";

    private static final String OPERATOR = Tokens.withRoles("coalition-operator-1", "operator");

    @Inject
    LedgerAudit audit;
    @Inject
    TenantSessions sessions;

    private final List<String> created = new ArrayList<>();

    @AfterEach
    void endChallenges() {
        created.forEach(id -> GraphQl.call(OPERATOR, END, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "id", id))));
    }

    @Test
    void shoppingAtTwoBrandsThisMonthPaysOnceAndTheMemberSeesTheWay() {
        String challenge = create(Map.of("name", "Two brands this month", "kind", "DISTINCT_PARTNERS", "target", 2,
                "window", "CALENDAR_MONTH", "rewardPoints", 300, "fundedBy", "OPERATOR"));
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);

        earn(FRESHMART, member);
        JsonPath halfway = GraphQl.call(token, PROGRESS);
        JsonPath completing = earn(FUELCO, member);
        JsonPath again = earn(FUELCO, member);
        JsonPath done = GraphQl.call(token, PROGRESS);

        assertEquals(Map.of("progress", 1, "completed", false), progressOf(halfway, challenge));
        assertEquals(List.of(Map.of("reason", "Challenge completed: Two brands this month", "points", 300)),
                reasonsAndPoints(completing));
        assertEquals(List.of(), reasonsAndPoints(again), "paid once this month");
        assertEquals(Map.of("progress", 2, "completed", true), progressOf(done, challenge));
        Row event = sessions.asSystem(connection -> connection.preparedQuery(
                        "select partner_id, payload from partner_events where type = 'ChallengeCompleted' and entry_id = $1")
                .execute(Tuple.of(UUID.fromString(completing.getString("data.earnPoints.bonuses[0].transactionId")))))
                .await().indefinitely().iterator().next();
        assertEquals("fuelco", event.getString("partner_id"), "the partner where it was completed hears of it");
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void visitsToOnePartnerArePaidByThatPartnerWhenItSaysSo() {
        create(Map.of("name", "Three fill-ups", "kind", "VISITS", "target", 3, "partnerId", "fuelco", "window", "ROLLING_DAYS",
                "windowDays", 30, "rewardPoints", 150, "fundedBy", "EARNING_PARTNER"));
        EnrolledMember member = Fixtures.enroll(FUELCO);

        earn(FRESHMART, member);
        earn(FUELCO, member);
        JsonPath second = earn(FUELCO, member);
        JsonPath third = earn(FUELCO, member);

        assertEquals(List.of(), reasonsAndPoints(second));
        assertEquals(List.of(Map.of("reason", "Challenge completed: Three fill-ups", "points", 150)), reasonsAndPoints(third));
        Row fee = sessions.asSystem(connection -> connection.preparedQuery(
                        "select debtor_id, points from settlement_records where entry_id = $1")
                .execute(Tuple.of(UUID.fromString(third.getString("data.earnPoints.bonuses[0].transactionId")))))
                .await().indefinitely().iterator().next();
        assertEquals("fuelco", fee.getString("debtor_id"));
        assertEquals(150, fee.getInteger("points"));
    }

    @Test
    void onlyOperatorsSetChallengesAndAVisitsChallengeNamesItsPartner() {
        Map<String, Object> input = input(Map.of("name", "Nameless", "kind", "VISITS", "target", 2, "window", "CALENDAR_MONTH",
                "rewardPoints", 10, "fundedBy", "OPERATOR"));

        JsonPath byPartner = GraphQl.call(Tokens.partner(FRESHMART), CREATE, Map.of("input", input));
        JsonPath bySettlement = GraphQl.call(Tokens.settlement(), CREATE, Map.of("input", input));
        JsonPath withoutPartner = GraphQl.call(OPERATOR, CREATE, Map.of("input", input));

        assertEquals("FORBIDDEN", byPartner.getString("errors[0].extensions.reason"));
        assertEquals("FORBIDDEN", bySettlement.getString("errors[0].extensions.reason"));
        assertEquals("PARTNER_NOT_FOUND", withoutPartner.getString("data.createChallenge.userErrors[0].code"));
        assertFalse(GraphQl.call(Tokens.partner(FRESHMART), "{ challenges { name } }").getList("data.challenges.name").contains("Nameless"));
    }

    private String create(Map<String, Object> fields) {
        JsonPath result = GraphQl.call(OPERATOR, CREATE, Map.of("input", input(fields)));
        assertEquals(List.of(), result.getList("data.createChallenge.userErrors"), result::prettify);
        String id = result.getString("data.createChallenge.challenge.id");
        created.add(id);
        assertTrue(GraphQl.call(Tokens.partner(FRESHMART), "{ challenges { id } }").getList("data.challenges.id").contains(id),
                "partners see the running challenges");
        return id;
    }

    private static Map<String, Object> input(Map<String, Object> fields) {
        Map<String, Object> input = new HashMap<>(fields);
        input.put("idempotencyKey", Fixtures.key());
        input.put("startsAt", Instant.now().minus(Duration.ofMinutes(1)).toString());
        input.put("endsAt", Instant.now().plus(Duration.ofDays(1)).toString());
        return input;
    }

    private static JsonPath earn(String partner, EnrolledMember member) {
        JsonPath earned = GraphQl.call(Tokens.partner(partner), EARN, Map.of("input", Fixtures.earnInput(member, "20.00")));
        assertEquals(List.of(), earned.getList("data.earnPoints.userErrors"), earned::prettify);
        return earned;
    }

    private static List<Map<String, Object>> reasonsAndPoints(JsonPath earned) {
        List<Map<String, Object>> bonuses = earned.getList("data.earnPoints.bonuses");
        return bonuses.stream().map(b -> Map.of("reason", b.get("reason"), "points", b.get("points"))).toList();
    }

    private static Map<String, Object> progressOf(JsonPath progress, String challenge) {
        List<Map<String, Object>> all = progress.getList("data.myChallenges");
        return all.stream().filter(p -> challenge.equals(((Map<?, ?>) p.get("challenge")).get("id")))
                .map(p -> Map.of("progress", p.get("progress"), "completed", p.get("completed"))).findFirst().orElseThrow();
    }
}
