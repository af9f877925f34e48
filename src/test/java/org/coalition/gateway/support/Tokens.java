package org.coalition.gateway.support;

import java.util.List;
import java.util.Map;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * Signed access tokens as the coalition's IdP issues them, verified by the gateway against the WireMock
 * OIDC server's keys: partner client-credentials tokens (azp + scope) and user tokens with realm roles.
 */
public final class Tokens {

    public static final String ISSUER = "https://server.example.com";
    public static final String AUDIENCE = "coalition-gateway";
    public static final String ALL_PARTNER_SCOPES =
            "points:earn points:redeem points:reverse members:enroll members:read settlement:read webhooks:manage campaigns:manage analytics:read consents:record";

    private Tokens() {
    }

    /** A client-credentials token of a partner's client with the given space-separated scopes. */
    public static String partner(String clientId, String scopes) {
        return sign(base("service-account-" + clientId).claim("azp", clientId).claim("scope", scopes));
    }

    public static String partner(String clientId) {
        return partner(clientId, ALL_PARTNER_SCOPES);
    }

    public static String member(String subject) {
        return withRoles(subject, "member");
    }

    public static String settlement() {
        return withRoles("settlement-analyst", "settlement");
    }

    public static String withRoles(String subject, String... roles) {
        return sign(base(subject).claim("azp", "coalition-web").claim("realm_access", Map.of("roles", List.of(roles))));
    }

    /** A token from SkyWays' own IdP: its issuer, its audience, its signing key; no client id needed. */
    public static String skyways(String scopes) {
        return Jwt.issuer(TestContractsResource.SKYWAYS_ISSUER).audience(TestContractsResource.SKYWAYS_AUDIENCE)
                .subject("skyways-booking-engine").claim("scope", scopes).expiresIn(600)
                .jws().keyId("skyways-1").sign(TestContractsResource.skywaysSigningKey());
    }

    public static JwtClaimsBuilder base(String subject) {
        return Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).expiresIn(600);
    }

    public static String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId("1").sign("privateKey.jwk");
    }
}
