-- Coalition tiers (partner-contracts/coalition/tiers.yaml; README "Member engagement").
--
-- Every earn adds its base points to the member's month at the earning partner; the member's measure is the
-- sum of points (or the number of distinct partners) over the last N calendar months, the current one included.
-- The earn's statement upgrades the member as soon as a threshold is crossed and then pays the tier's earn
-- multiplier as a BONUS entry, funded by the operator or by the earning partner as the program says.
-- Downgrades happen only at the yearly review (tier.TierReview), never on an earn.

create table member_tiers (
    member_id   uuid primary key,
    tier        text        not null,
    since       timestamptz not null default now(),
    reviewed_at timestamptz
);

create table member_qualifying (
    member_id  uuid not null,
    month      date not null,
    partner_id text not null,
    points     int  not null,
    primary key (member_id, month, partner_id)
);

create table tier_changes (
    id         bigint generated always as identity primary key,
    member_id  uuid        not null,
    from_tier  text        not null,
    to_tier    text        not null,
    reason     text        not null check (reason in ('QUALIFIED', 'REVIEW')),
    qualifying int         not null,
    changed_at timestamptz not null default now()
);
create index tier_changes_by_member on tier_changes (member_id, changed_at desc, id desc);

-- A member's tier is no secret from the partners serving them; the figures behind it are the member's own.
-- Not FORCEd: tier_qualify runs as the owner, because the measure adds up every partner's earns.
alter table member_tiers enable row level security;
create policy member_tiers_by_caller on member_tiers
    using (coalition_caller_kind() <> 'MEMBER' or member_id = coalition_member());
alter table member_qualifying enable row level security;
create policy member_qualifying_by_caller on member_qualifying
    using (coalition_caller_kind() in ('SETTLEMENT', 'OPERATOR', 'SYSTEM') or member_id = coalition_member());
alter table tier_changes enable row level security;
create policy tier_changes_by_caller on tier_changes
    using (coalition_caller_kind() in ('SETTLEMENT', 'OPERATOR', 'SYSTEM') or member_id = coalition_member());

-- A tier's bonus is a grant too (no campaign; the tier it was paid for), so a retried earn answers with it.
alter table bonus_grants alter column campaign_id drop not null;
alter table bonus_grants add column tier text;
alter table bonus_grants add constraint bonus_grants_cause check ((campaign_id is null) <> (tier is null));

-- tierChanged subscriptions hear of a change through the same event rows as balanceChanged.
alter table ledger_events add column tier_changed boolean not null default false;

create function tier_measure(_member uuid, _from date, _to date, _measure text) returns int
    language sql stable security definer set search_path = public, pg_temp as $$
    select case when _measure = 'DISTINCT_PARTNERS' then count(distinct partner_id)::int else coalesce(sum(points), 0)::int end
    from member_qualifying
    where member_id = _member and month between _from and _to and points > 0
$$;

-- Counts an earn's base points towards the member's tier and upgrades the member when a threshold is crossed.
-- _tiers and _thresholds are the program's tiers, lowest first. Returns the member's tier after this earn.
create function tier_qualify(_member uuid, _partner text, _points int, _at timestamptz, _measure text, _window_months int,
                             _tiers text[], _thresholds int[]) returns text
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _month date := date_trunc('month', _at at time zone 'UTC')::date;
    _value int;
    _current text;
    _target text;
begin
    if _points > 0 then
        insert into member_qualifying as q (member_id, month, partner_id, points) values (_member, _month, _partner, _points)
        on conflict (member_id, month, partner_id) do update set points = q.points + excluded.points;
    end if;
    select t.tier into _current from member_tiers t where t.member_id = _member;
    if _current is null or array_position(_tiers, _current) is null then
        _current := _tiers[1];
    end if;
    _value := tier_measure(_member, (_month - make_interval(months => _window_months - 1))::date, _month, _measure);
    select x.tier into _target from unnest(_tiers, _thresholds) with ordinality as x(tier, threshold, rank)
    where x.threshold <= _value order by x.rank desc limit 1;
    if array_position(_tiers, _target) > array_position(_tiers, _current) then
        insert into member_tiers (member_id, tier, since) values (_member, _target, now())
        on conflict (member_id) do update set tier = excluded.tier, since = excluded.since;
        insert into tier_changes (member_id, from_tier, to_tier, reason, qualifying)
        values (_member, _current, _target, 'QUALIFIED', _value);
        insert into ledger_events (member_id, tier_changed) values (_member, true);
        return _target;
    end if;
    return _current;
end
$$;

-- One bonus entry for a member whose row this transaction has locked, at _partner (where the earn happened): the
-- credit, the entry with its postings and its lot, both issued by the funder, and the funder's issuance fee. A
-- bonus the operator funds has no fee (nobody owes anybody until the points are spent; then the operator, as their
-- issuer, owes the partner they are spent at) and its expiry refunds nothing (settlement.SettlementRecorder).
create function bonus_post(_member members, _entry uuid, _partner text, _funder text, _operator text, _points int,
                           _channel text, _occurred_at timestamptz, _contract_version int, _unit_accounts bigint[],
                           _unit_amounts bigint[], _lot_expires_at timestamptz, _issue_price numeric, _fee_currency text)
    returns members
    language plpgsql as $$
declare
    _after members;
begin
    update members set balance = balance + _points where id = _member.id returning * into _after;
    perform ledger_append_entry(_entry, 'BONUS', _after.id, _partner, _points, null, null, _channel, null,
        _occurred_at, null, _contract_version,
        array(select case when a = 0 then _after.account_id else a end from unnest(_unit_accounts) a),
        array(select u * _points from unnest(_unit_amounts) u),
        _funder, _points, _occurred_at, _lot_expires_at, null);
    if _funder <> _operator then
        -- exact: contract prices have at most 4 decimals (ContractReader), as settlement amounts do
        perform settlement_record_entry(_entry, _after.id, array['ISSUANCE_FEE'], array[_funder], array[_operator],
            array[_points], array[_points * _issue_price], array[_fee_currency]);
    end if;
    return _after;
