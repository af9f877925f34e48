-- Events for subscriptions, written in the transaction that posts them (so they exist only once it
-- commits) and polled by every gateway replica. Replaces pg_notify, whose commit-time global lock
-- serializes every notifying transaction in the database: a hot row in all but name.
create table ledger_events (
    id         bigint generated always as identity primary key,
    entry_id   uuid,
    member_id  uuid        not null,
    partner_id text,
    created_at timestamptz not null default now()
);
create index ledger_events_recent on ledger_events (created_at);

-- Events are transient: the gateway deletes them once every replica has had time to see them.
grant delete on ledger_events to ${appRole};
