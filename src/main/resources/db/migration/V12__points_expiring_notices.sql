-- PointsExpiring: a lot's issuer hears once, ahead of expiry, how many of the lot's points will expire.
--
-- A notice is the claim on a lot's announcement. The job (expiry.PointsExpiringNotices) inserts it with
-- ON CONFLICT DO NOTHING in the transaction that raises the event: two replicas that pick the same lot
-- meet on its primary key, the second waits for the first to end and claims nothing if it committed, and
-- a run that rolls back leaves its lots to the next run. Lots due are found through lots_open_by_expiry
-- (V1: expires_at where remaining > 0), each checked against this table by its key.
--
-- No foreign key to lots, as in V10: the check would lock the lot row, which redemptions update.
create table lot_expiry_notices (
    lot_id       bigint primary key,
    announced_at timestamptz not null default now()
);

-- A claim is never changed; only the gateway's own jobs read or write claims.
revoke update on lot_expiry_notices from ${appRole};
alter table lot_expiry_notices enable row level security;
alter table lot_expiry_notices force row level security;
create policy lot_expiry_notices_by_caller on lot_expiry_notices
    using (coalition_caller_kind() = 'SYSTEM')
    with check (coalition_caller_kind() = 'SYSTEM');
