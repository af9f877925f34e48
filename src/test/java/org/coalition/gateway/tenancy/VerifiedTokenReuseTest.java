package org.coalition.gateway.tenancy;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Metrics;
import org.coalition.gateway.support.Tokens;

/**
 * A till's token, verified once, is taken at its word for the requests that follow, but never past its expiry, and
 * what it may do is still decided on each request.
 */
@GatewayTest
class VerifiedTokenReuseTest {

    static final String BALANCE = "query($ref: MemberRefInput!) { member(ref: $ref) { balance } }";

    @Test
    void aRememberedTokenIsRefusedOnceItExpires() {
        Fixtures.EnrolledMember member = Fixtures.enroll(FRESHMART);
        Instant expiry = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS); // exp counts whole seconds
        String shortLived = Tokens.sign(Jwt.issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).subject("service-account-till")
                .claim("azp", FRESHMART).claim("scope", "members:read").expiresAt(expiry));
        double reusedBefore = reused();

        assertEquals(0, GraphQl.call(shortLived, BALANCE, Map.of("ref", member.ref())).getInt("data.member.balance"));
        assertEquals(0, GraphQl.call(shortLived, BALANCE, Map.of("ref", member.ref())).getInt("data.member.balance"));
        assertTrue(reused() > reusedBefore, "the second request reused the verified token");

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> status(shortLived, member) == 401);
        assertTrue(!Instant.now().isBefore(expiry), "refused only once expired");
    }

    @Test
    void aRememberedTokenStillOnlyGetsWhatItsScopesAndContractGrant() {
        Fixtures.EnrolledMember member = Fixtures.enroll(FRESHMART);
        String readOnly = Tokens.partner(FRESHMART, "members:read");
        for (int attempt = 0; attempt < 2; attempt++) {
            var answer = GraphQl.call(readOnly, Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, "10.00")));
            assertEquals("FORBIDDEN", answer.getString("errors[0].extensions.reason"), answer::prettify);
        }
    }

    private static int status(String token, Fixtures.EnrolledMember member) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token)
                .body(Map.of("query", BALANCE, "variables", Map.of("ref", member.ref())))
                .when().post("/graphql").then().extract().statusCode();
    }

    private static double reused() {
        return Metrics.sample("coalition_verified_tokens_reused_total");
    }
}
