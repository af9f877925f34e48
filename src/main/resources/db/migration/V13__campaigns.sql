-- Partner-funded campaigns: bonus points granted inside earnPoints, in the earn's own statement.
--
-- The gateway evaluates a campaign's rule against the basket (category, basket size, first visit) and
-- passes the candidates to earn_points; the statement then checks, under the member's row lock, what only
-- the database knows (segment, per-member cap, budget, whether the campaign is still active) and posts one
-- BONUS entry per campaign granted: a lot issued by the funding partner, its postings, its settlement record
-- (the funder owes the operator the issue price of the bonus points) and its partner event.
--
-- A budget is split over up to 16 slot rows, so concurrent earns under one campaign do not queue on one hot
-- row; each grant takes its points from one slot under that slot's row lock, so the budget is never overspent.

alter table journal_entries drop constraint journal_entries_kind_check;
alter table journal_entries add constraint journal_entries_kind_check
    check (kind in ('EARN', 'REDEMPTION', 'REVERSAL', 'EXPIRY', 'DONATION', 'ADJUSTMENT', 'BONUS'));

create table campaigns (
    id                       uuid primary key,
    partner_id               text        not null,
    name                     text        not null,
    rule_kind                text        not null check (rule_kind in ('CATEGORY_MULTIPLIER', 'BASKET_BONUS', 'FIRST_VISIT_BONUS')),
    category                 text,
    multiplier               numeric(6, 2),
    minimum_basket           numeric(19, 4),
    bonus_points             int,
    currency                 char(3)     not null,
    starts_at                timestamptz not null,
    ends_at                  timestamptz not null,
    budget_points            int         not null check (budget_points > 0),
    per_member_cap_points    int check (per_member_cap_points > 0),
    new_members_within_days  int check (new_members_within_days > 0),
    inactive_for_days        int check (inactive_for_days > 0),
    status                   text        not null default 'ACTIVE' check (status in ('ACTIVE', 'PAUSED', 'ENDED')),
    created_at               timestamptz not null default now(),
    updated_at               timestamptz not null default now(),
    constraint campaigns_window check (ends_at > starts_at)
);
create index campaigns_by_partner on campaigns (partner_id, created_at);

create table campaign_budget_slots (
    campaign_id uuid not null,
    slot        int  not null,
    remaining   int  not null check (remaining >= 0),
    primary key (campaign_id, slot)
);

-- What each member got from each campaign, for the per-member cap.
create table campaign_member_bonuses (
    campaign_id uuid not null,
    member_id   uuid not null,
    points      int  not null,
    primary key (campaign_id, member_id)
);

-- Which bonus entry a campaign granted on which earn: the reason a member and a partner read.
create table bonus_grants (
    entry_id      uuid primary key,
    campaign_id   uuid        not null,
    earn_entry_id uuid        not null,
    member_id     uuid        not null,
    partner_id    text        not null,
    points        int         not null check (points > 0),
    granted_at    timestamptz not null default now()
);
create index bonus_grants_by_earn on bonus_grants (earn_entry_id);
create index bonus_grants_by_campaign on bonus_grants (campaign_id, granted_at);
revoke update on bonus_grants from ${appRole};

alter table campaigns enable row level security;
alter table campaigns force row level security;
create policy campaigns_by_caller on campaigns
    using (coalition_sees_all() or coalition_caller_kind() = 'SYSTEM' or partner_id = coalition_partner())
    with check (partner_id = coalition_partner());
alter table campaign_budget_slots enable row level security;
alter table campaign_budget_slots force row level security;
create policy campaign_budget_slots_by_caller on campaign_budget_slots
    using (coalition_sees_all() or coalition_caller_kind() = 'SYSTEM'
           or exists (select 1 from campaigns c where c.id = campaign_id and c.partner_id = coalition_partner()));
alter table bonus_grants enable row level security;
alter table bonus_grants force row level security;
create policy bonus_grants_by_caller on bonus_grants
    using (coalition_sees_all() or coalition_caller_kind() = 'SYSTEM' or partner_id = coalition_partner()
           or (coalition_caller_kind() = 'MEMBER' and member_id = coalition_member()))
    with check (partner_id = coalition_partner());

