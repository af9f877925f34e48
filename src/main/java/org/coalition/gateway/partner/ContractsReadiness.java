package org.coalition.gateway.partner;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready to serve partners once their contracts are loaded. A broken file in a later reload does not make
 * the gateway unready (the contracts in force keep serving, on every replica alike); it is reported here
 * so that operators see it.
 */
@Readiness
@ApplicationScoped
public class ContractsReadiness implements HealthCheck {

    private final PartnerDirectory partners;

    public ContractsReadiness(PartnerDirectory partners) {
        this.partners = partners;
    }

    @Override
    public HealthCheckResponse call() {
        long inForce = partners.all().size();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Partner contracts")
                .status(inForce > 0)
                .withData("contracts", inForce);
        partners.lastReloadProblem().ifPresent(problem -> response.withData("lastReloadProblem", problem));
        return response.build();
    }
}
