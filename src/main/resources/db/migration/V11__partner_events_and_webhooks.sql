-- Partner events: a transactional outbox and the webhook deliveries that carry it to partners.
--
-- An event is a row of partner_events written by the transaction whose change it reports, through
-- partner_event_publish, so it exists if and only if that change committed. In the same statement the
-- function queues one delivery per enabled endpoint of that partner subscribed to the event's type:
-- fan-out needs no reader that could miss an event committed out of id order, and a partner without
-- endpoints pays one insert per event.
--
-- Deliveries go out in id order per endpoint. A worker leases an endpoint (FOR NO KEY UPDATE SKIP LOCKED,
-- so replicas never send one endpoint's events at the same time) and sends its oldest pending delivery
-- until one fails. Nothing here references the ledger with a foreign key, and the hot path never locks
-- an endpoint row: delivery never blocks a ledger write.

create table partner_events (
    id         bigint generated always as identity primary key,
    partner_id text        not null,
    type       text        not null,
    member_id  uuid,
    entry_id   uuid,
    payload    jsonb       not null,
    created_at timestamptz not null default now()
);
create index partner_events_by_partner on partner_events (partner_id, id);
-- Append-only and in time order: a BRIN index finds what retention forgets for almost no write cost.
create index partner_events_created on partner_events using brin (created_at);

create table webhook_endpoints (
    id                         uuid primary key,
    partner_id                 text        not null,
    url                        text        not null,
    description                text,
    event_types                text[]      not null,
    enabled                    boolean     not null default true,
    -- HMAC keys; read only by the delivery worker and shown to the partner once, when created or rotated.
    signing_secret             text        not null,
    previous_signing_secret    text,
    previous_secret_expires_at timestamptz,
    created_at                 timestamptz not null default now(),
    updated_at                 timestamptz not null default now(),
    -- delivery state, shared by every replica
    consecutive_failures       int         not null default 0,
    breaker_open_until         timestamptz,
    lease_owner                text,
    lease_until                timestamptz
);
create index webhook_endpoints_by_partner on webhook_endpoints (partner_id);

create table webhook_deliveries (
    id                   bigint generated always as identity primary key,
    endpoint_id          uuid        not null,
    partner_id           text        not null,
    event_id             bigint      not null,
    status               text        not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'DEAD')),
    attempts             int         not null default 0,
    next_attempt_at      timestamptz not null default now(),
    last_attempt_at      timestamptz,
    last_response_status int,
    last_error           text,
    delivered_at         timestamptz,
    created_at           timestamptz not null default now()
);
create index webhook_deliveries_pending on webhook_deliveries (endpoint_id, id) where status = 'PENDING';
create index webhook_deliveries_dead on webhook_deliveries (endpoint_id, id) where status = 'DEAD';
create index webhook_deliveries_by_event on webhook_deliveries (event_id);
create index webhook_deliveries_created on webhook_deliveries using brin (created_at);

-- A partner's request to send dead deliveries again: what it replayed, so a retried request answers the same.
create table webhook_replays (
    id          uuid primary key,
    partner_id  text        not null,
    endpoint_id uuid        not null,
    replayed    int         not null,
    created_at  timestamptz not null default now()
);
revoke update on webhook_replays from ${appRole};

grant delete on partner_events, webhook_endpoints, webhook_deliveries to ${appRole};

