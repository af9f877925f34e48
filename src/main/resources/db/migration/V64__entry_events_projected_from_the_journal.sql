-- A posted entry's ledger event and partner event are written after its commit, from the journal, instead of in the
-- transaction that posts it (issue 6; docs/derived-rows.md). Both feed readers that were already asynchronous: the
-- subscriptions poll ledger_events, the webhook worker and the event feed stream partner_events. In the earn's
-- statement they were 2 of its 8 rows and 4 of its 17 index entries; written in bulk after the commit, the earn ran
-- about 8 % faster in the benchmark, the projection's own work included (bench/README.md, "Session 23").
--
-- Every entry records the transaction that wrote it. The projection follows the journal in commit order by the rule
-- the webhook stream follows (V45): an entry whose transaction id is below the oldest running transaction's
-- (pg_snapshot_xmin) belongs to a transaction that has ended, so no entry can appear behind that horizon later. Its
-- position moves in the transaction that writes the events, so each entry gets its events exactly once whatever
-- fails: a projection that does not commit leaves the position where it was.
--
-- Entries written before this migration keep a null xact_id; they had their events written with them.
alter table journal_entries add column xact_id xid8;
alter table journal_entries alter column xact_id set default pg_current_xact_id();
create index journal_entries_in_commit_order on journal_entries (xact_id, id) where xact_id is not null;

create table journal_projection (
    singleton  boolean primary key default true check (singleton),
    xact_id    xid8        not null,
    entry_id   uuid        not null
);
-- Starts behind the first entry this migration's successors write.
insert into journal_projection (xact_id, entry_id)
values (pg_current_xact_id(), '00000000-0000-0000-0000-000000000000');
-- The position is the projection's alone.
revoke all on journal_projection from ${appRole};

-- An amount as the API shows it: in its currency's minor units ("10.00" for EUR, "1200" for JPY), as
-- PointTransaction does. The events carried the amount as the till sent it; the journal keeps four decimals.
create function coalition_amount_text(_amount numeric, _currency text) returns text
    language sql immutable as $$
    select case
        when _currency is null or _currency in ('XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XFO', 'XFU', 'XPD',
                                                'XPT', 'XSU', 'XTS', 'XUA', 'XXX') then _amount::text
        else round(_amount, case
            when _currency in ('ADP', 'BEF', 'BIF', 'BYB', 'BYR', 'CLP', 'DJF', 'ESP', 'GNF', 'GRD', 'ISK', 'ITL', 'JPY',
                               'KMF', 'KRW', 'LUF', 'MGF', 'PTE', 'PYG', 'ROL', 'RWF', 'TPE', 'TRL', 'UGX', 'UYI', 'VND',
                               'VUV', 'XAF', 'XOF', 'XPF') then 0
            when _currency in ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') then 3
            when _currency = 'CLF' then 4
            else 2 end)::text
    end
$$;

-- Writes the events of up to _limit entries past the position (fewer when another projection holds the position:
-- then none) and moves the position past them. Returns how many entries it projected. Owner rights: it reads every
-- partner's entries and raises events for every partner, which row-level security keeps from the gateway's role.
create function journal_project(_limit int) returns int
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _position journal_projection;
    _horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
    _projected int;
