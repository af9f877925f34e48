package org.coalition.gateway.webhook;

import java.time.OffsetDateTime;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The JSON a webhook endpoint receives: the same bytes on every attempt, so a receiver may de-duplicate
 * on {@code id} and may also compare bodies.
 */
final class EventBody {

    static final String EVENT_ID_PREFIX = "evt_";

    private EventBody() {
    }

    static String eventId(long sequence) {
        return EVENT_ID_PREFIX + sequence;
    }

    /** From a row with {@code event_id}, {@code type}, {@code partner_id}, {@code event_created_at} and {@code payload}. */
    static String of(Row row) {
        OffsetDateTime createdAt = row.getOffsetDateTime("event_created_at");
        return new JsonObject()
                .put("id", eventId(row.getLong("event_id")))
                .put("type", row.getString("type"))
                .put("createdAt", createdAt.toInstant().toString())
                .put("partnerId", row.getString("partner_id"))
                .put("data", row.getJsonObject("payload"))
                .encode();
    }
}
