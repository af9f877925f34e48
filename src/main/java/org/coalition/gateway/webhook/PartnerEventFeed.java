package org.coalition.gateway.webhook;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * A partner's own events, read back in the order its endpoints receive them: how a receiver that lost some (a
 * restore from backup, a bug that acknowledged without processing) catches up from the last event it handled,
 * like Stripe's events list. Only events of ended transactions are listed, so a page never gains an event
 * before its last one afterwards.
 */
@ApplicationScoped
public class PartnerEventFeed {

    static final int MAX_PAGE = 200;

    /** From the event after {@code $2}; from the oldest kept when there is none such (none given, or forgotten). */
    private static final String PAGE = """
            with after as (
                select coalesce((select a.xact_id from partner_events a where a.id = $2 and a.partner_id = $1), '0'::xid8) as xact_id
            )
            select ev.id as event_id, ev.type, ev.payload::text as payload_text, ev.created_at as event_created_at, ev.partner_id
            from after, partner_events ev
            where ev.partner_id = $1 and (ev.xact_id, ev.id) > (after.xact_id, $2)
              and ev.xact_id < pg_snapshot_xmin(pg_current_snapshot())
              and ($3::text[] is null or ev.type = any ($3))
            order by ev.xact_id, ev.id
            limit $4
            """;

    @Type("PartnerEvent")
    @Description("An event as its webhook carries it.")
    public record PartnerEvent(@Id @NonNull String id, @NonNull PartnerEventType type, @NonNull String createdAt,
            @NonNull @Description("The JSON body a webhook endpoint receives for this event.") String body) {
    }

    private final TenantSessions sessions;

    public PartnerEventFeed(TenantSessions sessions) {
        this.sessions = sessions;
    }

    public Uni<List<PartnerEvent>> page(Caller caller, String after, List<PartnerEventType> types, Integer first) {
        Optional<Long> afterEvent = after == null ? Optional.of(0L) : eventNumber(after);
        if (afterEvent.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        String[] wireNames = types == null || types.isEmpty() ? null
                : types.stream().map(PartnerEventType::wireName).toArray(String[]::new);
        int limit = Math.max(1, Math.min(first == null ? 50 : first, MAX_PAGE));
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(PAGE)
                .execute(Tuple.tuple().addString(caller.partnerId()).addLong(afterEvent.get()).addArrayOfString(wireNames)
                        .addInteger(limit))
                .map(rows -> rows.stream().map(PartnerEventFeed::event).toList()));
    }

    private static PartnerEvent event(Row row) {
        return new PartnerEvent(EventBody.eventId(row.getLong("event_id")),
                PartnerEventType.fromWireName(row.getString("type")).orElseThrow(),
                row.getOffsetDateTime("event_created_at").toInstant().toString(), EventBody.of(row));
    }

    /** {@code evt_1042} or {@code 1042}; anything else names no event. */
    static Optional<Long> eventNumber(String eventId) {
        String digits = eventId.startsWith(EventBody.EVENT_ID_PREFIX) ? eventId.substring(EventBody.EVENT_ID_PREFIX.length()) : eventId;
        return digits.matches("\\d{1,18}") ? Optional.of(Long.parseLong(digits)) : Optional.empty();
    }
}
