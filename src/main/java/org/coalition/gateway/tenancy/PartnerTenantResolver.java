package org.coalition.gateway.tenancy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;

/**
 * One OIDC tenant per partner that brings its own IdP, built at run time from its contract and chosen
 * by the token's issuer. Tokens of the coalition's IdP go to the default tenant; a token from any other
 * issuer fails authentication here (401), never handed to the default tenant to judge.
 *
 * <p>The issuer is read from the unverified token only to pick the tenant; the tenant then verifies the
 * signature, issuer and audience, so a forged {@code iss} gains nothing.
 */
@ApplicationScoped
public class PartnerTenantResolver implements TenantConfigResolver {

    private final PartnerDirectory partners;
    private final String coalitionIssuer;
    private final Map<PartnerContract.OidcBinding, OidcTenantConfig> tenants = new ConcurrentHashMap<>();

    public PartnerTenantResolver(PartnerDirectory partners,
            @ConfigProperty(name = "quarkus.oidc.token.issuer") Optional<String> configuredIssuer,
            @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> authServerUrl) {
        this.partners = partners;
        this.coalitionIssuer = normalized(configuredIssuer.or(() -> authServerUrl).orElse(""));
    }

    @Override
    public Uni<OidcTenantConfig> resolve(RoutingContext context, OidcRequestContext<OidcTenantConfig> requestContext) {
        Optional<String> issuer = unverifiedIssuer(context.request().getHeader("Authorization"));
        if (issuer.isEmpty() || normalized(issuer.get()).equals(coalitionIssuer)) {
            return Uni.createFrom().nullItem();
        }
        Optional<PartnerContract> partner = partners.byIssuer(issuer.get());
        if (partner.isEmpty()) {
            return Uni.createFrom().failure(new AuthenticationFailedException("token issuer is not trusted"));
        }
        return Uni.createFrom().item(tenants.computeIfAbsent(partner.get().oidc(), binding -> tenantOf(partner.get())));
    }

    private static OidcTenantConfig tenantOf(PartnerContract contract) {
        PartnerContract.OidcBinding oidc = contract.oidc();
        String issuer = oidc.issuer().orElseThrow();
        var builder = OidcTenantConfig.builder().tenantId("partner-" + contract.id())
                .applicationType(ApplicationType.SERVICE);
        if (oidc.publicKey().isPresent()) {
            builder.publicKey(oidc.publicKey().get());
        } else {
            builder.authServerUrl(issuer);
        }
        return builder.token().issuer(issuer).audience(oidc.audience().orElseThrow()).end().build();
    }

    /** The {@code iss} of a bearer JWT, without verifying it; empty for anything that is not one. */
    static Optional<String> unverifiedIssuer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String[] parts = authorization.substring(7).trim().split("\\.");
        if (parts.length < 2) {
            return Optional.empty();
        }
        try {
            String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            return Optional.ofNullable(new JsonObject(payload).getString("iss"));
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    private static String normalized(String issuer) {
        return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }
}
