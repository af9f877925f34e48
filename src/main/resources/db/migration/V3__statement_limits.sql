-- Bound every statement and every open transaction of the gateway's role, so a slow query or a stuck
-- client cannot hold member rows locked for long. Requests fail with a typed error and are retried
-- with their idempotency key.
alter role ${appRole} set statement_timeout = '5s';
alter role ${appRole} set lock_timeout = '3s';
alter role ${appRole} set idle_in_transaction_session_timeout = '10s';
