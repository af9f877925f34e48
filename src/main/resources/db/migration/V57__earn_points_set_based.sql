-- Earns in sets (issue 6). Group commit (shared.GroupCommit) already sends concurrent earns of one caller together;
-- until now each still ran the whole of V21's earn_points, about twenty statements of PL/pgSQL per earn. Now
-- earn_points takes the whole batch, as a JSON array of requests, and writes each table once for all of them: the
-- claims, the credits, the entries with their postings, lots and events, the settlement records, the qualifying points.
-- Only the rare paths go earn by earn, through the functions they always used: a tier, club, referral, campaign or
-- challenge bonus, and a promotion to a higher tier. A lone earn is a batch of one: there is one implementation.
-- bench/batch-earn measured the difference: 0.60 ms of PostgreSQL's CPU per earn for earn_points calls in one
-- transaction, about 0.2 ms set-based.

drop function earn_points(text, text, text, text, text, text, text, uuid, text, text, text, int, numeric, text, text, text,
                          timestamptz, int, bigint[], bigint[], timestamptz, text[], text[], text[], int[], numeric[], text[],
                          text, bigint[], bigint[], numeric, text, uuid[], int[], uuid[],
                          text, int, text[], int[], int[], boolean[], bigint[], bigint[], uuid,
                          int, int, int, boolean, uuid, uuid, uuid);

-- One earn of a batch: V21's arguments after the caller's four, by name (EarnService builds them).
create type earn_request as (
    key text, operation text, hash text, entry uuid,
    member_by text, member_ref text,
    partner text, points int, purchase_amount numeric, currency text, channel text, reference text,
    occurred_at timestamptz, contract_version int, accounts bigint[], amounts bigint[], lot_expires_at timestamptz,
    record_kinds text[], record_debtors text[], record_creditors text[], record_points int[],
    record_amounts numeric[], record_currencies text[],
    operator text, unit_accounts bigint[], unit_amounts bigint[], issue_price numeric, fee_currency text,
    bonus_campaigns uuid[], bonus_points int[], bonus_entries uuid[],
    tier_measure text, tier_window_months int, tiers text[], tier_thresholds int[], tier_bonus_points int[],
    tier_operator_funded boolean[], operator_unit_accounts bigint[], operator_unit_amounts bigint[], tier_entry uuid,
    referral_minimum_points int, referred_bonus int, referrer_bonus int, referral_operator_funded boolean,
    referred_entry uuid, referrer_entry uuid, club_entry uuid
);

-- What a batch of earns needs from tables a partner may not read, in one call with the owner's rights: tier_qualify
-- (V55) for each member (the members distinct, under one tier program), and which of them may earn a club bonus or a
-- pending referral's rewards (a superset; member_club_multiplier and referral_reward decide, earn by earn).
create function earn_standing(_members uuid[], _partner text, _points int[], _at timestamptz[], _measure text,
                              _window_months int, _tiers text[], _thresholds int[],
                              out tiers text[], out in_clubs uuid[], out referred uuid[])
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _current text[];
    _value int[];
    _target text[];
    _months date[];
begin
    _months := array(select date_trunc('month', a at time zone 'UTC')::date from unnest(_at) a);
    insert into member_qualifying as q (member_id, month, partner_id, points)
    select m.member_id, m.month, _partner, m.points
    from unnest(_members, _months, _points) as m(member_id, month, points)
    where m.points > 0
    order by m.member_id
    on conflict (member_id, month, partner_id) do update set points = q.points + excluded.points;
    select array_agg(s.current order by s.i), array_agg(s.value order by s.i),
           array_agg(_tiers[(select max(k) from generate_subscripts(_tiers, 1) k where _thresholds[k] <= s.value)] order by s.i)
    into _current, _value, _target
    from (select m.i, c.current,
                 case when array_position(_tiers, c.current) < cardinality(_tiers) then
                     (select case when _measure = 'DISTINCT_PARTNERS' then count(distinct q.partner_id)::int
                                  else coalesce(sum(q.points), 0)::int end
                      from member_qualifying q
                      where q.member_id = m.member_id and q.points > 0
                        and q.month between (m.month - make_interval(months => _window_months - 1))::date and m.month)
                 end as value
          from unnest(_members, _months) with ordinality as m(member_id, month, i)
          cross join lateral (select coalesce((select t.tier from member_tiers t
                                               where t.member_id = m.member_id and array_position(_tiers, t.tier) is not null),
                                              _tiers[1]) as current
                              offset 0) c) s;  -- (offset 0: look the tier up once, not once per mention)
    for _i in 1 .. cardinality(_members) loop
        if array_position(_tiers, _target[_i]) > array_position(_tiers, _current[_i]) then
            insert into member_tiers (member_id, tier, since) values (_members[_i], _target[_i], now())
            on conflict (member_id) do update set tier = excluded.tier, since = excluded.since;
            insert into tier_changes (member_id, from_tier, to_tier, reason, qualifying)
            values (_members[_i], _current[_i], _target[_i], 'QUALIFIED', _value[_i]);
            insert into ledger_events (member_id, tier_changed) values (_members[_i], true);
            _current[_i] := _target[_i];
        end if;
    end loop;
    tiers := _current;
    in_clubs := array(select distinct p.member_id from paid_memberships p where p.member_id = any(_members));
    referred := array(select r.referred_id from referrals r where r.referred_id = any(_members) and r.status = 'PENDING');
