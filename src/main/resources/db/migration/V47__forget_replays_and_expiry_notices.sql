-- Two tables of partner-event bookkeeping only grew (PartnerEventRetention now forgets them, a batch per run):
-- * webhook_replays answer a retried replay request; past the webhook retention the request's idempotency key
--   is long forgotten too (V25), so nothing can ask again;
-- * lot_expiry_notices claim a lot's PointsExpiring announcement; a notice older than the lead time plus a day
--   names a lot already past its expiry, which no run looks at again.
grant delete on webhook_replays, lot_expiry_notices to ${appRole};
-- the gateway's job finds the old ones (select) and deletes them; partners keep seeing only their own
create policy webhook_replays_read_by_the_gateway on webhook_replays for select
    using (coalition_caller_kind() = 'SYSTEM');
create policy webhook_replays_forgotten_by_the_gateway on webhook_replays for delete
    using (coalition_caller_kind() = 'SYSTEM');
-- Append-only in time order: a BRIN index finds the old ones for almost no write cost.
create index webhook_replays_created on webhook_replays using brin (created_at);
create index lot_expiry_notices_announced on lot_expiry_notices using brin (announced_at);
