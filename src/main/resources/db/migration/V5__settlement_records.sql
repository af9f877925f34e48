-- Who owes whom for every point that moved, written in the same transaction as the journal entry that
-- caused it: no record without its transaction, no transaction without its records. Records are
-- immutable; periods aggregate them by posting time.
create table settlement_records (
    id          uuid primary key,
    kind        text           not null check (kind in ('ISSUANCE_FEE', 'REDEMPTION', 'EXPIRY', 'REVERSAL', 'ADJUSTMENT')),
    entry_id    uuid references journal_entries (id),
    member_id   uuid references members (id),
    debtor_id   text           not null references partners (id),
    creditor_id text           not null references partners (id),
    points      int            not null check (points > 0),
    amount      numeric(19, 4) not null check (amount >= 0),
    currency    char(3)        not null,
    posted_at   timestamptz    not null default now(),
    constraint settlement_records_cause check ((kind = 'ADJUSTMENT') = (entry_id is null))
);
create index settlement_records_by_time on settlement_records (posted_at, id);
create index settlement_records_by_debtor on settlement_records (debtor_id, posted_at);
create index settlement_records_by_creditor on settlement_records (creditor_id, posted_at);
create index settlement_records_by_entry on settlement_records (entry_id);

revoke update on settlement_records from ${appRole};

alter table settlement_records enable row level security;
alter table settlement_records force row level security;
create policy settlement_records_by_caller on settlement_records
    using (coalition_sees_all() or debtor_id = coalition_partner() or creditor_id = coalition_partner())
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')
                or debtor_id = coalition_partner() or creditor_id = coalition_partner()
                or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()));
