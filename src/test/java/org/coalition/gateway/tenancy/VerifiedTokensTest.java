package org.coalition.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** The rules of remembering verified bearer tokens: how long, which ones, how many. */
class VerifiedTokensTest {

    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final Duration MAX_AGE = Duration.ofSeconds(60);

    final MutableClock clock = new MutableClock(NOW);
    final VerifiedTokens tokens = new VerifiedTokens(MAX_AGE, 3, clock, new SimpleMeterRegistry());

    @Test
    void aTokenIsTakenAgainForTheMaximumAgeAtMost() {
        tokens.remember(bearer("t1", NOW.plusSeconds(3600), "Default"));
        assertEquals("t1", tokens.lookUp("t1").getPrincipal().getName());
        clock.now = NOW.plus(MAX_AGE).minusMillis(1);
        assertEquals("t1", tokens.lookUp("t1").getPrincipal().getName());
        clock.now = NOW.plus(MAX_AGE);
        assertNull(tokens.lookUp("t1"), "verified again after the maximum age");
        assertEquals(0, tokens.size(), "and forgotten");
    }

    @Test
    void theRequestThatBroughtATokenIsNotRemembered() {
        Object request = new Object();
        tokens.remember(QuarkusSecurityIdentity.builder(bearer("t1", NOW.plusSeconds(3600), "Default"))
                .addAttribute(VerifiedTokens.ROUTING_CONTEXT, request).addAttribute("scope-kept", "yes").build());
        SecurityIdentity remembered = tokens.lookUp("t1");
        assertNull(remembered.getAttribute(VerifiedTokens.ROUTING_CONTEXT), "a finished request neither kept nor handed on");
        assertEquals("yes", remembered.getAttribute("scope-kept"));
        assertEquals("Default", remembered.getAttribute(VerifiedTokens.TENANT_ATTRIBUTE));
        assertEquals("t1", remembered.getCredential(AccessTokenCredential.class).getToken());
    }

    @Test
    void neverPastTheTokensOwnExpiry() {
        tokens.remember(bearer("t1", NOW.plusSeconds(5), "partner-skyways"));
        clock.now = NOW.plusSeconds(5);
        assertNull(tokens.lookUp("t1"));
    }

    @Test
    void anExpiredTokenOrOneWithoutExpiryIsNotRemembered() {
        tokens.remember(bearer("expired", NOW.minusSeconds(1), "Default"));
        tokens.remember(bearer("no-expiry", null, "Default"));
        assertEquals(0, tokens.size());
    }

    @Test
    void onlyBearerTokensOfTheServiceTenants() {
        tokens.remember(bearer("web", NOW.plusSeconds(3600), "web"));
        tokens.remember(bearer("no-tenant", NOW.plusSeconds(3600), null));
        tokens.remember(QuarkusSecurityIdentity.builder().setPrincipal(jwt(NOW.plusSeconds(3600)))
                .addCredential(new IdTokenCredential("id-token")).addAttribute(VerifiedTokens.TENANT_ATTRIBUTE, "Default").build());
        assertEquals(0, tokens.size());
        tokens.remember(bearer("partner", NOW.plusSeconds(3600), "partner-skyways"));
        assertEquals(1, tokens.size());
    }

    @Test
    void whenFullTheExpiredMakeRoomAndOtherwiseNewcomersAreVerifiedEachTime() {
        tokens.remember(bearer("a", NOW.plusSeconds(10), "Default"));
        tokens.remember(bearer("b", NOW.plusSeconds(3600), "Default"));
        tokens.remember(bearer("c", NOW.plusSeconds(3600), "Default"));
        tokens.remember(bearer("d", NOW.plusSeconds(3600), "Default"));
        assertNull(tokens.lookUp("d"), "no room");
        clock.now = NOW.plusSeconds(10);
        tokens.remember(bearer("d", NOW.plusSeconds(3600), "Default"));
        assertEquals(Set.of("b", "c", "d").size(), tokens.size());
        assertNull(tokens.lookUp("a"));
        assertEquals("d", ((JsonWebToken) tokens.lookUp("d").getPrincipal()).getName());
    }

    @Test
    void aMaximumAgeOfZeroRemembersNothing() {
        VerifiedTokens off = new VerifiedTokens(Duration.ZERO, 3, clock, new SimpleMeterRegistry());
        off.remember(bearer("t1", NOW.plusSeconds(3600), "Default"));
        assertNull(off.lookUp("t1"));
    }

    static SecurityIdentity bearer(String token, Instant expiry, String tenant) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder().setPrincipal(jwt(token, expiry))
                .addCredential(new AccessTokenCredential(token));
        if (tenant != null) {
            builder.addAttribute(VerifiedTokens.TENANT_ATTRIBUTE, tenant);
        }
        return builder.build();
    }

    static JsonWebToken jwt(Instant expiry) {
        return jwt("someone", expiry);
    }

    /** Just what the cache reads: the name and the exp claim. */
    static JsonWebToken jwt(String name, Instant expiry) {
        return new JsonWebToken() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Set<String> getClaimNames() {
                return expiry == null ? Set.of() : Set.of("exp");
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String claim) {
                return "exp".equals(claim) && expiry != null ? (T) Long.valueOf(expiry.getEpochSecond()) : null;
            }
        };
    }

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
