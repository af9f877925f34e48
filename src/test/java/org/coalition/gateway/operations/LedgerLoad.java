package org.coalition.gateway.operations;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Partners' tills at work: a fixed number of GraphQL mutations always in flight against one gateway, and what
 * each client was told, request by request. A till that is not answered with a result backs off a little, as
 * the gateway's {@code Retry-After} asks, and goes on with its next request.
 */
final class LedgerLoad {

    /** What a client was told. Only ACKNOWLEDGED means "done"; only the first two are clean answers. */
    enum Told {
        /** HTTP 200, the mutation's payload without user errors: the client holds a transaction. */
        ACKNOWLEDGED,
        /** HTTP 503 from a gateway that is shutting down: nothing was done. */
        REFUSED,
        /** No connection: nothing can have been done. */
        CONNECTION_REFUSED,
        /** The connection broke before a complete answer: the client cannot know, and must retry. */
        NO_ANSWER,
        /** Anything else: a 500, an error, a user error, a malformed or truncated body. Never acceptable. */
        UNEXPECTED
    }

    record Request(String key, String field, String document, Map<String, Object> input) {
        String body() {
            Map<String, Object> body = new HashMap<>();
            body.put("query", document);
            body.put("variables", Map.of("input", input));
            return new JsonObject(body).encode();
        }

        String cardNumber() {
            return ((Map<?, ?>) input.get("member")).get("cardNumber").toString();
        }
    }

    record Outcome(Request request, long sentAt, long answeredAt, Told told, JsonObject payload, String detail) {
        String transactionId() {
            JsonObject transaction = payload == null ? null : payload.getJsonObject("transaction");
            return transaction == null ? null : transaction.getString("id");
        }

        int points() {
            return payload.getJsonObject("transaction").getInteger("points");
        }

        @Override
        public String toString() {
            return told + " " + request.field() + " " + request.key() + ": " + detail;
        }
    }

    private static final Executor BACK_OFF = CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS);

    private final HttpClient http;
    private final URI graphql;
    private final String token;
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final List<CompletableFuture<Void>> lanes = new ArrayList<>();
    private volatile boolean running;
    private volatile Awaited awaited;

    /** A wait for a number of acknowledgements, cut short by the first request that is not acknowledged. */
    private record Awaited(int count, CompletableFuture<Void> reached) {
    }

    LedgerLoad(URI graphql, String token, HttpClient.Version version) {
        this.http = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(2)).build();
        this.graphql = graphql;
        this.token = token;
    }

    /** Keeps {@code concurrency} requests from {@code next} in flight until {@link #stop()}. */
    void start(int concurrency, Supplier<Request> next) {
        running = true;
        for (int i = 0; i < concurrency; i++) {
            CompletableFuture<Void> lane = new CompletableFuture<>();
            lanes.add(lane);
            runLane(lane, next);
        }
    }

    private void runLane(CompletableFuture<Void> lane, Supplier<Request> next) {
        if (!running) {
            lane.complete(null);
            return;
        }
        send(next.get()).whenComplete((outcome, failure) -> {
            if (failure != null) {
                lane.completeExceptionally(failure);
            } else if (outcome.told() == Told.ACKNOWLEDGED) {
                runLane(lane, next);
            } else {
                CompletableFuture.runAsync(() -> runLane(lane, next), BACK_OFF);
            }
        });
    }

    /** Stops sending and waits until every request sent has been answered or has failed. */
    void stop(Duration timeout) {
        running = false;
        CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** Sends one request and records what the client was told. */
    CompletableFuture<Outcome> send(Request request) {
        HttpRequest http = HttpRequest.newBuilder(graphql)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(request.body()))
                .build();
        long sentAt = System.nanoTime();
        inFlight.incrementAndGet();
        return this.http.sendAsync(http, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            inFlight.decrementAndGet();
            Outcome outcome = classify(request, sentAt, response, failure);
            outcomes.add(outcome);
            int count = outcome.told() == Told.ACKNOWLEDGED ? acknowledged.incrementAndGet() : acknowledged.get();
            Awaited waiting = awaited;
            if (waiting != null && outcome.told() != Told.ACKNOWLEDGED) {
                waiting.reached().completeExceptionally(new AssertionError("not acknowledged: " + outcome));
            } else if (waiting != null && count >= waiting.count()) {
                waiting.reached().complete(null);
            }
            return outcome;
        });
    }

    private static Outcome classify(Request request, long sentAt, HttpResponse<String> response, Throwable failure) {
        long answeredAt = System.nanoTime();
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            Told told = cause instanceof ConnectException ? Told.CONNECTION_REFUSED
                    : cause instanceof IOException ? Told.NO_ANSWER : Told.UNEXPECTED;
            return new Outcome(request, sentAt, answeredAt, told, null, cause.toString());
        }
        String detail = "HTTP " + response.statusCode() + " " + response.body();
        try {
            return new Outcome(request, sentAt, answeredAt, tell(request, response), payload(request, response), detail);
        } catch (DecodeException | ClassCastException | NullPointerException e) {
            return new Outcome(request, sentAt, answeredAt, Told.UNEXPECTED, null, detail + " (" + e + ")");
        }
    }

    private static Told tell(Request request, HttpResponse<String> response) {
        JsonObject body = new JsonObject(response.body());
        if (response.statusCode() == 503) {
            return isRefusal(response, body) ? Told.REFUSED : Told.UNEXPECTED;
        }
        JsonObject payload = payload(request, response);
        boolean done = response.statusCode() == 200 && body.getJsonArray("errors") == null && payload != null
                && payload.getJsonArray("userErrors").isEmpty();
        return done ? Told.ACKNOWLEDGED : Told.UNEXPECTED;
    }

    private static JsonObject payload(Request request, HttpResponse<String> response) {
        JsonObject data = new JsonObject(response.body()).getJsonObject("data");
        return data == null ? null : data.getJsonObject(request.field());
    }

    private static boolean isRefusal(HttpResponse<String> response, JsonObject body) {
        JsonArray errors = body.getJsonArray("errors");
        return response.headers().firstValue("Retry-After").isPresent() && errors != null && !errors.isEmpty()
                && "SERVICE_UNAVAILABLE".equals(errors.getJsonObject(0).getJsonObject("extensions").getString("reason"));
    }

    /** Waits until {@code count} requests have been acknowledged; fails at the first that is not. */
    void awaitAcknowledged(int count, Duration timeout) {
        Awaited waiting = new Awaited(count, new CompletableFuture<>());
        awaited = waiting;
        if (acknowledged.get() >= count) {
            waiting.reached().complete(null);
        }
        try {
            waiting.reached().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (CompletionException e) {
            throw new AssertionError("waiting for " + count + " acknowledgements, " + acknowledged.get() + " so far", e.getCause());
        } finally {
            awaited = null;
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }
}
