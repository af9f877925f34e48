-- Transfers between members (issue 11, item 7) and the households that pool points.
--
-- A transfer is one TRANSFER journal entry of the coalition operator: the sender's member account -p, the
-- recipient's +p. The sender's lots are drawn oldest first and every piece drawn becomes a lot of the
-- recipient with the same issuer, earned_at and expires_at, so expiry and settlement stay exact and no
-- money moves between partners (no settlement records; LedgerAudit exempts TRANSFER and its reversals).

alter table journal_entries drop constraint journal_entries_kind_check;
alter table journal_entries add constraint journal_entries_kind_check
    check (kind in ('EARN', 'REDEMPTION', 'REVERSAL', 'EXPIRY', 'DONATION', 'ADJUSTMENT', 'BONUS', 'TRANSFER'));

-- The sender's lot a transferred lot came from: a reversal puts the points back there.
alter table lots add column transferred_from bigint references lots (id);

create table households (
    id         uuid primary key,
    created_by uuid        not null references members (id),
    created_at timestamptz not null default now()
);

-- A member belongs to at most one household: the member is the key.
create table household_members (
    member_id    uuid primary key references members (id),
    household_id uuid        not null references households (id),
    joined_at    timestamptz not null default now()
);
create index household_members_by_household on household_members (household_id);

create table household_invitations (
    id           uuid primary key,
    household_id uuid        not null references households (id),
    invitee_id   uuid        not null references members (id),
    invited_by   uuid        not null references members (id),
    status       text        not null check (status in ('PENDING', 'ACCEPTED', 'DECLINED', 'WITHDRAWN')),
    created_at   timestamptz not null default now(),
    resolved_at  timestamptz,
    constraint household_invitations_resolution check ((status = 'PENDING') = (resolved_at is null))
);
create unique index household_invitations_one_pending on household_invitations (household_id, invitee_id)
    where status = 'PENDING';
create index household_invitations_by_invitee on household_invitations (invitee_id) where status = 'PENDING';

-- An offer outside a household reserves the sender's points (members.held) until it is accepted, declined or expires.
create table member_transfers (
    id                 uuid primary key,
    sender_id          uuid        not null references members (id),
    recipient_id       uuid        not null references members (id),
    points             int         not null check (points > 0),
    message            text check (length(message) <= 280),
    within_household   boolean     not null,
    status             text        not null check (status in ('PENDING', 'POSTED', 'DECLINED', 'EXPIRED', 'REVERSED')),
    created_at         timestamptz not null default now(),
    expires_at         timestamptz,
    resolved_at        timestamptz,
    entry_id           uuid references journal_entries (id),
    reversal_id        uuid references journal_entries (id),
    reversal_shortfall int check (reversal_shortfall >= 0),
    reversal_reason    text,
    constraint member_transfers_not_to_oneself check (sender_id <> recipient_id),
    constraint member_transfers_posted_has_entry check ((status in ('POSTED', 'REVERSED')) = (entry_id is not null)),
    constraint member_transfers_pending_expires check (status <> 'PENDING' or expires_at is not null)
);
create index member_transfers_by_sender on member_transfers (sender_id, created_at desc);
create index member_transfers_by_recipient on member_transfers (recipient_id, created_at desc);
create index member_transfers_due on member_transfers (expires_at) where status = 'PENDING';
create unique index member_transfers_by_entry on member_transfers (entry_id) where entry_id is not null;

-- The calling member's household. Security definer (and no FORCE on household_members), so that the policies
-- below can ask it without recursing into their own table.
create function coalition_member_household() returns uuid
    language sql stable security definer set search_path = public, pg_temp as $$
    select household_id from household_members where member_id = coalition_member()
$$;
revoke all on function coalition_member_household() from public;
grant execute on function coalition_member_household() to ${appRole};

alter table households enable row level security;
create policy households_by_caller on households
    using (coalition_sees_all()
           or (coalition_caller_kind() = 'MEMBER' and (id = coalition_member_household()
               or exists (select from household_invitations i where i.household_id = households.id
                          and i.invitee_id = coalition_member()))))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')
                or (coalition_caller_kind() = 'MEMBER' and created_by = coalition_member()));

alter table household_members enable row level security;
create policy household_members_by_caller on household_members
    using (coalition_sees_all()
           or (coalition_caller_kind() = 'MEMBER' and (member_id = coalition_member() or household_id = coalition_member_household())))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')
                or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()));
-- Leaving a household deletes the member's row; nothing else is ever deleted.
grant delete on household_members to ${appRole};

alter table household_invitations enable row level security;
alter table household_invitations force row level security;
create policy household_invitations_by_caller on household_invitations
    using (coalition_sees_all()
           or (coalition_caller_kind() = 'MEMBER' and (invitee_id = coalition_member() or household_id = coalition_member_household())))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')
                or (coalition_caller_kind() = 'MEMBER' and (invitee_id = coalition_member() or household_id = coalition_member_household())));

