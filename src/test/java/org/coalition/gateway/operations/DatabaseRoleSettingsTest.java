package org.coalition.gateway.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.support.GatewayTest;

/** The gateway's own database sessions carry the limits its role is given (V3, V56), whoever opens them. */
@GatewayTest
class DatabaseRoleSettingsTest {

    @Inject
    Pool pool;

    @Test
    void theGatewaysSessionsRunWithTheirTimeoutsAndWithoutJit() {
        Row settings = pool.query("select current_user as role, current_setting('statement_timeout') as statement_timeout,"
                        + " current_setting('lock_timeout') as lock_timeout, current_setting('jit') as jit").execute()
                .await().indefinitely().iterator().next();

        assertEquals("coalition_app", settings.getString("role"));
        assertEquals("5s", settings.getString("statement_timeout"));
        assertEquals("3s", settings.getString("lock_timeout"));
        assertEquals("off", settings.getString("jit"), "a long history page must not pay for LLVM compilation");
    }
}
