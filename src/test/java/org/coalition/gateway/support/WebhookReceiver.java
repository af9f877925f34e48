package org.coalition.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import io.vertx.core.json.JsonObject;

/**
 * A partner's webhook receiver, run by the test on a real port: it records what arrives and answers as
 * told (a status, a delay), can be stopped and started again on the same port to play a receiver that is
 * down, and counts requests in progress to catch two deliveries to one endpoint at the same time.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    public record Received(Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().get(0)).findFirst().orElse(null);
        }

        public JsonObject json() {
            return new JsonObject(body);
        }

        public String eventId() {
            return json().getString("id");
        }
    }

    private final int port;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger inProgress = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private volatile int status = 200;
    private volatile Duration delay = Duration.ZERO;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private HttpServer server;

    private WebhookReceiver(int port) {
        this.port = port;
    }

    /** Listening on a free port. */
    public static WebhookReceiver started() {
        WebhookReceiver receiver = new WebhookReceiver(freePort());
        receiver.start();
        return receiver;
    }

    /** On a free port, not yet listening: a receiver that is down. */
    public static WebhookReceiver down() {
        return new WebhookReceiver(freePort());
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/hooks/coalition";
    }

    public synchronized void start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + port, e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            int now = inProgress.incrementAndGet();
            mostAtOnce.accumulateAndGet(now, Math::max);
            boolean answered = false;
            try (InputStream body = exchange.getRequestBody()) {
                String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), text));
                if (!delay.isZero()) {
                    Thread.sleep(delay.toMillis()); // the slow receiver this test plays
                }
                gate.await(30, TimeUnit.SECONDS);
                // no longer in progress once answered: the sender may send the next one the moment the answer arrives,
                // before this thread gets to its finally block
                inProgress.decrementAndGet();
                answered = true;
                exchange.sendResponseHeaders(status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (!answered) {
                    inProgress.decrementAndGet();
                }
                exchange.close();
            }
        });
        server.start();
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public WebhookReceiver answering(int status) {
        this.status = status;
        return this;
    }

    public WebhookReceiver slow(Duration delay) {
        this.delay = delay;
        return this;
    }

    /** Holds every request until {@link #open()}. */
    public WebhookReceiver holding() {
        this.gate = new CountDownLatch(1);
        return this;
    }

    public void open() {
        gate.countDown();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Event ids in arrival order, each once (what a receiver that de-duplicates sees). */
    public List<String> distinctEventIds() {
        return received.stream().map(Received::eventId).distinct().toList();
    }

    public int inProgress() {
        return inProgress.get();
    }

    public int mostAtOnce() {
        return mostAtOnce.get();
    }

    @Override
    public void close() {
        open();
        stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
