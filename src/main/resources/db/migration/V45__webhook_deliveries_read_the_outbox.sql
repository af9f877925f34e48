-- Webhook endpoints read the outbox as a stream instead of getting a delivery row queued in every ledger write.
--
-- V11 queued one webhook_deliveries row per subscribed endpoint inside partner_event_publish, that is inside the
-- earn's statement, and the worker then updated it to DELIVERED: an insert with four indexes in the hot path and a
-- non-HOT update after it, per event (bench/README, "Webhooks beside earns": 0.75 x earn). Now a ledger write only
-- appends its partner_events row, as it did without endpoints; each endpoint keeps a position in its partner's
-- events, and the worker reads past it, sends what the endpoint subscribes to, records the deliveries in one
-- statement per batch and moves the position.
--
-- Events commit out of id order, so a position by id alone could pass an event whose transaction commits later.
-- Every event carries its transaction's id (xid8); the worker reads only events of transactions older than the
-- oldest still running (pg_snapshot_xmin), all of which have ended, and orders them by (transaction, id). No event
-- can appear behind a position afterwards: its transaction had ended before the position passed it. A transaction
-- still running (a settlement close, say) holds deliveries back until it ends; a read-only session does not.
--
-- Delivery rows still record every delivery (the partner's delivery log), written by the worker once sent. A first
-- attempt that fails becomes a PENDING row, retried with backoff; while an endpoint has PENDING rows (retries,
-- replays) its stream waits, so events stay in order per endpoint.

alter table partner_events add column xact_id xid8 not null default pg_current_xact_id();
drop index partner_events_by_partner;
create index partner_events_stream on partner_events (partner_id, xact_id, id);

alter table webhook_endpoints add column stream_xact xid8 not null default pg_current_xact_id(),
                              add column stream_event bigint not null default 0;
-- The existing events carry this migration's transaction id; existing endpoints had theirs queued as deliveries.
update webhook_endpoints set stream_event = (select coalesce(max(id), 0) from partner_events);

-- The one door through which events are raised; no longer queues deliveries.
create or replace function partner_event_publish(_partner text, _type text, _member uuid, _entry uuid, _payload jsonb)
    returns bigint
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _event bigint;
begin
    insert into partner_events (partner_id, type, member_id, entry_id, payload)
    values (_partner, _type, _member, _entry, _payload)
    returning id into _event;
    return _event;
end
$$;

-- Events an endpoint has not reached yet (subscribed types only), for its pending count and the backlog metric.
create function webhook_stream_backlog(_endpoint uuid) returns bigint
    language sql stable as $$
    select count(*) from webhook_endpoints e
    join partner_events ev on ev.partner_id = e.partner_id and (ev.xact_id, ev.id) > (e.stream_xact, e.stream_event)
                          and ev.type = any (e.event_types)
    where e.id = _endpoint and e.enabled
$$;
