package org.coalition.gateway.web;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

import org.coalition.gateway.web.StaffCallerAugmentor.StaffClaim;
import org.coalition.gateway.web.WebConfig.DevStaffUser;

/**
 * Partner staff for {@code quarkus:dev}: the built-in OIDC dev server gives its users roles but no other claims, so
 * it cannot say which partner a user works for. {@code coalition.web.dev-staff."<user>"} says it in their place, for
 * dev mode and tests only: a packaged gateway (production) refuses to start with any configured, so that no
 * configuration that reaches production can make somebody a partner's staff without the IdP's claims.
 */
@ApplicationScoped
public class DevStaff {

    private final Map<String, DevStaffUser> configured;
    private final LaunchMode mode;

    @Inject
    public DevStaff(WebConfig config) {
        this(config.devStaff(), LaunchMode.current());
    }

    DevStaff(Map<String, DevStaffUser> configured, LaunchMode mode) {
        this.configured = Map.copyOf(configured);
        this.mode = mode;
    }

    /** What stands in for the staff claims of the dev-server user {@code subject}; never anything in production. */
    Optional<StaffClaim> claimOf(String subject) {
        if (!honoured(mode) || subject == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(configured.get(subject))
                .map(user -> new StaffClaim(user.partner(), Set.copyOf(user.permissions())));
    }

    void refuseInProduction(@Observes StartupEvent started) {
        requireAllowed(mode, configured);
        if (!configured.isEmpty()) {
            Map<String, String> partners = new TreeMap<>();
            configured.forEach((user, staff) -> partners.put(user, staff.partner()));
            Log.infof("Dev staff (coalition.web.dev-staff, dev mode and tests only): %s", partners);
        }
    }

    static boolean honoured(LaunchMode mode) {
        return mode == LaunchMode.DEVELOPMENT || mode == LaunchMode.TEST;
    }

    /** @throws IllegalStateException when dev staff are configured outside dev mode and tests */
    static void requireAllowed(LaunchMode mode, Map<String, ?> configured) {
        if (!honoured(mode) && !configured.isEmpty()) {
            throw new IllegalStateException("coalition.web.dev-staff is set (users " + new TreeMap<>(configured).keySet()
                    + ") but is for dev mode and tests only: it makes users of the OIDC dev server partner staff. Remove it;"
                    + " in production a partner's staff carry the coalition_partner and coalition_permissions claims of"
                    + " the coalition's IdP (README, \"People in the web apps\").");
        }
    }
}
