-- Idempotency keys are forgotten after coalition.idempotency.retention (idempotency.IdempotencyKeyRetention); a
-- BRIN index finds the old ones without scanning the table, at almost no cost to the insert every mutation makes
-- (keys arrive in created_at order).
create index idempotency_keys_by_age on idempotency_keys using brin (created_at);

-- The application may not change or delete a key (V1); forgetting keys past retention is this function's alone.
create function idempotency_keys_forget(_older_than_seconds double precision, _batch int) returns int
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    _forgotten int;
begin
    delete from idempotency_keys where ctid = any (array(
        select ctid from idempotency_keys where created_at < now() - make_interval(secs => _older_than_seconds) limit _batch));
    get diagnostics _forgotten = row_count;
    return _forgotten;
end
$$;
