package org.coalition.gateway.tenancy;

import static io.restassured.RestAssured.given;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * Who may see and do what, as partners, members and the settlement team use the API: a partner sees a
 * shared member's balance but only its own transactions, never where the other points came from; a token
 * does only what both its scopes and its partner's contract allow; a token the gateway cannot verify is
 * turned away at the door.
 */
@GatewayTest
class PrivacyAndPermissionsTest {

    private static final String GREENHEART = "greenheart-portal";
    private static final String INTRUDER = "intruder-pos";

    private static final String MEMBER_AS_PARTNER_SEES_IT = """
            query($ref: MemberRefInput!) {
              member(ref: $ref) {
                id balance
                transactions(first: 100) { edges { node { id partner { id } } } }
              }
            }""";
    private static final String MEMBER_WITH_ISSUERS = """
            query($ref: MemberRefInput!) {
              member(ref: $ref) {
                id balance
                pointsByIssuer { partner { id } points }
                transactions(first: 100) { edges { node { id partner { id } } } }
              }
            }""";
    private static final String TRANSACTIONS = """
            query($filter: TransactionFilter) {
              transactions(filter: $filter, first: 100) { edges { node { id partner { id } } } }
            }""";
    private static final String TRANSACTION = """
            query($id: ID!) { transaction(id: $id) { id points partner { id } } }""";
    private static final String CLAIM = """
            mutation($input: ClaimMembershipInput!) {
              claimMembership(input: $input) {
                member { id cardNumber balance }
                userErrors { code field message }
              }
            }""";
    private static final String ME = """
            {
              me {
                id balance
                pointsByIssuer { partner { id } points }
                transactions(first: 100) { edges { node { id partner { id } } } }
              }
            }""";
    private static final String PARTNERS = "{ partners { id } }";

    @Inject
    LedgerAudit audit;

    /** A member enrolled at freshmart with 15 points from freshmart and 20 from fuelco. */
    record SharedMember(EnrolledMember member, String freshmartTransaction, String fuelcoTransaction) {
    }

    // ---------------------------------------------------------------- partners see their own

    @Test
    void eachPartnerSeesTheSharedMembersBalanceButOnlyItsOwnTransactions() {
        SharedMember shared = memberOfBothRetailers();

        JsonPath atFreshmart = GraphQl.call(Tokens.partner(FRESHMART), MEMBER_AS_PARTNER_SEES_IT, Map.of("ref", shared.member().ref()));
        JsonPath atFuelco = GraphQl.call(Tokens.partner(FUELCO), MEMBER_AS_PARTNER_SEES_IT, Map.of("ref", shared.member().ref()));

        assertNull(atFreshmart.get("errors"), atFreshmart::prettify);
        assertNull(atFuelco.get("errors"), atFuelco::prettify);
        assertEquals(List.of(shared.freshmartTransaction()), atFreshmart.getList("data.member.transactions.edges.node.id"));
        assertEquals(List.of("freshmart"), atFreshmart.getList("data.member.transactions.edges.node.partner.id"));
        assertEquals(List.of(shared.fuelcoTransaction()), atFuelco.getList("data.member.transactions.edges.node.id"));
        assertEquals(List.of("fuelco"), atFuelco.getList("data.member.transactions.edges.node.partner.id"));
        assertEquals(35, atFreshmart.getInt("data.member.balance"));
        assertEquals(35, atFuelco.getInt("data.member.balance"));
    }

    @Test
    void aPartnerCannotSeeWhereAMembersPointsCameFrom() {
        SharedMember shared = memberOfBothRetailers();

        JsonPath result = GraphQl.call(Tokens.partner(FRESHMART), MEMBER_WITH_ISSUERS, Map.of("ref", shared.member().ref()));

        assertErrorCode(result, "forbidden");
        assertNull(result.get("data.member"), () -> "nothing of the member may come back: " + result.prettify());
    }

