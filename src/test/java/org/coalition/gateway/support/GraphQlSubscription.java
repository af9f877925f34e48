package org.coalition.gateway.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A GraphQL subscription over WebSocket, as a partner's or member's app opens it: the
 * graphql-transport-ws protocol with the bearer token in the connection_init payload.
 */
public final class GraphQlSubscription implements AutoCloseable {

    private final WebSocketClient client;
    private final WebSocket socket;
    private final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();

    private GraphQlSubscription(Vertx vertx, String token) throws Exception {
        client = vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("localhost").setPort(RestAssured.port)
                .setURI("/graphql").addSubProtocol("graphql-transport-ws");
        socket = client.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        socket.textMessageHandler(text -> messages.add(new JsonObject(text)));
        socket.writeTextMessage(new JsonObject().put("type", "connection_init")
                .put("payload", new JsonObject().put("Authorization", "Bearer " + token)).encode());
        JsonObject ack = messages.poll(10, TimeUnit.SECONDS);
        if (ack == null || !"connection_ack".equals(ack.getString("type"))) {
            throw new AssertionError("no connection_ack: " + ack);
        }
    }

    public static GraphQlSubscription open(Vertx vertx, String token, String document) throws Exception {
        GraphQlSubscription subscription = new GraphQlSubscription(vertx, token);
        subscription.socket.writeTextMessage(new JsonObject().put("id", "1").put("type", "subscribe")
                .put("payload", new JsonObject().put("query", document)).encode());
        return subscription;
    }

    /** The next message of any type, or null when none arrives in time. */
    public JsonObject next(Duration wait) throws InterruptedException {
        return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every message received so far. */
    public List<JsonObject> drain() {
        List<JsonObject> drained = new ArrayList<>();
        messages.drainTo(drained);
        return drained;
    }

    @Override
    public void close() {
        socket.close();
        client.close();
    }
}
