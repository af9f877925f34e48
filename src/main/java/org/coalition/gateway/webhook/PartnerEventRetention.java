package org.coalition.gateway.webhook;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Forgets delivered deliveries and their events after {@code coalition.webhooks.retention} (30 days), a batch
 * per run so that no run is a long transaction. Pending and dead deliveries are kept however old, and so are
 * their events: a partner may still replay them; so are events an enabled endpoint has not reached yet.
 */
@ApplicationScoped
public class PartnerEventRetention {

    static final int BATCH = 10_000;
    private static final String FORGET = """
            with old_deliveries as (
                delete from webhook_deliveries where id in (
                    select id from webhook_deliveries
                    where created_at < now() - make_interval(secs => $1) and status = 'DELIVERED' limit $2)
                returning id
            ), old_events as (
                delete from partner_events where id in (
                    select ev.id from partner_events ev
                    where ev.created_at < now() - make_interval(secs => $1)
                      and not exists (select 1 from webhook_deliveries d where d.event_id = ev.id and d.status <> 'DELIVERED')
                      and not exists (select 1 from webhook_endpoints e where e.partner_id = ev.partner_id and e.enabled
                                      and (ev.xact_id, ev.id) > (e.stream_xact, e.stream_event))
                    limit $2)
                returning id
            )
            select (select count(*) from old_deliveries) as deliveries, (select count(*) from old_events) as events
            """;

    private final TenantSessions sessions;
    private final double retentionSeconds;

    public PartnerEventRetention(TenantSessions sessions, CoalitionConfig config) {
        this.sessions = sessions;
        this.retentionSeconds = config.webhooks().retention().toSeconds();
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> forgetOldEvents() {
        return sessions.asSystem(connection -> connection.preparedQuery(FORGET).execute(Tuple.of(retentionSeconds, BATCH)))
                .invoke(rows -> {
                    var counts = rows.iterator().next();
                    if (counts.getLong("events") > 0) {
                        Log.infof("Forgot %d partner events and %d deliveries past retention", counts.getLong("events"),
                                counts.getLong("deliveries"));
                    }
                })
                .replaceWithVoid()
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }
}