    @Test
    void aPartnersTransactionListHoldsOnlyItsOwnTransactions() {
        SharedMember shared = memberOfBothRetailers();

        JsonPath result = GraphQl.call(Tokens.partner(FRESHMART), TRANSACTIONS, Map.of());

        assertNull(result.get("errors"), result::prettify);
        List<String> ids = result.getList("data.transactions.edges.node.id");
        assertTrue(ids.contains(shared.freshmartTransaction()), result::prettify);
        assertFalse(ids.contains(shared.fuelcoTransaction()), result::prettify);
        assertEquals(Set.of("freshmart"), Set.copyOf(result.getList("data.transactions.edges.node.partner.id")));
    }

    @Test
    void aPartnerAskingForAnotherPartnersTransactionByIdGetsNothing() {
        SharedMember shared = memberOfBothRetailers();
        Map<String, Object> fuelcos = Map.of("id", shared.fuelcoTransaction());

        JsonPath asFreshmart = GraphQl.call(Tokens.partner(FRESHMART), TRANSACTION, fuelcos);
        JsonPath asFuelco = GraphQl.call(Tokens.partner(FUELCO), TRANSACTION, fuelcos);

        assertNull(asFreshmart.get("data.transaction"), asFreshmart::prettify);
        assertEquals(shared.fuelcoTransaction(), asFuelco.getString("data.transaction.id"), "its owner does see it");
    }

    @Test
    void filteringForAnotherPartnersTransactionsReturnsNothing() {
        memberOfBothRetailers();
        Map<String, Object> fuelcoOnly = Map.of("filter", Map.of("partnerId", "fuelco"));

        JsonPath asFreshmart = GraphQl.call(Tokens.partner(FRESHMART), TRANSACTIONS, fuelcoOnly);
        JsonPath asSettlement = GraphQl.call(Tokens.settlement(), TRANSACTIONS, fuelcoOnly);

        assertNull(asFreshmart.get("errors"), asFreshmart::prettify);
        assertEquals(List.of(), asFreshmart.getList("data.transactions.edges"));
        assertFalse(asSettlement.getList("data.transactions.edges").isEmpty(), "there are fuelco transactions to hide");
    }

    // ---------------------------------------------------------------- tokens do what scope and contract allow

