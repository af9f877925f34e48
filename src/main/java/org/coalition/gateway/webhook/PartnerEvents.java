package org.coalition.gateway.webhook;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Raises a partner event inside the caller's transaction (the outbox): the event, and a delivery for each
 * subscribed endpoint, commit or roll back with the change they report. Journal entries raise theirs in
 * SQL ({@code ledger_append_entry}, V11); the other changes call this.
 */
@ApplicationScoped
public class PartnerEvents {

    private static final String PUBLISH = "select partner_event_publish($1, $2, $3, $4, $5::jsonb)";

    /**
     * @param memberId the member the event is about, if any
     * @param entryId  the journal entry the event is about, if any
     * @param data     the event's {@code data}; instants as ISO-8601 UTC strings, money as decimal strings
     */
    public Uni<Void> publish(SqlConnection connection, String partnerId, PartnerEventType type, UUID memberId, UUID entryId,
            JsonObject data) {
        return connection.preparedQuery(PUBLISH)
                .execute(Tuple.of(partnerId, type.wireName(), memberId, entryId, data))
                .replaceWithVoid();
    }
}