-- Takes up to _points from the campaign's budget and returns how many it took. It takes them whole from one
-- slot with enough left, starting at _start so that concurrent earns spread over the slots; only when no slot
-- has that many left does it take what the fullest slot has (the last bonuses of a budget may be partial).
-- A slot drained by another transaction between the look and the update is looked for again.
create function campaign_budget_take(_campaign uuid, _points int, _start int) returns int
    language plpgsql as $$
declare
    _slot int;
    _left int;
begin
    for _attempt in 1..4 loop
        select s.slot into _slot from campaign_budget_slots s
        where s.campaign_id = _campaign and s.remaining >= _points
        order by (s.slot - _start + 64) % 64
        limit 1;
        if _slot is not null then
            update campaign_budget_slots set remaining = remaining - _points
            where campaign_id = _campaign and slot = _slot and remaining >= _points;
            if found then
                return _points;
            end if;
            continue;
        end if;
        select s.slot, s.remaining into _slot, _left from campaign_budget_slots s
        where s.campaign_id = _campaign and s.remaining > 0
        order by s.remaining desc
        limit 1
        for update;
        if _slot is null then
            return 0;
        end if;
        _left := least(_left, _points);
        update campaign_budget_slots set remaining = remaining - _left where campaign_id = _campaign and slot = _slot;
        return _left;
    end loop;
    return 0;
end
$$;

-- Grants what it can of the candidate bonuses to a member whose row this transaction has locked and who has
-- just been credited the earn itself; returns the member as it ends up and the campaigns granted.
create function campaign_bonuses_grant(
        _member members, _earn uuid, _partner text, _operator text, _channel text, _occurred_at timestamptz,
        _contract_version int, _unit_accounts bigint[], _unit_amounts bigint[], _lot_expires_at timestamptz,
        _campaigns uuid[], _points int[], _entries uuid[], _issue_price numeric, _fee_currency text,
        out member_after members, out granted_campaigns uuid[], out granted_points int[])
    language plpgsql as $$
declare
    _c campaigns;
    _p int;
    _got int;
begin
    member_after := _member;
    granted_campaigns := '{}';
    granted_points := '{}';
    for i in 1 .. coalesce(array_length(_campaigns, 1), 0) loop
        _p := _points[i];
        select * into _c from campaigns where id = _campaigns[i];
        continue when _c.id is null or _c.status <> 'ACTIVE' or _c.partner_id <> _partner
                      or not (_occurred_at >= _c.starts_at and _occurred_at < _c.ends_at);
        continue when _c.new_members_within_days is not null
                      and member_after.enrolled_at < now() - make_interval(days => _c.new_members_within_days);
        continue when _c.inactive_for_days is not null and exists (
                select 1 from journal_entries j
                where j.member_id = member_after.id and j.kind = 'EARN' and j.id <> _earn
                  and j.posted_at > now() - make_interval(days => _c.inactive_for_days));
        continue when _c.rule_kind = 'FIRST_VISIT_BONUS' and (
                member_after.enrolled_by is not distinct from _partner
                or exists (select 1 from journal_entries j
                           where j.member_id = member_after.id and j.partner_id = _partner and j.kind = 'EARN' and j.id <> _earn));
        if _c.per_member_cap_points is not null then
            select coalesce(max(u.points), 0) into _got from campaign_member_bonuses u
            where u.campaign_id = _c.id and u.member_id = member_after.id;
            _p := least(_p, _c.per_member_cap_points - _got);
        end if;
        continue when _p <= 0;
        _p := campaign_budget_take(_c.id, _p, (hashtext(_earn::text) & 63));
        continue when _p = 0;
        insert into campaign_member_bonuses as u (campaign_id, member_id, points) values (_c.id, member_after.id, _p)
        on conflict (campaign_id, member_id) do update set points = u.points + excluded.points;
        update members set balance = balance + _p where id = member_after.id returning * into member_after;
        perform ledger_append_entry(_entries[i], 'BONUS', member_after.id, _partner, _p, null, null, _channel, null,
            _occurred_at, null, _contract_version,
            array(select case when a = 0 then member_after.account_id else a end from unnest(_unit_accounts) a),
            array(select u * _p from unnest(_unit_amounts) u),
            _partner, _p, _occurred_at, _lot_expires_at, null);
        insert into bonus_grants (entry_id, campaign_id, earn_entry_id, member_id, partner_id, points)
        values (_entries[i], _c.id, _earn, member_after.id, _partner, _p);
        -- exact: contract prices have at most 4 decimals (ContractReader), as settlement amounts do
        perform settlement_record_entry(_entries[i], member_after.id, array['ISSUANCE_FEE'], array[_partner], array[_operator],
            array[_p], array[_p * _issue_price], array[_fee_currency]);
        granted_campaigns := granted_campaigns || _c.id;
        granted_points := granted_points || _p;
    end loop;