    @Test
    void aClientThatNoContractNamesCanNeitherWriteNorRead() {
        SharedMember shared = memberOfBothRetailers();
        JsonPath before = settlementView(shared.member());
        String intruder = Tokens.partner(INTRUDER);
        String newCard = Fixtures.newCardNumber();

        JsonPath earned = GraphQl.call(intruder, Fixtures.EARN, Map.of("input", Fixtures.earnInput(shared.member(), "10.00")));
        JsonPath enrolled = GraphQl.call(intruder, Fixtures.ENROLL,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", newCard)));
        JsonPath looked = GraphQl.call(intruder, MEMBER_AS_PARTNER_SEES_IT, Map.of("ref", shared.member().ref()));
        JsonPath listed = GraphQl.call(intruder, TRANSACTIONS, Map.of());

        assertErrorCode(earned, "forbidden");
        assertNull(earned.get("data.earnPoints"), earned::prettify);
        assertErrorCode(enrolled, "forbidden");
        assertNull(enrolled.get("data.enrollMember"), enrolled::prettify);
        assertErrorCode(looked, "forbidden");
        assertNull(looked.get("data.member"), looked::prettify);
        assertErrorCode(listed, "forbidden");
        assertNull(listed.get("data.transactions"), listed::prettify);
        assertEquals(before.prettify(), settlementView(shared.member()).prettify(), "nothing was earned");
        assertNull(settlementView(new EnrolledMember(null, newCard)).get("data.member"), "nobody was enrolled");
        assertLedgerSound();
    }

    @Test
    void aTokenWithoutTheRedeemScopeCanEarnButNotRedeem() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String earnOnly = Tokens.partner(FRESHMART, "points:earn members:read");

        JsonPath earned = GraphQl.call(earnOnly, Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, "10.00")));
        JsonPath redeemed = GraphQl.call(earnOnly, Fixtures.REDEEM, Map.of("input", Fixtures.redeemInput(member, 5)));

        assertNull(earned.get("errors"), earned::prettify);
        assertEquals(List.of(), earned.getList("data.earnPoints.userErrors"), earned::prettify);
        assertEquals(15, earned.getInt("data.earnPoints.transaction.points"));
        assertErrorCode(redeemed, "forbidden");
        assertNull(redeemed.get("data.redeemPoints"), redeemed::prettify);
        assertEquals(15, settlementView(member).getInt("data.member.balance"), "the redemption did not happen");
        assertLedgerSound();
    }

    @Test
    void aCharityCannotEarnEvenWhenItsTokenAsksForTheScope() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "10.00");
        JsonPath before = settlementView(member);

        JsonPath earned = GraphQl.call(Tokens.partner(GREENHEART, "points:earn members:read"), Fixtures.EARN,
                Map.of("input", Fixtures.earnInput(member, "10.00")));

        assertErrorCode(earned, "forbidden");
        assertNull(earned.get("data.earnPoints"), earned::prettify);
        assertEquals(before.prettify(), settlementView(member).prettify());
        assertLedgerSound();
    }

    // ---------------------------------------------------------------- tokens the gateway cannot trust

    @Test
    void aRequestWithoutATokenIsUnauthorizedAndGetsNoData() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "10.00");
        JsonPath before = settlementView(member);

        JsonPath earned = expect200(post(null, Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, "10.00"))));
        JsonPath looked = expect200(post(null, MEMBER_AS_PARTNER_SEES_IT, Map.of("ref", member.ref())));
        JsonPath listed = expect200(post(null, TRANSACTIONS, Map.of()));

        assertErrorCode(earned, "unauthorized");
        assertNull(earned.get("data.earnPoints"), earned::prettify);
        assertErrorCode(looked, "unauthorized");
        assertNull(looked.get("data.member"), looked::prettify);
        assertErrorCode(listed, "unauthorized");
        assertNull(listed.get("data.transactions"), listed::prettify);
        assertEquals(before.prettify(), settlementView(member).prettify());
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRejectedWith401() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair foreign = generator.generateKeyPair();
        String token = Tokens.base("service-account-" + FRESHMART).claim("azp", FRESHMART)
                .claim("scope", Tokens.ALL_PARTNER_SCOPES).jws().keyId("1").sign(foreign.getPrivate());

        assertRejectedAtTheDoor(token);
    }

    @Test
    void aTokenFromAnotherIssuerIsRejectedWith401() {
        String token = Tokens.sign(Tokens.base("service-account-" + FRESHMART).issuer("https://evil.example.com")
                .claim("azp", FRESHMART).claim("scope", Tokens.ALL_PARTNER_SCOPES));

        assertRejectedAtTheDoor(token);
    }

    @Test
    void anExpiredTokenIsRejectedWith401() {
        Instant anHourAgo = Instant.now().minusSeconds(3600);
        String token = Tokens.sign(Tokens.base("service-account-" + FRESHMART).issuedAt(anHourAgo.minusSeconds(600))
                .expiresAt(anHourAgo).claim("azp", FRESHMART).claim("scope", Tokens.ALL_PARTNER_SCOPES));

        assertRejectedAtTheDoor(token);
    }

    @Test
    void anUnsignedTokenIsRejectedWith401() {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
        String claims = new JsonObject(Map.of("iss", Tokens.ISSUER, "aud", Tokens.AUDIENCE, "sub", "service-account-" + FRESHMART,
                "azp", FRESHMART, "scope", Tokens.ALL_PARTNER_SCOPES, "iat", now, "exp", now + 600)).encode();
        String token = base64Url(header) + "." + base64Url(claims) + ".";

        assertRejectedAtTheDoor(token);
    }

    // ---------------------------------------------------------------- members see themselves

    @Test
    void aMemberWhoClaimedTheirCardSeesAllTheirTransactionsAndWhereThePointsCameFrom() {
        SharedMember shared = memberOfBothRetailers();
        String token = Tokens.member("sub-" + UUID.randomUUID());

        JsonPath claimed = claim(token, shared.member().cardNumber());
        JsonPath me = GraphQl.call(token, ME);

        assertEquals(List.of(), claimed.getList("data.claimMembership.userErrors"), claimed::prettify);
        assertEquals(shared.member().id(), claimed.getString("data.claimMembership.member.id"));
        assertNull(me.get("errors"), me::prettify);
        assertEquals(shared.member().id(), me.getString("data.me.id"));
        assertEquals(35, me.getInt("data.me.balance"));
        assertEquals(Set.of(shared.freshmartTransaction(), shared.fuelcoTransaction()),
                Set.copyOf(me.getList("data.me.transactions.edges.node.id")));
        assertEquals(Set.of("freshmart", "fuelco"), Set.copyOf(me.getList("data.me.transactions.edges.node.partner.id")));
        assertEquals(Map.of("freshmart", 15, "fuelco", 20), pointsByIssuer(me, "data.me"));
        assertEquals(me.getInt("data.me.balance"), pointsByIssuer(me, "data.me").values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void anotherMemberSeesNoMemberAndCannotClaimACardAlreadyClaimed() {
        SharedMember shared = memberOfBothRetailers();
        String owner = Tokens.member("sub-" + UUID.randomUUID());
        assertEquals(List.of(), claim(owner, shared.member().cardNumber()).getList("data.claimMembership.userErrors"));
        String stranger = Tokens.member("sub-" + UUID.randomUUID());

        JsonPath strangersMe = GraphQl.call(stranger, ME);
        JsonPath strangersClaim = claim(stranger, shared.member().cardNumber());

        assertNull(strangersMe.get("errors"), strangersMe::prettify);
        assertNull(strangersMe.get("data.me"), strangersMe::prettify);
        assertNull(strangersClaim.get("errors"), strangersClaim::prettify);
        assertNull(strangersClaim.get("data.claimMembership.member"), strangersClaim::prettify);
        assertEquals("CARD_ALREADY_CLAIMED", strangersClaim.getString("data.claimMembership.userErrors[0].code"), strangersClaim::prettify);
        assertEquals(List.of("input", "cardNumber"), strangersClaim.getList("data.claimMembership.userErrors[0].field"));
        assertEquals(shared.member().id(), GraphQl.call(owner, ME).getString("data.me.id"), "the card stays with its owner");
    }

    @Test
    void aMemberCannotLookUpMembersByCard() {
        SharedMember shared = memberOfBothRetailers();
        String token = Tokens.member("sub-" + UUID.randomUUID());
        claim(token, shared.member().cardNumber());

        JsonPath looked = GraphQl.call(token, MEMBER_AS_PARTNER_SEES_IT, Map.of("ref", shared.member().ref()));

        assertErrorCode(looked, "forbidden");
        assertNull(looked.get("data.member"), looked::prettify);
    }

    @Test
    void aMemberTokenThatCarriesPartnerScopesStillCannotLookUpOtherMembersOrEarn() {
        SharedMember someoneElse = memberOfBothRetailers();
        String subject = "sub-" + UUID.randomUUID();
        String token = Tokens.sign(Tokens.base(subject).claim("azp", "coalition-web")
                .claim("realm_access", Map.of("roles", List.of("member")))
                .claim("scope", "openid points:earn members:read"));
        JsonPath before = settlementView(someoneElse.member());

        JsonPath looked = GraphQl.call(token, MEMBER_AS_PARTNER_SEES_IT, Map.of("ref", someoneElse.member().ref()));
        JsonPath earned = GraphQl.call(token, Fixtures.EARN, Map.of("input", Fixtures.earnInput(someoneElse.member(), "10.00")));

        assertErrorCode(looked, "forbidden");
        assertNull(looked.get("data.member"), () -> "another member's balance leaked: " + looked.prettify());
        assertErrorCode(earned, "forbidden");
        assertNull(earned.get("data.earnPoints"), earned::prettify);
        assertEquals(before.prettify(), settlementView(someoneElse.member()).prettify());
    }

    // ---------------------------------------------------------------- the settlement team sees across partners

    @Test
    void theSettlementTeamSeesWhereAMembersPointsCameFromAndEveryPartnersTransactions() {
        SharedMember shared = memberOfBothRetailers();

        JsonPath view = settlementView(shared.member());

        assertNull(view.get("errors"), view::prettify);
        assertEquals(35, view.getInt("data.member.balance"));
        assertEquals(Map.of("freshmart", 15, "fuelco", 20), pointsByIssuer(view, "data.member"));
        assertEquals(Set.of(shared.freshmartTransaction(), shared.fuelcoTransaction()),
                Set.copyOf(view.getList("data.member.transactions.edges.node.id")));
    }

    @Test
    void theSettlementTeamListsEveryPartnerButAPartnerCannot() {
        JsonPath asSettlement = GraphQl.call(Tokens.settlement(), PARTNERS);
        JsonPath asPartner = GraphQl.call(Tokens.partner(FRESHMART), PARTNERS);

        assertNull(asSettlement.get("errors"), asSettlement::prettify);
        List<String> listed = asSettlement.getList("data.partners.id");
        assertTrue(listed.containsAll(List.of("freshmart", "fuelco", "greenheart")), asSettlement::prettify);
        assertEquals(listed.size(), Set.copyOf(listed).size(), "each partner once");
        assertErrorCode(asPartner, "forbidden");
        assertNull(asPartner.get("data.partners"), asPartner::prettify);
    }

    // ---------------------------------------------------------------- helpers

    private static SharedMember memberOfBothRetailers() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        JsonPath atFreshmart = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "10.00"));
        JsonPath atFuelco = Fixtures.earn(FUELCO, Fixtures.earnInput(member, "10.00"));
        assertEquals(15, atFreshmart.getInt("data.earnPoints.transaction.points"), atFreshmart::prettify);
        assertEquals(20, atFuelco.getInt("data.earnPoints.transaction.points"), atFuelco::prettify);
        return new SharedMember(member, atFreshmart.getString("data.earnPoints.transaction.id"),
                atFuelco.getString("data.earnPoints.transaction.id"));
    }

    private static JsonPath settlementView(EnrolledMember member) {
        return GraphQl.call(Tokens.settlement(), MEMBER_WITH_ISSUERS, Map.of("ref", member.ref()));
    }

    private static JsonPath claim(String memberToken, String cardNumber) {
        return GraphQl.call(memberToken, CLAIM, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", cardNumber)));
    }

    private static Map<String, Integer> pointsByIssuer(JsonPath result, String memberPath) {
        Map<String, Integer> byIssuer = new HashMap<>();
        List<Map<String, Object>> rows = result.getList(memberPath + ".pointsByIssuer");
        assertNotNull(rows, result::prettify);
        rows.forEach(row -> byIssuer.put(String.valueOf(((Map<?, ?>) row.get("partner")).get("id")), (Integer) row.get("points")));
        return byIssuer;
    }

    /** Every GraphQL error carries the given extensions.reason (any case), and there is at least one. */
    private static void assertErrorCode(JsonPath result, String code) {
        List<Object> codes = result.getList("errors.extensions.reason");
        assertTrue(codes != null && !codes.isEmpty(), () -> "expected a " + code + " error: " + result.prettify());
        for (Object given : codes) {
            assertTrue(given != null && String.valueOf(given).toLowerCase(Locale.ROOT).contains(code),
                    () -> "expected " + code + ": " + result.prettify());
        }
    }

    /** A token that fails verification gets HTTP 401 before any resolver runs, whatever it asks for. */
    private void assertRejectedAtTheDoor(String token) {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "10.00");
        JsonPath before = settlementView(member);

        Response earned = post(token, Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, "10.00")));
        Response read = post(token, MEMBER_AS_PARTNER_SEES_IT, Map.of("ref", member.ref()));

        assertEquals(401, earned.statusCode(), earned::asString);
        assertEquals(401, read.statusCode(), read::asString);
        assertFalse(read.asString().contains(member.id()), read::asString);
        assertEquals(before.prettify(), settlementView(member).prettify(), "nothing was earned");
        assertLedgerSound();
    }

    private void assertLedgerSound() {
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    private static JsonPath expect200(Response response) {
        assertEquals(200, response.statusCode(), response::asString);
        return response.jsonPath();
    }

    /** Posts with the given bearer token, or none when it is null, without insisting on HTTP 200. */
    private static Response post(String token, String document, Map<String, Object> variables) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", document);
        body.put("variables", variables);
        RequestSpecification request = given().contentType(ContentType.JSON);
        if (token != null) {
            request = request.header("Authorization", "Bearer " + token);
        }
        return request.body(new JsonObject(body).encode()).when().post("/graphql");
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
