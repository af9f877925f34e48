package org.coalition.gateway.tier;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.GraphQlSubscription;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * The demo program (partner-contracts/coalition/tiers.yaml): Basic from 0, Silver from 2,000 qualifying points
 * (1.25x, the operator pays), Gold from 10,000 (1.5x, the earning partner pays), over 12 months.
 */
@GatewayTest
class TierTest {

    static final String EARN = """
            mutation($input: EarnPointsInput!) {
              earnPoints(input: $input) {
                transaction { id points }
                member { balance }
                bonuses { campaignId reason points transactionId }
                userErrors { code field message }
              }
            }""";
    static final String VIEW = """
            query($ref: MemberRefInput!) {
              member(ref: $ref) {
                balance
                tier { id name earnMultiplier since }
                tierProgress { measure windowMonths qualifying nextTier { id } toNextTier nextReviewAt }
                tierHistory { fromTier toTier reason qualifying }
              }
            }""";

    @Inject
    LedgerAudit audit;
    @Inject
    TenantSessions sessions;
    @Inject
    TierReview review;
    @Inject
    io.vertx.core.Vertx vertx;

    @Test
    void returnedGoodsStopCountingTowardsTheTier() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        JsonPath earned = earn(member, "100.00");
        int points = earned.getInt("data.earnPoints.transaction.points");
        assertEquals(points, view(member).getInt("data.member.tierProgress.qualifying"));

