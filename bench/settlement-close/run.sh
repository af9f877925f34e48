#!/usr/bin/env bash
# Measures closing a settlement period of N settlement records (default 1,000,000) with the gateway's
# own close statements, on a local PostgreSQL: schema from the Flyway migrations, records generated in
# SQL, then sweep + statements + matrix timed inside one transaction, as the gateway runs them.
#   bench/settlement-close/run.sh [records] [psql connection options...]
set -euo pipefail
cd "$(dirname "$0")/../.."
records=${1:-1000000}
shift || true
psql_args=("$@")
[ ${#psql_args[@]} -eq 0 ] && psql_args=(-h 127.0.0.1 -U postgres)
db=coalition_bench_close
psql "${psql_args[@]}" -q -d postgres -c "drop database if exists $db" -c "create database $db"
# Flyway's own table, which the migrations revoke rights on.
psql "${psql_args[@]}" -q -d $db -c "create table flyway_schema_history (installed_rank int)"
for migration in src/main/resources/db/migration/V*.sql; do
  sed 's/\${appRole}/coalition_app/g' "$migration" | psql "${psql_args[@]}" -q -v ON_ERROR_STOP=1 -d $db >/dev/null
done
psql "${psql_args[@]}" -q -v ON_ERROR_STOP=1 -d $db <<SQL
select set_config('app.caller_kind', 'SYSTEM', false);
insert into partners (id, name, kind) values
  ('coalition-operator', 'Operator', 'OPERATOR'), ('p1', 'P1', 'RETAILER'), ('p2', 'P2', 'RETAILER'),
  ('p3', 'P3', 'RETAILER'), ('p4', 'P4', 'RETAILER'), ('p5', 'P5', 'CHARITY');
insert into settlement_periods (id, starts_at, ends_at, status)
  values ('00000000-0000-0000-0000-000000000001', '2026-01-01', '2026-02-01', 'OPEN');
\timing on
insert into settlement_records (id, kind, debtor_id, creditor_id, points, amount, currency, posted_at)
select gen_random_uuid(), 'ADJUSTMENT', 'p' || (1 + i % 5), 'p' || (1 + (i / 5) % 5), 1 + i % 500,
       round(((1 + i % 500) * 0.008)::numeric, 4), 'EUR', timestamptz '2026-01-01' + (i % 2592000) * interval '1 second'
from generate_series(1, $records) as i;
analyze settlement_records;
SQL
echo "--- closing a period of $records records (sweep, statements, matrix) ---"
# The statements below are the gateway's (SettlementService); keep them in step when those change.
psql "${psql_args[@]}" -d $db <<'SQL'
\timing on
begin;
select set_config('app.caller_kind', 'SYSTEM', true);
insert into period_records (record_id, period_id)
select r.id, '00000000-0000-0000-0000-000000000001' from settlement_records r
where r.posted_at < '2026-02-01' and not exists (select 1 from period_records p where p.record_id = r.id);
with recs as (
    select r.* from settlement_records r join period_records p on p.record_id = r.id
    where p.period_id = '00000000-0000-0000-0000-000000000001'
), parties as (
    select debtor_id as partner_id, currency from recs union select creditor_id, currency from recs
), sums as (
    select x.partner_id, x.currency,
           coalesce(sum(r.points) filter (where r.kind = 'ISSUANCE_FEE' and r.debtor_id = x.partner_id), 0) as issued,
           coalesce(sum(r.points) filter (where r.kind = 'REDEMPTION' and r.creditor_id = x.partner_id), 0) as here,
           coalesce(sum(r.points) filter (where r.kind = 'REDEMPTION' and r.debtor_id = x.partner_id and r.creditor_id <> x.partner_id), 0) as elsewhere,
           coalesce(sum(r.points) filter (where r.kind = 'EXPIRY' and r.creditor_id = x.partner_id), 0) as expired,
           coalesce(sum(r.amount) filter (where r.debtor_id = x.partner_id and r.creditor_id <> x.partner_id), 0) as owed,
           coalesce(sum(r.amount) filter (where r.creditor_id = x.partner_id and r.debtor_id <> x.partner_id), 0) as due
    from parties x left join recs r on r.currency = x.currency and (r.debtor_id = x.partner_id or r.creditor_id = x.partner_id)
    group by x.partner_id, x.currency
)
insert into settlement_statements select '00000000-0000-0000-0000-000000000001', partner_id, currency, issued, here,
    elsewhere, expired, owed, due, due - owed from sums;
with gross as (
    select r.debtor_id as d, r.creditor_id as c, r.currency, sum(r.points) as points, sum(r.amount) as amount
    from settlement_records r join period_records p on p.record_id = r.id
    where p.period_id = '00000000-0000-0000-0000-000000000001' and r.debtor_id <> r.creditor_id group by 1, 2, 3
), pairs as (
    select least(d, c) as x, greatest(d, c) as y, currency, sum(case when d < c then amount else -amount end) as amount,
           sum(case when d < c then points else -points end) as points from gross group by 1, 2, 3
)
insert into bilateral_positions select '00000000-0000-0000-0000-000000000001', case when amount >= 0 then x else y end,
    case when amount >= 0 then y else x end, currency, abs(points), abs(amount) from pairs where amount <> 0 or points <> 0;
select sum(net) as nets_sum_to from settlement_statements;
commit;
SQL
psql "${psql_args[@]}" -q -d postgres -c "drop database $db"
