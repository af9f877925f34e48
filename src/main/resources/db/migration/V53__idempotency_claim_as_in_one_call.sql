-- The first thing every earn and redemption does: say who is calling and claim the idempotency key. It was two nested
-- PL/pgSQL calls (coalition_set_caller, idempotency_claim), each a statement of its own with a function call's
-- overhead: 150 us of PostgreSQL's time per earn in bench/ (pg_stat_statements, track = all), for a 60 us insert.
-- The same work in two statements, nothing nested. Same signature, same results; idempotency_claim and
-- coalition_set_caller stay for the other paths.
create or replace function idempotency_claim_as(_caller_kind text, _caller_partner text, _caller_subject text, _scope text,
                                                _key text, _operation text, _hash text, _result uuid,
                                                out claimed boolean, out earlier_operation text, out earlier_hash text,
                                                out earlier_result text)
    language plpgsql as $$
begin
    -- as coalition_set_caller (V9): the settings row-level security reads, local to this transaction
    perform set_config('app.caller_kind', _caller_kind, true), set_config('app.partner_id', _caller_partner, true),
            set_config('app.member_subject', _caller_subject, true), set_config('app.scope', _scope, true);
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
