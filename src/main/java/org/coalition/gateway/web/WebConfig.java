package org.coalition.gateway.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The web apps for people (README, "Web apps"): prefix {@code coalition.web}. */
@ConfigMapping(prefix = "coalition.web")
public interface WebConfig {

    /** The OIDC tenant that signs people in with the authorization-code flow; its paths are {@code /app/*}. */
    String TENANT = "web";

    /** Realm role of a partner's staff user in the coalition's IdP. */
    @WithDefault("partner-staff")
    String partnerStaffRole();

    /** ID-token claim naming the partner a staff user works for (a partner id of partner-contracts/). */
    @WithDefault("coalition_partner")
    String partnerClaim();

    /**
     * ID-token claim with the staff user's partner scopes (space-separated string or array); what they may do
     * is these scopes intersected with the partner's contract, as for the partner's own systems.
     */
    @WithDefault("coalition_permissions")
    String permissionsClaim();

    /**
     * Key of the CSRF tokens in the web forms (HMAC-SHA256), at least 32 characters; the same on every replica.
     * Without it, a random key per process: forms shown by one replica and sent to another are refused.
     */
    Optional<String> csrfSecret();

    /** Rows of a history or a record list per page. */
    @WithDefault("25")
    int pageSize();

    /** Settlement periods shown on the dashboard and in its chart. */
    @WithDefault("12")
    int periodsShown();

    /**
     * Dev mode and tests only ({@link DevStaff}): users of the OIDC dev server, by subject (its user name), who act as
     * a partner's staff although their ID token cannot carry the partner and permission claims. The gateway refuses
     * to start with any of them in production.
     */
    Map<String, DevStaffUser> devStaff();

    /** Stands in for the {@code coalition_partner} and {@code coalition_permissions} claims of one dev-server user. */
    interface DevStaffUser {
        /** A partner id of partner-contracts/. */
        String partner();

        /** Partner scopes, intersected with the partner's contract as the claims' would be. */
        List<String> permissions();
    }
}
