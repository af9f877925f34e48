-- An experiment for issue 6, not the gateway's code: what would PostgreSQL spend per earn if the gateway posted
-- concurrent earns as one set-based statement per batch, instead of one earn_points call (about twenty statements
-- inside PL/pgSQL) per earn? bench_earn_batch writes, for every earn of the batch, the rows a plain earn writes
-- (idempotency key, balance, entry, two postings, lot, ledger event, partner event with its payload, settlement
-- record, qualifying points), as the gateway's role under row-level security, and reads what an earn reads besides
-- (the member's tier and window sum, a paid club, a pending referral, running challenges). bench_earn_points calls the
-- real earn_points with the same amounts, for a batch of one earn or of several, as group commit sends them since V57.
-- Run by run.sh.

create table if not exists bench_members as
select row_number() over (order by subject)::int as n, id as member_id, account_id from members where subject like 'bench-member-%';
create unique index if not exists bench_members_n on bench_members (n);
grant select on bench_members to coalition_app;

-- What tier_qualify, member_club_multiplier, referral_reward and challenges_award do for one earn, as owner (they are
-- security definers), for a whole batch: the qualifying upsert, then the reads that decide the bonuses.
create or replace function bench_qualify_and_check(_members uuid[], _month date) returns int
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _checked int;
begin
    insert into member_qualifying as q (member_id, month, partner_id, points)
    select m, _month, 'freshmart', 15 from unnest(_members) m
    on conflict (member_id, month, partner_id) do update set points = q.points + excluded.points;
    select count(*) into _checked from (
        select m,
               (select t.tier from member_tiers t where t.member_id = m) as tier,
               (select coalesce(sum(q.points), 0) from member_qualifying q
                where q.member_id = m and q.month between (_month - interval '11 months')::date and _month) as window_sum,
               (select max(c.earn_multiplier) from paid_memberships c
                where c.member_id = m and c.starts_at <= now() and now() < c.ends_at) as club,
               exists (select 1 from referrals r where r.referred_id = m and r.status = 'PENDING') as referred
        from unnest(_members) m) checks
    where (select count(*) from challenges where status = 'ACTIVE' and starts_at <= now() and ends_at > now()) >= 0;
    return _checked;
end
$$;

create or replace function bench_earn_batch(_size int, _members int) returns int
    language plpgsql as $$
declare
    _issued bigint := (select id from accounts where kind = 'PARTNER_ISSUED' and partner_id = 'freshmart');
    _month date := date_trunc('month', now() at time zone 'UTC')::date;
    _done int;
    _ns int[];
begin
    perform set_config('app.caller_kind', 'PARTNER', true), set_config('app.partner_id', 'freshmart', true),
            set_config('app.member_subject', '', true), set_config('app.scope', 'partner:freshmart-pos', true);
    select array_agg(distinct 1 + floor(random() * _members)::int) into _ns from generate_series(1, _size);
    -- Batches lock their members in one order (by id), or two batches sharing two members could deadlock.
    perform 1 from members m join bench_members b on b.member_id = m.id where b.n = any(_ns) order by m.id for update of m;
    with wanted as (
        select unnest(_ns) as n
    ), picked as materialized (
        select b.member_id, b.account_id, coalition_uuid_v7() as entry_id, gen_random_uuid()::text as key
        from wanted w join bench_members b using (n)
    ), claimed as (
        insert into idempotency_keys (scope, key, operation, request_hash, result_id)
        select 'partner:freshmart-pos', p.key, 'earnPoints', md5(p.key), p.entry_id::text from picked p
        on conflict (scope, key) do nothing returning 1
    ), credited as (
        update members m set balance = m.balance + 15, last_active_at = now()
        from picked p where m.id = p.member_id and m.erased_at is null returning m.id
    ), entries as (
        insert into journal_entries (id, kind, member_id, partner_id, points, purchase_amount, currency, channel,
                                     occurred_at, contract_version)
        select p.entry_id, 'EARN', p.member_id, 'freshmart', 15, 10.00, 'EUR', 'STORE', now(), 2 from picked p
        returning id, member_id, posted_at
    ), legs as (
        insert into postings (entry_id, account_id, member_id, partner_id, amount)
        select p.entry_id, p.account_id, p.member_id, 'freshmart', 15 from picked p
        union all
        select p.entry_id, _issued, p.member_id, 'freshmart', -15 from picked p
        returning 1
    ), lotted as (
        insert into lots (member_id, issuer_id, entry_id, points, remaining, earned_at, expires_at)
        select p.member_id, 'freshmart', p.entry_id, 15, 15, now(), now() + interval '24 months' from picked p
        returning 1
    ), events as (
        insert into ledger_events (entry_id, member_id, partner_id)
        select p.entry_id, p.member_id, 'freshmart' from picked p returning 1
    ), published as (
        insert into partner_events (partner_id, type, member_id, entry_id, payload)
        select 'freshmart', 'TransactionPosted', e.member_id, e.id,
               jsonb_build_object('transactionId', e.id, 'kind', 'EARN', 'memberId', e.member_id, 'partnerId', 'freshmart',
                                  'points', 15, 'purchaseAmount', '10.00', 'currency', 'EUR', 'channel', 'STORE',
                                  'partnerReference', null, 'occurredAt', coalition_instant(e.posted_at),
                                  'postedAt', coalition_instant(e.posted_at), 'reversesTransactionId', null)
        from entries e returning 1
    ), recorded as (
        insert into settlement_records (id, kind, entry_id, member_id, debtor_id, creditor_id, points, amount, currency)
        select coalition_uuid_v7(), 'ISSUANCE_FEE', p.entry_id, p.member_id, 'freshmart', 'coalition-operator', 15, 0.15, 'EUR'
        from picked p returning 1
    )
    select count(*) into _done from credited;
    perform bench_qualify_and_check(array(select b.member_id from bench_members b where b.n = any(_ns)), _month);
    return _done;
end
$$;

-- Earns through the real earn_points (V57): a batch of distinct random members, as group commit sends them
-- (shared.GroupCommit), with the request the gateway would build for a 10.00 EUR basket at FreshMart (contract
-- version 2: 15 points, 0.01 EUR a point) and the demo tier program.
create or replace function bench_earn_points(_size int, _members int) returns int
    -- as earn_points itself: planned once, or the harness's own statement is replanned on every call and its cost
    -- counted as the earn's
    language plpgsql set plan_cache_mode = force_generic_plan as $$
declare
    _issued bigint := (select id from accounts where kind = 'PARTNER_ISSUED' and partner_id = 'freshmart');
    _operator_issued bigint := (select id from accounts where kind = 'PARTNER_ISSUED' and partner_id = 'coalition-operator');
begin
    -- each earn's own fields, then what the batch's earns share (V63: the gateway sends it once per batch)
    return (select count(*) from earn_points('PARTNER', 'freshmart', '', 'partner:freshmart-pos', (
        select jsonb_agg(jsonb_build_object(
            'key', gen_random_uuid()::text, 'operation', 'earnPoints', 'hash', md5(random()::text),
            'entry', coalition_uuid_v7(), 'member_by', 'ID', 'member_ref', b.member_id::text,
            'points', 15, 'purchase_amount', '10.00', 'channel', 'STORE',
            'occurred_at', now(), 'accounts', jsonb_build_array(_issued, 0),
            'amounts', jsonb_build_array(-15, 15), 'lot_expires_at', now() + interval '24 months',
            'record_kinds', jsonb_build_array('ISSUANCE_FEE'), 'record_debtors', jsonb_build_array('freshmart'),
            'record_creditors', jsonb_build_array('coalition-operator'), 'record_points', jsonb_build_array(15),
            'record_amounts', jsonb_build_array('0.15'), 'record_currencies', jsonb_build_array('EUR'),
            'tier_bonus_points', '[0, 3, 7]'::jsonb, 'tier_entry', gen_random_uuid(),
            'referred_entry', gen_random_uuid(), 'referrer_entry', gen_random_uuid(), 'club_entry', gen_random_uuid()))
        from bench_members b
        where b.n = any(array(select distinct 1 + floor(random() * _members)::int from generate_series(1, _size)))),
        jsonb_build_object(
            'partner', 'freshmart', 'currency', 'EUR', 'contract_version', 2, 'operator', 'coalition-operator',
            'issue_price', '0.01', 'fee_currency', 'EUR',
            'bonus_campaigns', '[]'::jsonb, 'bonus_points', '[]'::jsonb, 'bonus_entries', '[]'::jsonb,
            'tier_measure', 'QUALIFYING_POINTS', 'tier_window_months', 12, 'tiers', '["BASIC", "SILVER", "GOLD"]'::jsonb,
            'tier_thresholds', '[0, 2000, 10000]'::jsonb, 'tier_operator_funded', '[true, true, false]'::jsonb,
            'referral_minimum_points', 1, 'referred_bonus', 100, 'referrer_bonus', 200, 'referral_operator_funded', true,
            'unit_accounts', jsonb_build_array(_issued, 0), 'unit_amounts', jsonb_build_array(-1, 1),
            'operator_unit_accounts', jsonb_build_array(_operator_issued, 0),
            'operator_unit_amounts', jsonb_build_array(-1, 1))));
end
$$;
-- (Until session 10 a lone earn was measured through a SQL-language wrapper of bench_earn_points(1, ...), which
-- PostgreSQL planned on every call: 1 ms of the 2.4 to 3.1 ms reported for it.)
grant execute on function bench_earn_batch(int, int), bench_earn_points(int, int) to coalition_app;
