-- The hot path's helper functions in PL/pgSQL, so that their statements' plans are kept (bench/README, "Where the
-- time goes"). PostgreSQL (before 18) plans the body of a SQL-language function afresh in every statement that
-- calls it, unless it can inline it; these cannot be inlined (they write, read tables, or are security definers),
-- and each earn or redemption calls them in a new transaction, so every call paid a parse and a plan: in
-- bench/, settlement_record_entry took 0.81 ms of PostgreSQL's time per earn for a 0.5 ms insert. A PL/pgSQL
-- function prepares its statements once per connection. Same signatures, same results.

create or replace function settlement_record_entry(_entry uuid, _member uuid, _kinds text[], _debtors text[], _creditors text[],
                                                   _points int[], _amounts numeric[], _currencies text[]) returns void
    language plpgsql as $$
begin
    insert into settlement_records (id, kind, entry_id, member_id, debtor_id, creditor_id, points, amount, currency)
    select gen_random_uuid(), r.kind, _entry, _member, r.debtor, r.creditor, r.points, r.amount, r.currency
    from unnest(_kinds, _debtors, _creditors, _points, _amounts, _currencies)
         as r(kind, debtor, creditor, points, amount, currency);
end
$$;

create or replace function lots_consume_fifo(_member uuid, _points int, _entry uuid, _partner text)
    returns table (lot_id bigint, issuer_id text, points int)
    language plpgsql as $$
begin
    return query
    with open_lots as (
        select l.id, l.issuer_id, l.remaining, sum(l.remaining) over (order by l.earned_at, l.id) - l.remaining as before_this
        from lots l
        where l.member_id = _member and l.remaining > 0
        order by l.earned_at, l.id
    ), taken as (
        select o.id, o.issuer_id, least(o.remaining, _points - o.before_this) as points
        from open_lots o
        where o.before_this < _points
    ), consumed as (
        update lots set remaining = lots.remaining - taken.points
        from taken where lots.id = taken.id
        returning lots.id
    )
    insert into lot_consumptions as c (entry_id, lot_id, member_id, issuer_id, points, partner_id)
    select _entry, taken.id, _member, taken.issuer_id, taken.points, _partner from taken join consumed on consumed.id = taken.id
    returning c.lot_id, c.issuer_id, c.points;
end
$$;

create or replace function tier_measure(_member uuid, _from date, _to date, _measure text) returns int
    language plpgsql stable security definer set search_path = public, pg_temp as $$
begin
    return (select case when _measure = 'DISTINCT_PARTNERS' then count(distinct q.partner_id)::int
                        else coalesce(sum(q.points), 0)::int end
            from member_qualifying q
            where q.member_id = _member and q.month between _from and _to and q.points > 0);
end
$$;

create or replace function member_club_multiplier(_member uuid, _at timestamptz) returns numeric
    language plpgsql stable security definer set search_path = public as $$
begin
    return (select coalesce(max(p.earn_multiplier), 1.0) from paid_memberships p
            where p.member_id = _member and p.starts_at <= _at and _at < p.ends_at);
end
$$;

create or replace function challenge_progress(_member uuid, _challenge challenges, _at timestamptz) returns int
    language plpgsql stable security definer set search_path = public, pg_temp as $$
begin
    return (select case when _challenge.kind = 'VISITS' then count(*)::int else count(distinct j.partner_id)::int end
            from journal_entries j
            where j.member_id = _member and j.kind = 'EARN' and j.posted_at <= _at
              and (_challenge.kind <> 'VISITS' or j.partner_id = _challenge.partner_id)
              and j.posted_at >= case when _challenge.window_kind = 'CALENDAR_MONTH'
                                      then date_trunc('month', _at at time zone 'UTC') at time zone 'UTC'
                                      else _at - make_interval(days => _challenge.window_days) end);
end
$$;
