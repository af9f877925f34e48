-- What the earns of one batch share (the partner, its contract version's prices and accounts, the tier program, the
-- referral terms: 19 of an earn request's 47 fields) now comes once per batch, in earn_points' new _context, instead of
-- once per earn (issue 6). An earn's own fields override it; a call without it (_context defaults to '{}') is read as
-- before, so a request that carries every field still works. PostgreSQL parsed and copied about 1.5 kB of JSON per
-- earn, two thirds of it the same for every earn of the batch: parsing and populating a batch of 8 took 0.19 ms over
-- its read, against 0.09 ms with the shared part apart (bench/README.md, "Session 19"). Otherwise V60's earn_points.

drop function earn_points(text, text, text, text, jsonb);

create function earn_points(_caller_kind text, _caller_partner text, _caller_subject text, _scope text, _earns jsonb,
                            _context jsonb default '{}')
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
    -- each earn's own fields over what the batch's earns share (the fields an earn leaves out are taken from _context)
    _r earn_request[] := array(select e from jsonb_populate_recordset(jsonb_populate_record(null::earn_request, _context),
                                                                     _earns) e);
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
    -- An earn a campaign may pay takes a budget slot per campaign (campaign_budget_take, V13: the slot its entry id
    -- hashes to). Locked here for the whole batch, after its members and in one order, so that two batches never take
    -- slots in opposite orders; the earns' grants below then find them held.
    if exists (select 1 from unnest(_r) e where e.entry = any(_claimed) and cardinality(e.bonus_campaigns) > 0) then
        perform 1 from campaign_budget_slots s
        where (s.campaign_id, s.slot) in (select c.campaign_id, hashtext(e.entry::text) & 63
                                          from unnest(_r) e cross join lateral unnest(e.bonus_campaigns) c(campaign_id)
                                          where e.entry = any(_claimed))
        order by s.campaign_id, s.slot for update;
    end if;
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
            _outcomes[_slots[_i]] := earn_bonuses(_member, _e, _standing.tiers[_i], _members[_i] = any(_standing.in_clubs),
                _members[_i] = any(_standing.referred), _challenges);
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
