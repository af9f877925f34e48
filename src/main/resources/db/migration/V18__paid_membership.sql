-- Paid memberships (issue 11): a member joins a club of partner-contracts/coalition/clubs.yaml through a partner
-- that may sell it. The club's terms are copied onto the membership when it is bought (a later change of the file
-- does not change what the member paid for). The fee is money, not points: it moves no point in the journal and is
-- recorded in settlement only, as MEMBERSHIP_FEE records linked to the membership instead of a journal entry.
create table paid_memberships (
    id                uuid primary key,
    member_id         uuid           not null references members (id),
    club_id           text           not null,
    -- the selling partner; no foreign key to partners, which would make it a hot row (V10)
    partner_id        text           not null,
    -- ACTIVE until ends_at; CANCELLED: refunded in cooling-off, ends_at moved to the cancellation; LAPSED: past
    -- ends_at without renewal (reads compute it from ends_at, the next start of the same club stores it)
    status            text           not null check (status in ('ACTIVE', 'CANCELLED', 'LAPSED')),
    earn_multiplier   numeric(4, 2)  not null check (earn_multiplier >= 1),
    fee_amount        numeric(19, 4) not null check (fee_amount > 0),
    currency          char(3)        not null,
    term              text           not null,
    cooling_off_days  int            not null check (cooling_off_days >= 0),
    starts_at         timestamptz    not null,
    ends_at           timestamptz    not null,
    -- cancelled after cooling-off: no refund, runs to ends_at, may not be renewed
    cancelled_at      timestamptz,
    created_at        timestamptz    not null default now(),
    check (ends_at >= starts_at),
    check ((status = 'CANCELLED') <= (cancelled_at is not null))
);
-- At most one active membership per member and club; an active one past its end is set LAPSED before a new start.
create unique index paid_memberships_one_active on paid_memberships (member_id, club_id) where status = 'ACTIVE';
create index paid_memberships_by_member on paid_memberships (member_id, ends_at);
create index paid_memberships_by_partner on paid_memberships (partner_id, created_at, id);

-- Every fee the member paid for a membership: the start and each renewal, with the partner's payment reference.
create table paid_membership_charges (
    id                uuid primary key,
    membership_id     uuid           not null references paid_memberships (id),
    member_id         uuid           not null,
    partner_id        text           not null,
    kind              text           not null check (kind in ('START', 'RENEWAL')),
    payment_reference text           not null,
    fee_amount        numeric(19, 4) not null check (fee_amount > 0),
    -- what the selling partner owes the operator: the fee less its commission
    operator_share    numeric(19, 4) not null check (operator_share >= 0 and operator_share <= fee_amount),
    currency          char(3)        not null,
    term_starts_at    timestamptz    not null,
    term_ends_at      timestamptz    not null,
    charged_at        timestamptz    not null default now()
);
create index paid_membership_charges_by_membership on paid_membership_charges (membership_id, charged_at);
revoke update on paid_membership_charges from ${appRole};

-- The selling partner and the member see a membership; no other partner does. Not FORCEd: member_club_multiplier
-- and paid_memberships_lapse run as the owner, because any partner's earn (and any partner's sale) must see every
-- membership of the member.
alter table paid_memberships enable row level security;
create policy paid_memberships_by_caller on paid_memberships
    using (coalition_sees_all() or partner_id = coalition_partner()
           or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM') or partner_id = coalition_partner()
                or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()));
alter table paid_membership_charges enable row level security;
alter table paid_membership_charges force row level security;
create policy paid_membership_charges_by_caller on paid_membership_charges
    using (coalition_sees_all() or partner_id = coalition_partner()
           or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM') or partner_id = coalition_partner()
                or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()));

-- For the earn path: the highest earn multiplier of the clubs the member is an active paid member of at _at, or
-- 1.0 when none. Active at _at means starts_at <= _at < ends_at: benefits stop at ends_at exactly, after a lapse
-- and after a cooling-off refund alike (the refund moves ends_at to the cancellation). One index probe by member
-- (paid_memberships_by_member), so it can run inside earn_points. Usage, e.g. base points x multiplier:
--   select member_club_multiplier(m.id, now()) from members m where m.card_number = $1;
create function member_club_multiplier(_member uuid, _at timestamptz) returns numeric
    language sql stable security definer set search_path = public as $$
    select coalesce(max(earn_multiplier), 1.0) from paid_memberships
    where member_id = _member and starts_at <= _at and _at < ends_at
$$;

-- Before a new start of a club: any membership of it past its end becomes LAPSED, whichever partner sold it, so
-- that paid_memberships_one_active only counts memberships that are active now.
create function paid_memberships_lapse(_member uuid, _club text) returns void
    language sql security definer set search_path = public as $$
    update paid_memberships set status = 'LAPSED'
    where member_id = _member and club_id = _club and status = 'ACTIVE' and ends_at <= now()
$$;

-- Settlement: a membership fee is money the selling partner collected from the member. It owes the operator the
-- fee less its commission (debtor = seller, creditor = operator); a cooling-off refund is the opposite record
-- (debtor = operator, creditor = seller). Such records have no journal entry and no points (points = 0, so that
-- statements' point columns and the bilateral matrix add them up as nothing); their amounts are netted like any
-- record's. New constraints are added NOT VALID and validated after, so that the big table is not locked
-- against writes while it is scanned.
alter table settlement_records add column membership_id uuid references paid_memberships (id);
create index settlement_records_by_membership on settlement_records (membership_id) where membership_id is not null;

alter table settlement_records drop constraint settlement_records_kind_check;
alter table settlement_records add constraint settlement_records_kind_check
    check (kind in ('ISSUANCE_FEE', 'REDEMPTION', 'EXPIRY', 'REVERSAL', 'ADJUSTMENT', 'MEMBERSHIP_FEE')) not valid;
alter table settlement_records drop constraint settlement_records_points_check;
alter table settlement_records add constraint settlement_records_points_check
    check (points > 0 or (kind = 'MEMBERSHIP_FEE' and points = 0)) not valid;
alter table settlement_records drop constraint settlement_records_cause;
alter table settlement_records add constraint settlement_records_cause
    check (case kind
               when 'ADJUSTMENT' then entry_id is null and membership_id is null
               when 'MEMBERSHIP_FEE' then entry_id is null and membership_id is not null
               else entry_id is not null and membership_id is null end) not valid;
alter table settlement_records validate constraint settlement_records_kind_check;
alter table settlement_records validate constraint settlement_records_points_check;
alter table settlement_records validate constraint settlement_records_cause;