end
$$;

-- What an earn's bonuses came to; a batch's earns without any take the first line of earn_bonuses' answer.
create type earn_bonus_outcome as (
    tier text, tier_bonus int, club_multiplier numeric, club_bonus int, referral_bonus int,
    granted_campaigns uuid[], granted_points int[], completed_names text[], completed_points int[], completed_entries uuid[]
);

-- The bonuses of one earn, in V21's order: its tier's, a paid club's, a pending referral's, its campaigns', its
-- challenges'. _member is the member after the earn's own credit, locked.
create function earn_bonuses(_member members, _e earn_request, _tier text) returns earn_bonus_outcome
    language plpgsql as $$
declare
    _out earn_bonus_outcome;
    _grant record;
    _rank int := array_position(_e.tiers, _tier);
begin
    _out := row(_tier, coalesce(_e.tier_bonus_points[_rank], 0), 1.0, 0, 0, null, null, '{}', '{}', '{}');
    if _out.tier_bonus > 0 then
        if _e.tier_operator_funded[_rank] then
            _member := bonus_post(_member, _e.tier_entry, _e.partner, _e.operator, _e.operator, _out.tier_bonus, _e.channel,
                _e.occurred_at, _e.contract_version, _e.operator_unit_accounts, _e.operator_unit_amounts, _e.lot_expires_at,
                null, null);
        else
            _member := bonus_post(_member, _e.tier_entry, _e.partner, _e.partner, _e.operator, _out.tier_bonus, _e.channel,
                _e.occurred_at, _e.contract_version, _e.unit_accounts, _e.unit_amounts, _e.lot_expires_at, _e.issue_price,
                _e.fee_currency);
        end if;
        insert into bonus_grants (entry_id, tier, earn_entry_id, member_id, partner_id, points)
        values (_e.tier_entry, _tier, _e.entry, _member.id, _e.partner, _out.tier_bonus);
    end if;
    _out.club_multiplier := member_club_multiplier(_member.id, _e.occurred_at);
    _out.club_bonus := floor(_e.points * (_out.club_multiplier - 1))::int;
    if _out.club_bonus > 0 then
        _member := bonus_post(_member, _e.club_entry, _e.partner, _e.operator, _e.operator, _out.club_bonus, _e.channel,
            _e.occurred_at, null, _e.operator_unit_accounts, _e.operator_unit_amounts, _e.lot_expires_at, null, null);
        insert into bonus_grants (entry_id, club, earn_entry_id, member_id, partner_id, points)
        values (_e.club_entry, _out.club_multiplier::text, _e.entry, _member.id, _e.partner, _out.club_bonus);
    end if;
    if _e.points >= _e.referral_minimum_points then
        select * into _grant from referral_reward(_member, _e.entry, _e.partner, _e.operator, _e.channel, _e.occurred_at,
            _e.contract_version,
            case when _e.referral_operator_funded then _e.operator else _e.partner end,
            case when _e.referral_operator_funded then _e.operator_unit_accounts else _e.unit_accounts end,
            case when _e.referral_operator_funded then _e.operator_unit_amounts else _e.unit_amounts end,
            _e.lot_expires_at, _e.issue_price, _e.fee_currency, _e.referred_bonus, _e.referrer_bonus, _e.referred_entry,
            _e.referrer_entry);
        _member := _grant.member_after;
        _out.referral_bonus := _grant.referred_points;
    end if;
    if coalesce(cardinality(_e.bonus_campaigns), 0) > 0 then
        select * into _grant from campaign_bonuses_grant(_member, _e.entry, _e.partner, _e.operator, _e.channel,
            _e.occurred_at, _e.contract_version, _e.unit_accounts, _e.unit_amounts, _e.lot_expires_at, _e.bonus_campaigns,
            _e.bonus_points, _e.bonus_entries, _e.issue_price, _e.fee_currency);
        _member := _grant.member_after;
        _out.granted_campaigns := _grant.granted_campaigns;
        _out.granted_points := _grant.granted_points;
    end if;
    select * into _grant from challenges_award(_member, _e.entry, _e.partner, _e.operator, _e.channel, _e.occurred_at,
        _e.contract_version, _e.unit_accounts, _e.unit_amounts, _e.operator_unit_accounts, _e.operator_unit_amounts,
        _e.lot_expires_at, _e.issue_price, _e.fee_currency);
    _out.completed_names := _grant.names;
    _out.completed_points := _grant.points;
    _out.completed_entries := _grant.entries;
    return _out;
