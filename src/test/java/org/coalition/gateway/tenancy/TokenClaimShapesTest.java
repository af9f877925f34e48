package org.coalition.gateway.tenancy;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * Issuers name a partner's client and its scopes in more than one way: {@code client_id} instead of {@code azp}, and an
 * {@code scp} array instead of a space-separated {@code scope}. The gateway reads these claims past smallrye-jwt's
 * {@code getClaim} (CallerAugmentor.claim), so each shape is checked here through a real request.
 */
@GatewayTest
class TokenClaimShapesTest {

    @Test
    void aClientNamedByClientIdWithScopesInAnScpArrayEarnsAsItsPartner() {
        Fixtures.EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Tokens.sign(Tokens.base("service-account-till-7").claim("client_id", FRESHMART)
                .claim("scp", List.of("members:read", "points:earn")));
        JsonPath answer = GraphQl.call(token, Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, "10.00")));
        assertEquals(List.of(), answer.getList("data.earnPoints.userErrors"), answer::prettify);
        assertEquals(15, answer.getInt("data.earnPoints.transaction.points"), answer::prettify);
    }

    @Test
    void anScpArrayGrantsOnlyTheScopesItNames() {
        Fixtures.EnrolledMember member = Fixtures.enroll(FRESHMART);
        String token = Tokens.sign(Tokens.base("service-account-till-8").claim("client_id", FRESHMART)
                .claim("scp", List.of("members:read")));
        JsonPath answer = GraphQl.call(token, Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, "10.00")));
        assertEquals("FORBIDDEN", answer.getString("errors[0].extensions.reason"), answer::prettify);
    }
}
