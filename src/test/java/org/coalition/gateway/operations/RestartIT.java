package org.coalition.gateway.operations;

import static java.net.http.HttpClient.Version.HTTP_1_1;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.smallrye.jwt.build.Jwt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.coalition.gateway.member.CardTokens;
import org.coalition.gateway.operations.LedgerLoad.Outcome;
import org.coalition.gateway.operations.LedgerLoad.Request;
import org.coalition.gateway.operations.LedgerLoad.Told;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.PackagedGateway;
import org.coalition.gateway.support.Projection;

/**
 * Restarts of the packaged gateway under load, against a PostgreSQL that syncs every commit to disk, as
 * production runs it. A SIGKILL mid-load loses no transaction a client was told about, and clients that retry
 * what they were not told (same key, same payload) book nothing twice. A SIGTERM finishes the requests in
 * flight, refuses the rest cleanly and exits within the grace period. README, "Restarts and shutdown".
 */
class RestartIT {

    /** The gateway stores cards as keyed hashes; the test knows the key it gives the gateway, so it can check them. */
    private static final String CARD_KEY = "restart-it-card-key-0123456789abcdef";
    private static final CardTokens CARDS = new CardTokens(CARD_KEY, false);

    private static final String ISSUER = "https://idp.restart-it.test";
    private static final String PARTNER = Fixtures.FRESHMART;
    private static final int IN_FLIGHT = 16;
    /** Kubernetes' terminationGracePeriodSeconds (30 s) less the preStop sleep (5 s). */
    private static final Duration GRACE_PERIOD = Duration.ofSeconds(25);
    private static final Duration START_UP = Duration.ofSeconds(90);
    private static final Path LOGS = Path.of("target", "restart-it");

    private static EmbeddedPostgres postgres;
    private static KeyPair signingKey;
    private static String token;

    private PackagedGateway gateway;

    @BeforeAll
    static void startDatabaseAndIdp() throws IOException, NoSuchAlgorithmException {
        postgres = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .start();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        signingKey = generator.generateKeyPair();
        token = Jwt.issuer(ISSUER).audience("coalition-gateway").subject("service-account-" + PARTNER)
                .claim("azp", PARTNER).claim("scope", "points:earn points:redeem members:enroll members:read webhooks:manage")
                .expiresIn(3600).jws().keyId("restart-it").sign(signingKey.getPrivate());
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ SIGKILL

    @Test
    void aKillUnderLoadLosesNoAcknowledgedTransactionAndRetriesBookNothingTwice() throws SQLException {
        String database = createDatabase("restart_kill");
        int port = freePort();
        gateway = startGateway(database, port, "kill-1");
        List<String> cards = enroll(8);
        List<Outcome> told = new ArrayList<>(endow(cards));

        LedgerLoad load = new LedgerLoad(gateway.uri("/graphql"), token, HTTP_1_1);
        load.start(IN_FLIGHT, () -> earnOrRedeem(cards));
        load.awaitAcknowledged(200, Duration.ofSeconds(60));
        int inFlightAtKill = load.inFlight();
        gateway.kill();
        load.stop(Duration.ofSeconds(30));
        told.addAll(load.outcomes());

        assertNothingUnexpected(told);
        List<Request> unanswered = told.stream().filter(o -> o.told() != Told.ACKNOWLEDGED).map(Outcome::request).toList();
        assertTrue(inFlightAtKill > 0 && !unanswered.isEmpty(), "the kill left requests unanswered, " + inFlightAtKill + " were in flight");
        Map<String, String> committedUnanswered = committedKeys(database, unanswered);

        gateway = startGateway(database, port, "kill-2");
        List<Outcome> retried = retry(unanswered);
        for (Outcome retry : retried) {
            assertEquals(Told.ACKNOWLEDGED, retry.told(), () -> "a retry after the restart: " + retry);
            String committed = committedUnanswered.get(retry.request().key());
            if (committed != null) {
                assertEquals(committed, retry.transactionId(), "a retry of a request that had committed replays its transaction");
            }
        }
        System.out.printf("RestartIT kill: %d acknowledged before the kill, %d in flight at the kill, %d unanswered,"
                + " of which %d had committed; all retried%n", told.size() - unanswered.size(), inFlightAtKill,
                unanswered.size(), committedUnanswered.size());

        List<Outcome> acknowledged = new ArrayList<>(told.stream().filter(o -> o.told() == Told.ACKNOWLEDGED).toList());
        acknowledged.addAll(retried);
        reconcile(database, acknowledged);
        assertEveryEntryHasItsEventsOnce(database);
    }

    /**
     * The restarted gateway's journal projection (V64) catches up with what committed before the kill, and no entry
     * gets its events twice, whether the kill fell before, during or after a projection.
     */
    private static void assertEveryEntryHasItsEventsOnce(String database) throws SQLException {
        try (Connection connection = superuser(database)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Projection.level(connection));
            assertZero(connection, "entries without exactly one transaction event for their partner", """
                    select count(*) from journal_entries e
                    where e.xact_id is not null and (select count(*) from partner_events p where p.entry_id = e.id
                        and p.type in ('TransactionPosted', 'TransactionReversed')) <> 1""");
            assertZero(connection, "entries without exactly one ledger event", """
                    select count(*) from journal_entries e
                    where e.xact_id is not null and (select count(*) from ledger_events l where l.entry_id = e.id) <> 1""");
        }
    }

