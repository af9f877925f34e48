package org.coalition.gateway.membership;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

@GatewayTest
class PaidMembershipTest {

    private static final String OPERATOR = "coalition-operator";

    @Inject
    TenantSessions sessions;
    @Inject
    LedgerAudit audit;

    @AfterEach
    void ledgerStaysSound() {
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void aPartnerSellsAClubAndOwesTheOperatorTheFeeLessItsCommission() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath started = PaidMemberships.start(FRESHMART, PaidMemberships.startInput(member, "PLUS"));

        assertEquals(List.of(), started.getList("data.startPaidMembership.userErrors"));
        String id = started.getString("data.startPaidMembership.membership.id");
        assertEquals("ACTIVE", started.getString("data.startPaidMembership.membership.status"));
        assertEquals("freshmart", started.getString("data.startPaidMembership.membership.sellingPartnerId"));
        assertEquals(member.id(), started.getString("data.startPaidMembership.membership.memberId"));
        Instant startsAt = Instant.parse(started.getString("data.startPaidMembership.membership.startsAt"));
        Instant endsAt = Instant.parse(started.getString("data.startPaidMembership.membership.endsAt"));
        assertEquals(startsAt.atOffset(ZoneOffset.UTC).plusYears(1).toInstant(), endsAt);
        // 49.00 EUR, FreshMart keeps 10 %: it owes the operator 44.10
        assertEquals(List.of(Map.of("kind", "MEMBERSHIP_FEE", "debtor", "freshmart", "creditor", OPERATOR, "points", 0,
                "amount", new BigDecimal("44.1000"), "currency", "EUR")), records(id));
    }

    @Test
    void aPartnerCannotSellAClubItMayNotSellAndNothingIsWritten() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        JsonPath refused = PaidMemberships.start(FRESHMART, PaidMemberships.startInput(member, "DRIVE"));

