package org.coalition.gateway.operations;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.logging.Log;
import io.restassured.path.json.JsonPath;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/**
 * PostgreSQL crashes under concurrent earn and redeem load and comes back. While it is down every answer is
 * quick and typed; afterwards clients send each unanswered request again with the same idempotency key, and
 * the ledger holds every acknowledged transaction exactly once.
 */
@GatewayTest
class DatabaseOutageTest {

    private static final int CLIENTS = 8;
    private static final String INITIAL_PURCHASE = "500.00";
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(5);
    /** Longer than the bound, so a slow answer fails the bound instead of hanging the test. */
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(15);
    private static final int SUCCESSES_BEFORE_CRASH = 40;
    private static final int ANSWERS_DURING_OUTAGE = 40;
    /** What a till does between attempts that met an outage; also keeps 8 clients from spinning on 2 cores. */
    private static final long PAUSE_AFTER_UNAVAILABLE_MILLIS = 100;
    private static final int RETRY_ATTEMPTS = 200;
    private static final long WAIT_SECONDS = 30;
    /** The breaker is named in shared.DatabaseBreaker. */
    private static final String BREAKER = "database";

    private static final String MEMBER_BALANCE = "query($ref: MemberRefInput!) { member(ref: $ref) { balance } }";

    @Inject
    LedgerAudit audit;

    @Inject
    CircuitBreakerMaintenance breakers;

    private enum Phase { LOAD, OUTAGE, RECOVERY }

    /**
     * PARTIAL: booked, but a field of the payload that reads the database afterwards (transaction.member) met the
     * outage; the answer says SERVICE_UNAVAILABLE in errors, and the client retries as for UNAVAILABLE.
     */
    private enum Outcome { POSTED, UNAVAILABLE, PARTIAL, IO_ERROR, WRONG }

    private record Answer(Outcome outcome, long millis, Phase sentIn, String transactionId, int points, String body) {
    }

    /** One earn or redeem as a client sends it, with every attempt's answer. */
    private static final class Request {
        final String operation;
        final Map<String, Object> input;
        final List<Answer> answers = new ArrayList<>();

        Request(String operation, Map<String, Object> input) {
            this.operation = operation;
            this.input = input;
        }

        String key() {
            return (String) input.get("idempotencyKey");
        }

        Answer last() {
            return answers.get(answers.size() - 1);
        }

        boolean acknowledged() {
            return !answers.isEmpty() && last().outcome() == Outcome.POSTED;
        }
    }

    /** One partner till with a member of its own, so no two clients contend for one balance. */
    private final class Client implements Runnable {
        final String token = Tokens.partner(FRESHMART);
        final EnrolledMember member;
        final JsonPath startingPoints;
        final List<Request> requests = new ArrayList<>();

