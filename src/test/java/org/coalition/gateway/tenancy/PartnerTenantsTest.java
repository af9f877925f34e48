package org.coalition.gateway.tenancy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import org.coalition.gateway.partner.ContractReloader;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.TestContractsResource;
import org.coalition.gateway.support.Tokens;

import io.smallrye.jwt.build.Jwt;

@GatewayTest
class PartnerTenantsTest {

    private static final String PAUSEMART = "pausemart-pos";

    @Inject
    ContractReloader reloader;

    @AfterEach
    void restorePauseMart() {
        TestContractsResource.writePauseMart("ACTIVE");
        reloader.reloadNow().await().indefinitely();
    }

    @Test
    void aPartnerWithItsOwnIdentityProviderIsRecognisedByItsIssuer() {
        EnrolledMember member = Fixtures.enroll(Fixtures.FRESHMART);

        JsonPath result = GraphQl.call(Tokens.skyways("points:earn"), Fixtures.EARN,
                Map.of("input", Fixtures.earnInput(member, "120.00")));

        assertEquals(List.of(), result.getList("data.earnPoints.userErrors"));
        assertEquals("skyways", result.getString("data.earnPoints.transaction.partner.id"));
        assertEquals(240, result.getInt("data.earnPoints.transaction.points"));
    }

    @Test
    void aTokenClaimingThePartnersIssuerButSignedByAnotherKeyIsRejected() {
        String forged = Tokens.sign(Jwt.issuer(TestContractsResource.SKYWAYS_ISSUER)
                .audience(TestContractsResource.SKYWAYS_AUDIENCE).subject("forger").claim("scope", "points:earn"));

        assertStatus(401, forged);
    }

    @Test
    void aPartnerTokenForAnotherAudienceIsRejected() {
        String otherAudience = Jwt.issuer(TestContractsResource.SKYWAYS_ISSUER).audience("some-other-api")
                .subject("skyways-booking-engine").claim("scope", "points:earn")
                .jws().keyId("skyways-1").sign(TestContractsResource.skywaysSigningKey());

        assertStatus(401, otherAudience);
    }

    @Test
    void aTokenFromAnIssuerNoContractNamesIsRejectedNotHandedToTheDefaultTenant() {
        String unknownIssuer = Tokens.sign(Jwt.issuer("https://idp.unknown.example").audience(Tokens.AUDIENCE)
                .subject("someone").claim("azp", "freshmart-pos").claim("scope", Tokens.ALL_PARTNER_SCOPES));

        assertStatus(401, unknownIssuer);
    }

    @Test
    void aCoalitionTokenForAnotherAudienceIsRejected() {
        String otherAudience = Tokens.sign(Jwt.issuer(Tokens.ISSUER).audience("another-api").subject("x")
                .claim("azp", "freshmart-pos").claim("scope", Tokens.ALL_PARTNER_SCOPES));

        assertStatus(401, otherAudience);
    }

    @Test
    void suspendingAContractStopsAllOfThatPartnersWritesWithoutARestart() {
        EnrolledMember member = Fixtures.enroll(PAUSEMART);
        assertEquals(200, Fixtures.earnOk(PAUSEMART, member, "100.00"));

        TestContractsResource.writePauseMart("SUSPENDED");
        reloader.reloadNow().await().indefinitely();

        assertEquals("CONTRACT_INACTIVE", Fixtures.earn(PAUSEMART, Fixtures.earnInput(member, "10.00"))
                .getString("data.earnPoints.userErrors[0].code"));
        assertEquals("CONTRACT_INACTIVE", Fixtures.redeem(PAUSEMART, Fixtures.redeemInput(member, 150))
                .getString("data.redeemPoints.userErrors[0].code"));
        assertEquals("CONTRACT_INACTIVE", GraphQl.call(Tokens.partner(PAUSEMART), Fixtures.ENROLL,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key()))).getString("data.enrollMember.userErrors[0].code"));
        assertEquals(200, balanceOf(member), "nothing was written while suspended");

        TestContractsResource.writePauseMart("ACTIVE");
        reloader.reloadNow().await().indefinitely();

        assertEquals(20, Fixtures.earnOk(PAUSEMART, member, "10.00"));
    }

    private static int balanceOf(EnrolledMember member) {
        return GraphQl.call(Tokens.settlement(), "query($ref: MemberRefInput!) { member(ref: $ref) { balance } }",
                Map.of("ref", member.ref())).getInt("data.member.balance");
    }

    private static void assertStatus(int status, String token) {
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token)
                .body(Map.of("query", "{ partner { id } }"))
                .when().post("/graphql")
                .then().statusCode(status);
    }
}
