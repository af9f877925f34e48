package org.coalition.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** A fresh, real PostgreSQL for each test run: no mock of the store, no shared state between runs. */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {

    /** Held so the quieted logger's level is not lost to garbage collection. */
    private static final java.util.logging.Logger ZONKY_LOG = java.util.logging.Logger.getLogger("io.zonky");
    private static EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        ZONKY_LOG.setLevel(java.util.logging.Level.WARNING);
        try {
            postgres = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
        int port = postgres.getPort();
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres",
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + port + "/postgres");
    }

    public static String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres?user=postgres";
    }

    @Override
    public void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
