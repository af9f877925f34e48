package org.coalition.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The packaged gateway ({@code target/quarkus-app}, built by {@code package}) in a JVM of its own, started the
 * way production starts it: {@code java -jar quarkus-run.jar}, prod profile, configured by the environment
 * only. Its output goes to a log file under {@code target/}, named in every failure.
 */
public final class PackagedGateway implements AutoCloseable {

    private static final Path APP = Path.of(System.getProperty("gateway.app", "target/quarkus-app")).toAbsolutePath();
    /** Variables of the test's own environment that would configure the gateway behind the test's back. */
    private static final List<String> OWN_PREFIXES = List.of("QUARKUS_", "DB_", "OIDC_", "COALITION_", "JAVA_TOOL_OPTIONS");

    private final Process process;
    private final int port;
    private final Path log;

    private PackagedGateway(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the gateway on {@code port} with exactly the given environment variables set for it. */
    public static PackagedGateway start(Map<String, String> environment, int port, Path log) {
        Path jar = APP.resolve("quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: integration tests run after package (./mvnw verify)");
        }
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(javaCommand(), "-Xmx256m", "-jar", jar.toString())
                    .directory(log.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            builder.environment().keySet().removeIf(name -> OWN_PREFIXES.stream().anyMatch(name::startsWith));
            builder.environment().putAll(environment);
            builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            return new PackagedGateway(builder.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException("the gateway did not start", e);
        }
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    public long pid() {
        return process.pid();
    }

    /** Polls readiness until it answers UP; fails early, with the log, if the process dies first. */
    public void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the gateway exited with " + process.exitValue() + " before it was ready\n" + logTail());
            }
            if (answersUp(http, ready)) {
                return;
            }
            pause(Duration.ofMillis(100));
        }
        throw new AssertionError("the gateway was not ready within " + timeout + "\n" + logTail());
    }

    private static boolean answersUp(HttpClient http, HttpRequest ready) {
        try {
            return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the gateway", e);
        }
    }

    /** Polling interval of {@link #awaitReady}, not a wait for an outcome. */
    private static void pause(Duration interval) {
        try {
            Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the gateway", e);
        }
    }

    /** SIGKILL: the JVM gets no chance to finish anything. Returns once the process is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("the gateway survived SIGKILL"));
    }

    /** SIGTERM, as Kubernetes sends it when the preStop hook is done. */
    public void terminate() {
        process.destroy();
    }

    /** The exit code, or empty when the process is still running after {@code timeout}. */
    public OptionalInt awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the gateway to exit", e);
        }
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String logTail() {
        String all = log();
        return "--- last lines of " + log + " ---\n" + all.substring(Math.max(0, all.length() - 6000));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