        assertEquals("CLUB_NOT_SOLD_HERE", refused.getString("data.startPaidMembership.userErrors[0].code"));
        assertNull(refused.get("data.startPaidMembership.membership"));
        assertEquals("CLUB_NOT_FOUND", PaidMemberships.start(FRESHMART, PaidMemberships.startInput(member, "NOPE"))
                .getString("data.startPaidMembership.userErrors[0].code"));
        assertEquals(0L, membershipsOf(member));
    }

    @Test
    void aMemberHasAtMostOneActiveMembershipPerClubWhoeverSellsIt() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        PaidMemberships.startOk(FRESHMART, member, "PLUS");

        JsonPath again = PaidMemberships.start(FUELCO, PaidMemberships.startInput(member, "PLUS"));

        assertEquals("CLUB_MEMBERSHIP_ACTIVE", again.getString("data.startPaidMembership.userErrors[0].code"));
        assertEquals(1L, membershipsOf(member));
        assertNotNull(PaidMemberships.startOk(FUELCO, member, "DRIVE"), "another club is fine");
    }

    @Test
    void aRetryAnswersTheSameMembershipAndAReusedKeyWithAnotherPayloadConflicts() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> input = PaidMemberships.startInput(member, "PLUS");

        String first = PaidMemberships.start(FRESHMART, input).getString("data.startPaidMembership.membership.id");
        String retried = PaidMemberships.start(FRESHMART, input).getString("data.startPaidMembership.membership.id");
        Map<String, Object> changed = new HashMap<>(input);
        changed.put("paymentReference", "another");
        JsonPath conflict = PaidMemberships.start(FRESHMART, changed);

        assertEquals(first, retried);
        assertEquals("IDEMPOTENCY_CONFLICT", conflict.getString("data.startPaidMembership.userErrors[0].code"));
        assertEquals(1, records(first).size(), "one fee, however often it is sent");
    }

    @Test
    void cancellingInCoolingOffRefundsTheFeeAndStopsTheBenefitsAtOnce() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = PaidMemberships.claimedBy(member);
        String id = PaidMemberships.startOk(FRESHMART, member, "PLUS");

        JsonPath cancelled = PaidMemberships.cancel(token, id);

        assertEquals(List.of(), cancelled.getList("data.cancelPaidMembership.userErrors"));
        assertEquals("CANCELLED", cancelled.getString("data.cancelPaidMembership.membership.status"));
        assertTrue(cancelled.getBoolean("data.cancelPaidMembership.membership.refunded"));
        List<Map<String, Object>> records = records(id);
        assertEquals(2, records.size());
        assertEquals(Map.of("kind", "MEMBERSHIP_FEE", "debtor", OPERATOR, "creditor", "freshmart", "points", 0,
                "amount", new BigDecimal("44.1000"), "currency", "EUR"), records.get(1), "the opposite record");
        Instant cancelledAt = Instant.parse(cancelled.getString("data.cancelPaidMembership.membership.cancelledAt"));
        assertEquals(0, BigDecimal.ONE.compareTo(multiplier(member.id(), cancelledAt)));
        assertEquals(0, new BigDecimal("1.15").compareTo(multiplier(member.id(), cancelledAt.minusNanos(1000))));
        assertEquals("PAID_MEMBERSHIP_ENDED", PaidMemberships.cancel(token, id)
                .getString("data.cancelPaidMembership.userErrors[0].code"));
        assertEquals("CANCELLED", GraphQl.call(token, "{ myPaidMemberships { id status } }")
                .getString("data.myPaidMemberships[0].status"));
    }

    @Test
    void cancellingAfterCoolingOffRefundsNothingAndRunsToTheEndOfTheTerm() {
        EnrolledMember member = Fixtures.enroll(FUELCO);
        String id = PaidMemberships.startOk(FUELCO, member, "DRIVE"); // no cooling-off days

        JsonPath cancelled = PaidMemberships.cancel(Tokens.partner(FUELCO), id);

        assertEquals(List.of(), cancelled.getList("data.cancelPaidMembership.userErrors"));
        assertEquals("ACTIVE", cancelled.getString("data.cancelPaidMembership.membership.status"));
        assertEquals(false, cancelled.getBoolean("data.cancelPaidMembership.membership.refunded"));
        assertNotNull(cancelled.getString("data.cancelPaidMembership.membership.cancelledAt"));
        assertEquals(1, records(id).size(), "no refund");
        Instant endsAt = Instant.parse(cancelled.getString("data.cancelPaidMembership.membership.endsAt"));
        assertEquals(0, new BigDecimal("1.05").compareTo(multiplier(member.id(), endsAt.minusSeconds(1))));
        JsonPath renewal = renew(FUELCO, id);
        assertEquals("PAID_MEMBERSHIP_ENDED", renewal.getString("data.renewPaidMembership.userErrors[0].code"));
    }

    @Test
    void benefitsStopExactlyAtTheEndOfTheTermAndTheMembershipLapses() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        JsonPath started = PaidMemberships.start(FRESHMART, PaidMemberships.startInput(member, "PLUS"));
        Instant startsAt = Instant.parse(started.getString("data.startPaidMembership.membership.startsAt"));
        Instant endsAt = Instant.parse(started.getString("data.startPaidMembership.membership.endsAt"));
        PaidMemberships.startOk(FUELCO, member, "DRIVE");

        assertEquals(0, BigDecimal.ONE.compareTo(multiplier(member.id(), startsAt.minusSeconds(1))), "not yet");
        assertEquals(0, new BigDecimal("1.15").compareTo(multiplier(member.id(), startsAt.plusSeconds(60))), "the highest club");
        assertEquals(0, new BigDecimal("1.15").compareTo(multiplier(member.id(), endsAt.minusNanos(1000))));
        assertEquals(0, BigDecimal.ONE.compareTo(multiplier(member.id(), endsAt)), "over at ends_at exactly");
        assertEquals(0, BigDecimal.ONE.compareTo(multiplier(UUID.randomUUID(), startsAt)), "1.0 for a member without a club");
    }

    @Test
    void aRenewalChargesTheFeeAgainAndExtendsTheTermFromTheCurrentEnd() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        JsonPath started = PaidMemberships.start(FRESHMART, PaidMemberships.startInput(member, "PLUS"));
        String id = started.getString("data.startPaidMembership.membership.id");
        Instant endsAt = Instant.parse(started.getString("data.startPaidMembership.membership.endsAt"));

        JsonPath renewed = renew(FRESHMART, id);

        assertEquals(List.of(), renewed.getList("data.renewPaidMembership.userErrors"));
        assertEquals(endsAt.atOffset(ZoneOffset.UTC).plusYears(1).toInstant(),
                Instant.parse(renewed.getString("data.renewPaidMembership.membership.endsAt")));
        assertEquals(2, records(id).size());
        assertEquals("PAID_MEMBERSHIP_NOT_FOUND", renew(FUELCO, id).getString("data.renewPaidMembership.userErrors[0].code"),
                "only the seller renews");
    }

    @Test
    void aMemberCannotCancelSomeoneElsesMembershipNorSeeIt() {
        EnrolledMember owner = Fixtures.enroll(FRESHMART);
        String id = PaidMemberships.startOk(FRESHMART, owner, "PLUS");
        String stranger = PaidMemberships.claimedBy(Fixtures.enroll(FRESHMART));

        JsonPath refused = PaidMemberships.cancel(stranger, id);

        assertEquals("PAID_MEMBERSHIP_NOT_FOUND", refused.getString("data.cancelPaidMembership.userErrors[0].code"));
        assertEquals("PAID_MEMBERSHIP_NOT_FOUND", PaidMemberships.cancel(Tokens.partner(FUELCO), id)
                .getString("data.cancelPaidMembership.userErrors[0].code"), "nor another partner");
        assertEquals(List.of(), GraphQl.call(stranger, "{ myPaidMemberships { id } }").getList("data.myPaidMemberships"));
        assertEquals(1, records(id).size());
    }

    @Test
    void partnersListOnlyTheMembershipsTheySoldPageByPage() {
        EnrolledMember member = Fixtures.enroll(FUELCO);
        String drive = PaidMemberships.startOk(FUELCO, member, "DRIVE");
        String plus = PaidMemberships.startOk(FUELCO, member, "PLUS");
        String sold = "query($after: String) { paidMembershipsSold(first: 100, after: $after) { edges { node { id sellingPartnerId } }"
                + " pageInfo { hasNextPage endCursor } } }";

        List<String> fuelco = new ArrayList<>();
        String after = null;
        do {
            Map<String, Object> variables = new HashMap<>();
            variables.put("after", after);
            JsonPath page = GraphQl.call(Tokens.partner(FUELCO), sold, variables);
            fuelco.addAll(page.getList("data.paidMembershipsSold.edges.node.id"));
            after = page.getBoolean("data.paidMembershipsSold.pageInfo.hasNextPage")
                    ? page.getString("data.paidMembershipsSold.pageInfo.endCursor") : null;
        } while (after != null);
        List<String> freshmart = GraphQl.call(Tokens.partner(FRESHMART), sold, Map.of())
                .getList("data.paidMembershipsSold.edges.node.id");

        assertTrue(fuelco.containsAll(List.of(drive, plus)));
        assertTrue(freshmart.stream().noneMatch(List.of(drive, plus)::contains));
        assertNull(GraphQl.call(Tokens.partner(FRESHMART, "points:earn"), sold, Map.of()).get("data"), "needs members:enroll");
    }

    private static JsonPath renew(String partnerClient, String id) {
        return GraphQl.call(Tokens.partner(partnerClient), PaidMemberships.RENEW, Map.of("input",
                Map.of("idempotencyKey", Fixtures.key(), "membershipId", id, "paymentReference", "renew-" + Fixtures.key())));
    }

    private List<Map<String, Object>> records(String membershipId) {
        return sessions.asSystem(connection -> connection.preparedQuery("""
                        select kind, debtor_id, creditor_id, points, amount, currency from settlement_records
                        where membership_id = $1 order by posted_at, debtor_id = 'coalition-operator'""")
                .execute(Tuple.of(UUID.fromString(membershipId)))
                .map(rows -> {
                    List<Map<String, Object>> found = new ArrayList<>();
                    for (Row row : rows) {
                        found.add(Map.of("kind", row.getString("kind"), "debtor", row.getString("debtor_id"),
                                "creditor", row.getString("creditor_id"), "points", row.getInteger("points"),
                                "amount", row.getBigDecimal("amount"), "currency", row.getString("currency").strip()));
                    }
                    return found;
                })).await().indefinitely();
    }

    private long membershipsOf(EnrolledMember member) {
        return sessions.asSystem(connection -> connection.preparedQuery("select count(*) from paid_memberships where member_id = $1")
                .execute(Tuple.of(UUID.fromString(member.id()))).map(rows -> rows.iterator().next().getLong(0)))
                .await().indefinitely();
    }

    private BigDecimal multiplier(String memberId, Instant at) {
        return multiplier(UUID.fromString(memberId), at);
    }

    private BigDecimal multiplier(UUID memberId, Instant at) {
        return sessions.asSystem(connection -> connection.preparedQuery("select member_club_multiplier($1, $2) as m")
                .execute(Tuple.of(memberId, OffsetDateTime.ofInstant(at, ZoneOffset.UTC)))
                .map(rows -> rows.iterator().next().getBigDecimal("m")))
                .await().indefinitely();
    }
}
