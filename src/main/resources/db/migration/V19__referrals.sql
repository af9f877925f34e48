-- Referrals (README "Member engagement"): a member passes on their code; a new member applies it before their first
-- earn; on the referred member's first qualifying earn both get the configured bonus, funded by the operator or the
-- earning partner, as BONUS entries written by that earn's statement.
--
-- A referral only ever points from a member to a newer one who had not earned yet, so the referral graph has no
-- cycle, and rewarding locks the referred member (already locked by the earn) before the referrer: two earns can
-- never wait on each other's members in opposite order.

create table referral_codes (
    member_id  uuid primary key,
    code       text        not null unique,
    created_at timestamptz not null default now()
);

create table referrals (
    referred_id   uuid primary key,
    referrer_id   uuid        not null,
    status        text        not null default 'PENDING' check (status in ('PENDING', 'REWARDED')),
    created_at    timestamptz not null default now(),
    rewarded_at   timestamptz,
    earn_entry_id uuid,
    constraint referrals_not_self check (referred_id <> referrer_id)
);
create index referrals_by_referrer on referrals (referrer_id);

-- Members see their own code and referrals; the earn statement rewards through referral_reward, as the owner,
-- because the referrer's bonus is written by the referred member's earn at a partner.
alter table referral_codes enable row level security;
create policy referral_codes_by_caller on referral_codes
    using (coalition_caller_kind() in ('SETTLEMENT', 'OPERATOR', 'SYSTEM') or member_id = coalition_member())
    with check (member_id = coalition_member());
alter table referrals enable row level security;
create policy referrals_by_caller on referrals
    using (coalition_caller_kind() in ('SETTLEMENT', 'OPERATOR', 'SYSTEM')
           or referred_id = coalition_member() or referrer_id = coalition_member())
    with check (referred_id = coalition_member());

-- A referral bonus is a grant too, so a retried earn answers with it.
alter table bonus_grants add column referral text check (referral in ('REFERRED', 'REFERRER'));
alter table bonus_grants drop constraint bonus_grants_cause;
alter table bonus_grants add constraint bonus_grants_cause check (num_nonnulls(campaign_id, tier, referral) = 1);

-- The owner of a referral code, following referrers up from _member: true when _code's owner is _member or was
-- (directly or through others) referred by _member.
create function referral_would_loop(_member uuid, _owner uuid) returns boolean
    language sql stable security definer set search_path = public, pg_temp as $$
    with recursive chain(member_id) as (
        select _owner
        union
        select r.referrer_id from referrals r join chain c on r.referred_id = c.member_id
    )
    select exists (select 1 from chain where member_id = _member)
$$;

-- Resolves a referral code to its owner (any member may apply any code they were given).
create function referral_code_owner(_code text) returns uuid
    language sql stable security definer set search_path = public, pg_temp as $$
    select member_id from referral_codes where code = upper(_code)
$$;

-- How many members _referrer has referred, rewarded or not.
create function referral_count(_referrer uuid) returns int
    language sql stable security definer set search_path = public, pg_temp as $$
    select count(*)::int from referrals where referrer_id = _referrer
$$;

-- Pays a pending referral of the member this earn has locked: the referred member's bonus, then the referrer's.
create function referral_reward(_member members, _earn uuid, _partner text, _operator text, _channel text,
        _occurred_at timestamptz, _contract_version int, _funder text, _unit_accounts bigint[], _unit_amounts bigint[],
        _lot_expires_at timestamptz, _issue_price numeric, _fee_currency text, _referred_bonus int, _referrer_bonus int,
        _referred_entry uuid, _referrer_entry uuid, out member_after members, out referred_points int)
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _referral referrals;
    _referrer members;
    _version int := case when _funder = _operator then null else _contract_version end;
begin
    member_after := _member;
    referred_points := 0;
    update referrals set status = 'REWARDED', rewarded_at = now(), earn_entry_id = _earn
    where referred_id = _member.id and status = 'PENDING'
    returning * into _referral;
    if _referral.referred_id is null then
        return;
    end if;
    if _referred_bonus > 0 then
        member_after := bonus_post(member_after, _referred_entry, _partner, _funder, _operator, _referred_bonus, _channel,
            _occurred_at, _version, _unit_accounts, _unit_amounts, _lot_expires_at, _issue_price, _fee_currency);
        insert into bonus_grants (entry_id, referral, earn_entry_id, member_id, partner_id, points)
        values (_referred_entry, 'REFERRED', _earn, member_after.id, _partner, _referred_bonus);
        referred_points := _referred_bonus;
    end if;
    if _referrer_bonus > 0 then
        select * into _referrer from members where id = _referral.referrer_id for update;
        perform bonus_post(_referrer, _referrer_entry, _partner, _funder, _operator, _referrer_bonus, _channel,
            _occurred_at, _version, _unit_accounts, _unit_amounts, _lot_expires_at, _issue_price, _fee_currency);
        insert into bonus_grants (entry_id, referral, earn_entry_id, member_id, partner_id, points)
        values (_referrer_entry, 'REFERRER', _earn, _referrer.id, _partner, _referrer_bonus);
    end if;
end
$$;

-- V16's earn_points, which now also rewards a referral on the referred member's first qualifying earn.
drop function earn_points(text, text, text, text, text, text, text, uuid, text, text, text, int, numeric, text, text, text,
                          timestamptz, int, bigint[], bigint[], timestamptz, text[], text[], text[], int[], numeric[], text[],
                          text, bigint[], bigint[], numeric, text, uuid[], int[], uuid[],
                          text, int, text[], int[], int[], boolean[], bigint[], bigint[], uuid);
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
        _referral_minimum_points int, _referred_bonus int, _referrer_bonus int, _referral_operator_funded boolean,
        _referred_entry uuid, _referrer_entry uuid,
        out claimed boolean, out earlier_operation text, out earlier_hash text, out earlier_result text,
        out posted_at timestamptz, out id uuid, out card_number text, out account_id bigint,
        out balance bigint, out held bigint, out enrolled_at timestamptz,
        out granted_campaigns uuid[], out granted_points int[], out tier text, out tier_bonus int, out referral_bonus int)
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
    referral_bonus := 0;
    if _points >= _referral_minimum_points then
        select * into _grant from referral_reward(_member, _entry, _partner, _operator, _channel, _occurred_at, _contract_version,
            case when _referral_operator_funded then _operator else _partner end,
            case when _referral_operator_funded then _operator_unit_accounts else _unit_accounts end,
            case when _referral_operator_funded then _operator_unit_amounts else _unit_amounts end,
            _lot_expires_at, _issue_price, _fee_currency, _referred_bonus, _referrer_bonus, _referred_entry, _referrer_entry);
        _member := _grant.member_after;
        referral_bonus := _grant.referred_points;
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