    private Request earnOrRedeem(List<String> cards) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String card = cards.get(random.nextInt(cards.size()));
        if (random.nextInt(10) < 7) {
            return earn(card, BigDecimal.valueOf(random.nextInt(100, 5000), 2));
        }
        return redeem(card, random.nextInt(1, 11));
    }

    private List<Outcome> retry(List<Request> unanswered) {
        LedgerLoad retries = new LedgerLoad(gateway.uri("/graphql"), token, HTTP_1_1);
        return unanswered.stream().map(retries::send).toList().stream().map(f -> f.join()).toList();
    }

    // ------------------------------------------------------------------------------------------------ SIGTERM

    /** HTTP/1.1 connections are closed after their answer, HTTP/2 ones get a GOAWAY: both must drain. */
    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void aTerminationFinishesRequestsInFlightRefusesNewOnesAndExitsWithinTheGracePeriod(HttpClient.Version http)
            throws SQLException, InterruptedException {
        String database = createDatabase("restart_term_" + http.name().toLowerCase(Locale.ROOT));
        gateway = startGateway(database, freePort(), database);
        List<String> cards = enroll(4);
        List<Outcome> told = new ArrayList<>(endow(cards));
        LiveFeed feed = LiveFeed.open(gateway.uri("/graphql"), token);

        LedgerLoad load = new LedgerLoad(gateway.uri("/graphql"), token, http);
        load.start(IN_FLIGHT, () -> earn(cards.get(ThreadLocalRandom.current().nextInt(cards.size())), new BigDecimal("12.34")));
        load.awaitAcknowledged(100, Duration.ofSeconds(60));
        feed.expect("next", Duration.ofSeconds(10));
        long terminatedAt = System.nanoTime();
        gateway.terminate();
        OptionalInt exit = gateway.awaitExit(GRACE_PERIOD);
        Duration shutdown = Duration.ofNanos(System.nanoTime() - terminatedAt);
        load.stop(Duration.ofSeconds(30));
        told.addAll(load.outcomes());

        assertExitedCleanly(exit);
        String feedEnd = feed.awaitClosed(Duration.ofSeconds(5));
        assertNothingUnexpected(told);
        List<Outcome> early = told.stream().filter(o -> o.told() != Told.ACKNOWLEDGED && o.answeredAt() < terminatedAt).toList();
        assertEquals(List.of(), early, "requests not acknowledged before the gateway was told to stop");
        System.out.printf("RestartIT term over %s: exited %d after %d ms; %s; no answer: %s; the live feed was %s%n", http,
                exit.getAsInt(), shutdown.toMillis(), told.stream().collect(Collectors.groupingBy(Outcome::told, Collectors.counting())),
                told.stream().filter(o -> o.told() == Told.NO_ANSWER).map(Outcome::detail).distinct().toList(), feedEnd);
        // Exactly the acknowledged requests are in the ledger: none of those refused or cut off had been done.
        reconcile(database, told.stream().filter(o -> o.told() == Told.ACKNOWLEDGED).toList());
    }

    private void assertExitedCleanly(OptionalInt exit) {
        assertTrue(exit.isPresent(), "the gateway still ran " + GRACE_PERIOD + " after SIGTERM\n" + gateway.logTail());
        assertTrue(exit.getAsInt() == 0 || exit.getAsInt() == 143, "exit status " + exit.getAsInt() + "\n" + gateway.logTail());
        assertFalse(gateway.log().contains("Timed out waiting for graceful shutdown"),
                "requests were still in flight when the shutdown timeout ran out\n" + gateway.logTail());
    }

    // ------------------------------------------------------------------------------------------------ the gateway

    /** Production's webhook URL rules, checked here because this is where the packaged gateway runs in its production profile. */
    @Test
    void productionRefusesWebhookEndpointsOverPlainHttpOrOnPrivateAddresses() throws Exception {
        gateway = startGateway(createDatabase("webhook_rules"), freePort(), "webhook-rules");

        for (String url : List.of("http://93.184.216.34/hook", "https://localhost/hook", "https://127.0.0.1:8443/hook",
                "https://10.0.0.7/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook")) {
            JsonObject refused = createWebhookEndpoint(url);
            assertEquals("INVALID_INPUT", refused.getJsonArray("userErrors").getJsonObject(0).getString("code"), url);
            assertEquals(null, refused.getValue("endpoint"), url);
        }
        assertEquals(0, createWebhookEndpoint("https://93.184.216.34/hook").getJsonArray("userErrors").size());
    }

    private JsonObject createWebhookEndpoint(String url) throws IOException, InterruptedException {
        String body = new JsonObject()
                .put("query", "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) {"
                        + " endpoint { id } userErrors { code field message } } }")
                .put("variables", new JsonObject().put("i", new JsonObject().put("idempotencyKey", UUID.randomUUID().toString())
                        .put("url", url).put("eventTypes", new JsonArray().add("TRANSACTION_POSTED"))))
                .encode();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(gateway.uri("/graphql"))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return new JsonObject(response.body()).getJsonObject("data").getJsonObject("createWebhookEndpoint");
    }

    /** web.DevStaff: the dev-server users that dev mode maps to partner staff have no place in production. */
    @Test
    void productionRefusesToStartWithDevStaffConfigured() throws SQLException {
        Map<String, String> environment = environment(createDatabase("dev_staff"));
        environment.put("JAVA_TOOL_OPTIONS", "-Dcoalition.web.dev-staff.freshmart-staff.partner=freshmart"
                + " -Dcoalition.web.dev-staff.freshmart-staff.permissions=members:read,points:earn");
        gateway = PackagedGateway.start(environment, freePort(), LOGS.resolve("dev-staff.log").toAbsolutePath());

        OptionalInt exit = gateway.awaitExit(START_UP);
        assertTrue(exit.isPresent() && exit.getAsInt() != 0, () -> "the gateway started with dev staff\n" + gateway.logTail());
        assertTrue(gateway.log().contains("coalition.web.dev-staff is set (users [freshmart-staff]) but is for dev mode and tests only"),
                gateway::logTail);
    }

    private PackagedGateway startGateway(String database, int port, String name) {
        PackagedGateway started = PackagedGateway.start(environment(database), port, LOGS.resolve(name + ".log").toAbsolutePath());
        started.awaitReady(START_UP);
        return started;
    }

    private Map<String, String> environment(String database) {
        Map<String, String> environment = new HashMap<>();
        environment.put("DB_HOST", "localhost");
        environment.put("DB_PORT", Integer.toString(postgres.getPort()));
        environment.put("DB_NAME", database);
        environment.put("DB_OWNER_USER", "postgres");
        environment.put("OIDC_PUBLIC_KEY", Base64.getEncoder().encodeToString(signingKey.getPublic().getEncoded()));
        environment.put("OIDC_TOKEN_ISSUER", ISSUER);
        environment.put("COALITION_PRIVACY_CARD_KEY", CARD_KEY);
        environment.put("COALITION_CONTRACTS_DIR", Path.of("partner-contracts").toAbsolutePath().toString());
        return environment;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ requests

    private List<String> enroll(int members) {
        LedgerLoad client = new LedgerLoad(gateway.uri("/graphql"), token, HTTP_1_1);
        List<String> cards = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            Request enrol = new Request(Fixtures.key(), "enrollMember", Fixtures.ENROLL,
                    Map.of("idempotencyKey", Fixtures.key(), "cardNumber", Fixtures.newCardNumber()));
            Outcome outcome = client.send(enrol).join();
            assertEquals(Told.ACKNOWLEDGED, outcome.told(), outcome::toString);
            cards.add(outcome.payload().getJsonObject("member").getString("cardNumber"));
        }
        return cards;
    }

    /** Enough points that no redemption of the load runs short. */
    private List<Outcome> endow(List<String> cards) {
        LedgerLoad client = new LedgerLoad(gateway.uri("/graphql"), token, HTTP_1_1);
        List<Outcome> outcomes = cards.stream().map(card -> client.send(earn(card, new BigDecimal("3000.00"))).join()).toList();
        outcomes.forEach(o -> assertEquals(Told.ACKNOWLEDGED, o.told(), o::toString));
        return outcomes;
    }

    private static Request earn(String card, BigDecimal amount) {
        String key = Fixtures.key();
        Map<String, Object> input = Map.of("idempotencyKey", key, "member", Map.of("cardNumber", card),
                "purchaseAmount", amount, "currency", "EUR");
        return new Request(key, "earnPoints", Fixtures.EARN, input);
    }

    private static Request redeem(String card, int points) {
        String key = Fixtures.key();
        Map<String, Object> input = Map.of("idempotencyKey", key, "member", Map.of("cardNumber", card), "points", points);
        return new Request(key, "redeemPoints", Fixtures.REDEEM, input);
    }

    private static void assertNothingUnexpected(List<Outcome> told) {
        List<Outcome> unexpected = told.stream().filter(o -> o.told() == Told.UNEXPECTED).limit(10).toList();
        assertEquals(List.of(), unexpected, "answers that are neither a result nor a clean refusal");
    }

    // ------------------------------------------------------------------------------------------------ the ledger

    private static String createDatabase(String name) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
        }
        return name;
    }

    /** The idempotency keys among {@code requests} that the database holds, with the transaction each names. */
    private static Map<String, String> committedKeys(String database, List<Request> requests) throws SQLException {
        try (Connection connection = superuser(database)) {
            Array keys = connection.createArrayOf("text", requests.stream().map(Request::key).toArray());
            var query = connection.prepareStatement("select key, result_id from idempotency_keys where key = any(?)");
            query.setArray(1, keys);
            Map<String, String> committed = new HashMap<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    committed.put(rows.getString(1), rows.getString(2));
                }
            }
            return committed;
        }
    }

    /**
     * Reconciles the ledger against what clients were told: the journal holds exactly the acknowledged
     * transactions, each under its own key and with its own payload, balanced, and every balance is what
     * the acknowledgements add up to, equal to its postings and its lots, never below zero.
     */
    private static void reconcile(String database, List<Outcome> acknowledged) throws SQLException {
        Map<String, Outcome> byKey = new LinkedHashMap<>();
        acknowledged.forEach(o -> assertEquals(null, byKey.put(o.request().key(), o), "one acknowledgement per key"));
        try (Connection connection = superuser(database)) {
            Map<String, String> keys = committedKeys(database, List.copyOf(byKey.values().stream().map(Outcome::request).toList()));
            byKey.forEach((key, outcome) -> assertEquals(outcome.transactionId(), keys.get(key), "the key " + key + " names the transaction its client holds"));
            Map<String, Map<String, Object>> entries = rows(connection, """
                    select e.id::text as id, e.kind, e.points, e.purchase_amount, m.card_number from journal_entries e
                    join members m on m.id = e.member_id where e.kind <> 'BONUS'""", "id");
            assertEquals(byKey.size(), entries.size(), "journal entries, one per acknowledged key (bonuses aside)");
            // a bonus (a tier's multiplier) is written by its earn's statement: it exists only beside an acknowledged earn
            Map<String, Map<String, Object>> bonuses = rows(connection, """
                    select g.entry_id::text as id, g.earn_entry_id::text as earn from bonus_grants g""", "id");
            bonuses.values().forEach(bonus -> assertTrue(entries.containsKey((String) bonus.get("earn")),
                    "bonus " + bonus + " belongs to an acknowledged earn"));
            byKey.values().forEach(outcome -> assertEntryMatches(entries.get(outcome.transactionId()), outcome));
            assertZero(connection, "unbalanced entries",
                    "select count(*) from (select entry_id from postings group by entry_id having sum(amount) <> 0) unbalanced");
            assertZero(connection, "balances differing from their postings", """
                    select count(*) from members m
                    left join (select account_id, sum(amount) as total from postings group by account_id) p using (account_id)
                    where m.balance <> coalesce(p.total, 0)""");
            assertZero(connection, "balances differing from their lots", """
                    select count(*) from members m
                    left join (select member_id, sum(remaining) as total from lots group by member_id) l on l.member_id = m.id
                    where m.balance <> coalesce(l.total, 0)""");
            assertZero(connection, "negative balances or holds", "select count(*) from members where balance < 0 or held < 0 or held > balance");
            assertBalancesAreWhatClientsWereTold(connection, byKey.values());
        }
    }

    private static void assertEntryMatches(Map<String, Object> entry, Outcome outcome) {
        assertTrue(entry != null, () -> "no journal entry for the acknowledged " + outcome);
        Map<String, Object> input = outcome.request().input();
        assertEquals(CARDS.token(outcome.request().cardNumber()), entry.get("card_number"), "member of " + outcome);
        assertEquals(outcome.points(), ((Number) entry.get("points")).intValue(), "points of " + outcome);
        if (outcome.request().field().equals("earnPoints")) {
            assertEquals(0, ((BigDecimal) input.get("purchaseAmount")).compareTo((BigDecimal) entry.get("purchase_amount")), "amount of " + outcome);
        } else {
            assertEquals(input.get("points"), -outcome.points(), "points redeemed by " + outcome);
        }
    }

    private static void assertBalancesAreWhatClientsWereTold(Connection connection, Iterable<Outcome> acknowledged) throws SQLException {
        Map<String, Long> told = new HashMap<>();
        acknowledged.forEach(o -> told.merge(CARDS.token(o.request().cardNumber()), (long) o.points(), Long::sum));
        // plus the bonuses their earns carried (checked above to belong to acknowledged earns)
        rows(connection, """
                select m.card_number, sum(g.points) as points from bonus_grants g join members m on m.id = g.member_id
                group by m.card_number""", "card_number")
                .forEach((card, bonus) -> told.merge(card, ((Number) bonus.get("points")).longValue(), Long::sum));
        Map<String, Map<String, Object>> members = rows(connection, "select card_number, balance from members", "card_number");
        assertEquals(told.keySet(), members.keySet(), "members");
        told.forEach((card, points) -> assertEquals(points, ((Number) members.get(card).get("balance")).longValue(), "balance of " + card));
    }

    private static void assertZero(Connection connection, String what, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            assertEquals(0, rows.getLong(1), what);
        }
    }

    private static Map<String, Map<String, Object>> rows(Connection connection, String sql, String key) throws SQLException {
        Map<String, Map<String, Object>> rows = new HashMap<>();
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= columns; i++) {
                    row.put(result.getMetaData().getColumnLabel(i), result.getObject(i));
                }
                rows.put(row.get(key).toString(), row);
            }
        }
        return rows;
    }

    private static Connection superuser(String database) throws SQLException {
        return postgres.getDatabase("postgres", database).getConnection();
    }
}
