package org.coalition.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** Members with claimed cards, and the GraphQL calls of the transfer tests. */
final class Transfers {

    static final String TRANSFER = """
            mutation($input: TransferPointsInput!) {
              transferPoints(input: $input) {
                transfer { id fromCardNumber toCardNumber points message withinHousehold status expiresAt transactionId }
                userErrors { code field message }
              }
            }""";
    static final String ACCEPT = """
            mutation($input: PointsTransferAnswerInput!) {
              acceptPointsTransfer(input: $input) { transfer { id status transactionId } userErrors { code field message } }
            }""";
    static final String DECLINE = """
            mutation($input: PointsTransferAnswerInput!) {
              declinePointsTransfer(input: $input) { transfer { id status } userErrors { code field message } }
            }""";
    static final String REVERSE = """
            mutation($input: ReverseTransferInput!) {
              reverseTransfer(input: $input) {
                transfer { id status reversalTransactionId reversalShortfall } userErrors { code field message }
              }
            }""";
    static final String VIEW = """
            query($ref: MemberRefInput!) {
              member(ref: $ref) { balance held available nextExpiryAt pointsByIssuer { partner { id } points } }
            }""";
    private static final String CLAIM = """
            mutation($input: ClaimMembershipInput!) { claimMembership(input: $input) { member { id } userErrors { code } } }""";

    private Transfers() {
    }

    /** @param subject the member's login, the subject of their token */
    record Person(EnrolledMember member, String token, String subject) {
        /** The card as the API shows it to others: masked, last four digits only. */
        String shownCard() {
            return "****" + card().substring(card().length() - 4);
        }

        String card() {
            return member.cardNumber();
        }
    }

    /** A member with a claimed card and the points of the given earns at the given partner. */
    static Person person(String partner, String... earns) {
        EnrolledMember member = Fixtures.enroll(partner);
        for (String amount : earns) {
            Fixtures.earnOk(partner, member, amount);
        }
        String subject = "transfers-" + Fixtures.key();
        String token = Tokens.member(subject);
        JsonPath claimed = GraphQl.call(token, CLAIM,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", member.cardNumber())));
        assertEquals(List.of(), claimed.getList("data.claimMembership.userErrors"));
        return new Person(member, token, subject);
    }

    static JsonPath transfer(Person from, Person to, int points) {
        return transfer(from, to.card(), points, Fixtures.key());
    }

    static JsonPath transfer(Person from, String toCard, int points, String key) {
        return GraphQl.call(from.token(), TRANSFER, Map.of("input",
                Map.of("idempotencyKey", key, "toCardNumber", toCard, "points", points, "message", "for you")));
    }

    static JsonPath answer(String document, Person who, String transferId) {
        return GraphQl.call(who.token(), document, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "transferId", transferId)));
    }

    static JsonPath reverse(String token, String transferId) {
        return GraphQl.call(token, REVERSE, Map.of("input",
                Map.of("idempotencyKey", Fixtures.key(), "transferId", transferId, "reason", "reported as fraud")));
    }

    static JsonPath view(Person person) {
        return GraphQl.call(Tokens.settlement(), VIEW, Map.of("ref", person.member().ref()));
    }

    static int balance(Person person) {
        return view(person).getInt("data.member.balance");
    }

    static int available(Person person) {
        return view(person).getInt("data.member.available");
    }

    static Map<String, Integer> byIssuer(Person person) {
        Map<String, Integer> byIssuer = new HashMap<>();
        List<Map<String, Object>> rows = view(person).getList("data.member.pointsByIssuer");
        rows.forEach(row -> {
            int points = (Integer) row.get("points");
            if (points > 0) {
                byIssuer.put((String) ((Map<?, ?>) row.get("partner")).get("id"), points);
            }
        });
        return byIssuer;
    }

    static JsonPath household(String document, Person who, Map<String, Object> input) {
        Map<String, Object> withKey = new HashMap<>(input);
        withKey.put("idempotencyKey", Fixtures.key());
        return GraphQl.call(who.token(), document, Map.of("input", withKey));
    }
}
