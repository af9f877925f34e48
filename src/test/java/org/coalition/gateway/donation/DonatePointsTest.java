package org.coalition.gateway.donation;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

@GatewayTest
class DonatePointsTest {

    private static final String DONATE = """
            mutation($input: DonatePointsInput!) {
              donatePoints(input: $input) {
                transaction { kind points partner { id kind } }
                member { balance }
                userErrors { code field message }
              }
            }""";
    private static final String CLAIM = """
            mutation($input: ClaimMembershipInput!) { claimMembership(input: $input) { member { id } userErrors { code } } }""";

    @Inject
    LedgerAudit audit;

    @Test
    void aMemberDonatesPointsToACharity() {
        String token = claimedMemberWith150Points();

        JsonPath donated = donate(token, "greenheart", 40);

        assertEquals(List.of(), donated.getList("data.donatePoints.userErrors"));
        assertEquals("DONATION", donated.getString("data.donatePoints.transaction.kind"));
        assertEquals(-40, donated.getInt("data.donatePoints.transaction.points"));
        assertEquals("greenheart", donated.getString("data.donatePoints.transaction.partner.id"));
        assertEquals(110, donated.getInt("data.donatePoints.member.balance"));
        assertEquals("DONATION", GraphQl.call(token, "{ me { transactions(first: 1) { edges { node { kind } } } } }")
                .getString("data.me.transactions.edges[0].node.kind"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void onlyCharitiesReceiveDonations() {
        String token = claimedMemberWith150Points();

        assertEquals("INVALID_INPUT", donate(token, "freshmart", 10).getString("data.donatePoints.userErrors[0].code"));
        assertEquals("PARTNER_NOT_FOUND", donate(token, "nobody", 10).getString("data.donatePoints.userErrors[0].code"));
    }

    @Test
    void donatingMoreThanAvailableIsRefusedAndWritesNothing() {
        String token = claimedMemberWith150Points();

        JsonPath refused = donate(token, "greenheart", 151);

        assertEquals("INSUFFICIENT_POINTS", refused.getString("data.donatePoints.userErrors[0].code"));
        assertNull(refused.get("data.donatePoints.transaction"));
        assertEquals(150, GraphQl.call(token, "{ me { balance } }").getInt("data.me.balance"));
    }

    @Test
    void aLoginWithoutAClaimedCardHasNothingToDonate() {
        JsonPath refused = donate(Tokens.member("no-card-" + Fixtures.key()), "greenheart", 1);

        assertEquals("MEMBER_NOT_FOUND", refused.getString("data.donatePoints.userErrors[0].code"));
    }

    @Test
    void partnersCannotDonateOnAMembersBehalf() {
        JsonPath refused = donate(Tokens.partner(FRESHMART), "greenheart", 1);

        assertNull(refused.get("data"));
        assertEquals("FORBIDDEN", refused.getString("errors[0].extensions.reason"));
    }

    private static String claimedMemberWith150Points() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        String token = Tokens.member("donor-" + Fixtures.key());
        GraphQl.call(token, CLAIM, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", member.cardNumber())));
        return token;
    }

    private static JsonPath donate(String token, String charity, int points) {
        return GraphQl.call(token, DONATE,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "charityPartnerId", charity, "points", points)));
    }
}
