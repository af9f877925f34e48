package org.coalition.gateway.ledger;

import static org.awaitility.Awaitility.await;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.Projection;

/**
 * A posted entry's ledger event and partner event are written once it has committed, by the journal projection
 * (V64): exactly once, however many projections run and whichever of them fails.
 */
@GatewayTest
class JournalProjectionTest {

    @Inject
    JournalProjection projection;

    @Test
    void everyEntryGetsItsTwoEventsExactlyOnceWhileProjectionsRace() throws Exception {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        List<String> entries = new ArrayList<>();
        AtomicBoolean earning = new AtomicBoolean(true);
        CompletableFuture<Void> racing = CompletableFuture.allOf(
                CompletableFuture.runAsync(() -> projectInSmallSteps(earning)),
                CompletableFuture.runAsync(() -> projectInSmallSteps(earning)));
        for (int i = 0; i < 12; i++) {
            entries.add(Fixtures.earn(i % 2 == 0 ? FRESHMART : FUELCO, Fixtures.earnInput(member, "10.00"))
                    .getString("data.earnPoints.transaction.id"));
        }
        earning.set(false);
        racing.join();
        Projection.awaitLevel();

        for (String entry : entries) {
            assertEquals(1, count("select count(*) from ledger_events where entry_id = ?::uuid", entry), "ledger events of " + entry);
            assertEquals(1, count("select count(*) from partner_events where entry_id = ?::uuid and type = 'TransactionPosted'", entry),
                    "partner events of " + entry);
        }
    }

    @Test
    void aProjectionThatRollsBackLeavesItsEntriesToTheNext() throws Exception {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        projection.pause(); // this replica's own turns, which would otherwise project the earn first
        await().atMost(Duration.ofSeconds(10)).until(projection::idle);
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl())) {
            String entry = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "10.00")).getString("data.earnPoints.transaction.id");
            sql.setAutoCommit(false);
            try (ResultSet projected = sql.createStatement().executeQuery("select journal_project(5000)")) {
                projected.next();
            }
            assertEquals(1, count(sql, "select count(*) from partner_events where entry_id = ?::uuid", entry), "written, not committed");
            sql.rollback();
            assertEquals(0, count("select count(*) from partner_events where entry_id = ?::uuid", entry), "rolled back");
            assertEquals(0, count("select count(*) from ledger_events where entry_id = ?::uuid", entry), "rolled back");

            projection.resume();
            Projection.awaitLevel();
            assertEquals(1, count("select count(*) from partner_events where entry_id = ?::uuid", entry), "the next one wrote it");
            assertEquals(1, count("select count(*) from ledger_events where entry_id = ?::uuid", entry), "the next one wrote it");
        } finally {
            projection.resume();
        }
    }

    /** Projects three entries at a time while the earns go on, as another replica would (when one holds the turn: 0). */
    private static void projectInSmallSteps(AtomicBoolean earning) {
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
                PreparedStatement project = sql.prepareStatement("select journal_project(3)")) {
            while (earning.get()) {
                try (ResultSet projected = project.executeQuery()) {
                    projected.next();
                }
            }
        } catch (Exception failure) {
            throw new IllegalStateException(failure);
        }
    }

    private static long count(String query, String entry) throws Exception {
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl())) {
            return count(sql, query, entry);
        }
    }

    private static long count(Connection sql, String query, String entry) throws Exception {
        try (PreparedStatement statement = sql.prepareStatement(query)) {
            statement.setString(1, entry);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