-- Partners see their own events, endpoints and deliveries; the gateway's own jobs see all. Not FORCEd:
-- partner_event_publish runs as the tables' owner, because a partner's transaction may raise an event
-- for another partner (a dispute reaches the record's counterparty) and must queue its deliveries.
alter table partner_events enable row level security;
create policy partner_events_by_caller on partner_events
    using (coalition_sees_all() or coalition_caller_kind() = 'SYSTEM' or partner_id = coalition_partner());
alter table webhook_endpoints enable row level security;
create policy webhook_endpoints_by_caller on webhook_endpoints
    using (coalition_caller_kind() = 'SYSTEM' or partner_id = coalition_partner())
    with check (coalition_caller_kind() = 'SYSTEM' or partner_id = coalition_partner());
alter table webhook_deliveries enable row level security;
create policy webhook_deliveries_by_caller on webhook_deliveries
    using (coalition_caller_kind() = 'SYSTEM' or partner_id = coalition_partner())
    with check (coalition_caller_kind() = 'SYSTEM' or partner_id = coalition_partner());
alter table webhook_replays enable row level security;
alter table webhook_replays force row level security;
create policy webhook_replays_by_caller on webhook_replays
    using (partner_id = coalition_partner()) with check (partner_id = coalition_partner());

-- The one door through which events are raised. Returns the event's id.
create function partner_event_publish(_partner text, _type text, _member uuid, _entry uuid, _payload jsonb)
    returns bigint
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _event bigint;
begin
    insert into partner_events (partner_id, type, member_id, entry_id, payload)
    values (_partner, _type, _member, _entry, _payload)
    returning id into _event;
    insert into webhook_deliveries (endpoint_id, partner_id, event_id)
    select e.id, _partner, _event from webhook_endpoints e
    where e.partner_id = _partner and e.enabled and _type = any (e.event_types);
    return _event;
end
$$;
revoke all on function partner_event_publish(text, text, uuid, uuid, jsonb) from public;
grant execute on function partner_event_publish(text, text, uuid, uuid, jsonb) to ${appRole};

-- UTC, to the microsecond, the way the API writes instants.
create function coalition_instant(_at timestamptz) returns text
    language sql immutable as $$
    select to_char(_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- Every journal entry a partner posted raises TransactionPosted, or TransactionReversed for a reversal,
-- for that partner. Same signature as V9's: every path that posts keeps calling it.
create or replace function ledger_append_entry(_id uuid, _kind text, _member uuid, _partner text, _points int,
                                               _purchase_amount numeric, _currency text, _channel text, _reference text,
                                               _occurred_at timestamptz, _reverses uuid, _contract_version int,
                                               _accounts bigint[], _amounts bigint[], _lot_issuer text, _lot_points int,
                                               _lot_earned_at timestamptz, _lot_expires_at timestamptz, _reversed_points int)
    returns timestamptz
    language plpgsql as $$
declare
    _posted_at timestamptz;
begin
    insert into journal_entries (id, kind, member_id, partner_id, points, purchase_amount, currency, channel,
                                 partner_reference, occurred_at, reverses_id, contract_version, reversed_points)
    values (_id, _kind, _member, _partner, _points, _purchase_amount, _currency, _channel, _reference,
            _occurred_at, _reverses, _contract_version, _reversed_points)
    returning posted_at into _posted_at;
    insert into postings (entry_id, account_id, member_id, partner_id, amount)
    select _id, leg.account_id, _member, _partner, leg.amount from unnest(_accounts, _amounts) as leg(account_id, amount);
    if _lot_points > 0 then
        insert into lots (member_id, issuer_id, entry_id, points, remaining, earned_at, expires_at)
        values (_member, _lot_issuer, _id, _lot_points, _lot_points, _lot_earned_at, _lot_expires_at);
    end if;
    insert into ledger_events (entry_id, member_id, partner_id) values (_id, _member, _partner);
    if _partner is not null then
        perform partner_event_publish(_partner,
                case when _reverses is null then 'TransactionPosted' else 'TransactionReversed' end,
                _member, _id,
                jsonb_build_object('transactionId', _id, 'kind', _kind, 'memberId', _member, 'partnerId', _partner,
                                   'points', _points, 'purchaseAmount', _purchase_amount::text, 'currency', _currency,
                                   'channel', _channel, 'partnerReference', _reference,
                                   'occurredAt', coalition_instant(_occurred_at), 'postedAt', coalition_instant(_posted_at),
                                   'reversesTransactionId', _reverses));
    end if;
    return _posted_at;
end
$$;