        JsonPath reversed = GraphQl.call(Tokens.partner(FRESHMART), """
                mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { userErrors { code } } }""",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "transactionId",
                        earned.getString("data.earnPoints.transaction.id"), "points", 60)));

        assertEquals(List.of(), reversed.getList("data.reverseTransaction.userErrors"));
        assertEquals(points - 60, view(member).getInt("data.member.tierProgress.qualifying"));
    }

    @Test
    void aMemberGoesUpAsSoonAsAThresholdIsCrossedAndEarnsTheTiersMultiplierFromThatEarn() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath first = earn(member, "1000.00");
        int firstPoints = first.getInt("data.earnPoints.transaction.points");
        assertTrue(firstPoints < 2000, "the first earn stays below Silver");
        assertEquals(List.of(), first.getList("data.earnPoints.bonuses"), "Basic pays no extra");
        assertEquals("BASIC", view(member).getString("data.member.tier.id"));

        JsonPath second = earn(member, "1000.00");
        int secondPoints = second.getInt("data.earnPoints.transaction.points");
        int silverBonus = secondPoints / 4;
        assertEquals(List.of(Map.of("reason", "Silver tier: 1.25x points", "points", silverBonus,
                "transactionId", second.getString("data.earnPoints.bonuses[0].transactionId"))),
                second.getList("data.earnPoints.bonuses").stream().map(bonus -> withoutCampaign(bonus)).toList());
        assertEquals(firstPoints + secondPoints + silverBonus, second.getInt("data.earnPoints.member.balance"));

        JsonPath silver = view(member);
        assertEquals("SILVER", silver.getString("data.member.tier.id"));
        assertEquals(firstPoints + secondPoints, silver.getInt("data.member.tierProgress.qualifying"), "bonuses do not qualify");
        assertEquals("GOLD", silver.getString("data.member.tierProgress.nextTier.id"));
        assertEquals(10_000 - firstPoints - secondPoints, silver.getInt("data.member.tierProgress.toNextTier"));
        assertEquals(List.of(Map.of("fromTier", "BASIC", "toTier", "SILVER", "reason", "QUALIFIED", "qualifying",
                firstPoints + secondPoints)), silver.getList("data.member.tierHistory"));

        assertEquals("coalition-operator", lotIssuerOf(second.getString("data.earnPoints.bonuses[0].transactionId")),
                "Silver's extra is the operator's: its lot is the operator's, and costs FreshMart nothing");
        assertEquals(0, settlementRecordsOf(second.getString("data.earnPoints.bonuses[0].transactionId")));

        JsonPath gold = untilGold(member);
        JsonPath goldBonus = earn(member, "100.00");
        int goldPoints = goldBonus.getInt("data.earnPoints.transaction.points");
        assertEquals(goldPoints / 2, goldBonus.getInt("data.earnPoints.bonuses[0].points"));
        Row partnerFunded = settlementRecordOf(goldBonus.getString("data.earnPoints.bonuses[0].transactionId"));
        assertEquals("freshmart", partnerFunded.getString("debtor_id"), "Gold's extra is the earning partner's");
        assertEquals("coalition-operator", partnerFunded.getString("creditor_id"));
        assertTrue(partnerFunded.getBigDecimal("amount").signum() > 0);
        assertEquals("GOLD", gold.getString("data.member.tier.id"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void partnersSeeAMembersTierButNotTheFiguresBehindIt() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        earn(member, "1000.00");
        earn(member, "1000.00");

        JsonPath seenByPartner = GraphQl.call(Tokens.partner(FRESHMART), VIEW, Map.of("ref", member.ref()));

        assertEquals("SILVER", seenByPartner.getString("data.member.tier.id"));
        assertNull(seenByPartner.get("data.member.tierProgress"));
        assertNull(seenByPartner.get("data.member.tierHistory"));
    }

    @Test
    void theYearlyReviewTakesAMemberDownOneTierAtATime() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        untilGold(member);
        LocalDate thisMonth = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);

        review.review(startOf(thisMonth.plusMonths(13))).await().indefinitely();
        JsonPath afterOneYear = view(member);
        review.review(startOf(thisMonth.plusMonths(13))).await().indefinitely();
        JsonPath reviewedTwice = view(member);
        review.review(startOf(thisMonth.plusMonths(25))).await().indefinitely();
        JsonPath afterTwoYears = view(member);

        assertEquals("SILVER", afterOneYear.getString("data.member.tier.id"), "a year without earns: one tier down, not two");
        assertEquals("SILVER", reviewedTwice.getString("data.member.tier.id"), "a review runs once per date");
        assertEquals("BASIC", afterTwoYears.getString("data.member.tier.id"));
        assertEquals(List.of("BASIC", "SILVER", "GOLD", "SILVER"), afterTwoYears.getList("data.member.tierHistory.toTier"),
                "newest first: two reviews down after two upgrades");
        assertEquals(List.of("REVIEW", "REVIEW", "QUALIFIED", "QUALIFIED"), afterTwoYears.getList("data.member.tierHistory.reason"));
    }

    @Test
    void aRetriedEarnAnswersWithTheSameTierBonus() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        earn(member, "1000.00");
        Map<String, Object> input = Fixtures.earnInput(member, "1000.00");

        JsonPath first = GraphQl.call(Tokens.partner(FRESHMART), EARN, Map.of("input", input));
        JsonPath retry = GraphQl.call(Tokens.partner(FRESHMART), EARN, Map.of("input", input));

        assertEquals(1, first.getList("data.earnPoints.bonuses").size());
        assertEquals(first.getList("data.earnPoints.bonuses"), retry.getList("data.earnPoints.bonuses"));
    }

    @Test
    void aMemberHearsOfTheirOwnTierChangeAsItHappens() throws Exception {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        EnrolledMember someoneElse = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);
        untilGold(someoneElse);

        JsonObject heard = null;
        try (GraphQlSubscription subscription = GraphQlSubscription.open(vertx, token, "subscription { tierChanged { id name } }")) {
            // small earns, so that the first change comes after the subscription is surely in place
            for (int round = 0; round < 150 && heard == null; round++) {
                earn(member, "100.00");
                heard = subscription.next(Duration.ofMillis(200));
            }
        }

        assertTrue(heard != null, "no tier change arrived");
        assertEquals("next", heard.getString("type"), heard.encode());
        String tier = heard.getJsonObject("payload").getJsonObject("data").getJsonObject("tierChanged").getString("id");
        assertTrue(List.of("SILVER", "GOLD").contains(tier), heard.encode());
        assertEquals(tier, view(member).getString("data.member.tier.id"), "it was this member's change, not someone else's");
    }

    private static Map<String, Object> withoutCampaign(Object bonus) {
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = new java.util.HashMap<>((Map<String, Object>) bonus);
        assertNull(fields.remove("campaignId"), "a tier's bonus comes from no campaign");
        return fields;
    }

    private static JsonPath untilGold(EnrolledMember member) {
        for (int i = 0; i < 6; i++) {
            JsonPath now = view(member);
            if ("GOLD".equals(now.getString("data.member.tier.id"))) {
                return now;
            }
            earn(member, "4000.00");
        }
        throw new AssertionError("not Gold after 6 large earns: " + view(member).prettify());
    }

    private static JsonPath earn(EnrolledMember member, String amount) {
        JsonPath earned = GraphQl.call(Tokens.partner(FRESHMART), EARN, Map.of("input", Fixtures.earnInput(member, amount)));
        assertEquals(List.of(), earned.getList("data.earnPoints.userErrors"), earned::prettify);
        return earned;
    }

    private static JsonPath view(EnrolledMember member) {
        JsonPath viewed = GraphQl.call(Tokens.settlement(), VIEW, Map.of("ref", member.ref()));
        assertNull(viewed.get("errors"), viewed::prettify);
        return viewed;
    }

    private static Instant startOf(LocalDate month) {
        return month.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private String lotIssuerOf(String entryId) {
        return sessions.asSystem(connection -> connection.preparedQuery("select issuer_id from lots where entry_id = $1")
                .execute(Tuple.of(UUID.fromString(entryId)))).await().indefinitely().iterator().next().getString("issuer_id");
    }

    private long settlementRecordsOf(String entryId) {
        return sessions.asSystem(connection -> connection.preparedQuery("select count(*) from settlement_records where entry_id = $1")
                .execute(Tuple.of(UUID.fromString(entryId)))).await().indefinitely().iterator().next().getLong(0);
    }

    private Row settlementRecordOf(String entryId) {
        return sessions.asSystem(connection -> connection.preparedQuery(
                        "select kind, debtor_id, creditor_id, points, amount from settlement_records where entry_id = $1")
                .execute(Tuple.of(UUID.fromString(entryId)))).await().indefinitely().iterator().next();
    }
}