end
$$;

-- V9's earn_points, which now also grants the candidate campaign bonuses, and returns the member as it ends up.
drop function earn_points(text, text, text, text, text, text, text, uuid, text, text, text, int, numeric, text, text, text,
                          timestamptz, int, bigint[], bigint[], timestamptz, text[], text[], text[], int[], numeric[], text[]);
create function earn_points(
        _caller_kind text, _caller_partner text, _caller_subject text, _scope text,
        _key text, _operation text, _hash text, _entry uuid,
        _member_by text, _member_ref text,
        _partner text, _points int, _purchase_amount numeric, _currency text, _channel text, _reference text,
        _occurred_at timestamptz, _contract_version int, _accounts bigint[], _amounts bigint[], _lot_expires_at timestamptz,
        _record_kinds text[], _record_debtors text[], _record_creditors text[], _record_points int[],
        _record_amounts numeric[], _record_currencies text[],
        _operator text, _unit_accounts bigint[], _unit_amounts bigint[], _issue_price numeric, _fee_currency text,
        _bonus_campaigns uuid[], _bonus_points int[], _bonus_entries uuid[],
        out claimed boolean, out earlier_operation text, out earlier_hash text, out earlier_result text,
        out posted_at timestamptz, out id uuid, out card_number text, out account_id bigint,
        out balance bigint, out held bigint, out enrolled_at timestamptz,
        out granted_campaigns uuid[], out granted_points int[])
    language plpgsql as $$
declare
    _member members;
    _grant record;
begin
    select c.claimed, c.earlier_operation, c.earlier_hash, c.earlier_result
    into claimed, earlier_operation, earlier_hash, earlier_result
    from idempotency_claim_as(_caller_kind, _caller_partner, _caller_subject, _scope, _key, _operation, _hash, _entry) c;
    if not claimed then
        return;
    end if;
    _member := member_credit(_member_by, _member_ref, _points);
    posted_at := ledger_append_entry(_entry, 'EARN', _member.id, _partner, _points, _purchase_amount, _currency, _channel,
        _reference, _occurred_at, null, _contract_version,
        array(select case when a = 0 then _member.account_id else a end from unnest(_accounts) a), _amounts,
        _partner, _points, _occurred_at, _lot_expires_at, null);
    perform settlement_record_entry(_entry, _member.id, _record_kinds, _record_debtors, _record_creditors,
        _record_points, _record_amounts, _record_currencies);
    if coalesce(array_length(_bonus_campaigns, 1), 0) > 0 then
        select * into _grant from campaign_bonuses_grant(_member, _entry, _partner, _operator, _channel, _occurred_at, _contract_version,
            _unit_accounts, _unit_amounts, _lot_expires_at, _bonus_campaigns, _bonus_points, _bonus_entries,
            _issue_price, _fee_currency);
        _member := _grant.member_after;
        granted_campaigns := _grant.granted_campaigns;
        granted_points := _grant.granted_points;
    end if;
    select _member.id, _member.card_number, _member.account_id, _member.balance, _member.held, _member.enrolled_at
    into id, card_number, account_id, balance, held, enrolled_at;
end
$$;
