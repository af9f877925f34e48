package org.coalition.gateway.membership;

import java.util.Map;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** Paid membership calls through the GraphQL API, shared by the tests of this package. */
public final class PaidMemberships {

    static final String FIELDS = "membership { id clubId memberId sellingPartnerId status fee currency startsAt endsAt cancelledAt refunded }"
            + " userErrors { code field message }";
    static final String START = "mutation($input: StartPaidMembershipInput!) { startPaidMembership(input: $input) { " + FIELDS + " } }";
    static final String RENEW = "mutation($input: RenewPaidMembershipInput!) { renewPaidMembership(input: $input) { " + FIELDS + " } }";
    static final String CANCEL = "mutation($input: CancelPaidMembershipInput!) { cancelPaidMembership(input: $input) { " + FIELDS + " } }";
    static final String CLAIM = """
            mutation($input: ClaimMembershipInput!) { claimMembership(input: $input) { member { id } userErrors { code } } }""";

    private PaidMemberships() {
    }

    static Map<String, Object> startInput(EnrolledMember member, String clubId) {
        return Map.of("idempotencyKey", Fixtures.key(), "member", member.ref(), "clubId", clubId, "paymentReference",
                "pay-" + Fixtures.key());
    }

    static JsonPath start(String partnerClient, Map<String, Object> input) {
        return GraphQl.call(Tokens.partner(partnerClient), START, Map.of("input", input));
    }

    public static String startOk(String partnerClient, EnrolledMember member, String clubId) {
        JsonPath started = start(partnerClient, startInput(member, clubId));
        String id = started.getString("data.startPaidMembership.membership.id");
        if (id == null) {
            throw new AssertionError("not started: " + started.prettify());
        }
        return id;
    }

    static JsonPath cancel(String token, String membershipId) {
        return GraphQl.call(token, CANCEL, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "membershipId", membershipId)));
    }

    /** A member token of a login that claimed {@code member}'s card. */
    static String claimedBy(EnrolledMember member) {
        String token = Tokens.member("paid-" + Fixtures.key());
        JsonPath claimed = GraphQl.call(token, CLAIM,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", member.cardNumber())));
        if (claimed.getString("data.claimMembership.member.id") == null) {
            throw new AssertionError("not claimed: " + claimed.prettify());
        }
        return token;
    }
}
