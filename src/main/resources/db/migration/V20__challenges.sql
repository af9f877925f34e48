-- Challenges (README "Member engagement"): cross-brand goals the coalition sets, such as "earn at 3 different
-- partners this month" or "5 visits to FuelCo in 30 days". The earn that reaches a goal pays its reward, once per
-- member and period, as a BONUS entry funded by the operator or by the partner where the earn happens, and raises a
-- ChallengeCompleted event for that partner. Only the challenges an earn can advance are looked at: visits to the
-- earning partner, and distinct partners.

create table challenges (
    id            uuid primary key,
    name          text        not null,
    kind          text        not null check (kind in ('DISTINCT_PARTNERS', 'VISITS')),
    target        int         not null check (target > 0),
    partner_id    text,
    window_kind   text        not null check (window_kind in ('CALENDAR_MONTH', 'ROLLING_DAYS')),
    window_days   int check (window_days between 1 and 366),
    reward_points int         not null check (reward_points > 0),
    funded_by     text        not null check (funded_by in ('OPERATOR', 'EARNING_PARTNER')),
    starts_at     timestamptz not null,
    ends_at       timestamptz not null,
    status        text        not null default 'ACTIVE' check (status in ('ACTIVE', 'ENDED')),
    created_at    timestamptz not null default now(),
    constraint challenges_visits_name_a_partner check ((kind = 'VISITS') = (partner_id is not null)),
    constraint challenges_window check ((window_kind = 'ROLLING_DAYS') = (window_days is not null) and ends_at > starts_at)
);
create index challenges_running on challenges (ends_at) where status = 'ACTIVE';

-- Monthly challenges pay once per member and calendar month, rolling ones once per member.
create table challenge_completions (
    challenge_id  uuid        not null,
    member_id     uuid        not null,
    period        text        not null,
    completed_at  timestamptz not null default now(),
    earn_entry_id uuid        not null,
    bonus_entry_id uuid       not null,
    points        int         not null,
    primary key (challenge_id, member_id, period)
);

-- The program is public; who completed what is the member's and the coalition's. Not FORCEd: challenges_award runs
-- as the owner, because a partner's earn records the completion.
alter table challenge_completions enable row level security;
create policy challenge_completions_by_caller on challenge_completions
    using (coalition_caller_kind() in ('SETTLEMENT', 'OPERATOR', 'SYSTEM') or member_id = coalition_member());
alter table challenges enable row level security;
create policy challenges_readable on challenges using (true)
    with check (coalition_caller_kind() in ('OPERATOR', 'SYSTEM'));

alter table bonus_grants add column challenge_id uuid;
alter table bonus_grants drop constraint bonus_grants_cause;
alter table bonus_grants add constraint bonus_grants_cause check (num_nonnulls(campaign_id, tier, referral, challenge_id) = 1);

-- Where a member stands in a challenge at _at: earns in the window (visits at its partner, or distinct partners).
create function challenge_progress(_member uuid, _challenge challenges, _at timestamptz) returns int
    language sql stable security definer set search_path = public, pg_temp as $$
    select case when _challenge.kind = 'VISITS' then count(*)::int else count(distinct j.partner_id)::int end
    from journal_entries j
    where j.member_id = _member and j.kind = 'EARN' and j.posted_at <= _at
      and (_challenge.kind <> 'VISITS' or j.partner_id = _challenge.partner_id)
      and j.posted_at >= case when _challenge.window_kind = 'CALENDAR_MONTH'
                              then date_trunc('month', _at at time zone 'UTC') at time zone 'UTC'
                              else _at - make_interval(days => _challenge.window_days) end
$$;

create function challenge_period(_challenge challenges, _at timestamptz) returns text
    language sql immutable as $$
    select case when _challenge.window_kind = 'CALENDAR_MONTH' then to_char(_at at time zone 'UTC', 'YYYY-MM') else 'ONCE' end
$$;

-- Pays the challenges this earn completes, for the member it has locked.
create function challenges_award(_member members, _earn uuid, _partner text, _operator text, _channel text,
        _occurred_at timestamptz, _contract_version int, _unit_accounts bigint[], _unit_amounts bigint[],
        _operator_unit_accounts bigint[], _operator_unit_amounts bigint[], _lot_expires_at timestamptz,
        _issue_price numeric, _fee_currency text,
        out member_after members, out names text[], out points int[], out entries uuid[])
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _c challenges;
    _entry uuid;
    _operator_funded boolean;
begin
    member_after := _member;
    names := '{}';
    points := '{}';
    entries := '{}';
    for _c in select * from challenges
              where status = 'ACTIVE' and starts_at <= now() and ends_at > now()
                and (kind = 'DISTINCT_PARTNERS' or partner_id = _partner)
              order by id loop
        continue when challenge_progress(member_after.id, _c, now()) < _c.target;
        _entry := gen_random_uuid();
        insert into challenge_completions (challenge_id, member_id, period, earn_entry_id, bonus_entry_id, points)
        values (_c.id, member_after.id, challenge_period(_c, now()), _earn, _entry, _c.reward_points)
        on conflict do nothing;
        continue when not found;
        _operator_funded := _c.funded_by = 'OPERATOR';
        member_after := bonus_post(member_after, _entry, _partner, case when _operator_funded then _operator else _partner end,
            _operator, _c.reward_points, _channel, _occurred_at, case when _operator_funded then null else _contract_version end,
            case when _operator_funded then _operator_unit_accounts else _unit_accounts end,
            case when _operator_funded then _operator_unit_amounts else _unit_amounts end,
            _lot_expires_at, _issue_price, _fee_currency);
        insert into bonus_grants (entry_id, challenge_id, earn_entry_id, member_id, partner_id, points)
        values (_entry, _c.id, _earn, member_after.id, _partner, _c.reward_points);
        perform partner_event_publish(_partner, 'ChallengeCompleted', member_after.id, _entry,
            jsonb_build_object('challengeId', _c.id, 'name', _c.name, 'memberId', member_after.id, 'points', _c.reward_points,
                               'transactionId', _entry, 'completedAt', coalition_instant(now())));
        names := names || _c.name;
        points := points || _c.reward_points;
        entries := entries || _entry;
    end loop;
end
$$;

-- V19's earn_points, which now also pays the challenges this earn completes (same arguments, more results).
drop function earn_points(text, text, text, text, text, text, text, uuid, text, text, text, int, numeric, text, text, text,
                          timestamptz, int, bigint[], bigint[], timestamptz, text[], text[], text[], int[], numeric[], text[],
                          text, bigint[], bigint[], numeric, text, uuid[], int[], uuid[],
                          text, int, text[], int[], int[], boolean[], bigint[], bigint[], uuid,
                          int, int, int, boolean, uuid, uuid);
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
        out granted_campaigns uuid[], out granted_points int[], out tier text, out tier_bonus int, out referral_bonus int,
        out completed_names text[], out completed_points int[], out completed_entries uuid[])
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
    select * into _grant from challenges_award(_member, _entry, _partner, _operator, _channel, _occurred_at, _contract_version,
        _unit_accounts, _unit_amounts, _operator_unit_accounts, _operator_unit_amounts, _lot_expires_at, _issue_price, _fee_currency);
    _member := _grant.member_after;
    completed_names := _grant.names;
    completed_points := _grant.points;
    completed_entries := _grant.entries;
    select _member.id, _member.card_number, _member.account_id, _member.balance, _member.held, _member.enrolled_at
    into id, card_number, account_id, balance, held, enrolled_at;
end
$$;

