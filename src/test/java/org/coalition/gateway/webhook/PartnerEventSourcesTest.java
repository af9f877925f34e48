package org.coalition.gateway.webhook;

import static org.awaitility.Awaitility.await;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.expiry.PointsExpiringNotices;
import org.coalition.gateway.redemption.HoldService;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Projection;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Every partner event is raised where its change happens, to the partners the change concerns, and only
 * by a change that commits: what a partner would receive is read straight from the outbox (partner_events).
 *
 * <p>A gateway and database of their own (the profile): the test closes the current settlement period, which
 * SettlementPeriodTest closes once per database, and announces expiring lots with a lead time of its own.
 */
@GatewayTest
@TestProfile(PartnerEventSourcesTest.OwnDatabase.class)
class PartnerEventSourcesTest {

    /** Shorter than the 14-day default, so a lot expiring in 12 days tells whether the configured lead is used. */
    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coalition.webhooks.points-expiring-lead", "10d");
        }
    }

    private static final String REVERSE = """
            mutation($input: ReverseTransactionInput!) {
              reverseTransaction(input: $input) { transaction { id kind points } userErrors { code field message } }
            }""";
    private static final String AUTHORIZE = """
            mutation($input: AuthorizeRedemptionInput!) {
              authorizeRedemption(input: $input) { hold { id expiresAt } userErrors { code field message } }
            }""";
    private static final String VOID = """
            mutation($input: VoidRedemptionInput!) {
              voidRedemption(input: $input) { hold { status } userErrors { code field message } }
            }""";
    private static final String PERIODS = "{ settlementPeriods(first: 5) { edges { node { id status startsAt endsAt } } } }";
    private static final String CLOSE = """
            mutation($input: CloseSettlementPeriodInput!) {
              closeSettlementPeriod(input: $input) {
                period { id startsAt endsAt closedAt }
                statements { partner { id } currency pointsIssued pointsRedeemedHere pointsRedeemedElsewhere pointsExpired
                             amountOwed amountDue net }
                userErrors { code field message }
              }
            }""";
    private static final String DISPUTE = """
            mutation($input: DisputeSettlementRecordInput!) {
              disputeSettlementRecord(input: $input) { dispute { id status } userErrors { code field message } }
            }""";
    private static final String RESOLVE = """
            mutation($input: ResolveDisputeInput!) {
              resolveDispute(input: $input) { dispute { id status adjustment { id } } userErrors { code field message } }
            }""";
    private static final String[] AMOUNTS = { "amountOwed", "amountDue", "net" };
    private static final String[] POINTS = { "pointsIssued", "pointsRedeemedHere", "pointsRedeemedElsewhere", "pointsExpired" };

    @Inject
    TenantSessions sessions;
    @Inject
    HoldService holds;
    @Inject
    PointsExpiringNotices notices;

    /** One event as the outbox holds it. */
    private record Event(String partnerId, UUID memberId, UUID entryId, JsonObject data) {
    }

    // ------------------------------------------------------------------ transactions (raised in SQL)

    @Test
    void anEarnAndItsReversalTellThePartnerWhatWasPosted() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> input = Fixtures.earnInput(member, "100.00");
        input.put("partnerReference", "till-7-" + Fixtures.key());
        input.put("channel", "STORE");
        JsonPath earned = Fixtures.earn(FRESHMART, input);
        String earnId = earned.getString("data.earnPoints.transaction.id");

        List<Event> posted = events("TransactionPosted", "transactionId", earnId);

        assertEquals(1, posted.size(), posted::toString);
        Event earn = posted.get(0);
        assertEquals("freshmart", earn.partnerId());
        assertEquals(UUID.fromString(member.id()), earn.memberId());
        assertEquals(UUID.fromString(earnId), earn.entryId());
        Map<String, Object> transaction = earned.getMap("data.earnPoints.transaction");
        assertEquals(new JsonObject().put("transactionId", earnId).put("kind", "EARN").put("memberId", member.id())
                        .put("partnerId", "freshmart").put("points", transaction.get("points")).put("currency", "EUR")
                        .put("channel", "STORE").put("partnerReference", input.get("partnerReference"))
                        .put("reversesTransactionId", null),
                without(earn.data(), "purchaseAmount", "occurredAt", "postedAt"));
        assertEquals(0, new BigDecimal("100.00").compareTo(new BigDecimal(earn.data().getString("purchaseAmount"))));
        assertEquals(Instant.parse((String) transaction.get("occurredAt")), Instant.parse(earn.data().getString("occurredAt")));
        assertEquals(Instant.parse((String) transaction.get("postedAt")), Instant.parse(earn.data().getString("postedAt")));

        JsonPath reversed = GraphQl.call(Tokens.partner(FRESHMART), REVERSE,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "transactionId", earnId, "points", 60)));
        String reversalId = reversed.getString("data.reverseTransaction.transaction.id");

        List<Event> reversals = events("TransactionReversed", "transactionId", reversalId);

        assertEquals(1, reversals.size(), reversals::toString);
        JsonObject reversal = reversals.get(0).data();
        assertEquals("freshmart", reversals.get(0).partnerId());
        assertEquals(List.of("REVERSAL", -60, earnId, member.id()), List.of(reversal.getString("kind"), reversal.getInteger("points"),
                reversal.getString("reversesTransactionId"), reversal.getString("memberId")));
        assertEquals(List.of(), events("TransactionPosted", "transactionId", reversalId), "a reversal is not also posted");
        JsonPath refused = GraphQl.call(Tokens.partner(FRESHMART), REVERSE,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "transactionId", earnId, "points", 1000)));
        assertEquals(1, refused.getList("data.reverseTransaction.userErrors").size(), refused::prettify);
        assertEquals(reversals, events("TransactionReversed", "reversesTransactionId", earnId), "a refused reversal raises nothing");
    }

    // ------------------------------------------------------------------ HoldExpired

    @Test
    void anExpiredHoldIsAnnouncedOnceToTheHoldsPartnerAndAVoidedOneNever() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        String reference = "order-" + Fixtures.key();
        JsonPath expiring = authorize(FUELCO, member, 100, 1, reference);
        String expiringId = expiring.getString("data.authorizeRedemption.hold.id");
        Instant expiresAt = Instant.parse(expiring.getString("data.authorizeRedemption.hold.expiresAt"));
        String voidedId = authorize(FRESHMART, member, 20, null, null).getString("data.authorizeRedemption.hold.id");
        assertEquals("VOIDED", GraphQl.call(Tokens.partner(FRESHMART), VOID,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "holdId", voidedId))).getString("data.voidRedemption.hold.status"));
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiresAt));

        holds.releaseExpired().await().indefinitely();
        holds.releaseExpired().await().indefinitely();

        // HoldExpiryJob may have released it first; its transaction commits soon after
        await().atMost(Duration.ofSeconds(10)).until(() -> !events("HoldExpired", "holdId", expiringId).isEmpty());
        List<Event> expired = events("HoldExpired", "holdId", expiringId);
        assertEquals(1, expired.size(), expired::toString);
        assertEquals("fuelco", expired.get(0).partnerId(), "the partner that holds the points, not the one that issued them");
        assertEquals(UUID.fromString(member.id()), expired.get(0).memberId());
        assertEquals(new JsonObject().put("holdId", expiringId).put("memberId", member.id()).put("partnerId", "fuelco")
                .put("points", 100).put("expiredAt", expiresAt.toString()).put("partnerReference", reference), expired.get(0).data());
        assertEquals(List.of(), events("HoldExpired", "holdId", voidedId));
    }

    // ------------------------------------------------------------------ PointsExpiring

    @Test
    void lotsExpiringWithinTheLeadAreAnnouncedOnceToTheirIssuerEvenByConcurrentRuns() {
        EnrolledMember member = Fixtures.enroll(FUELCO);
        Instant now = Instant.now();
        Instant inSevenDays = now.plus(Duration.ofDays(7));
        String soon = earnAtFuelcoExpiring(member, inSevenDays);
        earnAtFuelcoExpiring(member, now.plus(Duration.ofDays(12)));
        Fixtures.earnOk(FUELCO, member, "10.00");
        assertEquals(List.of(), Fixtures.redeem(FRESHMART, Fixtures.redeemInput(member, 2)).getList("data.redeemPoints.userErrors"),
                "spends 2 points of the oldest lot");
        EnrolledMember lapsed = Fixtures.enroll(FUELCO);
        earnAtFuelcoExpiring(lapsed, now.minus(Duration.ofDays(30)));

        Uni.join().all(notices.announceDue(), notices.announceDue()).andFailFast().await().indefinitely();
        notices.announceDue().await().indefinitely();

        List<Event> announced = events("PointsExpiring", "memberId", member.id());
        assertEquals(1, announced.size(), "only the lot expiring within 10 days, once: " + announced);
        Event lot = announced.get(0);
        assertEquals("fuelco", lot.partnerId(), "the lot's issuer");
        assertEquals(UUID.fromString(member.id()), lot.memberId());
        assertEquals(UUID.fromString(soon), lot.entryId(), "the earn that made the lot");
        assertEquals(new JsonObject().put("lotId", Long.toString(lotOf(soon))).put("memberId", member.id()).put("points", 18)
                .put("expiresAt", expiryOfEarnAt(inSevenDays).toString()), lot.data(), "the points that remain");
        assertEquals(List.of(), events("PointsExpiring", "memberId", lapsed.id()), "a lot already expired is LotExpiry's");
    }

    // ------------------------------------------------------------------ SettlementPeriodClosed

    @Test
    void closingAPeriodTellsEachPartyItsOwnFiguresOnceAndReplayedClosesTellNobody() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        Fixtures.redeem(FUELCO, Fixtures.redeemInput(member, 150));
        String periodId = openPeriodContainingNow();
        Map<String, Object> input = Map.of("idempotencyKey", Fixtures.key(), "periodId", periodId);

        JsonPath closed = GraphQl.call(Tokens.settlement(), CLOSE, Map.of("input", input));

        assertEquals(List.of(), closed.getList("data.closeSettlementPeriod.userErrors"), closed::prettify);
        Map<String, JsonArray> statements = statementsByParty(closed);
        assertTrue(statements.keySet().containsAll(List.of("freshmart", "fuelco", "coalition-operator")), statements::toString);
        List<Event> told = events("SettlementPeriodClosed", "periodId", periodId);
        assertEquals(statements.size(), told.size(), "one event per party with a statement: " + told);
        Map<String, Object> period = closed.getMap("data.closeSettlementPeriod.period");
        for (Event event : told) {
            assertEquals(new JsonObject().put("periodId", periodId).put("periodStart", instant(period, "startsAt"))
                            .put("periodEnd", instant(period, "endsAt")).put("closedAt", instant(period, "closedAt"))
                            .put("statements", statements.get(event.partnerId())),
                    event.data(), event.partnerId());
        }
        JsonObject freshmart = statements.get("freshmart").getJsonObject(0);
        assertTrue(new BigDecimal(freshmart.getString("amountOwed")).signum() > 0, "FreshMart owes for its points: " + freshmart);

        JsonPath replayed = GraphQl.call(Tokens.settlement(), CLOSE, Map.of("input", input));
        JsonPath repeated = GraphQl.call(Tokens.settlement(), CLOSE,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "periodId", periodId)));

        assertEquals(closed.getMap("data.closeSettlementPeriod"), replayed.getMap("data.closeSettlementPeriod"), "the same key replays");
        assertEquals(closed.getMap("data.closeSettlementPeriod"), repeated.getMap("data.closeSettlementPeriod"), "a closed period answers");
        assertEquals(told, events("SettlementPeriodClosed", "periodId", periodId), "a replayed or repeated close tells nobody again");
    }

    // ------------------------------------------------------------------ DisputeOpened, DisputeResolved

    @Test
    void bothPartiesHearOfADisputeAndItsResolutionAndRefusedRequestsRaiseNothing() {
        String recordId = recordOf(crossBrandRedemption());

        String disputeId = dispute(FUELCO, recordId, "Wrong redemption value").getString("data.disputeSettlementRecord.dispute.id");
        assertEquals("INVALID_INPUT", dispute(FRESHMART, recordId, "again").getString("data.disputeSettlementRecord.userErrors[0].code"),
                "one open dispute per record");
        assertEquals("RECORD_NOT_FOUND", dispute("greenheart-portal", recordId, "not mine")
                .getString("data.disputeSettlementRecord.userErrors[0].code"));

        JsonObject opened = new JsonObject().put("disputeId", disputeId).put("recordId", recordId).put("raisedBy", "fuelco")
                .put("reason", "Wrong redemption value").put("status", "OPEN");
        assertEquals(List.of(new Event("fuelco", null, null, opened), new Event("freshmart", null, null, opened)),
                events("DisputeOpened", "recordId", recordId), "the raiser, then the other party; nothing for the refusals");

        JsonPath resolved = resolve(disputeId, true, new BigDecimal("0.50"), "Valued at the contract rate");
        String adjustmentId = resolved.getString("data.resolveDispute.dispute.adjustment.id");
        assertEquals("INVALID_INPUT", resolve(disputeId, false, null, "twice").getString("data.resolveDispute.userErrors[0].code"));

        JsonObject outcome = opened.copy().put("status", "ACCEPTED").put("outcome", "ACCEPTED")
                .put("note", "Valued at the contract rate").put("adjustmentRecordId", adjustmentId);
        assertEquals(List.of(new Event("fuelco", null, null, outcome), new Event("freshmart", null, null, outcome)),
                events("DisputeResolved", "recordId", recordId));
    }

    @Test
    void aPartnerDisputingARecordWithItselfHearsOnce() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        String recordId = recordOf(Fixtures.redeem(FRESHMART, Fixtures.redeemInput(member, 50)).getString("data.redeemPoints.transaction.id"));

        String disputeId = dispute(FRESHMART, recordId, "Own points").getString("data.disputeSettlementRecord.dispute.id");
        resolve(disputeId, false, null, null);

        JsonObject opened = new JsonObject().put("disputeId", disputeId).put("recordId", recordId).put("raisedBy", "freshmart")
                .put("reason", "Own points").put("status", "OPEN");
        assertEquals(List.of(new Event("freshmart", null, null, opened)), events("DisputeOpened", "recordId", recordId));
        assertEquals(List.of(new Event("freshmart", null, null, opened.copy().put("status", "REJECTED").put("outcome", "REJECTED")
                .put("note", null).put("adjustmentRecordId", null))), events("DisputeResolved", "recordId", recordId));
    }

    // ------------------------------------------------------------------ arranging

    private static JsonPath authorize(String partner, EnrolledMember member, int points, Integer expiresInSeconds, String reference) {
        Map<String, Object> input = new HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "member", member.ref(), "points", points));
        input.put("expiresInSeconds", expiresInSeconds);
        input.put("partnerReference", reference);
        JsonPath result = GraphQl.call(Tokens.partner(partner), AUTHORIZE, Map.of("input", input));
        assertEquals(List.of(), result.getList("data.authorizeRedemption.userErrors"), result::prettify);
        return result;
    }

    /** Earns 20 points at FuelCo (12 months' validity) whose lot expires at about {@code expiresAt}; returns the earn's id. */
    private static String earnAtFuelcoExpiring(EnrolledMember member, Instant expiresAt) {
        Map<String, Object> input = Fixtures.earnInput(member, "10.00");
        input.put("occurredAt", expiresAt.atZone(ZoneOffset.UTC).minusMonths(12).toInstant().toString());
        JsonPath earned = Fixtures.earn(FUELCO, input);
        assertEquals(20, earned.getInt("data.earnPoints.transaction.points"), earned::prettify);
        return earned.getString("data.earnPoints.transaction.id");
    }

    /** When the lot of an earn made by {@link #earnAtFuelcoExpiring} expires, to the microsecond as stored. */
    private static Instant expiryOfEarnAt(Instant expiresAt) {
        return expiresAt.atZone(ZoneOffset.UTC).minusMonths(12).plusMonths(12).toInstant().truncatedTo(ChronoUnit.MICROS);
    }

    private String crossBrandRedemption() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        return Fixtures.redeem(FUELCO, Fixtures.redeemInput(member, 150)).getString("data.redeemPoints.transaction.id");
    }

    private static JsonPath dispute(String partnerClient, String recordId, String reason) {
        return GraphQl.call(Tokens.partner(partnerClient), DISPUTE,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "recordId", recordId, "reason", reason)));
    }

    private static JsonPath resolve(String disputeId, boolean accept, BigDecimal amount, String note) {
        Map<String, Object> input = new HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "disputeId", disputeId, "accept", accept));
        input.put("adjustedAmount", amount);
        input.put("note", note);
        return GraphQl.call(Tokens.settlement(), RESOLVE, Map.of("input", input));
    }

    private static String openPeriodContainingNow() {
        Instant now = Instant.now();
        List<Map<String, Object>> periods = GraphQl.call(Tokens.settlement(), PERIODS).getList("data.settlementPeriods.edges.node");
        return periods.stream().filter(p -> "OPEN".equals(p.get("status")) && !Instant.parse((String) p.get("startsAt")).isAfter(now)
                        && Instant.parse((String) p.get("endsAt")).isAfter(now))
                .map(p -> (String) p.get("id")).findFirst().orElseThrow();
    }

    /** The close's statements as each party should hear them: amounts as decimal strings of four places, points as integers. */
    private static Map<String, JsonArray> statementsByParty(JsonPath closed) {
        Map<String, JsonArray> byParty = new HashMap<>();
        List<Map<String, Object>> statements = closed.using(new JsonPathConfig(JsonPathConfig.NumberReturnType.BIG_DECIMAL))
                .getList("data.closeSettlementPeriod.statements");
        for (Map<String, Object> statement : statements) {
            JsonObject figures = new JsonObject().put("currency", statement.get("currency"));
            for (String points : POINTS) {
                figures.put(points, ((Number) statement.get(points)).longValue());
            }
            for (String amount : AMOUNTS) {
                figures.put(amount, new BigDecimal(statement.get(amount).toString()).setScale(4).toPlainString());
            }
            @SuppressWarnings("unchecked")
            String partner = ((Map<String, String>) statement.get("partner")).get("id");
            byParty.computeIfAbsent(partner, ignored -> new JsonArray()).add(figures);
        }
        return byParty;
    }

    private static String instant(Map<String, Object> period, String field) {
        return Instant.parse((String) period.get(field)).toString();
    }

    private static JsonObject without(JsonObject data, String... keys) {
        JsonObject rest = data.copy();
        for (String key : keys) {
            rest.remove(key);
        }
        return rest;
    }

    // ------------------------------------------------------------------ reading the outbox

    /** The events of one type whose data has {@code key} = {@code value}, oldest first. */
    private List<Event> events(String type, String key, String value) {
        Projection.awaitLevel();
        // payload ->> key finds nothing in a payload stored as a JSON string rather than an object
        return sessions.asSystem(connection -> connection.preparedQuery("""
                        select partner_id, member_id, entry_id, payload as data from partner_events
                        where type = $1 and payload ->> $2 = $3 order by id""").execute(Tuple.of(type, key, value)))
                .map(rows -> {
                    List<Event> events = new ArrayList<>();
                    rows.forEach(row -> events.add(new Event(row.getString("partner_id"), row.getUUID("member_id"),
                            row.getUUID("entry_id"), row.getJsonObject("data"))));
                    return events;
                })
                .await().indefinitely();
    }

    private String recordOf(String entryId) {
        return sessions.asSystem(connection -> connection.preparedQuery("select id from settlement_records where entry_id = $1")
                .execute(Tuple.of(UUID.fromString(entryId)))).await().indefinitely().iterator().next().getUUID("id").toString();
    }

    private long lotOf(String entryId) {
        return sessions.asSystem(connection -> connection.preparedQuery("select id from lots where entry_id = $1")
                .execute(Tuple.of(UUID.fromString(entryId)))).await().indefinitely().iterator().next().getLong("id");
    }
}
