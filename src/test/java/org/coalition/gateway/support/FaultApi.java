package org.coalition.gateway.support;

import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Query;

import io.smallrye.mutiny.Uni;

import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Test-only queries that fail the way production code can fail underneath (a constraint violation, a
 * statement timeout, a null pointer), so tests can check what such failures show a caller.
 */
@GraphQLApi
public class FaultApi {

    private final TenantSessions sessions;

    public FaultApi(TenantSessions sessions) {
        this.sessions = sessions;
    }

    @Query("testFaultConstraintViolation")
    public Uni<String> constraintViolation() {
        return sessions.asSystem(connection -> connection
                .query("insert into partners (id, name, kind) values ('freshmart', 'Duplicate', 'RETAILER')").execute())
                .map(rows -> "unreachable");
    }

    @Query("testFaultTimeout")
    public Uni<String> timeout() {
        return sessions.asSystem(connection -> connection.query("set local statement_timeout = '50ms'").execute()
                .flatMap(ignored -> connection.query("select pg_sleep(2)").execute()))
                .map(rows -> "unreachable");
    }

    @Query("testFaultMissingValue")
    public String missingValue() {
        String missing = System.getProperty("coalition.test.no-such-property");
        return missing.trim();
    }
}
