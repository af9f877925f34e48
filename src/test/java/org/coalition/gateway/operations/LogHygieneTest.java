package org.coalition.gateway.operations;

import static io.restassured.RestAssured.given;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * What the gateway logs while it serves the requests that carry personal data or secrets, and fails them in
 * every way that logs: none of the card numbers, tokens or member subjects involved reaches a log line, at
 * any level we ship, in a message or in a stack trace.
 */
@GatewayTest
class LogHygieneTest {

    private static final String ME = "{ me { id balance } }";
    private static final String CLAIM = """
            mutation($input: ClaimMembershipInput!) { claimMembership(input: $input) { member { id } userErrors { code } } }""";

    private CapturedLogs logs;
    private final List<String> cardNumbers = new ArrayList<>();
    private final List<String> tokens = new ArrayList<>();
    private final List<String> subjects = new ArrayList<>();

    @BeforeEach
    void capture() {
        // Our own DEBUG statements are checked too: someone will switch them on in production one day.
        logs = CapturedLogs.install("org.coalition");
    }

    @AfterEach
    void release() {
        logs.close();
    }

    @Test
    void noCardNumberTokenOrMemberSubjectReachesTheLogs() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        cardNumbers.add(member.cardNumber());
        String partner = token(Tokens.partner(FRESHMART));

        earnRedeemAndFailInBusinessTerms(partner, member);
        beRefusedAsAMemberAPartnerWithoutScopeAndNobody(member);
        sendTokensThatFailVerification(member);
        sendBrokenRequests(partner, member);