begin
    select * into _position from journal_projection for update skip locked;
    if not found then
        return 0;
    end if;
    with batch as materialized (
        select e.id, e.kind, e.member_id, e.partner_id, e.points, e.purchase_amount, e.currency, e.channel,
               e.partner_reference, e.occurred_at, e.posted_at, e.reverses_id, e.xact_id
        from journal_entries e
        where e.xact_id is not null and (e.xact_id, e.id) > (_position.xact_id, _position.entry_id)
          and e.xact_id < _horizon
        order by e.xact_id, e.id
        limit _limit
    ), ledger as (
        insert into ledger_events (entry_id, member_id, partner_id)
        select b.id, b.member_id, b.partner_id from batch b order by b.xact_id, b.id
    ), partners as (
        insert into partner_events (partner_id, type, member_id, entry_id, payload)
        select b.partner_id, case when b.reverses_id is null then 'TransactionPosted' else 'TransactionReversed' end,
               b.member_id, b.id,
               jsonb_build_object('transactionId', b.id, 'kind', b.kind, 'memberId', b.member_id,
                   'partnerId', b.partner_id, 'points', b.points, 'purchaseAmount', coalition_amount_text(b.purchase_amount, b.currency),
                   'currency', b.currency, 'channel', b.channel, 'partnerReference', b.partner_reference,
                   'occurredAt', coalition_instant(b.occurred_at), 'postedAt', coalition_instant(b.posted_at),
                   'reversesTransactionId', b.reverses_id)
        from batch b where b.partner_id is not null order by b.xact_id, b.id
    ), last as (
        select b.xact_id, b.id from batch b order by b.xact_id desc, b.id desc limit 1
    ), moved as (
        update journal_projection p set xact_id = l.xact_id, entry_id = l.id from last l
        returning 1
    )
    select count(*) into _projected from batch;
    return _projected;
end
$$;
grant execute on function journal_project(int) to ${appRole};

-- How far behind the projection is: the age of the oldest entry it has not reached (zero when it is level).
create function journal_projection_lag() returns interval
    language sql stable security definer set search_path = public, pg_temp as $$
    select coalesce(now() - min(e.posted_at), interval '0')
    from journal_projection p, journal_entries e
    where e.xact_id is not null and (e.xact_id, e.id) > (p.xact_id, p.entry_id)
$$;
grant execute on function journal_projection_lag() to ${appRole};

-- Every posting path but the earn's batch (redemptions, reversals, transfers, bonuses, expiry, donations): V11's
-- function without the two events, which the projection now writes.
create or replace function ledger_append_entry(_id uuid, _kind text, _member uuid, _partner text, _points int,
                                               _purchase_amount numeric, _currency text, _channel text, _reference text,
                                               _occurred_at timestamptz, _reverses uuid, _contract_version int,
                                               _accounts bigint[], _amounts bigint[], _lot_issuer text, _lot_points int,
                                               _lot_earned_at timestamptz, _lot_expires_at timestamptz, _reversed_points int)
    returns timestamptz
    language plpgsql as $$
declare
    _posted_at timestamptz;
begin
    insert into journal_entries (id, kind, member_id, partner_id, points, purchase_amount, currency, channel,
                                 partner_reference, occurred_at, reverses_id, contract_version, reversed_points)
    values (_id, _kind, _member, _partner, _points, _purchase_amount, _currency, _channel, _reference,
            _occurred_at, _reverses, _contract_version, _reversed_points)
    returning posted_at into _posted_at;
    insert into postings (entry_id, account_id, member_id, partner_id, amount)
    select _id, leg.account_id, _member, _partner, leg.amount from unnest(_accounts, _amounts) as leg(account_id, amount);
    if _lot_points > 0 then
        insert into lots (member_id, issuer_id, entry_id, points, remaining, earned_at, expires_at)
        values (_member, _lot_issuer, _id, _lot_points, _lot_points, _lot_earned_at, _lot_expires_at);
    end if;
    return _posted_at;
end
$$;

-- The earn's batch: V63's function without the two events.
create or replace function earn_points(_caller_kind text, _caller_partner text, _caller_subject text, _scope text, _earns jsonb,
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
    ), recorded as (
        insert into settlement_records (id, kind, entry_id, member_id, debtor_id, creditor_id, points, amount, currency)
        select coalition_uuid_v7(), r.kind, (p.e).entry, p.member_id, r.debtor, r.creditor, r.points, r.amount, r.currency
        from picked p cross join lateral unnest((p.e).record_kinds, (p.e).record_debtors, (p.e).record_creditors,
            (p.e).record_points, (p.e).record_amounts, (p.e).record_currencies)
            as r(kind, debtor, creditor, points, amount, currency)
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
