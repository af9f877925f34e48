package org.coalition.gateway.operations;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.json.JsonObject;

/**
 * A partner app's live feed of its transactions: {@code transactionPosted} over graphql-transport-ws, the token
 * in connection_init. Only what a shutdown test needs: did events arrive, and did the gateway close it.
 */
final class LiveFeed implements WebSocket.Listener {

    private final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    private LiveFeed() {
    }

    static LiveFeed open(URI graphql, String token) throws InterruptedException {
        LiveFeed feed = new LiveFeed();
        URI ws = URI.create(graphql.toString().replaceFirst("^http", "ws"));
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("graphql-transport-ws")
                .buildAsync(ws, feed).orTimeout(10, TimeUnit.SECONDS).join();
        socket.sendText(new JsonObject().put("type", "connection_init")
                .put("payload", new JsonObject().put("Authorization", "Bearer " + token)).encode(), true).join();
        feed.expect("connection_ack", Duration.ofSeconds(10));
        socket.sendText(new JsonObject().put("id", "1").put("type", "subscribe")
                .put("payload", new JsonObject().put("query", "subscription { transactionPosted { id } }")).encode(), true).join();
        return feed;
    }

    /** Waits for the next message of {@code type}, skipping others; fails when none comes in time. */
    JsonObject expect(String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonObject> skipped = new ArrayList<>();
        for (JsonObject message; (message = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null;) {
            if (type.equals(message.getString("type"))) {
                return message;
            }
            skipped.add(message);
        }
        throw new AssertionError("no " + type + " message on the live feed within " + timeout + ", only " + skipped
                + (closed.isDone() ? ", then it was " + closed.join() : ""));
    }

    /** How the gateway ended the feed, once it has. */
    String awaitClosed(Duration timeout) {
        return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(new JsonObject(partial.toString()));
            partial.setLength(0);
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        closed.complete("closed " + statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        closed.complete("broken: " + error);
    }
}