        /** Enrolls the client's member and gives it points, through the API, before any load starts. */
        Client() {
            member = Fixtures.enroll(FRESHMART);
            startingPoints = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, INITIAL_PURCHASE));
        }

        /** New requests until the database is back, then each unacknowledged one again, same key, same payload. */
        @Override
        public void run() {
            boolean earn = true;
            while (phase.get() != Phase.RECOVERY) {
                Request request = earn ? earnRequest(member) : redeemRequest(member);
                earn = !earn;
                requests.add(request);
                attempt(token, request);
            }
            for (Request request : requests) {
                for (int attempt = 0; !request.acknowledged() && attempt < RETRY_ATTEMPTS; attempt++) {
                    attempt(token, request);
                }
            }
        }

        String startingEntry() {
            return startingPoints.getString("data.earnPoints.transaction.id");
        }

        /** What the client was told the balance is: the starting points and every acknowledged transaction's points. */
        int toldBalance() {
            return startingPoints.getInt("data.earnPoints.transaction.points")
                    + requests.stream().mapToInt(request -> request.last().points()).sum();
        }
    }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.LOAD);
    private final CountDownLatch loadSucceeded = new CountDownLatch(SUCCESSES_BEFORE_CRASH);
    private final CountDownLatch outageAnswered = new CountDownLatch(ANSWERS_DURING_OUTAGE);
    /** Opened, probed the dead database, opened again: the breaker both fails fast and keeps looking. */
    private final CountDownLatch breakerReopened = new CountDownLatch(1);
    private final AtomicBoolean breakerProbed = new AtomicBoolean();

    @Test
    void duringACrashEveryAnswerIsQuickAndTypedAndAfterItEveryRetriedRequestIsBookedExactlyOnce() throws Exception {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(new Client());
        }
        breakers.onStateChange(BREAKER, this::watchBreaker);

        long outageMillis = runThroughAnOutage(clients);

        List<Request> requests = clients.stream().flatMap(client -> client.requests.stream()).toList();
        everyAnswerWasQuickAndTyped(requests, outageMillis);
        everyRequestWasAcknowledgedInTheEnd(requests);
        theLedgerHoldsEveryAcknowledgedTransactionOnce(clients);
        for (Client client : clients) {
            assertEquals(client.toldBalance(), balanceOf(client.member), "member " + client.member.id()
                    + ": its starting points plus the points of every transaction acknowledged to its client");
        }
        assertEquals(List.of(), audit.violations().await().atMost(Duration.ofSeconds(WAIT_SECONDS)));
    }

    /** Load, crash, load through the outage, restart, retries; returns how long PostgreSQL was down. */
    private long runThroughAnOutage(List<Client> clients) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> running = clients.stream().<Future<?>>map(executor::submit).toList();
            await(loadSucceeded, "earns and redeems to succeed before the crash");
            long outageMillis = outage(clients.get(0).member);
            phase.set(Phase.RECOVERY);
            for (Future<?> client : running) {
                client.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            return outageMillis;
        } finally {
            phase.set(Phase.RECOVERY);
            executor.shutdownNow();
        }
    }

    /** Crashes PostgreSQL, checks a query and a two-step mutation while it is down, always starts it again. */
    private long outage(EnrolledMember someMember) throws InterruptedException {
        long crashedAt = System.nanoTime();
        try {
            phase.set(Phase.OUTAGE);
            EmbeddedPostgresResource.crash();
            await(outageAnswered, ANSWERS_DURING_OUTAGE + " answers while PostgreSQL is down");
            await(breakerReopened, "the circuit breaker to open, probe the dead database and open again");
            aQueryGetsATypedErrorWithoutInternals(someMember);
            anEnrolmentGetsServiceUnavailable();
            thePodIsUnreadyButAlive();
        } finally {
            EmbeddedPostgresResource.restart();
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
    }

    /** Kubernetes stops sending traffic to the pod, and does not restart it: the database is what is down. */
    private static void thePodIsUnreadyButAlive() {
        io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(503);
        io.restassured.RestAssured.given().get("/q/health/live").then().statusCode(200);
    }

    private void watchBreaker(CircuitBreakerState state) {
        if (phase.get() != Phase.OUTAGE) {
            return;
        }
        if (state == CircuitBreakerState.HALF_OPEN) {
            breakerProbed.set(true);
        } else if (state == CircuitBreakerState.OPEN && breakerProbed.get()) {
            breakerReopened.countDown();
        }
    }

    // ------------------------------------------------------------------ clients

    private static Request earnRequest(EnrolledMember member) {
        Map<String, Object> input = Fixtures.earnInput(member, ThreadLocalRandom.current().nextInt(1, 20) + ".00");
        return new Request("earnPoints", input);
    }

    private static Request redeemRequest(EnrolledMember member) {
        return new Request("redeemPoints", Fixtures.redeemInput(member, ThreadLocalRandom.current().nextInt(1, 6)));
    }

    private void attempt(String token, Request request) {
        Phase sentIn = phase.get();
        Answer answer = send(token, request, sentIn);
        request.answers.add(answer);
        if (answer.outcome() == Outcome.POSTED && sentIn == Phase.LOAD) {
            loadSucceeded.countDown();
        }
        if (sentIn == Phase.OUTAGE) {
            outageAnswered.countDown();
        }
        if (answer.outcome() != Outcome.POSTED) {
            pause();
        }
    }

    private static Answer send(String token, Request request, Phase sentIn) {
        String document = request.operation.equals("earnPoints") ? Fixtures.EARN : Fixtures.REDEEM;
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = GraphQl.post(token, document, Map.of("input", request.input), HTTP_TIMEOUT);
            return answer(request.operation, response, sentIn, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (IOException e) {
            return new Answer(Outcome.IO_ERROR, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), sentIn, null, 0,
                    e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A transaction, or exactly the typed SERVICE_UNAVAILABLE user error; anything else is wrong. */
    private static Answer answer(String operation, HttpResponse<String> response, Phase sentIn, long millis) {
        String body = response.body();
        Answer wrong = new Answer(Outcome.WRONG, millis, sentIn, null, 0, "HTTP " + response.statusCode() + ": " + body);
        if (response.statusCode() != 200) {
            return wrong;
        }
        JsonObject json;
        try {
            json = new JsonObject(body);
        } catch (RuntimeException notJson) {
            return wrong;
        }
        JsonObject data = json.getJsonObject("data");
        JsonObject payload = data == null ? null : data.getJsonObject(operation);
        if (payload == null) {
            return wrong;
        }
        JsonArray errors = payload.getJsonArray("userErrors");
        if (json.containsKey("errors")) {
            return errors.isEmpty() && onlyServiceUnavailable(json.getJsonArray("errors"))
                    ? new Answer(Outcome.PARTIAL, millis, sentIn, null, 0, body) : wrong;
        }
        if (errors.isEmpty()) {
            JsonObject transaction = payload.getJsonObject("transaction");
            return new Answer(Outcome.POSTED, millis, sentIn, transaction.getString("id"), transaction.getInteger("points"), body);
        }
        if (errors.size() == 1 && isServiceUnavailable(errors.getJsonObject(0))) {
            return new Answer(Outcome.UNAVAILABLE, millis, sentIn, null, 0, body);
        }
        return wrong;
    }

    private static boolean onlyServiceUnavailable(JsonArray errors) {
        return errors.stream().map(JsonObject.class::cast).allMatch(error -> ServiceUnavailable.QUERY_MESSAGE.equals(error.getString("message"))
                && "SERVICE_UNAVAILABLE".equals(error.getJsonObject("extensions").getString("reason")));
    }

    private static boolean isServiceUnavailable(JsonObject error) {
        return "SERVICE_UNAVAILABLE".equals(error.getString("code"))
                && ServiceUnavailable.MUTATION_MESSAGE.equals(error.getString("message"));
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_AFTER_UNAVAILABLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ while PostgreSQL is down

    private static void aQueryGetsATypedErrorWithoutInternals(EnrolledMember member) {
        long started = System.nanoTime();
        JsonObject response = post(Tokens.partner(FRESHMART), MEMBER_BALANCE, Map.of("ref", member.ref()));
        assertAnsweredWithinBound(started, "member query");
        JsonArray errors = response.getJsonArray("errors");
        assertTrue(errors != null && errors.size() == 1, response::encodePrettily);
        JsonObject error = errors.getJsonObject(0);
        assertEquals("SERVICE_UNAVAILABLE", error.getJsonObject("extensions").getString("reason"), response::encodePrettily);
        assertEquals(ServiceUnavailable.QUERY_MESSAGE, error.getString("message"), response::encodePrettily);
        for (String leak : List.of("Exception", "exception", "refused", "closed", "io.vertx", "java.", "SQL", "at org.")) {
            assertTrue(!response.encode().contains(leak), () -> "the error reveals '" + leak + "': " + response.encode());
        }
    }

    /** enrollMember claims its key and writes in a transaction of several statements, not the one-statement hot path. */
    private static void anEnrolmentGetsServiceUnavailable() {
        long started = System.nanoTime();
        JsonObject response = post(Tokens.partner(FRESHMART), Fixtures.ENROLL,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", Fixtures.newCardNumber())));
        assertAnsweredWithinBound(started, "enrollMember");
        assertTrue(!response.containsKey("errors"), response::encodePrettily);
        JsonArray errors = response.getJsonObject("data").getJsonObject("enrollMember").getJsonArray("userErrors");
        assertTrue(errors.size() == 1 && isServiceUnavailable(errors.getJsonObject(0)), response::encodePrettily);
    }

    private static JsonObject post(String token, String document, Map<String, Object> variables) {
        try {
            HttpResponse<String> response = GraphQl.post(token, document, variables, HTTP_TIMEOUT);
            assertEquals(200, response.statusCode(), response::body);
            return new JsonObject(response.body());
        } catch (IOException e) {
            throw new AssertionError("the gateway did not answer while PostgreSQL was down", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertAnsweredWithinBound(long startedNanos, String what) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        assertTrue(millis <= ANSWER_BOUND.toMillis(), what + " took " + millis + " ms while PostgreSQL was down");
    }

    // ------------------------------------------------------------------ afterwards

    private static void everyAnswerWasQuickAndTyped(List<Request> requests, long outageMillis) {
        List<Answer> answers = requests.stream().flatMap(request -> request.answers.stream()).toList();
        List<String> wrong = answers.stream().filter(answer -> answer.outcome() == Outcome.WRONG).map(Answer::body).limit(5).toList();
        assertEquals(List.of(), wrong, "answers other than a transaction or SERVICE_UNAVAILABLE");
        List<Answer> slow = answers.stream().filter(answer -> answer.millis() > ANSWER_BOUND.toMillis()).toList();
        assertEquals(List.of(), slow, "answers slower than " + ANSWER_BOUND.toMillis() + " ms");
        List<Long> outage = answers.stream().filter(answer -> answer.sentIn() == Phase.OUTAGE).map(Answer::millis).sorted().toList();
        Map<Outcome, Long> outcomes = answers.stream().collect(Collectors.groupingBy(Answer::outcome, Collectors.counting()));
        long unavailable = outcomes.getOrDefault(Outcome.UNAVAILABLE, 0L);
        Log.infof("PostgreSQL down %d ms; %d requests, answers %s; to requests sent during the outage: %d, median %d ms,"
                + " max %d ms", outageMillis, requests.size(), outcomes, outage.size(), outage.get(outage.size() / 2),
                outage.get(outage.size() - 1));
        assertTrue(unavailable >= ANSWERS_DURING_OUTAGE / 2, "the outage was hardly noticed: " + unavailable + " SERVICE_UNAVAILABLE");
    }

    private static void everyRequestWasAcknowledgedInTheEnd(List<Request> requests) {
        List<String> unacknowledged = requests.stream().filter(request -> !request.acknowledged())
                .map(request -> request.key() + ": " + request.last()).limit(5).toList();
        assertEquals(List.of(), unacknowledged, "requests still unacknowledged after " + RETRY_ATTEMPTS + " attempts each");
    }

    private static void theLedgerHoldsEveryAcknowledgedTransactionOnce(List<Client> clients) throws SQLException {
        Map<String, String> acknowledgedByKey = clients.stream().flatMap(client -> client.requests.stream())
                .collect(Collectors.toMap(Request::key, request -> request.last().transactionId()));
        assertEquals(acknowledgedByKey.size(), new HashSet<>(acknowledgedByKey.values()).size(), "two keys acknowledged with one transaction");
        Set<String> acknowledged = new HashSet<>(acknowledgedByKey.values());
        clients.forEach(client -> acknowledged.add(client.startingEntry()));
        UUID[] members = clients.stream().map(client -> UUID.fromString(client.member.id())).toArray(UUID[]::new);
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl())) {
            assertEquals(acknowledged, strings(sql, "select id::text from journal_entries where member_id = any(?)", members),
                    "the test members' journal entries are exactly the transactions acknowledged to their clients");
            Map<String, String> resultByKey = new HashMap<>();
            for (String row : strings(sql, "select key || ' ' || result_id from idempotency_keys where key = any(?)",
                    acknowledgedByKey.keySet().toArray(String[]::new))) {
                resultByKey.put(row.substring(0, row.indexOf(' ')), row.substring(row.indexOf(' ') + 1));
            }
            assertEquals(acknowledgedByKey, resultByKey, "each idempotency key names the one transaction its client was told");
        }
    }

    private static Set<String> strings(Connection sql, String query, Object[] values) throws SQLException {
        try (PreparedStatement statement = sql.prepareStatement(query)) {
            statement.setArray(1, sql.createArrayOf(values instanceof UUID[] ? "uuid" : "text", values));
            Set<String> found = new HashSet<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    assertTrue(found.add(rows.getString(1)), "listed twice: " + rows.getString(1));
                }
            }
            return found;
        }
    }

    private static int balanceOf(EnrolledMember member) {
        JsonObject response = post(Tokens.partner(FRESHMART), MEMBER_BALANCE, Map.of("ref", member.ref()));
        return response.getJsonObject("data").getJsonObject("member").getInteger("balance");
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            fail("waited " + WAIT_SECONDS + " s for " + what + "; " + latch.getCount() + " still missing");
        }
    }
}
