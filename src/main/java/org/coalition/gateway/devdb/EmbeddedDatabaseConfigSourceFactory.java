package org.coalition.gateway.devdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Gives dev mode a real PostgreSQL without Docker or an installed server: when
 * {@code coalition.embedded-database.enabled} is true (the dev profile sets it), starts an embedded
 * PostgreSQL whose data lives in {@code target/embedded-postgres} and points both datasources at it.
 * Production never enables it; tests bring their own fresh database.
 *
 * <p>Live reload builds the configuration again; the server started first keeps running on its fixed
 * port and is reused, and it stops when the JVM exits.
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String ENABLED = "coalition.embedded-database.enabled";
    static final String PORT = "coalition.embedded-database.port";
    static final String DATA_DIR = "coalition.embedded-database.data-dir";
    static final int DEFAULT_PORT = 55432;
    /** Above application.properties (250), below system properties and environment variables. */
    static final int ORDINAL = 275;

    private static EmbeddedPostgres server;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!"true".equals(valueOf(context, ENABLED, "false"))) {
            return List.of();
        }
        int port = Integer.parseInt(valueOf(context, PORT, String.valueOf(DEFAULT_PORT)));
        Path dataDir = Path.of(valueOf(context, DATA_DIR, "target/embedded-postgres"));
        ensureRunning(port, dataDir);
        return List.of(new PropertiesConfigSource(Map.of(
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + port + "/postgres",
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres"),
                "embedded-postgres", ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    private static synchronized void ensureRunning(int port, Path dataDir) {
        if (server != null || isListening(port)) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
            server = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDir.toAbsolutePath())
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "100")
                    // zonky turns synchronous commit off by default; dev mode keeps production's durability.
                    .setServerConfig("synchronous_commit", "on")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("The embedded PostgreSQL for dev mode did not start (data in "
                    + dataDir.toAbsolutePath() + ", port " + port + ")", e);
        }
    }

    private static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String valueOf(ConfigSourceContext context, String name, String defaultValue) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null ? defaultValue : value.getValue();
    }
}
