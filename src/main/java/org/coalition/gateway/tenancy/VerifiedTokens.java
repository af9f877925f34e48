package org.coalition.gateway.tenancy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import org.coalition.gateway.shared.CoalitionConfig;

/**
 * Bearer tokens already verified, taken at their word again for a short while. A till sends the same token with
 * every request for the token's lifetime, and verifying it (parsing, signature, claims) was a sixth of the gateway's
 * CPU per earn (bench/README, session 6).
 *
 * <p>Two halves of one cache. As the first augmentor, it remembers the identity quarkus-oidc has just built from a
 * bearer token, before the {@link CallerAugmentor} turns it into a caller. As the first identity provider, it answers
 * a request carrying a remembered token with that identity, or with nothing, which hands the request on to
 * quarkus-oidc to verify. The augmentors run on a remembered identity as on a fresh one: what a partner's contract
 * grants, or whether it is suspended, is decided on every request.
 *
 * <p>Only bearer tokens of the service tenants (the coalition's IdP and the partners' own) are remembered, never a
 * web session's; none past its expiry, none longer than {@code coalition.tenancy.verified-token-max-age}. The token
 * decides its tenant (by its issuer, {@link PartnerTenantResolver}), so a remembered token always stands for the
 * identity its tenant verified. Tokens bound to a client certificate or a DPoP key would need that proof checked on
 * every request; no tenant here is configured for them, and one that is must set the maximum age to 0.
 */
@ApplicationScoped
public class VerifiedTokens implements IdentityProvider<TokenAuthenticationRequest>, SecurityIdentityAugmentor {

    static final String TENANT_ATTRIBUTE = "tenant-id";
    static final String DEFAULT_TENANT = "Default";
    static final String PARTNER_TENANT_PREFIX = "partner-";
    static final String ROUTING_CONTEXT = RoutingContext.class.getName();
    private static final Set<String> REQUEST_ATTRIBUTES = Set.of(ROUTING_CONTEXT, AuthenticationRequestContext.class.getName());
    /** Before every other provider and augmentor. */
    private static final int FIRST = Integer.MAX_VALUE;

    record Remembered(SecurityIdentity identity, Instant until) {
    }

    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();
    private final Duration maxAge;
    private final int capacity;
    private final Clock clock;
    private final Counter hits;
    private final Counter misses;

    @Inject
    public VerifiedTokens(CoalitionConfig config, MeterRegistry registry) {
        this(config.tenancy().verifiedTokenMaxAge(), config.tenancy().verifiedTokens(), Clock.systemUTC(), registry);
    }

    VerifiedTokens(Duration maxAge, int capacity, Clock clock, MeterRegistry registry) {
        this.maxAge = maxAge;
        this.capacity = capacity;
        this.clock = clock;
        this.hits = Counter.builder("coalition_verified_tokens_reused").description("Requests whose bearer token was verified before")
                .register(registry);
        this.misses = Counter.builder("coalition_verified_tokens_verified").description("Bearer tokens handed to OIDC to verify")
                .register(registry);
    }

    @Override
    public int priority() {
        return FIRST;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!(request.getToken() instanceof AccessTokenCredential bearer) || maxAge.isZero()) {
            return Uni.createFrom().nullItem();
        }
        SecurityIdentity identity = lookUp(bearer.getToken());
        if (identity == null) {
            misses.increment();
            return Uni.createFrom().nullItem();
        }
        hits.increment();
        return Uni.createFrom().item(forThisRequest(identity, request));
    }

    /** The remembered identity with this request's routing context, as quarkus-oidc would have built it. */
    private static SecurityIdentity forThisRequest(SecurityIdentity remembered, TokenAuthenticationRequest request) {
        RoutingContext routing = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (routing == null) {
            return remembered;
        }
        return QuarkusSecurityIdentity.builder(remembered).addAttribute(ROUTING_CONTEXT, routing).build();
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        remember(identity);
        return Uni.createFrom().item(identity);
    }

    /** The identity a still valid remembered token stands for, or null. */
    SecurityIdentity lookUp(String token) {
        Remembered entry = remembered.get(token);
        if (entry == null) {
            return null;
        }
        if (!clock.instant().isBefore(entry.until())) {
            remembered.remove(token, entry);
            return null;
        }
        return entry.identity();
    }

    /** Remembers a service tenant's identity verified from a bearer token with an expiry; anything else is left alone. */
    void remember(SecurityIdentity identity) {
        AccessTokenCredential bearer = identity.getCredential(AccessTokenCredential.class);
        if (maxAge.isZero() || bearer == null || !(identity.getPrincipal() instanceof JsonWebToken token)
                || !(token.getClaim(Claims.exp.name()) instanceof Number expiry)
                || !isServiceTenant(identity.getAttribute(TENANT_ATTRIBUTE)) || remembered.containsKey(bearer.getToken())) {
            return;
        }
        Instant now = clock.instant();
        Instant until = Instant.ofEpochSecond(expiry.longValue());
        if (until.isAfter(now.plus(maxAge))) {
            until = now.plus(maxAge);
        }
        if (!until.isAfter(now)) {
            return;
        }
        if (remembered.size() >= capacity) {
            forgetExpired(now);
            if (remembered.size() >= capacity) {
                // full of tokens still valid: the newcomer is verified on each request until room frees
                return;
            }
        }
        remembered.put(bearer.getToken(), new Remembered(withoutRequest(identity), until));
    }

    /**
     * The identity without what belongs to the request that brought it (quarkus-oidc keeps the routing context and
     * the authentication context as attributes): a remembered identity must neither hold a finished request in
     * memory nor hand it to the next one.
     */
    private static SecurityIdentity withoutRequest(SecurityIdentity identity) {
        Map<String, Object> attributes = new HashMap<>(identity.getAttributes());
        REQUEST_ATTRIBUTES.forEach(attributes::remove);
        return QuarkusSecurityIdentity.builder().setPrincipal(identity.getPrincipal()).addRoles(identity.getRoles())
                .addCredentials(identity.getCredentials()).addAttributes(attributes).build();
    }

    private void forgetExpired(Instant now) {
        remembered.values().removeIf(entry -> !now.isBefore(entry.until()));
    }

    int size() {
        return remembered.size();
    }

    private static boolean isServiceTenant(Object tenant) {
        return DEFAULT_TENANT.equals(tenant) || (tenant instanceof String id && id.startsWith(PARTNER_TENANT_PREFIX));
    }
}
