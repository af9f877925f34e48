package org.coalition.gateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.GatewayTest;

/** Events, deliveries, replay requests and expiry notices are forgotten once nobody can need them, and not before. */
@GatewayTest
class PartnerEventRetentionTest {

    private static final String OLD = "now() - interval '40 days'";

    @Inject
    PartnerEventRetention retention;

    @Test
    void whatNobodyCanAskForAgainIsForgottenAndTheRestKept() throws SQLException {
        String partner = "retention-" + UUID.randomUUID();
        String listening = "retention-listening-" + UUID.randomUUID();
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl())) {
            UUID endpoint = UUID.randomUUID();
            long delivered = event(sql, partner, OLD);
            delivery(sql, endpoint, partner, delivered, "DELIVERED");
            long dead = event(sql, partner, OLD);
            delivery(sql, endpoint, partner, dead, "DEAD");
            long undelivered = event(sql, listening, OLD);
            // an enabled endpoint that has not reached the old event yet; its open circuit keeps the worker away
            update(sql, """
                    insert into webhook_endpoints (id, partner_id, url, event_types, signing_secret, stream_xact, stream_event,
                                                   breaker_open_until)
                    values ('%s', '%s', 'https://hooks.example.com/later', '{TransactionPosted}', 'whsec_test', '0', 0,
                            now() + interval '1 day')""".formatted(UUID.randomUUID(), listening));
            UUID oldReplay = replay(sql, partner, endpoint, OLD);
            UUID recentReplay = replay(sql, partner, endpoint, "now()");
            long oldNotice = -System.nanoTime();
            long recentNotice = oldNotice - 1;
            update(sql, "insert into lot_expiry_notices (lot_id, announced_at) values (%d, now() - interval '20 days'), (%d, now())"
                    .formatted(oldNotice, recentNotice));

            while (!retention.forget().await().indefinitely().equals(new PartnerEventRetention.Forgotten(0, 0, 0, 0))) {
                // a batch per run; the test database may hold more than one batch of old rows
            }

            assertEquals(0, count(sql, "partner_events where id = " + delivered), "delivered and old");
            assertEquals(0, count(sql, "webhook_deliveries where event_id = " + delivered));
            assertEquals(1, count(sql, "partner_events where id = " + dead), "its dead delivery may still be replayed");
            assertEquals(1, count(sql, "webhook_deliveries where event_id = " + dead));
            assertEquals(1, count(sql, "partner_events where id = " + undelivered), "an enabled endpoint has yet to send it");
            assertEquals(0, count(sql, "webhook_replays where id = '" + oldReplay + "'"));
            assertEquals(1, count(sql, "webhook_replays where id = '" + recentReplay + "'"));
            assertEquals(0, count(sql, "lot_expiry_notices where lot_id = " + oldNotice), "14 days' lead and a day later");
            assertEquals(1, count(sql, "lot_expiry_notices where lot_id = " + recentNotice));
        } finally {
            try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl())) {
                update(sql, "delete from webhook_endpoints where partner_id = '" + listening + "'");
            }
        }
    }

    private static long event(Connection sql, String partner, String createdAt) throws SQLException {
        return single(sql, "insert into partner_events (partner_id, type, payload, created_at) values ('%s', 'TransactionPosted', '{}', %s) returning id"
                .formatted(partner, createdAt));
    }

    private static void delivery(Connection sql, UUID endpoint, String partner, long event, String status) throws SQLException {
        update(sql, "insert into webhook_deliveries (endpoint_id, partner_id, event_id, status, created_at) values ('%s', '%s', %d, '%s', %s)"
                .formatted(endpoint, partner, event, status, OLD));
    }

    private static UUID replay(Connection sql, String partner, UUID endpoint, String createdAt) throws SQLException {
        UUID id = UUID.randomUUID();
        update(sql, "insert into webhook_replays (id, partner_id, endpoint_id, replayed, created_at) values ('%s', '%s', '%s', 1, %s)"
                .formatted(id, partner, endpoint, createdAt));
        return id;
    }

    private static long count(Connection sql, String fromWhere) throws SQLException {
        return single(sql, "select count(*) from " + fromWhere);
    }

    private static long single(Connection sql, String statement) throws SQLException {
        try (PreparedStatement query = sql.prepareStatement(statement); ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void update(Connection sql, String statement) throws SQLException {
        try (PreparedStatement update = sql.prepareStatement(statement)) {
            update.execute();
        }
    }
}
