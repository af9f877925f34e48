package org.coalition.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.stream.Stream;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A fresh, real PostgreSQL for each test run: no mock of the store, no shared state between runs. Tests of
 * outages can crash it ({@link #crash()}) and start it again on the same port and data ({@link #restart()}).
 *
 * <p>Durability as an outage test needs it: synchronous_commit is on (zonky turns it off, and then a crash
 * loses commits the gateway has already acknowledged, as DatabaseOutageTest found), so a commit returns only
 * once its WAL is written to the kernel, which keeps it across a crash of PostgreSQL's processes. fsync stays
 * off: it adds durability only against the machine losing power, which no test simulates, at a cost to
 * every test.
 */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {

    /** Held so the quieted logger's level is not lost to garbage collection. */
    private static final java.util.logging.Logger ZONKY_LOG = java.util.logging.Logger.getLogger("io.zonky");
    private static final Map<String, String> SERVER_CONFIG = Map.of("max_connections", "200", "fsync", "off",
            "synchronous_commit", "on");
    private static final long SHUTDOWN_WAIT_SECONDS = 30;

    private static EmbeddedPostgres postgres;
    private static Path dataDirectory;
    private static int port;

    @Override
    public Map<String, String> start() {
        ZONKY_LOG.setLevel(Level.WARNING);
        try {
            // Our own directory, outside zonky's working directory: zonky deletes unlocked data directories it finds there.
            dataDirectory = Files.createTempDirectory(Path.of("target"), "test-postgres-");
        } catch (IOException e) {
            throw new UncheckedIOException("no directory for the embedded PostgreSQL", e);
        }
        postgres = startServer(0);
        port = postgres.getPort();
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres",
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + port + "/postgres");
    }

    public static String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
    }

    /**
     * Stops PostgreSQL the way a crash does: SIGQUIT to the postmaster, which is what {@code pg_ctl stop -m
     * immediate} sends. Every backend dies at once, open transactions are lost, no checkpoint is written; the
     * next start recovers from the WAL. (pg_ctl itself will not run as root, which the build machine is.)
     */
    public static synchronized void crash() {
        if (postgres == null) {
            return;
        }
        long postmaster = postmasterPid();
        run("kill", "-QUIT", Long.toString(postmaster));
        awaitExit(postmaster);
        releaseDataDirectory();
    }

    /** Starts PostgreSQL again on the same port and data directory, after {@link #crash()}; does nothing if it runs. */
    public static synchronized void restart() {
        if (postgres == null) {
            postgres = startServer(port);
        }
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
        deleteDataDirectory();
    }

    private static EmbeddedPostgres startServer(int fixedPort) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false);
        if (fixedPort > 0) {
            builder.setPort(fixedPort);
        }
        SERVER_CONFIG.forEach(builder::setServerConfig);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    private static long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL wrote no postmaster.pid in " + dataDirectory, e);
        }
    }

    private static void awaitExit(long pid) {
        ProcessHandle.of(pid).ifPresent(process -> {
            try {
                process.onExit().get(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while PostgreSQL shut down", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("PostgreSQL (pid " + pid + ") did not exit within " + SHUTDOWN_WAIT_SECONDS + " s", e);
            }
        });
    }

    /**
     * Zonky's handle still holds its lock on the data directory. Closing it releases the lock; its "pg_ctl
     * stop" then finds no server, which it reports as an error that is expected here, so it is not logged.
     */
    private static void releaseDataDirectory() {
        Level level = ZONKY_LOG.getLevel();
        ZONKY_LOG.setLevel(Level.OFF);
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            ZONKY_LOG.setLevel(level);
            postgres = null;
        }
    }

    private static void run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteDataDirectory() {
        if (dataDirectory == null || !Files.exists(dataDirectory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
