package org.coalition.gateway.tenancy;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.oidc.runtime.TenantConfigBean;
import io.quarkus.oidc.runtime.TenantConfigContext;

/**
 * Ready once the coalition's OIDC tenant can verify tokens: its issuer's signing keys are loaded (from
 * discovery and JWKS, or the configured public key).
 *
 * <p>Deliberately not a ping of the issuer, which quarkus-oidc's own check does: the keys are cached, so
 * an IdP that is briefly unreachable must not take every replica out of service at once. Partners' own
 * IdPs (tenants resolved per issuer) are checked when their tokens arrive, not here: one partner's IdP
 * must never make the gateway unready for all the others.
 */
@Readiness
@ApplicationScoped
public class OidcKeysReadiness implements HealthCheck {

    private final TenantConfigBean tenants;

    public OidcKeysReadiness(TenantConfigBean tenants) {
        this.tenants = tenants;
    }

    @Override
    public HealthCheckResponse call() {
        TenantConfigContext coalition = tenants.getDefaultTenant();
        boolean ready = coalition != null && coalition.ready() && coalition.provider() != null;
        return HealthCheckResponse.named("OIDC issuer keys").status(ready).build();
    }
}
