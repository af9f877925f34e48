package org.coalition.gateway.web;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.security.ForbiddenException;

import org.coalition.gateway.web.StaffCallerAugmentor.StaffClaim;

/** The web apps' own rules: CSRF tokens, same-origin checks, page language, heat-map shades, staff scopes, dev staff. */
class WebRulesTest {

    static final byte[] KEY = "a-test-key-of-at-least-thirty-two-characters".getBytes(StandardCharsets.UTF_8);

    private static CsrfTokens at(String instant) {
        return new CsrfTokens(KEY, Clock.fixed(Instant.parse(instant), ZoneOffset.UTC));
    }

    @Test
    void aCsrfTokenServesItsOwnPersonForADayAndNobodyElse() {
        String token = at("2026-12-04T23:59:00Z").tokenFor("anna");
        assertDoesNotThrow(() -> at("2026-12-05T10:00:00Z").verify("anna", token));
        assertThrows(ForbiddenException.class, () -> at("2026-12-06T00:00:01Z").verify("anna", token));
        assertThrows(ForbiddenException.class, () -> at("2026-12-04T23:59:30Z").verify("piet", token));
        assertThrows(ForbiddenException.class, () -> at("2026-12-04T23:59:30Z").verify("anna", null));
        CsrfTokens otherKey = new CsrfTokens("another-key-of-at-least-thirty-two-chars".getBytes(StandardCharsets.UTF_8),
                Clock.fixed(Instant.parse("2026-12-04T23:59:00Z"), ZoneOffset.UTC));
        assertThrows(ForbiddenException.class, () -> otherKey.verify("anna", token));
    }

    @Test
    void anOriginMatchesOnlyItsOwnHostAndPort() {
        assertTrue(SameOriginFilter.sameHost("https://points.example.com", "points.example.com"));
        assertTrue(SameOriginFilter.sameHost("http://localhost:8081", "localhost:8081"));
        assertFalse(SameOriginFilter.sameHost("http://localhost:9999", "localhost:8081"));
        assertFalse(SameOriginFilter.sameHost("https://evil.example", "points.example.com"));
        assertFalse(SameOriginFilter.sameHost("null", "points.example.com"));
    }

    @Test
    void pagesAreDutchForDutchBrowsersAndEnglishOtherwise() {
        assertEquals(WebLocale.DUTCH, WebLocale.of(List.of(Locale.forLanguageTag("nl-BE"), Locale.ENGLISH)));
        assertEquals(Locale.ENGLISH, WebLocale.of(List.of(Locale.forLanguageTag("en-GB"), Locale.forLanguageTag("nl"))));
        assertEquals(WebLocale.DUTCH, WebLocale.of(List.of(Locale.GERMAN, Locale.forLanguageTag("nl"))));
        assertEquals(Locale.ENGLISH, WebLocale.of(List.of(Locale.FRENCH)));
        assertEquals(Locale.ENGLISH, WebLocale.of(List.of()));
    }

    @Test
    void heatMapShadesGrowWithTheAmountAndOnlyNothingIsBlank() {
        BigDecimal largest = new BigDecimal("1000.00");
        assertEquals(0, HeatMap.level(BigDecimal.ZERO, largest));
        assertEquals(1, HeatMap.level(new BigDecimal("0.01"), largest));
        assertEquals(3, HeatMap.level(new BigDecimal("500.00"), largest));
        assertEquals(HeatMap.LEVELS, HeatMap.level(largest, largest));
        assertEquals(HeatMap.LEVELS, HeatMap.level(largest.negate(), largest));
    }

    @Test
    void staffScopesComeAsAStringOrAnArray() {
        assertEquals(Set.of("members:read", "points:earn"), StaffCallerAugmentor.claimedScopes("members:read  points:earn"));
        assertEquals(Set.of("members:read", "points:earn"), StaffCallerAugmentor.claimedScopes(List.of("\"members:read\"", "points:earn")));
        assertEquals(Set.of(), StaffCallerAugmentor.claimedScopes(null));
    }

    record DevUser(String partner, List<String> permissions) implements WebConfig.DevStaffUser {
    }

    @Test
    void devStaffStandInForTheDevServersMissingClaimsInDevModeAndTestsAndNowhereElse() {
        Map<String, WebConfig.DevStaffUser> staff = Map.of("freshmart-staff", new DevUser("freshmart", List.of("members:read", "points:earn")));
        StaffClaim mapped = new StaffClaim("freshmart", Set.of("members:read", "points:earn"));
        assertEquals(Optional.of(mapped), new DevStaff(staff, LaunchMode.DEVELOPMENT).claimOf("freshmart-staff"));
        assertEquals(Optional.of(mapped), new DevStaff(staff, LaunchMode.TEST).claimOf("freshmart-staff"));
        assertEquals(Optional.empty(), new DevStaff(staff, LaunchMode.DEVELOPMENT).claimOf("alice"));
        assertEquals(Optional.empty(), new DevStaff(staff, LaunchMode.NORMAL).claimOf("freshmart-staff"), "ignored in production");

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DevStaff.requireAllowed(LaunchMode.NORMAL, staff));
        assertTrue(refused.getMessage().startsWith("coalition.web.dev-staff is set (users [freshmart-staff])"), refused.getMessage());
        assertDoesNotThrow(() -> DevStaff.requireAllowed(LaunchMode.NORMAL, Map.of()));
        assertDoesNotThrow(() -> DevStaff.requireAllowed(LaunchMode.DEVELOPMENT, staff));
        assertDoesNotThrow(() -> DevStaff.requireAllowed(LaunchMode.TEST, staff));
    }

    @Test
    void theCardQrCodeIsOneSvgPathWithItsLabelEscaped() {
        String svg = QrCodes.svg("9627740329579697", "card <1>");
        assertTrue(svg.startsWith("<svg") && svg.endsWith("</svg>"));
        assertTrue(svg.contains("aria-label=\"card &lt;1&gt;\""));
        assertEquals(1, svg.split("<path").length - 1);
    }
}
