package org.coalition.gateway.expiry;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.TenantSessions;
import org.coalition.gateway.webhook.PartnerEventType;
import org.coalition.gateway.webhook.PartnerEvents;

/**
 * Tells each lot's issuer, once and ahead of time, that the lot's remaining points will expire
 * ({@code PointsExpiring}). A run claims up to one batch of lots in {@code lot_expiry_notices} (V12) and
 * raises their events in the same transaction, so several gateways running it at once announce each lot
 * exactly once, and a run that fails announces nothing and leaves its lots to the next.
 */
@ApplicationScoped
public class PointsExpiringNotices {

    // Walks lots_open_by_expiry (V1) through the lead window, soonest first, probing each lot's notice by its key;
    // ordered by expires_at alone so the scan stops at the batch size. Lots already past expiry are LotExpiry's:
    // their issuer hears of the expiry entry (TransactionPosted). Claims are inserted in lot id order, so two runs
    // waiting on each other's claims cannot deadlock.
    private static final String CLAIM_DUE = """
            with due as (
                select l.id, l.member_id, l.issuer_id, l.entry_id, l.remaining, l.expires_at from lots l
                where l.remaining > 0 and l.expires_at > now() and l.expires_at <= now() + $2::bigint * interval '1 second'
                  and not exists (select 1 from lot_expiry_notices n where n.lot_id = l.id)
                order by l.expires_at limit $1
            ), claimed as (
                insert into lot_expiry_notices (lot_id) select id from due order by id
                on conflict (lot_id) do nothing
                returning lot_id
            )
            select due.* from due join claimed on claimed.lot_id = due.id order by due.expires_at, due.id
            """;

    private final TenantSessions sessions;
    private final PartnerEvents events;
    private final CoalitionConfig config;

    public PointsExpiringNotices(TenantSessions sessions, PartnerEvents events, CoalitionConfig config) {
        this.sessions = sessions;
        this.events = events;
        this.config = config;
    }

    @Scheduled(every = "${coalition.expiry.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> announceOnSchedule() {
        return announceDue().invoke(lots -> {
            if (lots > 0) {
                Log.infof("Announced %d lots expiring within %s", lots, config.webhooks().pointsExpiringLead());
            }
        }).replaceWithVoid()
                // the circuit breaker logs the outage once; the next run announces the lots still due
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    /** Announces up to one batch of lots expiring within the lead time; returns how many. */
    public Uni<Long> announceDue() {
        Duration lead = config.webhooks().pointsExpiringLead();
        return sessions.asSystem(connection -> connection.preparedQuery(CLAIM_DUE)
                .execute(Tuple.of(config.expiry().batchSize(), lead.toSeconds()))
                .flatMap(claimed -> announce(connection, claimed)));
    }

    private Uni<Long> announce(SqlConnection connection, RowSet<Row> claimed) {
        return Multi.createFrom().iterable(claimed)
                .onItem().transformToUniAndConcatenate(lot -> events.publish(connection, lot.getString("issuer_id"),
                        PartnerEventType.POINTS_EXPIRING, lot.getUUID("member_id"), lot.getUUID("entry_id"), pointsExpiring(lot)))
                .collect().last()
                .replaceWith((long) claimed.size());
    }

    private static JsonObject pointsExpiring(Row lot) {
        return new JsonObject()
                .put("lotId", lot.getLong("id").toString())
                .put("memberId", lot.getUUID("member_id").toString())
                .put("points", lot.getInteger("remaining"))
                .put("expiresAt", lot.getOffsetDateTime("expires_at").toInstant().toString());
    }
}
