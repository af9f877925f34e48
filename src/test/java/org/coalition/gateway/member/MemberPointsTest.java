package org.coalition.gateway.member;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

@GatewayTest
class MemberPointsTest {

    private static final String SETTLEMENT_VIEW = """
            query($ref: MemberRefInput!, $days: Int) {
              member(ref: $ref) {
                balance held available nextExpiryAt expiringPoints(withinDays: $days)
                pointsByIssuer { partner { id name } points }
              }
            }""";
    private static final String PAGE = """
            query($ref: MemberRefInput!, $first: Int, $after: String) {
              member(ref: $ref) {
                transactions(first: $first, after: $after) {
                  edges { cursor node { id points } }
                  pageInfo { hasNextPage endCursor }
                }
              }
            }""";

    @Test
    void enrollingWithoutACardNumberIssuesAValidCoalitionCard() {
        JsonPath result = GraphQl.call(Tokens.partner(FRESHMART), Fixtures.ENROLL,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key())));

        String card = result.getString("data.enrollMember.member.cardNumber");
        assertTrue(card.startsWith("6370") && card.length() == 16, card);
        assertTrue(CardNumbers.isWellFormed(card));
        assertEquals(0, result.getInt("data.enrollMember.member.balance"));
    }

    @Test
    void enrollingACardThatIsAlreadyEnrolledIsRejected() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath again = GraphQl.call(Tokens.partner(FUELCO), Fixtures.ENROLL,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", member.cardNumber())));

        assertNull(again.get("data.enrollMember.member"));
        assertEquals("INVALID_INPUT", again.getString("data.enrollMember.userErrors[0].code"));
        assertEquals(List.of("input", "cardNumber"), again.getList("data.enrollMember.userErrors[0].field"));
    }

    @Test
    void redemptionsSpendTheOldestPointsFirstAcrossBrands() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> older = Fixtures.earnInput(member, "50.00");
        older.put("occurredAt", Instant.now().minusSeconds(86_400).toString());
        Fixtures.earn(FUELCO, older);
        Fixtures.earnOk(FRESHMART, member, "100.00");

        JsonPath redeemed = Fixtures.redeem(FRESHMART, Fixtures.redeemInput(member, 120));

        assertEquals(List.of(), redeemed.getList("data.redeemPoints.userErrors"));
        assertEquals(-120, redeemed.getInt("data.redeemPoints.transaction.points"));
        JsonPath view = settlementView(member, 30);
        assertEquals(130, view.getInt("data.member.balance"));
        assertEquals(List.of(Map.of("partner", Map.of("id", "freshmart", "name", "FreshMart Supermarkets"), "points", 130)),
                view.getList("data.member.pointsByIssuer"), "fuelco's 100 older points went first, then 20 of freshmart's 150");
    }

    @Test
    void pointsNearTheEndOfTheirValidityShowAsExpiring() {
        EnrolledMember member = Fixtures.enroll(FUELCO);
        Instant elevenMonthsAgo = Instant.now().atZone(ZoneOffset.UTC).minusMonths(11).minusDays(15).toInstant()
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Map<String, Object> old = Fixtures.earnInput(member, "10.00");
        old.put("occurredAt", elevenMonthsAgo.toString());
        Fixtures.earn(FUELCO, old);
        Fixtures.earnOk(FUELCO, member, "30.00");

        JsonPath view = settlementView(member, 30);

        assertEquals(80, view.getInt("data.member.balance"));
        assertEquals(20, view.getInt("data.member.expiringPoints"), "fuelco points are valid 12 months");
        assertEquals(elevenMonthsAgo.atZone(ZoneOffset.UTC).plusMonths(12).toInstant(),
                Instant.parse(view.getString("data.member.nextExpiryAt")));
        assertEquals(80, settlementView(member, 400).getInt("data.member.expiringPoints"));
    }

    @Test
    void aMembersHistoryPagesNewestFirstWithoutRepeatsOrGaps() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        List<Integer> earned = new ArrayList<>();
        for (int euros = 1; euros <= 5; euros++) {
            earned.add(0, Fixtures.earnOk(FRESHMART, member, euros * 10 + ".00"));
        }

        List<Integer> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        boolean hasNext = true;
        while (hasNext) {
            Map<String, Object> variables = new java.util.HashMap<>(Map.of("ref", member.ref(), "first", 2));
            variables.put("after", after);
            JsonPath page = GraphQl.call(Tokens.partner(FRESHMART), PAGE, variables);
            seen.addAll(page.getList("data.member.transactions.edges.node.points", Integer.class));
            hasNext = page.getBoolean("data.member.transactions.pageInfo.hasNextPage");
            after = page.getString("data.member.transactions.pageInfo.endCursor");
            pages++;
        }

        assertEquals(earned, seen);
        assertEquals(3, pages);
        assertFalse(seen.isEmpty());
    }

    private static JsonPath settlementView(EnrolledMember member, int days) {
        return GraphQl.call(Tokens.settlement(), SETTLEMENT_VIEW, Map.of("ref", member.ref(), "days", days));
    }
}
