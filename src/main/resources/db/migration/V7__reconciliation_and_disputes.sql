-- A partner's own view of a period, to compare with the ledger.
create table reconciliation_reports (
    id           uuid primary key,
    period_id    uuid        not null references settlement_periods (id),
    partner_id   text        not null references partners (id),
    submitted_at timestamptz not null default now()
);
create table reconciliation_lines (
    report_id         uuid not null references reconciliation_reports (id),
    line_no           int  not null,
    partner_reference text not null,
    kind              text not null,
    points            int  not null,
    primary key (report_id, line_no)
);
revoke update on reconciliation_reports, reconciliation_lines from ${appRole};

alter table reconciliation_reports enable row level security;
alter table reconciliation_reports force row level security;
create policy reconciliation_reports_by_caller on reconciliation_reports
    using (coalition_sees_all() or partner_id = coalition_partner())
    with check (partner_id = coalition_partner());

-- A partner contests a record; the settlement team resolves it with an adjustment in the next open period.
create table disputes (
    id                   uuid primary key,
    record_id            uuid        not null references settlement_records (id),
    raised_by            text        not null references partners (id),
    reason               text        not null,
    status               text        not null check (status in ('OPEN', 'ACCEPTED', 'REJECTED')),
    adjustment_record_id uuid references settlement_records (id),
    note                 text,
    created_at           timestamptz not null default now(),
    resolved_at          timestamptz
);
create unique index disputes_one_open_per_record on disputes (record_id) where status = 'OPEN';

alter table disputes enable row level security;
alter table disputes force row level security;
create policy disputes_by_caller on disputes
    using (coalition_sees_all() or raised_by = coalition_partner())
    with check (coalition_sees_all() or raised_by = coalition_partner());

-- The settlement team writes adjustment records when it accepts a dispute.
drop policy settlement_records_by_caller on settlement_records;
create policy settlement_records_by_caller on settlement_records
    using (coalition_sees_all() or debtor_id = coalition_partner() or creditor_id = coalition_partner())
    with check (coalition_caller_kind() in ('SETTLEMENT', 'OPERATOR', 'SYSTEM')
                or debtor_id = coalition_partner() or creditor_id = coalition_partner()
                or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()));
