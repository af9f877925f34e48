package org.coalition.gateway.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.member.CardNumbers;

/** Arranges data the way partners do: through the GraphQL API, never with SQL that bypasses the rules. */
public final class Fixtures {

    public static final String FRESHMART = "freshmart-pos";
    public static final String FUELCO = "fuelco-pos";

    public static final String ENROLL = """
            mutation($input: EnrollMemberInput!) {
              enrollMember(input: $input) {
                member { id cardNumber balance held available }
                userErrors { code field message }
              }
            }""";
    public static final String EARN = """
            mutation($input: EarnPointsInput!) {
              earnPoints(input: $input) {
                transaction { id kind points purchaseAmount currency channel partnerReference occurredAt postedAt reversiblePoints
                              partner { id } member { id } }
                member { id balance available }
                userErrors { code field message }
              }
            }""";
    public static final String REDEEM = """
            mutation($input: RedeemPointsInput!) {
              redeemPoints(input: $input) {
                transaction { id kind points partner { id } member { id } }
                member { id balance held available }
                userErrors { code field message }
              }
            }""";

    private Fixtures() {
    }

    public record EnrolledMember(String id, String cardNumber) {
        public Map<String, Object> ref() {
            return Map.of("cardNumber", cardNumber);
        }
    }

    public static String newCardNumber() {
        StringBuilder payload = new StringBuilder("9");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (payload.length() < 15) {
            payload.append(random.nextInt(10));
        }
        return CardNumbers.withCheckDigit(payload.toString());
    }

    public static String key() {
        return UUID.randomUUID().toString();
    }

    public static EnrolledMember enroll(String partnerClient) {
        JsonPath result = GraphQl.call(Tokens.partner(partnerClient), ENROLL,
                Map.of("input", Map.of("idempotencyKey", key(), "cardNumber", newCardNumber())));
        assertEquals(List.of(), result.getList("data.enrollMember.userErrors"), () -> result.prettify());
        return new EnrolledMember(result.getString("data.enrollMember.member.id"),
                result.getString("data.enrollMember.member.cardNumber"));
    }

    /** A new login for the member: a member token whose subject has claimed the member's card. */
    public static String claim(EnrolledMember member) {
        String token = Tokens.member("member-" + key());
        JsonPath claimed = GraphQl.call(token, "mutation($input: ClaimMembershipInput!) { claimMembership(input: $input) { member { id } } }",
                Map.of("input", Map.of("idempotencyKey", key(), "cardNumber", member.cardNumber())));
        assertEquals(member.id(), claimed.getString("data.claimMembership.member.id"), claimed::prettify);
        return token;
    }

    /** The member signs in and allows personalised offers, so that campaigns with a segment may pick them. */
    public static String consentToPersonalisedOffers(EnrolledMember member) {
        String token = claim(member);
        setConsent(token, "PERSONALISED_OFFERS", true);
        return token;
    }

    /** The member gives or withdraws consent for a coalition-wide purpose, and insists that it worked. */
    public static void setConsent(String memberToken, String purpose, boolean granted) {
        JsonPath set = GraphQl.call(memberToken, "mutation($input: SetConsentInput!) { setConsent(input: $input) { userErrors { code } } }",
                Map.of("input", Map.of("idempotencyKey", key(), "purpose", purpose, "granted", granted)));
        assertEquals(List.of(), set.getList("data.setConsent.userErrors"), set::prettify);
    }

    public static Map<String, Object> earnInput(EnrolledMember member, String amount) {
        Map<String, Object> input = new HashMap<>();
        input.put("idempotencyKey", key());
        input.put("member", member.ref());
        input.put("purchaseAmount", new BigDecimal(amount));
        input.put("currency", "EUR");
        return input;
    }

    public static JsonPath earn(String partnerClient, Map<String, Object> input) {
        return GraphQl.call(Tokens.partner(partnerClient), EARN, Map.of("input", input));
    }

    /** Earns and insists that it worked; returns the points awarded. */
    public static int earnOk(String partnerClient, EnrolledMember member, String amount) {
        JsonPath result = earn(partnerClient, earnInput(member, amount));
        assertEquals(List.of(), result.getList("data.earnPoints.userErrors"), () -> result.prettify());
        return result.getInt("data.earnPoints.transaction.points");
    }

    public static Map<String, Object> redeemInput(EnrolledMember member, int points) {
        Map<String, Object> input = new HashMap<>();
        input.put("idempotencyKey", key());
        input.put("member", member.ref());
        input.put("points", points);
        return input;
    }

    public static JsonPath redeem(String partnerClient, Map<String, Object> input) {
        return GraphQl.call(Tokens.partner(partnerClient), REDEEM, Map.of("input", input));
    }
}
