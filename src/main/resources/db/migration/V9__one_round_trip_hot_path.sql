-- One round trip per earn and per redemption (DESIGN: "the hot path is a single SQL statement").
--
-- Measured on the benchmark (bench/README.md): an earn took seven round trips (begin, set caller, claim
-- key, credit, entry, settlement records, commit), and each one cost the gateway CPU in the reactive
-- client and a hop through a busy event loop. earn_points and redeem_points do the same work as one
-- statement, in the statement's own implicit transaction: all of it commits or none of it does.
--
-- The rules stay in the gateway (points, postings, prices, settlement records are computed in Java and
-- passed in); these functions only write them, and the pieces they share with the other paths
-- (ledger_append_entry, settlement_record_entry, lots_consume_fifo) are the very statements those
-- paths run, so there is one definition of how an entry is written.
--
-- Business failures raise SQLSTATE CG404 (no such member) or CG402 (not enough points available),
-- which roll the whole statement back, claim included: a failed request leaves nothing behind.

-- Who is calling, for row-level security, for the rest of this transaction.
create function coalition_set_caller(_kind text, _partner text, _subject text, _scope text) returns void
    language plpgsql as $$
begin
    perform set_config('app.caller_kind', _kind, true), set_config('app.partner_id', _partner, true),
            set_config('app.member_subject', _subject, true), set_config('app.scope', _scope, true);
end
$$;

-- Claims an idempotency key; when it was claimed before, returns what it was claimed for.
create function idempotency_claim(_scope text, _key text, _operation text, _hash text, _result uuid,
                                  out claimed boolean, out earlier_operation text, out earlier_hash text,
                                  out earlier_result text)
    language plpgsql as $$
begin
    insert into idempotency_keys (scope, key, operation, request_hash, result_id)
    values (_scope, _key, _operation, _hash, _result::text)
    on conflict (scope, key) do nothing;
    claimed := found;
    if not claimed then
        select k.operation, k.request_hash, k.result_id into earlier_operation, earlier_hash, earlier_result
        from idempotency_keys k where k.scope = _scope and k.key = _key;
    end if;
end
$$;

-- The start of every one-statement mutation: who is calling, then the claim of its idempotency key.
create function idempotency_claim_as(_caller_kind text, _caller_partner text, _caller_subject text, _scope text,
                                     _key text, _operation text, _hash text, _result uuid,
                                     out claimed boolean, out earlier_operation text, out earlier_hash text,
                                     out earlier_result text)
    language plpgsql as $$
begin
    perform coalition_set_caller(_caller_kind, _caller_partner, _caller_subject, _scope);
    select c.claimed, c.earlier_operation, c.earlier_hash, c.earlier_result
    into claimed, earlier_operation, earlier_hash, earlier_result
    from idempotency_claim(_scope, _key, _operation, _hash, _result) c;
end
$$;