end
$$;

-- V13's grant, now posting through bonus_post like the tier bonus.
create or replace function campaign_bonuses_grant(
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
        member_after := bonus_post(member_after, _entries[i], _partner, _partner, _operator, _p, _channel, _occurred_at,
            _contract_version,
            _unit_accounts, _unit_amounts, _lot_expires_at, _issue_price, _fee_currency);
        insert into bonus_grants (entry_id, campaign_id, earn_entry_id, member_id, partner_id, points)
        values (_entries[i], _c.id, _earn, member_after.id, _partner, _p);
        granted_campaigns := granted_campaigns || _c.id;
        granted_points := granted_points || _p;
    end loop;
end
$$;

-- V13's earn_points, which now also counts the earn towards the member's tier and pays the tier's multiplier.
drop function earn_points(text, text, text, text, text, text, text, uuid, text, text, text, int, numeric, text, text, text,
                          timestamptz, int, bigint[], bigint[], timestamptz, text[], text[], text[], int[], numeric[], text[],
                          text, bigint[], bigint[], numeric, text, uuid[], int[], uuid[]);
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
        _tier_measure text, _tier_window_months int, _tiers text[], _tier_thresholds int[], _tier_bonus_points int[],
        _tier_operator_funded boolean[], _operator_unit_accounts bigint[], _operator_unit_amounts bigint[], _tier_entry uuid,
        out claimed boolean, out earlier_operation text, out earlier_hash text, out earlier_result text,
        out posted_at timestamptz, out id uuid, out card_number text, out account_id bigint,
        out balance bigint, out held bigint, out enrolled_at timestamptz,
        out granted_campaigns uuid[], out granted_points int[], out tier text, out tier_bonus int)
    language plpgsql as $$
declare
    _member members;
    _grant record;
    _rank int;
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
    tier := tier_qualify(_member.id, _partner, _points, _occurred_at, _tier_measure, _tier_window_months, _tiers, _tier_thresholds);
    _rank := array_position(_tiers, tier);
    tier_bonus := coalesce(_tier_bonus_points[_rank], 0);
    if tier_bonus > 0 then
        if _tier_operator_funded[_rank] then
            _member := bonus_post(_member, _tier_entry, _partner, _operator, _operator, tier_bonus, _channel, _occurred_at,
                _contract_version, _operator_unit_accounts, _operator_unit_amounts, _lot_expires_at, null, null);
        else
            _member := bonus_post(_member, _tier_entry, _partner, _partner, _operator, tier_bonus, _channel, _occurred_at,
                _contract_version, _unit_accounts, _unit_amounts, _lot_expires_at, _issue_price, _fee_currency);
        end if;
        insert into bonus_grants (entry_id, tier, earn_entry_id, member_id, partner_id, points)
        values (_tier_entry, tier, _entry, _member.id, _partner, tier_bonus);
    end if;
    if coalesce(array_length(_bonus_campaigns, 1), 0) > 0 then
        select * into _grant from campaign_bonuses_grant(_member, _entry, _partner, _operator, _channel, _occurred_at,
            _contract_version, _unit_accounts, _unit_amounts, _lot_expires_at, _bonus_campaigns, _bonus_points, _bonus_entries,
            _issue_price, _fee_currency);
        _member := _grant.member_after;
        granted_campaigns := _grant.granted_campaigns;
        granted_points := _grant.granted_points;
    end if;
    select _member.id, _member.card_number, _member.account_id, _member.balance, _member.held, _member.enrolled_at
    into id, card_number, account_id, balance, held, enrolled_at;
end
$$;

-- The yearly review at _at: members above the entry tier, who held their tier before _at and were not reviewed
-- at or after it, drop to the highest tier their measure over the window before the review month reaches, but
-- by one tier at most (the soft landing). A batch per call, members locked and skipped by concurrent reviewers;
-- returns how many it reviewed.
create function tier_review(_at timestamptz, _measure text, _window_months int, _tiers text[], _thresholds int[], _batch int)
    returns int
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _m record;
    _value int;
    _rank int;
    _target int;
    _count int := 0;
    _last date := (date_trunc('month', _at at time zone 'UTC') - interval '1 month')::date;
begin
    for _m in select t.member_id, t.tier from member_tiers t
              where t.tier <> _tiers[1] and t.since < _at and (t.reviewed_at is null or t.reviewed_at < _at)
              order by t.member_id limit _batch
              for update skip locked loop
        _value := tier_measure(_m.member_id, (_last - make_interval(months => _window_months - 1))::date, _last, _measure);
        _rank := coalesce(array_position(_tiers, _m.tier), 1);
        select max(x.rank) into _target from unnest(_thresholds) with ordinality as x(threshold, rank) where x.threshold <= _value;
        _target := greatest(coalesce(_target, 1), _rank - 1);
        if _target < _rank then
            update member_tiers set tier = _tiers[_target], since = _at, reviewed_at = _at where member_id = _m.member_id;
            insert into tier_changes (member_id, from_tier, to_tier, reason, qualifying)
            values (_m.member_id, _m.tier, _tiers[_target], 'REVIEW', _value);
            insert into ledger_events (member_id, tier_changed) values (_m.member_id, true);
        else
            update member_tiers set reviewed_at = _at where member_id = _m.member_id;
        end if;
        _count := _count + 1;
    end loop;
    return _count;
end
$$;
