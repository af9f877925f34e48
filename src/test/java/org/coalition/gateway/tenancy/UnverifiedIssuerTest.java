package org.coalition.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The issuer that picks a partner's OIDC tenant, read from a token before anything verifies it. */
class UnverifiedIssuerTest {

    @Test
    void theIssuerOfABearerToken() {
        assertEquals(Optional.of("https://idp.fuelco.example"),
                issuerOf("{\"sub\":\"pos-7\",\"aud\":[\"coalition\"],\"iss\":\"https://idp.fuelco.example\",\"exp\":1}"));
        assertEquals(Optional.of("https://idp.fuelco.example"),
                PartnerTenantResolver.unverifiedIssuer("bearer " + token("{\"iss\":\"https://idp.fuelco.example\"}")));
    }

    @Test
    void onlyATopLevelIssuerCounts() {
        assertEquals(Optional.empty(), issuerOf("{\"act\":{\"iss\":\"https://nested.example\"},\"sub\":\"x\"}"));
        assertEquals(Optional.empty(), issuerOf("{\"iss\":null}"));
        assertEquals(Optional.of("https://after.example"),
                issuerOf("{\"act\":{\"iss\":\"https://nested.example\"},\"iss\":\"https://after.example\"}"));
    }

    /** Present, so the resolver refuses it as an untrusted issuer rather than handing it to the default tenant. */
    @Test
    void anIssuerThatIsNotAStringIsStillPresentAndMatchesNoIdp() {
        assertEquals(Optional.of("42"), issuerOf("{\"iss\":42}"));
        assertEquals(Optional.of("["), issuerOf("{\"iss\":[\"https://idp.fuelco.example\"]}"));
        assertEquals(Optional.of("{"), issuerOf("{\"iss\":{\"url\":\"https://idp.fuelco.example\"}}"));
    }

    @Test
    void ofANameGivenTwiceTheLastCounts() {
        assertEquals(Optional.of("https://second.example"),
                issuerOf("{\"iss\":\"https://first.example\",\"iss\":\"https://second.example\"}"));
    }

    @Test
    void anythingThatIsNotABearerJwtHasNoIssuer() {
        assertEquals(Optional.empty(), PartnerTenantResolver.unverifiedIssuer(null));
        assertEquals(Optional.empty(), PartnerTenantResolver.unverifiedIssuer("Basic dXNlcjpwYXNz"));
        assertEquals(Optional.empty(), PartnerTenantResolver.unverifiedIssuer("Bearer opaque-token"));
        assertEquals(Optional.empty(), PartnerTenantResolver.unverifiedIssuer("Bearer e30.!!!.sig"));
        assertEquals(Optional.empty(), issuerOf("[\"iss\",\"https://idp.fuelco.example\"]"));
        assertEquals(Optional.empty(), issuerOf("{\"iss\":\"https://idp.fuelco.example\""));
        assertEquals(Optional.empty(), issuerOf("{\"iss\":\"https://idp.fuelco.example\"} {}"));
        assertEquals(Optional.empty(), issuerOf("not json"));
    }

    private static Optional<String> issuerOf(String claims) {
        return PartnerTenantResolver.unverifiedIssuer("Bearer " + token(claims));
    }

    private static String token(String claims) {
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        return encoder.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + encoder.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }
}
