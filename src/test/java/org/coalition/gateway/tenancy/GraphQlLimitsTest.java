package org.coalition.gateway.tenancy;

import static io.restassured.RestAssured.given;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** What one request may ask of the gateway, and what a failure underneath may show the caller. */
@GatewayTest
class GraphQlLimitsTest {

    private static final List<String> LEAKS = List.of("Exception", "exception", "SQL", "sql", "duplicate key",
            "pg_sleep", "statement", "at org.", "at io.", "java.", "io.vertx", "NullPointer", "partners_pkey");
    /** Thirteen levels of fields, against a limit of ten. */
    private static final String DEEP = "{ me { transactions { edges { node { member { transactions { edges { node { member {"
            + " transactions { edges { node { id } } } } } } } } } } } } }";

    @Test
    void aQueryNestedDeeperThanTheLimitIsRejected() {

        JsonPath result = GraphQl.call(Tokens.member("deep-" + Fixtures.key()), DEEP);

        assertNull(result.get("data"));
        assertTrue(result.getString("errors[0].message").toLowerCase().contains("depth"), result.prettify());
    }

    @Test
    void aQueryAskingForTooManyFieldsIsRejected() {
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 300; i++) {
            wide.append(" p").append(i).append(": partner { id }");
        }
        JsonPath result = GraphQl.call(Tokens.partner(FRESHMART), wide.append(" }").toString());

        assertNull(result.get("data"));
        assertTrue(result.getString("errors[0].message").toLowerCase().contains("complexity"), result.prettify());
    }

    @Test
    void aDocumentBeyondTheLimitsIsRejectedEveryTimeItIsSent() {
        String token = Tokens.member("deep-again-" + Fixtures.key());

        for (int attempt = 1; attempt <= 3; attempt++) {
            JsonPath result = GraphQl.call(token, DEEP);

            assertNull(result.get("data"), "attempt " + attempt + ": " + result.prettify());
            assertTrue(result.getString("errors[0].message").toLowerCase().contains("depth"), result.prettify());
        }
    }

    @Test
    void aDocumentWhoseSizeDependsOnItsVariablesIsMeasuredWithEachRequestsVariables() {
        StringBuilder document = new StringBuilder("query($all: Boolean!) { base: partner { id }");
        for (int i = 0; i < 150; i++) {
            document.append(" p").append(i).append(": partner @include(if: $all) { id }");
        }
        String query = document.append(" }").toString();

        JsonPath small = GraphQl.call(Tokens.partner(FRESHMART), query, Map.of("all", false));
        JsonPath large = GraphQl.call(Tokens.partner(FRESHMART), query, Map.of("all", true));

        assertEquals("freshmart", small.getString("data.base.id"), small.prettify());
        assertNull(large.get("data"), large.prettify());
        assertTrue(large.getString("errors[0].message").toLowerCase().contains("complexity"), large.prettify());
    }

    @Test
    void fiveHundredAliasedEarnsInOneRequestAreRejectedAndWriteNothing() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        StringBuilder batch = new StringBuilder("mutation {");
        for (int i = 0; i < 500; i++) {
            batch.append(" e").append(i).append(": earnPoints(input: {idempotencyKey: \"batch-").append(Fixtures.key())
                    .append("\", member: {cardNumber: \"").append(member.cardNumber())
                    .append("\"}, purchaseAmount: 10, currency: \"EUR\"}) { userErrors { code } }");
        }

        JsonPath result = GraphQl.call(Tokens.partner(FRESHMART), batch.append(" }").toString());

        assertNull(result.get("data"));
        assertFalse(result.getList("errors").isEmpty());
        assertEquals(0, balanceOf(member));
    }

    @Test
    void aRequestWithMoreThanTenMutationsIsRefusedWhole() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        StringBuilder twelve = new StringBuilder("mutation {");
        for (int i = 0; i < 12; i++) {
            twelve.append(" r").append(i).append(": redeemPoints(input: {idempotencyKey: \"").append(Fixtures.key())
                    .append("\", member: {cardNumber: \"").append(member.cardNumber()).append("\"}, points: 1}) { userErrors { code } }");
        }

        JsonPath result = GraphQl.call(Tokens.partner(FRESHMART), twelve.append(" }").toString());

        assertNull(result.get("data"));
        assertTrue(result.getString("errors[0].message").contains("at most 10 mutations"), result.prettify());
        assertEquals("INVALID_ARGUMENT", result.getString("errors[0].extensions.reason"));
        assertEquals(150, balanceOf(member), "not one of the twelve ran");
    }

    @Test
    void aRequestBodyAboveTheLimitIsRefusedBeforeParsing() {
        String huge = "{ \"query\": \"{ partner { id } }\", \"padding\": \"" + "x".repeat(300 * 1024) + "\" }";

        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + Tokens.partner(FRESHMART)).body(huge)
                .when().post("/graphql")
                .then().statusCode(413);
    }

    @ParameterizedTest
    @ValueSource(strings = { "testFaultConstraintViolation", "testFaultTimeout", "testFaultMissingValue" })
    void aFailureUnderneathShowsNoStackTraceNoSqlAndNoClassName(String fault) {
        String body = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + Tokens.settlement())
                .body(Map.of("query", "{ " + fault + " }"))
                .when().post("/graphql")
                .then().statusCode(200)
                .extract().asString();

        JsonPath result = JsonPath.from(body);
        assertFalse(result.getList("errors").isEmpty(), body);
        for (String leak : LEAKS) {
            assertFalse(body.contains(leak), "response reveals '" + leak + "': " + body);
        }
    }

    private static int balanceOf(EnrolledMember member) {
        return GraphQl.call(Tokens.settlement(), "query($ref: MemberRefInput!) { member(ref: $ref) { balance } }",
                Map.of("ref", member.ref())).getInt("data.member.balance");
    }
}
