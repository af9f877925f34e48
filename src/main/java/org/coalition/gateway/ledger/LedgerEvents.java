package org.coalition.gateway.ledger;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.smallrye.mutiny.Uni;

/**
 * What just changed in the ledger, for subscriptions. Writers raise events with {@code pg_notify} inside
 * their transaction, so PostgreSQL delivers them only once the transaction commits, and to every
 * gateway replica; each replica listens on one connection and fans events out to its subscribers.
 */
@ApplicationScoped
public class LedgerEvents {

    public static final String CHANNEL = "ledger_events";
    private static final String NOTIFY_BALANCE = "select pg_notify('" + CHANNEL + "', 'B|' || $1::text)";
    private static final long RECONNECT_DELAY_MILLIS = 1000;

    /** A posted transaction ({@code entryId} set) or a change of a member's held points only. */
    public record LedgerEvent(Optional<UUID> entryId, UUID memberId, Optional<String> partnerId) {
    }

    private final BroadcastProcessor<LedgerEvent> events = BroadcastProcessor.create();
    private final Vertx vertx;
    private final String url;
    private final String user;
    private final Optional<String> password;
    private PgSubscriber subscriber;

    public LedgerEvents(Vertx vertx, @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    void listen(@Observes StartupEvent event) {
        PgConnectOptions options = PgConnectOptions.fromUri(url).setUser(user);
        password.ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> RECONNECT_DELAY_MILLIS);
        subscriber.channel(CHANNEL).handler(this::dispatch);
        subscriber.connect().await().indefinitely();
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.close().await().indefinitely();
        }
    }

    public Multi<LedgerEvent> stream() {
        return events;
    }

    /** Raises a balance event for a change that posts no entry (a hold placed or released). */
    public Uni<Void> balanceChanged(SqlConnection connection, UUID memberId) {
        return connection.preparedQuery(NOTIFY_BALANCE).execute(Tuple.of(memberId.toString())).replaceWithVoid();
    }

    /** SQL expression, for the journal's insert, raising a transaction event. */
    static String notifyPosted(String entryId, String memberId, String partnerId) {
        return "pg_notify('" + CHANNEL + "', 'T|' || " + entryId + "::text || '|' || " + memberId + "::text || '|' || " + partnerId + ")";
    }

    private void dispatch(String payload) {
        String[] parts = payload.split("\\|");
        try {
            if (parts[0].equals("T") && parts.length == 4) {
                events.onNext(new LedgerEvent(Optional.of(UUID.fromString(parts[1])), UUID.fromString(parts[2]), Optional.of(parts[3])));
            } else if (parts[0].equals("B") && parts.length == 2) {
                events.onNext(new LedgerEvent(Optional.empty(), UUID.fromString(parts[1]), Optional.empty()));
            }
        } catch (IllegalArgumentException malformed) {
            Log.warnf("ignored a malformed ledger event: %s", payload);
        }
    }
}
