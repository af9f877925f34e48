package org.coalition.gateway.privacy;

import static io.restassured.RestAssured.given;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
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

/**
 * Erasure keeps the ledger exact: the member's points leave through the donation or the expiry path with their
 * settlement records, holds are voided, and what was closed stays byte for byte as it was.
 */
@GatewayTest
@TestProfile(ErasureTest.OwnDatabase.class)
class ErasureTest {

    /** A gateway and database of its own: a test run can close the current settlement period only once. */
    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coalition.privacy.retention-batch-size", "999");
        }
    }

    private static final String PERIODS = "{ settlementPeriods(first: 5) { edges { node { id status } } } }";
    private static final String CLOSE = """
            mutation($input: CloseSettlementPeriodInput!) {
              closeSettlementPeriod(input: $input) {
                period { id status }
                statements { partner { id } currency pointsIssued pointsRedeemedHere pointsRedeemedElsewhere pointsExpired
                             amountOwed amountDue net }
                userErrors { code }
              }
            }""";
    private static final String AUTHORIZE = """
            mutation($input: AuthorizeRedemptionInput!) {
              authorizeRedemption(input: $input) { hold { id status } userErrors { code } }
            }""";

    @Inject
    LedgerAudit audit;

    @Inject
    TenantSessions sessions;

    @Test
    void erasingForfeitsPointsVoidsHoldsAndLeavesClosedStatementsAndNetsUnchanged() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);
        EnrolledMember bystander = Fixtures.enroll(FUELCO);
        Fixtures.earnOk(FUELCO, bystander, "60.00");
        int bystanderBalance = balanceOf(bystander);
        Fixtures.earnOk(FRESHMART, member, "200.00");
        Fixtures.earnOk(FUELCO, member, "100.00");
        assertEquals(List.of(), Fixtures.redeem(FUELCO, Fixtures.redeemInput(member, 120)).getList("data.redeemPoints.userErrors"));
        String periodId = openPeriod();
        JsonPath closed = close(periodId);
        assertEquals(List.of(), closed.getList("data.closeSettlementPeriod.userErrors"), closed::prettify);
        String statementsBefore = csv(periodId, "statements");
        String recordsBefore = csv(periodId, "records");

        Fixtures.earnOk(FUELCO, member, "40.00");
        int balance = balanceOf(member);
        JsonPath hold = GraphQl.call(Tokens.partner(FRESHMART), AUTHORIZE, Map.of("input", Map.of("idempotencyKey", Fixtures.key(),
                "member", member.ref(), "points", 30)));
        assertEquals("ACTIVE", hold.getString("data.authorizeRedemption.hold.status"), hold::prettify);

        JsonPath erased = Privacy.eraseMine(token, Fixtures.key(), Map.of("remainingPoints", "FORFEIT"));

        assertEquals(List.of(), erased.getList("data.eraseMyAccount.userErrors"), erased::prettify);
        assertEquals(Map.of("memberId", member.id(), "requestedBy", "MEMBER", "pointsForfeited", balance, "pointsDonated", 0,
                "holdsVoided", 1), without(erased.getMap("data.eraseMyAccount.erasure"), "erasedAt", "donatedTo"));
        assertEquals(statementsBefore, csv(periodId, "statements"), "a closed period's statements are byte for byte the same");
        assertEquals(recordsBefore, csv(periodId, "records"), "and so are its records");
        assertEquals(closed.getList("data.closeSettlementPeriod.statements"),
                close(periodId).getList("data.closeSettlementPeriod.statements"), "closing again still answers the same");
        assertEquals(List.of(), audit.violations().await().indefinitely(), "every balance and entry still adds up");

        Row after = row("select m.balance, m.held, m.card_number, m.subject, m.erased_at, "
                + "(select count(*) from journal_entries j where j.member_id = m.id and j.kind = 'EXPIRY' and j.partner_reference = 'member-erasure') as forfeits, "
                + "(select coalesce(sum(r.points), 0) from settlement_records r join journal_entries j on j.id = r.entry_id "
                + " where j.member_id = m.id and j.kind = 'EXPIRY') as expired_records, "
                + "(select status from redemption_holds h where h.member_id = m.id) as hold "
                + "from members m where m.id = $1", UUID.fromString(member.id()));
        assertEquals(0L, after.getLong("balance"));
        assertEquals(0L, after.getLong("held"));
        assertEquals(3L, after.getLong("forfeits"), "one breakage entry per lot with points left: FreshMart's and FuelCo's two");
        assertEquals((long) balance, after.getLong("expired_records"), "the issuers are refunded as for expiry");
        assertEquals("VOIDED", after.getString("hold"));
        assertNull(after.getString("subject"));
        assertTrue(after.getString("card_number").startsWith("erased:"), "nothing that hashes from the card stays");
        assertEquals(bystanderBalance, balanceOf(bystander), "nobody else's points move");
    }

    @Test
    void theRemainingPointsCanGoToACharityAndASecondErasureChangesNothing() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        int balance = balanceOf(member);
        String key = Fixtures.key();

        JsonPath erased = Privacy.eraseMine(token, key, Map.of("remainingPoints", "DONATE", "charityPartnerId", "greenheart"));

        assertEquals(List.of(), erased.getList("data.eraseMyAccount.userErrors"), erased::prettify);
        assertEquals(balance, erased.getInt("data.eraseMyAccount.erasure.pointsDonated"));
        assertEquals("greenheart", erased.getString("data.eraseMyAccount.erasure.donatedTo"));
        assertEquals(1L, row("select count(*) as n from journal_entries where member_id = $1 and kind = 'DONATION' and partner_id = 'greenheart'",
                UUID.fromString(member.id())).getLong("n"));
        long entries = entriesOf(member);

        assertEquals(erased.getMap("data.eraseMyAccount.erasure"), Privacy.eraseMine(token, key,
                Map.of("remainingPoints", "DONATE", "charityPartnerId", "greenheart")).getMap("data.eraseMyAccount.erasure"),
                "a retry answers the same receipt");
        assertEquals(erased.getMap("data.eraseMyAccount.erasure"),
                Privacy.eraseMember(member.id()).getMap("data.eraseMember.erasure"), "erasing again is a no-op");
        assertEquals("MEMBER_NOT_FOUND", Privacy.eraseMine(token, Fixtures.key(), Map.of())
                .getString("data.eraseMyAccount.userErrors[0].code"), "the login is bound to nothing any more");
        assertNull(GraphQl.call(token, "{ me { id } }").getString("data.me"));
        assertEquals(entries, entriesOf(member));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void aPartnerCannotEarnOrReadWithTheOldCardOrIdAfterErasure() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "10.00");
        assertEquals(List.of(), Privacy.eraseMember(member.id()).getList("data.eraseMember.userErrors"));

        JsonPath byCard = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "10.00"));
        Map<String, Object> byIdInput = Fixtures.earnInput(member, "10.00");
        byIdInput.put("member", Map.of("memberId", member.id()));
        JsonPath byId = Fixtures.earn(FRESHMART, byIdInput);

        assertEquals("MEMBER_NOT_FOUND", byCard.getString("data.earnPoints.userErrors[0].code"), byCard::prettify);
        assertEquals("MEMBER_NOT_FOUND", byId.getString("data.earnPoints.userErrors[0].code"), byId::prettify);
        assertNull(GraphQl.call(Tokens.partner(FRESHMART), "query($r: MemberRefInput!) { member(ref: $r) { id } }",
                Map.of("r", member.ref())).getString("data.member"));
        assertEquals("OPERATOR", Privacy.eraseMember(member.id()).getString("data.eraseMember.erasure.requestedBy"));
        assertEquals("FORBIDDEN", GraphQl.call(Tokens.partner(FRESHMART), Privacy.ERASE_MEMBER, Map.of("input",
                Map.of("idempotencyKey", Fixtures.key(), "memberId", member.id()))).getString("errors[0].extensions.reason"),
                "only operators erase others");
    }

    @Test
    void aPaidMembershipOfAnErasedMemberCannotBeRenewed() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String membership = org.coalition.gateway.membership.PaidMemberships.startOk(FRESHMART, member, "PLUS");
        assertEquals(List.of(), Privacy.eraseMember(member.id()).getList("data.eraseMember.userErrors"));

        JsonPath renewed = GraphQl.call(Tokens.partner(FRESHMART), """
                mutation($input: RenewPaidMembershipInput!) { renewPaidMembership(input: $input) { userErrors { code } } }""",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "membershipId", membership, "paymentReference", "pay-after")));

        assertEquals("PAID_MEMBERSHIP_ENDED", renewed.getString("data.renewPaidMembership.userErrors[0].code"), renewed::prettify);
    }

    @Test
    void donatingNeedsACharity() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);

        assertEquals("INVALID_INPUT", Privacy.eraseMine(token, Fixtures.key(), Map.of("remainingPoints", "DONATE", "charityPartnerId", "fuelco"))
                .getString("data.eraseMyAccount.userErrors[0].code"));
        assertEquals("INVALID_INPUT", Privacy.eraseMine(token, Fixtures.key(), Map.of("remainingPoints", "DONATE"))
                .getString("data.eraseMyAccount.userErrors[0].code"));
        assertEquals(member.id(), GraphQl.call(token, "{ me { id } }").getString("data.me.id"), "a refused erasure erases nothing");
    }

    private static Map<String, Object> without(Map<String, Object> map, String... keys) {
        Map<String, Object> kept = new java.util.HashMap<>(map);
        for (String key : keys) {
            kept.remove(key);
        }
        return kept;
    }

    private static String openPeriod() {
        List<Map<String, Object>> periods = GraphQl.call(Tokens.settlement(), PERIODS).getList("data.settlementPeriods.edges.node");
        return periods.stream().filter(p -> "OPEN".equals(p.get("status"))).reduce((newer, older) -> older)
                .map(p -> (String) p.get("id")).orElseThrow();
    }

    private static JsonPath close(String periodId) {
        return GraphQl.call(Tokens.settlement(), CLOSE, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "periodId", periodId)));
    }

    private static String csv(String periodId, String what) {
        return given().header("Authorization", "Bearer " + Tokens.settlement())
                .when().get("/settlement/periods/" + periodId + "/" + what + ".csv")
                .then().statusCode(200).extract().asString();
    }

    private int balanceOf(EnrolledMember member) {
        return GraphQl.call(Tokens.partner(FRESHMART), "query($r: MemberRefInput!) { member(ref: $r) { balance } }",
                Map.of("r", member.ref())).getInt("data.member.balance");
    }

    private long entriesOf(EnrolledMember member) {
        return row("select count(*) as n from journal_entries where member_id = $1", UUID.fromString(member.id())).getLong("n");
    }

    private Row row(String sql, UUID memberId) {
        return sessions.asSystem(connection -> connection.preparedQuery(sql).execute(Tuple.of(memberId)))
                .await().indefinitely().iterator().next();
    }
}