end
$$;

-- The earns of one caller, at one partner, under one tier program (shared.GroupCommit batches them so); one row per
-- earn, in their order, with V21's answer. Members are locked in id order. Any failure fails the whole batch, and
-- GroupCommit runs its halves again: so an unknown card, or one member twice in a batch, ends up alone.
create function earn_points(_caller_kind text, _caller_partner text, _caller_subject text, _scope text, _earns jsonb)
    returns table (group_slot int, claimed boolean, earlier_operation text, earlier_hash text, earlier_result text,
                   posted_at timestamptz, id uuid, card_number text, account_id bigint, balance bigint, held bigint,
                   enrolled_at timestamptz, granted_campaigns uuid[], granted_points int[], tier text, tier_bonus int,
                   referral_bonus int, completed_names text[], completed_points int[], completed_entries uuid[],
                   club_multiplier numeric, club_bonus int)
    -- a plan per statement, kept: the batch's size changes from call to call, and planning each call cost more than
    -- the writes themselves (about 1.8 of 3 ms for a lone earn, measured with perf)
    language plpgsql set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
declare
    _r earn_request[] := array(select e from jsonb_populate_recordset(null::earn_request, _earns) e);
    _partner text;
    _claimed uuid[];       -- the entries of the earns whose keys this batch claimed
    _slots int[];          -- of the claimed earns, ascending
    _members uuid[];       -- their members, in the order of _slots
    _outcomes earn_bonus_outcome[] := array_fill(null::earn_bonus_outcome, array[cardinality(_r)]);
    _standing record;      -- their tiers after this earn, in the same order, and who may have a bonus
    _challenges boolean;
    _e earn_request;
    _member members;
    _written int;