        List<CapturedLogs.Line> lines = logs.lines();
        assertFalse(lines.isEmpty(), "nothing was captured, so nothing was checked");
        List<String> leaks = new ArrayList<>();
        for (CapturedLogs.Line line : lines) {
            secrets().stream().filter(line.text()::contains).forEach(secret -> leaks.add(secret + " in: " + line.text()));
        }
        assertEquals(List.of(), leaks);
    }

    private void earnRedeemAndFailInBusinessTerms(String partner, EnrolledMember member) {
        Map<String, Object> earn = Fixtures.earnInput(member, "200.00");
        assertNoUserErrors(GraphQl.call(partner, Fixtures.EARN, Map.of("input", earn)), "earnPoints");
        assertNoUserErrors(GraphQl.call(partner, Fixtures.REDEEM, Map.of("input", Fixtures.redeemInput(member, 100))), "redeemPoints");

        earn.put("purchaseAmount", new BigDecimal("300.00"));
        assertUserError("IDEMPOTENCY_CONFLICT", GraphQl.call(partner, Fixtures.EARN, Map.of("input", earn)), "earnPoints");
        assertUserError("INSUFFICIENT_POINTS",
                GraphQl.call(partner, Fixtures.REDEEM, Map.of("input", Fixtures.redeemInput(member, 1_000_000))), "redeemPoints");
        String badCheckDigit = card("6370000000000018");
        assertNotEquals(List.of(), GraphQl.call(partner, Fixtures.EARN, Map.of("input", Map.of("idempotencyKey", Fixtures.key(),
                "member", Map.of("cardNumber", badCheckDigit), "purchaseAmount", 10, "currency", "EUR")))
                .getList("data.earnPoints.userErrors"));
        String unknownCard = card(Fixtures.newCardNumber());
        assertUserError("MEMBER_NOT_FOUND", GraphQl.call(partner, Fixtures.REDEEM, Map.of("input", Map.of("idempotencyKey",
                Fixtures.key(), "member", Map.of("cardNumber", unknownCard), "points", 10))), "redeemPoints");
    }

    private void beRefusedAsAMemberAPartnerWithoutScopeAndNobody(EnrolledMember member) {
        String memberToken = token(Tokens.member(subject("hygiene-member-" + UUID.randomUUID())));
        GraphQl.call(memberToken, CLAIM, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", member.cardNumber())));
        GraphQl.call(memberToken, ME);
        JsonPath forbidden = GraphQl.call(memberToken, Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, "5.00")));
        assertEquals("FORBIDDEN", forbidden.getString("errors[0].extensions.reason"), forbidden::prettify);

        JsonPath noScope = GraphQl.call(token(Tokens.partner(FRESHMART, "members:read")), Fixtures.EARN,
                Map.of("input", Fixtures.earnInput(member, "5.00")));
        assertEquals("FORBIDDEN", noScope.getString("errors[0].extensions.reason"), noScope::prettify);

        JsonPath anonymous = given().contentType(ContentType.JSON)
                .body(Map.of("query", Fixtures.EARN, "variables", Map.of("input", Fixtures.earnInput(member, "5.00"))))
                .when().post("/graphql").then().statusCode(200).extract().jsonPath();
        assertEquals("UNAUTHORIZED", anonymous.getString("errors[0].extensions.reason"), anonymous::prettify);
    }

    private void sendTokensThatFailVerification(EnrolledMember member) {
        refused(token(Tokens.sign(Tokens.base(subject("hygiene-expired-" + UUID.randomUUID())).claim("azp", "coalition-web")
                .claim("realm_access", Map.of("roles", List.of("member")))
                .issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(3600)))), member);
        refused(token(forged(Tokens.member(subject("hygiene-forged-" + UUID.randomUUID())))), member);
    }

    /** A document cut short with a card number in it, and failures the gateway did not expect. */
    private void sendBrokenRequests(String partner, EnrolledMember member) {
        JsonPath malformed = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + partner)
                .body(Map.of("query", "mutation { earnPoints(input: {member: {cardNumber: \"" + member.cardNumber() + "\"}"))
                .when().post("/graphql").then().extract().jsonPath();
        assertFalse(malformed.getList("errors").isEmpty());
        GraphQl.call(partner, "{ testFaultConstraintViolation }");
    }

    @Test
    void linesLoggedWhileServingARequestCarryItsIdAndCallerAfterTheDatabaseAnswered() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String requestId = "till-7-" + UUID.randomUUID();

        String echoed = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + Tokens.partner(FRESHMART))
                .header(RequestLogContext.HEADER, requestId)
                .body(Map.of("query", Fixtures.EARN, "variables", Map.of("input", Fixtures.earnInput(member, "20.00"))))
                .when().post("/graphql").then().statusCode(200).extract().header(RequestLogContext.HEADER);

        assertEquals(requestId, echoed);
        // EarnService logs once earn_points has answered: on the PostgreSQL client's callback, not the request's.
        CapturedLogs.Line earned = logs.lines().stream()
                .filter(line -> line.category().equals("org.coalition.gateway.earning.EarnService"))
                .filter(line -> requestId.equals(line.mdc().get(RequestLogContext.REQUEST_ID)))
                .findFirst().orElseThrow(() -> new AssertionError("no line of the earn with its request id: " + logs.lines()));
        assertEquals("freshmart", earned.mdc().get(RequestLogContext.PARTNER_ID), earned::text);
        assertEquals("partner", earned.mdc().get(RequestLogContext.CALLER_KIND), earned::text);
        // Tracing is off in this profile: no span was recorded for the request (operations.Tracing).
        assertNotEquals("true", earned.mdc().get("sampled"), earned::text);
    }

    @Test
    void aRequestIdThatCouldBreakALogLineOrHoldACardNumberIsReplaced() {
        for (String offered : List.of("two words", "x".repeat(65), "till-6370000000000017", "tab\tinside")) {
            String echoed = given().contentType(ContentType.JSON).header(RequestLogContext.HEADER, offered)
                    .body(Map.of("query", "{ __typename }")).when().post("/graphql")
                    .then().extract().header(RequestLogContext.HEADER);
            assertTrue(echoed.matches("[0-9a-f]{32}"), () -> offered + " became " + echoed);
        }
    }

    @Test
    void anUnexpectedFailureIsLoggedOnceWithoutItsMessageAndRefusalsNotAtAll() {
        // no digits: a UUID's last group is all digits one time in 280, and the logs mask twelve digits in a row as a card
        String requestId = "fault-" + UUID.randomUUID().toString().chars()
                .map(c -> Character.isDigit(c) ? 'g' + (c - '0') : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + Tokens.partner(FRESHMART))
                .header(RequestLogContext.HEADER, requestId).body(Map.of("query", "{ testFaultMissingValue }"))
                .when().post("/graphql").then().statusCode(200);
        GraphQl.call(Tokens.partner(FRESHMART, "members:read"), Fixtures.EARN,
                Map.of("input", Fixtures.earnInput(new EnrolledMember("x", Fixtures.newCardNumber()), "5.00")));
        GraphQl.call(Tokens.member("hygiene-" + UUID.randomUUID()), Fixtures.EARN,
                Map.of("input", Fixtures.earnInput(new EnrolledMember("x", Fixtures.newCardNumber()), "5.00")));

        List<CapturedLogs.Line> errors = logs.lines().stream().filter(line -> line.level().intValue() >= Level.SEVERE.intValue())
                .toList();
        assertEquals(1, errors.size(), () -> errors.stream().map(CapturedLogs.Line::text).collect(Collectors.joining("\n")));
        CapturedLogs.Line failure = errors.get(0);
        assertEquals(requestId, failure.mdc().get(RequestLogContext.REQUEST_ID), failure::text);
        assertTrue(failure.thrown().startsWith(NullPointerException.class.getName()), failure::text);
        assertTrue(failure.thrown().contains("FaultApi.missingValue"), failure::text);
        assertFalse(failure.thrown().contains("because"), () -> "the message was logged: " + failure.text());
    }

    private List<String> secrets() {
        List<String> secrets = new ArrayList<>(cardNumbers);
        secrets.addAll(subjects);
        secrets.add("eyJ");
        for (String token : tokens) {
            secrets.add(token);
            secrets.add(token.substring(token.lastIndexOf('.') + 1));
        }
        return secrets;
    }

    private String card(String number) {
        cardNumbers.add(number);
        return number;
    }

    private String token(String token) {
        tokens.add(token);
        return token;
    }

    private String subject(String subject) {
        subjects.add(subject);
        return subject;
    }

    /** The signature of a member token over a payload that now claims the settlement role. */
    private static String forged(String token) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"member\"", "\"settlement\"");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
    }

    private static void refused(String token, EnrolledMember member) {
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token)
                .body(Map.of("query", Fixtures.EARN, "variables", Map.of("input", Fixtures.earnInput(member, "5.00"))))
                .when().post("/graphql").then().statusCode(401);
    }

    private static void assertNoUserErrors(JsonPath result, String field) {
        assertEquals(List.of(), result.getList("data." + field + ".userErrors"), result::prettify);
    }

    private static void assertUserError(String code, JsonPath result, String field) {
        assertEquals(code, result.getString("data." + field + ".userErrors[0].code"), result::prettify);
    }
}