-- A journal entry with its postings, the lot it opens (when _lot_points > 0) and its ledger event.
create function ledger_append_entry(_id uuid, _kind text, _member uuid, _partner text, _points int,
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
    insert into ledger_events (entry_id, member_id, partner_id) values (_id, _member, _partner);
    return _posted_at;
end
$$;

-- The settlement records of one entry.
create function settlement_record_entry(_entry uuid, _member uuid, _kinds text[], _debtors text[], _creditors text[],
                                        _points int[], _amounts numeric[], _currencies text[]) returns void
    language sql as $$
    insert into settlement_records (id, kind, entry_id, member_id, debtor_id, creditor_id, points, amount, currency)
    select gen_random_uuid(), r.kind, _entry, _member, r.debtor, r.creditor, r.points, r.amount, r.currency
    from unnest(_kinds, _debtors, _creditors, _points, _amounts, _currencies)
         as r(kind, debtor, creditor, points, amount, currency)
$$;

-- Takes points out of a member's lots, oldest first. The caller holds the member row's lock.
create function lots_consume_fifo(_member uuid, _points int, _entry uuid, _partner text)
    returns table (lot_id bigint, issuer_id text, points int)
    language sql as $$
    with open_lots as (
        select id, issuer_id, remaining, sum(remaining) over (order by earned_at, id) - remaining as before_this
        from lots
        where member_id = _member and remaining > 0
        order by earned_at, id
    ), taken as (
        select id, issuer_id, least(remaining, _points - before_this) as points
        from open_lots
        where before_this < _points
    ), consumed as (
        update lots set remaining = lots.remaining - taken.points
        from taken where lots.id = taken.id
        returning lots.id
    )
    insert into lot_consumptions (entry_id, lot_id, member_id, issuer_id, points, partner_id)
    select _entry, taken.id, _member, taken.issuer_id, taken.points, _partner from taken join consumed on consumed.id = taken.id
    returning lot_id, issuer_id, points
$$;

-- The member a request names, by id, card number or OIDC subject (one branch per key, each on its unique index).
create function member_find(_by text, _ref text) returns members
    language plpgsql stable as $$
declare
    _member members;
begin
    if _by = 'ID' then
        select * into _member from members where id = _ref::uuid;
    elsif _by = 'CARD' then
        select * into _member from members where card_number = _ref;
    else
        select * into _member from members where subject = _ref;
    end if;
    return _member;
end
$$;

-- Adds points to a member's balance.
create function member_credit(_by text, _ref text, _points bigint) returns members
    language plpgsql as $$
declare
    _member members;
begin
    if _by = 'ID' then
        update members set balance = balance + _points where id = _ref::uuid returning * into _member;
    elsif _by = 'CARD' then
        update members set balance = balance + _points where card_number = _ref returning * into _member;
    else
        update members set balance = balance + _points where subject = _ref returning * into _member;
    end if;
    if _member.id is null then
        raise exception 'no member has this id or card number' using errcode = 'CG404';
    end if;
    return _member;
end
$$;

-- Takes points from what a member has available (balance minus held): the race-free conditional debit.
create function member_debit_available(_by text, _ref text, _points bigint) returns members
    language plpgsql as $$
declare
    _member members;
begin
    if _by = 'ID' then
        update members set balance = balance - _points where id = _ref::uuid and balance - held >= _points returning * into _member;
    elsif _by = 'CARD' then
        update members set balance = balance - _points where card_number = _ref and balance - held >= _points returning * into _member;
    else
        update members set balance = balance - _points where subject = _ref and balance - held >= _points returning * into _member;
    end if;
    if _member.id is null then
        _member := member_find(_by, _ref);
        if _member.id is null then
            raise exception 'no member has this id or card number' using errcode = 'CG404';
        end if;
        raise exception 'The member has % points available, % requested', _member.balance - _member.held, _points
            using errcode = 'CG402';
    end if;
    return _member;
end
$$;

-- An earn in one statement: caller, claim, credit, entry (postings, lot, event), settlement records.
-- In _accounts, 0 stands for the member's own account, which the gateway learns only from the credit.
create function earn_points(
        _caller_kind text, _caller_partner text, _caller_subject text, _scope text,
        _key text, _operation text, _hash text, _entry uuid,
        _member_by text, _member_ref text,
        _partner text, _points int, _purchase_amount numeric, _currency text, _channel text, _reference text,
        _occurred_at timestamptz, _contract_version int, _accounts bigint[], _amounts bigint[], _lot_expires_at timestamptz,
        _record_kinds text[], _record_debtors text[], _record_creditors text[], _record_points int[],
        _record_amounts numeric[], _record_currencies text[],
        out claimed boolean, out earlier_operation text, out earlier_hash text, out earlier_result text,
        out posted_at timestamptz, out id uuid, out card_number text, out account_id bigint,
        out balance bigint, out held bigint, out enrolled_at timestamptz)
    language plpgsql as $$
declare
    _member members;
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
    select _member.id, _member.card_number, _member.account_id, _member.balance, _member.held, _member.enrolled_at
    into id, card_number, account_id, balance, held, enrolled_at;
end
$$;

-- A redemption in one statement: caller, claim, debit, entry (postings, event), lots drawn oldest first,
-- and one settlement record per issuer drawn from, at the redeeming partner's redemption value.
create function redeem_points(
        _caller_kind text, _caller_partner text, _caller_subject text, _scope text,
        _key text, _operation text, _hash text, _entry uuid,
        _member_by text, _member_ref text,
        _partner text, _points int, _channel text, _reference text, _occurred_at timestamptz, _contract_version int,
        _accounts bigint[], _amounts bigint[], _redemption_value numeric, _settlement_currency text,
        out claimed boolean, out earlier_operation text, out earlier_hash text, out earlier_result text,
        out posted_at timestamptz, out id uuid, out card_number text, out account_id bigint,
        out balance bigint, out held bigint, out enrolled_at timestamptz)
    language plpgsql as $$
declare
    _member members;
    _drawn int;
begin
    select c.claimed, c.earlier_operation, c.earlier_hash, c.earlier_result
    into claimed, earlier_operation, earlier_hash, earlier_result
    from idempotency_claim_as(_caller_kind, _caller_partner, _caller_subject, _scope, _key, _operation, _hash, _entry) c;
    if not claimed then
        return;
    end if;
    _member := member_debit_available(_member_by, _member_ref, _points);
    posted_at := ledger_append_entry(_entry, 'REDEMPTION', _member.id, _partner, -_points, null, null, _channel,
        _reference, _occurred_at, null, _contract_version,
        array(select case when a = 0 then _member.account_id else a end from unnest(_accounts) a), _amounts,
        null, 0, null, null, null);
    with drawn as (
        select d.issuer_id, sum(d.points)::int as points from lots_consume_fifo(_member.id, _points, _entry, _partner) d
        group by d.issuer_id
    ), recorded as (
        insert into settlement_records (id, kind, entry_id, member_id, debtor_id, creditor_id, points, amount, currency)
        select gen_random_uuid(), 'REDEMPTION', _entry, _member.id, drawn.issuer_id, _partner, drawn.points,
               round(drawn.points * _redemption_value, 4), _settlement_currency
        from drawn
        returning points
    )
    select coalesce(sum(recorded.points), 0) into _drawn from recorded;
    if _drawn <> _points then
        raise exception 'member % lots hold % of % points spent', _member.id, _drawn, _points;
    end if;
    select _member.id, _member.card_number, _member.account_id, _member.balance, _member.held, _member.enrolled_at
    into id, card_number, account_id, balance, held, enrolled_at;
end
$$;
