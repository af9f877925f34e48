package org.coalition.gateway.privacy;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.TenantSessions;

/** The member's data export, the log of who read their data, and the retention review. */
@GatewayTest
class MemberDataTest {

    private static final String READ_MEMBER = "query($r: MemberRefInput!) { member(ref: $r) { id balance } }";
    private static final String MY_READS = "{ me { personalDataReads { readerKind partnerId readerSubject what readAt } } }";

    @Inject
    TenantSessions sessions;

    @Inject
    PrivacyService privacy;

    @Test
    void theExportHoldsEverythingAboutTheMemberAcrossBrandsAndNothingAboutOthers() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.consentToPersonalisedOffers(member);
        Fixtures.earnOk(FRESHMART, member, "20.00");
        Fixtures.earnOk(FUELCO, member, "10.00");
        assertEquals(List.of(), Fixtures.redeem(FRESHMART, Fixtures.redeemInput(member, 5)).getList("data.redeemPoints.userErrors"));
        EnrolledMember other = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, other, "30.00");

        String document = GraphQl.call(token, "{ me { dataExport } }").getString("data.me.dataExport");
        JsonPath export = new JsonPath(document);

        assertEquals("coalition-member-data-export/1", export.getString("format"));
        assertEquals(member.id(), export.getString("member.id"));
        assertEquals(member.cardNumber().substring(12), export.getString("cards[0].lastFourDigits"));
        assertEquals(List.of("EARN", "EARN", "REDEMPTION"), export.getList("transactions.kind"));
        assertEquals(List.of("freshmart", "fuelco", "freshmart"), export.getList("transactions.partner_id"));
        assertEquals(List.of("PERSONALISED_OFFERS"), export.getList("consents.purpose"));
        assertEquals(1, export.getList("consentHistory").size());
        assertEquals(2, export.getList("pointLots").size());
        assertTrue(export.getMap("").keySet().containsAll(List.of("tier", "tierChanges", "campaignAndBonusHistory", "redemptionHolds",
                "paidMemberships", "transfers", "household", "personalDataReads")), document);
        assertFalse(document.contains(other.id()), "nothing about other members");
        assertFalse(document.contains(member.cardNumber()), "the card number is stored only sealed, and the export does not open it");
        assertEquals("FORBIDDEN", GraphQl.call(Tokens.partner(FRESHMART), "query($r: MemberRefInput!) { member(ref: $r) { dataExport } }",
                Map.of("r", member.ref())).getString("errors[0].extensions.reason"), "partners never export a member");
    }

    @Test
    void everyReadByAPartnerOrOperatorIsLoggedAndTheMemberSeesWhoReadTheirData() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Fixtures.claim(member);
        JsonPath earned = Fixtures.earn(FUELCO, Fixtures.earnInput(member, "10.00"));

        GraphQl.call(Tokens.partner(FUELCO), READ_MEMBER, Map.of("r", member.ref()));
        String export = GraphQl.call(Privacy.OPERATOR, "query($id: ID!) { memberDataExport(memberId: $id) }", Map.of("id", member.id()))
                .getString("data.memberDataExport");
        GraphQl.call(token, "{ me { balance } }");

        assertTrue(export.contains(member.id()));
        List<Map<String, Object>> seenByMember = GraphQl.call(token, MY_READS).getList("data.me.personalDataReads");
        assertEquals(List.of("OPERATOR:dataExport", "PARTNER:member", "PARTNER:transactions.member"),
                seenByMember.stream().map(read -> read.get("readerKind") + ":" + read.get("what")).toList(),
                "newest first; the member's own reads are not in it");
        assertEquals(member.id(), earned.getString("data.earnPoints.transaction.member.id"), "the earn's answer read the member");
        assertEquals("fuelco", seenByMember.get(1).get("partnerId"));
        assertNull(seenByMember.get(0).get("readerSubject"), "the member sees that an operator read, not which one");

        List<Map<String, Object>> seenByOperator = GraphQl.call(Privacy.OPERATOR,
                "query($id: ID) { personalDataReads(memberId: $id) { readerKind partnerId readerSubject what memberId } }",
                Map.of("id", member.id())).getList("data.personalDataReads");
        assertEquals("privacy-officer", seenByOperator.get(0).get("readerSubject"));
        assertEquals(member.id(), seenByOperator.get(1).get("memberId"));
        assertEquals("FORBIDDEN", GraphQl.call(Tokens.partner(FRESHMART), "{ personalDataReads { what } }")
                .getString("errors[0].extensions.reason"));
    }

    @Test
    void membersInactiveBeyondTheRetentionPeriodAreFlaggedAndTheOperatorDecides() {
        EnrolledMember dormant = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, dormant, "10.00");
        EnrolledMember kept = Fixtures.enroll(FRESHMART);
        EnrolledMember active = Fixtures.enroll(FRESHMART);
        // the only way to age a member in a test: move their last activity back beyond the period (730 days)
        for (EnrolledMember member : List.of(dormant, kept)) {
            sessions.asSystem(connection -> connection.preparedQuery("update members set last_active_at = now() - interval '800 days' where id = $1")
                    .execute(Tuple.of(UUID.fromString(member.id())))).await().indefinitely();
        }

        privacy.flagInactive().await().atMost(Duration.ofSeconds(30));

        List<String> flagged = reviews();
        assertTrue(flagged.containsAll(List.of(dormant.id(), kept.id())), flagged::toString);
        assertFalse(flagged.contains(active.id()));
        assertEquals("INVALID_INPUT", decide(kept, "KEEP", null).getString("data.decideRetentionReview.userErrors[0].code"),
                "keeping needs a reason");
        JsonPath keep = decide(kept, "KEEP", "Open dispute with FreshMart");
        assertEquals("KEEP", keep.getString("data.decideRetentionReview.review.decision"), keep::prettify);

        JsonPath erase = decide(dormant, "ERASE", null);

        assertEquals(List.of(), erase.getList("data.decideRetentionReview.userErrors"), erase::prettify);
        assertEquals("RETENTION", erase.getString("data.decideRetentionReview.erasure.requestedBy"));
        assertEquals(15, erase.getInt("data.decideRetentionReview.erasure.pointsForfeited"));
        assertFalse(reviews().contains(dormant.id()) || reviews().contains(kept.id()), "decided reviews leave the list");
        privacy.flagInactive().await().atMost(Duration.ofSeconds(30));
        assertFalse(reviews().contains(kept.id()), "a kept member is not flagged again before another period");
        assertEquals("FORBIDDEN", GraphQl.call(Tokens.settlement(), "{ retentionReviews { memberId } }")
                .getString("errors[0].extensions.reason"), "operators only");
    }

    private static List<String> reviews() {
        return GraphQl.call(Privacy.OPERATOR, "{ retentionReviews(first: 100) { memberId lastActiveAt } }")
                .getList("data.retentionReviews.memberId");
    }

    private static JsonPath decide(EnrolledMember member, String decision, String note) {
        Map<String, Object> input = new java.util.HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "memberId", member.id(),
                "decision", decision));
        if (note != null) {
            input.put("note", note);
        }
        return GraphQl.call(Privacy.OPERATOR, """
                mutation($input: DecideRetentionReviewInput!) {
                  decideRetentionReview(input: $input) {
                    review { memberId decision note } erasure { requestedBy pointsForfeited } userErrors { code field }
                  }
                }""", Map.of("input", input));
    }
}
