-- Two-phase redemption, reversals and expiry.

-- A hold reserves points (members.held) without posting; capture posts a REDEMPTION for what is taken.
create table redemption_holds (
    id                uuid primary key,
    member_id         uuid        not null references members (id),
    partner_id        text        not null references partners (id),
    points            int         not null check (points > 0),
    status            text        not null check (status in ('ACTIVE', 'CAPTURED', 'VOIDED', 'EXPIRED')),
    partner_reference text,
    expires_at        timestamptz not null,
    created_at        timestamptz not null default now(),
    resolved_at       timestamptz,
    captured_points   int check (captured_points > 0 and captured_points <= points),
    transaction_id    uuid references journal_entries (id),
    constraint redemption_holds_resolution check ((status = 'ACTIVE') = (resolved_at is null))
);
create index redemption_holds_due on redemption_holds (expires_at) where status = 'ACTIVE';
create index redemption_holds_by_partner on redemption_holds (partner_id, created_at desc);
create index redemption_holds_by_member on redemption_holds (member_id);

alter table redemption_holds enable row level security;
alter table redemption_holds force row level security;
create policy redemption_holds_by_caller on redemption_holds
    using (coalition_sees_all()
           or partner_id = coalition_partner()
           or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM') or partner_id = coalition_partner());

-- A reversal entry's points are what moved on the member's account; reversed_points is how much of the
-- original it reverses. They differ when an earn's points were already spent (the clawback shortfall).
alter table journal_entries add column reversed_points int check (reversed_points > 0);
alter table journal_entries add constraint journal_entries_reversal_shape
    check ((kind = 'REVERSAL') = (reverses_id is not null and reversed_points is not null));

-- A reversed redemption puts points back into the lots it drew from: a negative draw.
alter table lot_consumptions drop constraint lot_consumptions_points_check;
alter table lot_consumptions add constraint lot_consumptions_points_not_zero check (points <> 0);

-- Points of a reversed earn that the member had already spent: the settlement team sees them here.
create table clawbacks (
    entry_id    uuid primary key references journal_entries (id),
    original_id uuid        not null references journal_entries (id),
    partner_id  text        not null references partners (id),
    member_id   uuid        not null references members (id),
    points      int         not null check (points > 0),
    created_at  timestamptz not null default now()
);
alter table clawbacks enable row level security;
alter table clawbacks force row level security;
create policy clawbacks_by_caller on clawbacks
    using (coalition_sees_all() or partner_id = coalition_partner())
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM') or partner_id = coalition_partner());

revoke update on clawbacks from ${appRole};