alter table member_transfers enable row level security;
alter table member_transfers force row level security;
create policy member_transfers_by_caller on member_transfers
    using (coalition_sees_all()
           or (coalition_caller_kind() = 'MEMBER' and coalition_member() in (sender_id, recipient_id)))
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM')
                or (coalition_caller_kind() = 'MEMBER' and coalition_member() in (sender_id, recipient_id)));

-- Posts a transfer: both member rows locked in id order, the sender debited (releasing what the offer held, if
-- anything) by the race-free conditional update, the recipient credited, the TRANSFER entry appended, and the
-- sender's lots moved to the recipient piece by piece with issuer, earned_at and expires_at kept. Raises CG402
-- when the sender has not the points available; the postings come from PostingTemplate.TRANSFER.
create function transfer_post(_entry uuid, _from uuid, _to uuid, _operator text, _points int, _release_held int,
                              _occurred_at timestamptz, _accounts bigint[], _amounts bigint[])
    returns timestamptz
    language plpgsql as $$
declare
    _sender    members;
    _posted_at timestamptz;
begin
    perform 1 from members where id in (_from, _to) order by id for update;
    update members set balance = balance - _points, held = held - _release_held
    where id = _from and balance - (held - _release_held) >= _points
    returning * into _sender;
    if _sender.id is null then
        select * into _sender from members where id = _from;
        raise exception 'The member has % points available, % requested', _sender.balance - _sender.held + _release_held, _points
            using errcode = 'CG402';
    end if;
    update members set balance = balance + _points where id = _to;
    _posted_at := ledger_append_entry(_entry, 'TRANSFER', _from, _operator, -_points, null, null, null, null, _occurred_at,
        null, null, _accounts, _amounts, null, 0, null, null, null);
    insert into lots (member_id, issuer_id, entry_id, points, remaining, earned_at, expires_at, transferred_from)
    select _to, drawn.issuer_id, _entry, drawn.points, drawn.points, l.earned_at, l.expires_at, l.id
    from lots_consume_fifo(_from, _points, _entry, _operator) drawn join lots l on l.id = drawn.lot_id;
    -- the recipient's balance changed too: their balanceChanged subscription hears of it
    insert into ledger_events (entry_id, member_id, partner_id) values (_entry, _to, _operator);
    return _posted_at;
end
$$;

-- Reverses a posted transfer: takes back what is left of the lots it gave the recipient (at most what the recipient
-- has available) and puts it back into the sender's lots it came from, as negative draws. Returns the points moved
-- back. How much that is is known only here, under the locks, so the gateway passes the postings of one point
-- (PostingTemplate.TRANSFER_REVERSAL), scaled here, as bonus_post (V16) does.
create function transfer_reverse(_entry uuid, _transfer_entry uuid, _from uuid, _to uuid, _operator text, _points int,
                                 _occurred_at timestamptz, _unit_accounts bigint[], _unit_amounts bigint[])
    returns int
    language plpgsql as $$
declare
    _recipient members;
    _left      int;
    _taken     int;
begin
    perform 1 from members where id in (_from, _to) order by id for update;
    select * into _recipient from members where id = _to;
    select coalesce(sum(remaining), 0) into _left from lots where entry_id = _transfer_entry and member_id = _to;
    _taken := least(_left, _recipient.balance - _recipient.held, _points);
    if _taken <= 0 then
        return 0;
    end if;
    update members set balance = balance - _taken where id = _to;
    update members set balance = balance + _taken where id = _from;
    perform ledger_append_entry(_entry, 'REVERSAL', _from, _operator, _taken, null, null, null, null, _occurred_at,
        _transfer_entry, null, _unit_accounts, array(select u * _taken from unnest(_unit_amounts) u), null, 0, null, null,
        _points);
    with open_lots as (
        select id, transferred_from, remaining,
               sum(remaining) over (order by earned_at, id) - remaining as before_this
        from lots where entry_id = _transfer_entry and member_id = _to and remaining > 0
    ), taken as (
        select id, transferred_from, least(remaining, _taken - before_this) as points
        from open_lots where before_this < _taken
    ), from_recipient as (
        update lots set remaining = lots.remaining - taken.points from taken where lots.id = taken.id returning lots.id
    ), to_sender as (
        update lots set remaining = lots.remaining + taken.points from taken
        where lots.id = taken.transferred_from and exists (select from from_recipient r where r.id = taken.id)
        returning lots.id, lots.issuer_id, taken.points
    )
    insert into lot_consumptions (entry_id, lot_id, member_id, issuer_id, points, partner_id)
    select _entry, s.id, _from, s.issuer_id, -s.points, _operator from to_sender s;
    insert into ledger_events (entry_id, member_id, partner_id) values (_entry, _to, _operator);
    return _taken;
end
$$;