begin
    perform set_config('app.caller_kind', _caller_kind, true), set_config('app.partner_id', _caller_partner, true),
            set_config('app.member_subject', _caller_subject, true), set_config('app.scope', _scope, true);
    if (select count(distinct (e.partner, e.tier_measure, e.tier_window_months, e.tiers, e.tier_thresholds))
        from unnest(_r) e) > 1 then
        raise exception 'one batch of earns is for one partner under one tier program' using errcode = 'CG400';
    end if;
    _partner := _r[1].partner;
    -- In key order, so that two batches that share keys wait for each other rather than deadlock. A key twice in the
    -- batch is claimed once: the other earn replays it, as a concurrent duplicate would.
    with claims as (
        insert into idempotency_keys (scope, key, operation, request_hash, result_id)
        select _scope, e.key, e.operation, e.hash, e.entry::text from unnest(_r) e order by e.key
        on conflict (scope, key) do nothing
        returning result_id)
    select coalesce(array_agg(c.result_id::uuid), '{}') into _claimed from claims c;
    select coalesce(array_agg(s.slot order by s.slot), '{}'), coalesce(array_agg(s.member order by s.slot), '{}')
    into _slots, _members
    from (select e.slot, (member_find((_r[e.slot]).member_by, (_r[e.slot]).member_ref)).id as member
          from generate_subscripts(_r, 1) e(slot) where (_r[e.slot]).entry = any(_claimed)) s;
    if array_position(_members, null) is not null then
        raise exception 'no member has this id or card number' using errcode = 'CG404';
    end if;
    if (select count(distinct m) from unnest(_members) m) < cardinality(_members) then
        -- the set-based writes below take one row per member
        raise exception 'two earns of one member in one batch' using errcode = 'CG409';
    end if;
    -- in id order, so that two batches sharing members lock them in one order
    perform 1 from members m where m.id = any(_members) order by m.id for update;
    with picked as materialized (
        select p.slot, p.member_id, _r[p.slot] as e from unnest(_slots, _members) p(slot, member_id)
    ), credited as (
        update members m set balance = m.balance + (p.e).points, last_active_at = now()
        from picked p where m.id = p.member_id
        returning m.id as member_id, m.account_id
    ), entries as (
        insert into journal_entries (id, kind, member_id, partner_id, points, purchase_amount, currency, channel,
                                     partner_reference, occurred_at, contract_version)
        select (p.e).entry, 'EARN', p.member_id, (p.e).partner, (p.e).points, (p.e).purchase_amount, (p.e).currency,
               (p.e).channel, (p.e).reference, (p.e).occurred_at, (p.e).contract_version
        from picked p
        returning id, posted_at
    ), legs as (
        insert into postings (entry_id, account_id, member_id, partner_id, amount)
        select (p.e).entry, case when leg.account_id = 0 then c.account_id else leg.account_id end, p.member_id,
               (p.e).partner, leg.amount
        from picked p join credited c using (member_id)
        cross join lateral unnest((p.e).accounts, (p.e).amounts) as leg(account_id, amount)
    ), lotted as (
        insert into lots (member_id, issuer_id, entry_id, points, remaining, earned_at, expires_at)
        select p.member_id, (p.e).partner, (p.e).entry, (p.e).points, (p.e).points, (p.e).occurred_at, (p.e).lot_expires_at
        from picked p where (p.e).points > 0
    ), events as (
        insert into ledger_events (entry_id, member_id, partner_id)
        select (p.e).entry, p.member_id, (p.e).partner from picked p
    ), recorded as (
        insert into settlement_records (id, kind, entry_id, member_id, debtor_id, creditor_id, points, amount, currency)
        select coalition_uuid_v7(), r.kind, (p.e).entry, p.member_id, r.debtor, r.creditor, r.points, r.amount, r.currency
        from picked p cross join lateral unnest((p.e).record_kinds, (p.e).record_debtors, (p.e).record_creditors,
            (p.e).record_points, (p.e).record_amounts, (p.e).record_currencies)
            as r(kind, debtor, creditor, points, amount, currency)
    ), published as (
        -- the caller's own events, which row-level security lets it write (partner_event_publish's owner rights are
        -- for a transaction that raises an event for another partner)
        insert into partner_events (partner_id, type, member_id, entry_id, payload)
        select (p.e).partner, 'TransactionPosted', p.member_id, (p.e).entry,
               jsonb_build_object('transactionId', (p.e).entry, 'kind', 'EARN', 'memberId', p.member_id,
                   'partnerId', (p.e).partner, 'points', (p.e).points, 'purchaseAmount', (p.e).purchase_amount::text,
                   'currency', (p.e).currency, 'channel', (p.e).channel, 'partnerReference', (p.e).reference,
                   'occurredAt', coalition_instant((p.e).occurred_at), 'postedAt', coalition_instant(j.posted_at),
                   'reversesTransactionId', null)
        from picked p join entries j on j.id = (p.e).entry
    )
    select count(*) into _written from credited;
    _e := _r[1];
    select * into _standing from earn_standing(_members, _partner, array(select (_r[s]).points from unnest(_slots) s),
        array(select (_r[s]).occurred_at from unnest(_slots) s), _e.tier_measure, _e.tier_window_months, _e.tiers,
        _e.tier_thresholds);
    _challenges := exists (select 1 from challenges c where c.status = 'ACTIVE' and c.starts_at <= now() and c.ends_at > now()
                           and (c.kind = 'DISTINCT_PARTNERS' or c.partner_id = _partner));
    for _i in 1 .. cardinality(_slots) loop
        _e := _r[_slots[_i]];
        if coalesce(_e.tier_bonus_points[array_position(_e.tiers, _standing.tiers[_i])], 0) = 0
           and not (_members[_i] = any(_standing.in_clubs))
           and not (_members[_i] = any(_standing.referred) and _e.points >= _e.referral_minimum_points)
           and coalesce(cardinality(_e.bonus_campaigns), 0) = 0 and not _challenges then
            _outcomes[_slots[_i]] := row(_standing.tiers[_i], 0, 1.0, 0, 0, null, null, '{}', '{}', '{}');
        else
            select * into _member from members m where m.id = _members[_i];
            _outcomes[_slots[_i]] := earn_bonuses(_member, _e, _standing.tiers[_i]);
        end if;
    end loop;
    -- (limit 1: each a look-up by key, where a join would let the planner hash the whole table for a batch it
    -- cannot count)
    return query
    select e.slot - 1, c.claimed, k.operation, k.request_hash, k.result_id,
           j.posted_at, m.id, m.card_number, m.account_id, m.balance, m.held, m.enrolled_at,
           (c.o).granted_campaigns, (c.o).granted_points, (c.o).tier, (c.o).tier_bonus, (c.o).referral_bonus,
           (c.o).completed_names, (c.o).completed_points, (c.o).completed_entries, (c.o).club_multiplier, (c.o).club_bonus
    from generate_subscripts(_r, 1) e(slot)
    cross join lateral (select (_r[e.slot]).entry = any(_claimed) as claimed, _outcomes[e.slot] as o) c
    left join lateral (select j.posted_at, j.member_id from journal_entries j
                       where c.claimed and j.id = (_r[e.slot]).entry limit 1) j on true
    left join lateral (select m.* from members m where m.id = j.member_id limit 1) m on true
    left join lateral (select k.operation, k.request_hash, k.result_id from idempotency_keys k
                       where not c.claimed and k.scope = _scope and k.key = (_r[e.slot]).key limit 1) k on true
    order by e.slot;
end
$$;
