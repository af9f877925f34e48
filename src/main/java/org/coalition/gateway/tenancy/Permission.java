package org.coalition.gateway.tenancy;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a partner token may do: the token's scope values intersected with what its contract grants.
 * The wire names are the OAuth scopes partners request.
 */
public enum Permission {
    POINTS_EARN("points:earn"),
    POINTS_REDEEM("points:redeem"),
    POINTS_REVERSE("points:reverse"),
    MEMBERS_ENROLL("members:enroll"),
    MEMBERS_READ("members:read"),
    SETTLEMENT_READ("settlement:read"),
    /** Manage the partner's own webhook endpoints and their deliveries. */
    WEBHOOKS_MANAGE("webhooks:manage"),
    /** Run the partner's own bonus campaigns, funded from its own budget. */
    CAMPAIGNS_MANAGE("campaigns:manage"),
    /** Record a member's consent (or its withdrawal) given at the partner's till or in its app. */
    CONSENTS_RECORD("consents:record"),
    /** Read the partner's own program analytics (aggregates; cross-brand figures suppressed below a group size). */
    ANALYTICS_READ("analytics:read");

    private final String scope;

    Permission(String scope) {
        this.scope = scope;
    }

    public String scope() {
        return scope;
    }

    /** Read on every request, for every scope of the token. */
    private static final Map<String, Permission> BY_SCOPE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Permission::scope, Function.identity()));

    public static Optional<Permission> fromScope(String scope) {
        return Optional.ofNullable(BY_SCOPE.get(scope));
    }
}
