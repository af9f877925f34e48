-- Settlement periods. Closing a period sweeps every record not yet in a period and posted before the
-- period's cutoff into it, then freezes statements and the bilateral matrix. A record whose
-- transaction commits after a close is simply swept by the next close: never lost, never twice.
create table settlement_periods (
    id        uuid primary key,
    starts_at timestamptz not null unique,
    ends_at   timestamptz not null,
    status    text        not null check (status in ('OPEN', 'CLOSED')),
    closed_at timestamptz,
    cutoff    timestamptz,
    check (ends_at > starts_at),
    check ((status = 'CLOSED') = (closed_at is not null and cutoff is not null))
);

create table period_records (
    record_id uuid primary key references settlement_records (id),
    period_id uuid not null references settlement_periods (id)
);
create index period_records_by_period on period_records (period_id, record_id);

create table settlement_statements (
    period_id                  uuid           not null references settlement_periods (id),
    partner_id                 text           not null references partners (id),
    currency                   char(3)        not null,
    points_issued              bigint         not null,
    points_redeemed_here       bigint         not null,
    points_redeemed_elsewhere  bigint         not null,
    points_expired             bigint         not null,
    amount_owed                numeric(19, 4) not null,
    amount_due                 numeric(19, 4) not null,
    net                        numeric(19, 4) not null,
    primary key (period_id, partner_id, currency)
);

create table bilateral_positions (
    period_id   uuid           not null references settlement_periods (id),
    debtor_id   text           not null references partners (id),
    creditor_id text           not null references partners (id),
    currency    char(3)        not null,
    points      bigint         not null,
    amount      numeric(19, 4) not null,
    primary key (period_id, debtor_id, creditor_id, currency)
);

-- Closed periods never change: the gateway may only add to these tables.
revoke update on period_records, settlement_statements, bilateral_positions from ${appRole};

alter table settlement_statements enable row level security;
alter table settlement_statements force row level security;
create policy settlement_statements_by_caller on settlement_statements
    using (coalition_sees_all() or partner_id = coalition_partner())
    with check (coalition_caller_kind() in ('SETTLEMENT', 'OPERATOR', 'SYSTEM'));

alter table bilateral_positions enable row level security;
alter table bilateral_positions force row level security;
create policy bilateral_positions_by_caller on bilateral_positions
    using (coalition_sees_all() or debtor_id = coalition_partner() or creditor_id = coalition_partner())
    with check (coalition_caller_kind() in ('SETTLEMENT', 'OPERATOR', 'SYSTEM'));
