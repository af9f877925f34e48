package org.coalition.gateway.shared;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Ready when PostgreSQL answers through the same door, pool and circuit breaker as requests do: an open
 * breaker (the database is known to be down) takes the pod out of service at once, and it is back as soon
 * as the pool reconnects.
 *
 * <p>It replaces Quarkus's datasource checks: the reactive one duplicates this, and the JDBC one watches
 * a pool only Flyway uses at start-up, which keeps a connection that died with the database and reported
 * DOWN long after PostgreSQL was back.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements AsyncHealthCheck {

    private static final String NAME = "PostgreSQL";

    private final Database database;

    public DatabaseReadiness(Database database) {
        this.database = database;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return database.withConnection(connection -> connection.query("select 1").execute())
                .map(ignored -> HealthCheckResponse.up(NAME))
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("reason", failure instanceof ServiceUnavailable ? "unavailable" : "failing").build());
    }
}
