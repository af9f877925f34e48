package org.coalition.gateway.support;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Waits for the journal projection (V64) to reach every entry committed so far: a posted entry's ledger and partner
 * events are written by it, shortly after the entry commits, not by the transaction that posts it.
 */
public final class Projection {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private Projection() {
    }

    public static void awaitLevel() {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
            try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl())) {
                return level(sql);
            }
        });
    }

    /** Whether every entry committed so far has its events, in the database {@code sql} is connected to. */
    public static boolean level(Connection sql) throws SQLException {
        try (Statement statement = sql.createStatement();
                ResultSet lag = statement.executeQuery("select journal_projection_lag() = interval '0'")) {
            lag.next();
            return lag.getBoolean(1);
        }
    }
}
