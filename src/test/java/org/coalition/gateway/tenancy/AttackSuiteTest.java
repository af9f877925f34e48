package org.coalition.gateway.tenancy;

import static io.restassured.RestAssured.given;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.build.Jwt;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * The attack suite: each case is one thing a hostile or careless caller tries. Every one is refused,
 * writes nothing (the member's balance and the ledger audit say so), and is listed here by name.
 * Deeper variants live beside the features (PrivacyAndPermissionsTest, PartnerTenantsTest,
 * RedemptionHoldTest, ReverseTransactionTest, SettlementPeriodTest, ReconciliationAndDisputesTest).
 */
@GatewayTest
class AttackSuiteTest {

    private static final String BALANCE = "query($ref: MemberRefInput!) { member(ref: $ref) { balance held } }";

    @Inject
    LedgerAudit audit;

    private EnrolledMember victim;

    @AfterEach
    void ledgerStaysSound() {
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    private EnrolledMember victimWith150Points() {
        victim = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, victim, "100.00");
        return victim;
    }

    private Map<String, Object> balance() {
        return GraphQl.call(Tokens.settlement(), BALANCE, Map.of("ref", victim.ref())).getMap("data.member");
    }

    @Test
    @DisplayName("attack: partner B reverses partner A's earn")
    void partnerReversesAnotherPartnersEarn() {
        EnrolledMember member = victimWith150Points();
        String earnId = GraphQl.call(Tokens.partner(FRESHMART), "query($ref: MemberRefInput!) { member(ref: $ref) {"
                + " transactions { edges { node { id } } } } }", Map.of("ref", member.ref()))
                .getString("data.member.transactions.edges[0].node.id");

        JsonPath attempt = GraphQl.call(Tokens.partner(FUELCO), """
                mutation($input: ReverseTransactionInput!) { reverseTransaction(input: $input) { userErrors { code } } }""",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "transactionId", earnId)));

        assertEquals("TRANSACTION_NOT_FOUND", attempt.getString("data.reverseTransaction.userErrors[0].code"));
        assertEquals(150, balance().get("balance"));
    }

    @Test
    @DisplayName("attack: partner B captures partner A's hold")
    void partnerCapturesAnotherPartnersHold() {
        EnrolledMember member = victimWith150Points();
        String holdId = GraphQl.call(Tokens.partner(FRESHMART), """
                        mutation($input: AuthorizeRedemptionInput!) { authorizeRedemption(input: $input) { hold { id } } }""",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "member", member.ref(), "points", 100)))
                .getString("data.authorizeRedemption.hold.id");

        JsonPath attempt = GraphQl.call(Tokens.partner(FUELCO), """
                mutation($input: CaptureRedemptionInput!) { captureRedemption(input: $input) { userErrors { code } } }""",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "holdId", holdId)));

        assertEquals("HOLD_NOT_FOUND", attempt.getString("data.captureRedemption.userErrors[0].code"));
        assertEquals(Map.of("balance", 150, "held", 100), balance());
    }

    @Test
    @DisplayName("attack: partner B reads partner A's settlement statement")
    void partnerReadsAnotherPartnersStatement() {
        String periodId = GraphQl.call(Tokens.settlement(), "{ settlementPeriods(first: 1) { edges { node { id } } } }")
                .getString("data.settlementPeriods.edges[0].node.id");

        JsonPath attempt = GraphQl.call(Tokens.partner(FUELCO),
                "query($p: ID!) { settlementStatement(periodId: $p, partnerId: \"freshmart\") { net } }", Map.of("p", periodId));

        assertNull(attempt.get("data.settlementStatement"));
        assertEquals("FORBIDDEN", attempt.getString("errors[0].extensions.reason"));
    }

    @Test
    @DisplayName("attack: a partner resolves its own dispute")
    void partnerResolvesADispute() {
        JsonPath attempt = GraphQl.call(Tokens.partner(FRESHMART), """
                mutation($input: ResolveDisputeInput!) { resolveDispute(input: $input) { userErrors { code } } }""",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "disputeId", java.util.UUID.randomUUID().toString(),
                        "accept", true, "adjustedAmount", 1000)));

        assertEquals("FORBIDDEN", attempt.getString("errors[0].extensions.reason"));
    }

    @Test
    @DisplayName("attack: a member reads another member by card")
    void memberReadsAnotherMember() {
        EnrolledMember member = victimWith150Points();

        JsonPath attempt = GraphQl.call(Tokens.member("snoop-" + Fixtures.key()), BALANCE, Map.of("ref", member.ref()));

        assertNull(attempt.get("data.member"));
        assertEquals("FORBIDDEN", attempt.getString("errors[0].extensions.reason"));
    }

    @Test
    @DisplayName("attack: a member token carrying partner scopes earns points")
    void memberTokenWithPartnerScopesEarns() {
        EnrolledMember member = victimWith150Points();
        String token = Tokens.sign(Tokens.base("sneaky-member").claim("azp", "freshmart-pos")
                .claim("scope", Tokens.ALL_PARTNER_SCOPES).claim("realm_access", Map.of("roles", List.of("member"))));

        JsonPath attempt = GraphQl.call(token, Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, "1000.00")));

        assertNull(attempt.get("data"));
        assertEquals(150, balance().get("balance"));
    }

    @Test
    @DisplayName("attack: replaying partner A's idempotency key as partner B")
    void replayingAnotherPartnersKey() {
        EnrolledMember member = victimWith150Points();
        Map<String, Object> input = Fixtures.earnInput(member, "10.00");
        JsonPath atA = Fixtures.earn(FRESHMART, input);

        JsonPath atB = Fixtures.earn(FUELCO, input);

        assertNotEquals(atA.getString("data.earnPoints.transaction.id"), atB.getString("data.earnPoints.transaction.id"),
                "B never gets A's payload back");
        assertEquals("fuelco", atB.getString("data.earnPoints.transaction.partner.id"));
    }

    @Test
    @DisplayName("attack: expired token")
    void expiredToken() {
        assertRejected(Tokens.sign(Jwt.issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).subject("x").claim("azp", "freshmart-pos")
                .claim("scope", Tokens.ALL_PARTNER_SCOPES).issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600))));
    }

    @Test
    @DisplayName("attack: tampered token (scope widened after signing)")
    void tamperedToken() {
        String[] parts = Tokens.partner(FRESHMART, "members:read").split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("members:read", "points:earn points:redeem");
        assertRejected(parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2]);
    }

    @Test
    @DisplayName("attack: token for another audience")
    void wrongAudienceToken() {
        assertRejected(Tokens.sign(Jwt.issuer(Tokens.ISSUER).audience("another-api").subject("x").claim("azp", "freshmart-pos")
                .claim("scope", Tokens.ALL_PARTNER_SCOPES)));
    }

    @Test
    @DisplayName("attack: unsigned token (alg=none)")
    void unsignedToken() {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = base64.encodeToString(("{\"iss\":\"" + Tokens.ISSUER + "\",\"aud\":\"" + Tokens.AUDIENCE
                + "\",\"sub\":\"x\",\"azp\":\"freshmart-pos\",\"scope\":\"points:earn\",\"exp\":"
                + (Instant.now().getEpochSecond() + 600) + "}").getBytes(StandardCharsets.UTF_8));
        assertRejected(header + "." + claims + ".");
    }

    @Test
    @DisplayName("attack: token from an issuer nobody trusts")
    void wrongIssuerToken() {
        assertRejected(Tokens.sign(Jwt.issuer("https://evil.example").audience(Tokens.AUDIENCE).subject("x")
                .claim("azp", "freshmart-pos").claim("scope", Tokens.ALL_PARTNER_SCOPES)));
    }

    /** The token is refused at the door (401) and its earn for the victim never happens. */
    private void assertRejected(String token) {
        EnrolledMember member = victimWith150Points();
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token)
                .body(Map.of("query", Fixtures.EARN, "variables", Map.of("input", Fixtures.earnInput(member, "1000.00"))))
                .when().post("/graphql")
                .then().statusCode(401);
        assertEquals(150, balance().get("balance"));
    }
}
