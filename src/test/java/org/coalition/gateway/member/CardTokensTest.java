package org.coalition.gateway.member;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.tenancy.TenantSessions;

/** V26 (and bench/seed.sql) compute the same token in SQL as the gateway does in Java, so old cards keep working. */
@GatewayTest
class CardTokensTest {

    @Inject
    CardTokens cards;

    @Inject
    CoalitionConfig config;

    @Inject
    TenantSessions sessions;

    @Test
    void theMigrationsTokenOfACardIsTheGatewaysToken() {
        String card = "6370000000000017";

        String inSql = sessions.asSystem(connection -> connection
                        .preparedQuery("select right($1, 4) || ':' || encode(hmac($1, $2, 'sha256'), 'hex') as token")
                        .execute(Tuple.of(card, config.privacy().cardKey())))
                .await().indefinitely().iterator().next().getString("token");

        assertEquals(cards.token(card), inSql);
    }
}
