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
 * their events: a partner may still replay them; so are events an enabled endpoint has not reached yet. Replay
 * requests and PointsExpiring notices are forgotten too once nothing can ask for them again (V47).
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
            ), old_replays as (
                delete from webhook_replays where id in (
                    select id from webhook_replays where created_at < now() - make_interval(secs => $1) limit $2)
                returning id
            ), old_notices as (
                delete from lot_expiry_notices where lot_id in (
                    select lot_id from lot_expiry_notices where announced_at < now() - make_interval(secs => $3) limit $2)
                returning lot_id
            )
            select (select count(*) from old_deliveries) as deliveries, (select count(*) from old_events) as events,
                   (select count(*) from old_replays) as replays, (select count(*) from old_notices) as notices
            """;

    private final TenantSessions sessions;
    private final double retentionSeconds;
    private final double noticeSeconds;

    public PartnerEventRetention(TenantSessions sessions, CoalitionConfig config) {
        this.sessions = sessions;
        this.retentionSeconds = config.webhooks().retention().toSeconds();
        // a PointsExpiring notice this old names a lot past its expiry, which no announcing run looks at again
        this.noticeSeconds = config.webhooks().pointsExpiringLead().plusDays(1).toSeconds();
    }

    /** What one run forgot. */
    public record Forgotten(long events, long deliveries, long replays, long notices) {
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> forgetOnSchedule() {
        return forget()
                .invoke(forgotten -> {
                    if (forgotten.events() + forgotten.deliveries() + forgotten.replays() + forgotten.notices() > 0) {
                        Log.infof("Forgot past retention: %s", forgotten);
                    }
                })
                .replaceWithVoid()
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    /** Forgets up to one batch of each kind. */
    public Uni<Forgotten> forget() {
        return sessions.asSystem(connection -> connection.preparedQuery(FORGET)
                        .execute(Tuple.of(retentionSeconds, BATCH, noticeSeconds)))
                .map(rows -> {
                    var counts = rows.iterator().next();
                    return new Forgotten(counts.getLong("events"), counts.getLong("deliveries"), counts.getLong("replays"),
                            counts.getLong("notices"));
                });
    }
}
