#!/usr/bin/env bash
# Times the program analytics at scale: a scratch database with the gateway's schema (the Flyway migrations),
# M members and N journal entries generated in SQL (default 1,000,000 and 10,000,000; --small: 20,000 and 200,000),
# the aggregation job's own statement folding all of it, then every analytics query the gateway runs
# (analytics.AnalyticsRepository), as an analyst (the coalition) and as a partner, each run 5 times.
#   bench/analytics/run.sh [--small | --members M --entries N] [psql connection options...]
# Prints the timings and appends nothing; bench/README.md records the last run.
set -euo pipefail
cd "$(dirname "$0")/../.."
members=1000000 entries=10000000 pace_earns=60000
while [ $# -gt 0 ]; do
  case "$1" in
    --small) members=20000 entries=200000; shift ;;
    --members) members=$2; shift 2 ;;
    --entries) entries=$2; shift 2 ;;
    *) break ;;
  esac
done
psql_args=("$@")
[ ${#psql_args[@]} -eq 0 ] && psql_args=(-h 127.0.0.1 -U postgres)
[ $((entries % members)) -eq 0 ] && [ $((entries / members)) -ge 10 ] \
  || { echo "entries must be a multiple of members, at least 10 per member" >&2; exit 2; }
db=coalition_bench_analytics
run() { psql "${psql_args[@]}" -v ON_ERROR_STOP=1 -d $db "$@"; }
psql "${psql_args[@]}" -q -d postgres -c "drop database if exists $db" -c "create database $db"
[ "${BENCH_KEEP:-}" = 1 ] || trap 'psql "${psql_args[@]}" -q -d postgres -c "drop database if exists $db"' EXIT
run -q -c "create table flyway_schema_history (installed_rank int)"
for migration in $(ls src/main/resources/db/migration/V*.sql | sort -V); do
  sed 's/\${appRole}/coalition_app/g' "$migration" | run -q >/dev/null
done

echo "--- generating $members members and $entries journal entries"
# Member m's k-th entry is entry k*M + m: every member's entries spread over two years, in posting order.
# Per member of 10 entries (more: the pattern repeats): EARN x6 at a partner that turns with the member and the
# entry, a BONUS funded by the earning partner (granted by one of 100 campaigns), two burns (REDEMPTION, every tenth
# member a DONATION instead of the second) drawing the member's first lot, and an EXPIRY of it (every fourth member;
# the others earn). Analytics reads the issuer's postings of earns and bonuses, the lots, the lot draws and the
# bonus grants: those are generated; the member legs and settlement records, which it never reads, are not.
run -q <<SQL
\timing on
select set_config('app.caller_kind', 'SYSTEM', false);
insert into partners (id, name, kind) values ('coalition-operator', 'Operator', 'OPERATOR'),
  ('p1', 'P1', 'RETAILER'), ('p2', 'P2', 'RETAILER'), ('p3', 'P3', 'RETAILER'), ('p4', 'P4', 'RETAILER'), ('p5', 'P5', 'CHARITY');
insert into accounts (kind, partner_id) select k, p from unnest(array['PARTNER_ISSUED', 'PARTNER_REDEEMED']) k,
  unnest(array['p1', 'p2', 'p3', 'p4', 'p5', 'coalition-operator']) p;
create function pg_temp.uid(_prefix text, _n bigint) returns uuid language sql immutable as
  \$\$ select (_prefix || lpad(to_hex(_n), 12, '0'))::uuid \$\$;
create function pg_temp.at(_i bigint) returns timestamptz language sql immutable as
  \$\$ select timestamptz '2025-01-01 00:00:00+00' + (_i::float8 / $entries) * interval '700 days' \$\$;

insert into accounts (kind, member_id) select 'MEMBER', pg_temp.uid('00000000-0000-4000-9000-', m) from generate_series(0, $members - 1) m;
insert into members (id, card_number, account_id, enrolled_by, enrolled_at)
select a.member_id, 'card-' || m, a.id, 'p' || (1 + m % 4), pg_temp.at(m) - interval '1 hour'
from generate_series(0, $members - 1) m join accounts a on a.member_id = pg_temp.uid('00000000-0000-4000-9000-', m);

create temp table gen as
select i, i % $members as m, (i / $members) % 10 as k,
       case when (i / $members) % 10 = 3 then 'BONUS'
            when (i / $members) % 10 = 7 then 'REDEMPTION'
            when (i / $members) % 10 = 8 then case when (i % $members) % 10 = 0 then 'DONATION' else 'REDEMPTION' end
            when (i / $members) % 10 = 9 and (i % $members) % 4 = 0 then 'EXPIRY'
            else 'EARN' end as kind,
       'p' || (1 + ((i % $members) + (i / $members)) % 4) as partner
from generate_series(0, $entries - 1) i;

insert into journal_entries (id, kind, member_id, partner_id, points, purchase_amount, currency, channel, occurred_at, posted_at)
select pg_temp.uid('00000000-0000-4000-8000-', i), kind, pg_temp.uid('00000000-0000-4000-9000-', m),
       case when kind = 'DONATION' then 'p5' else partner end,
       case when kind in ('EARN', 'BONUS') then 10 + (i % 90)::int else -(5 + (i % 5)::int) end,
       case when kind = 'EARN' then (10 + (i % 90)) * 1.5 end, case when kind = 'EARN' then 'EUR' end,
       case when kind in ('EARN', 'REDEMPTION') then 'STORE' end, pg_temp.at(i), pg_temp.at(i)
from gen;

insert into postings (entry_id, account_id, member_id, partner_id, amount)
select pg_temp.uid('00000000-0000-4000-8000-', g.i), a.id, pg_temp.uid('00000000-0000-4000-9000-', g.m), g.partner, -(10 + (g.i % 90)::int)
from gen g join accounts a on a.kind = 'PARTNER_ISSUED' and a.partner_id = g.partner where g.kind in ('EARN', 'BONUS');

insert into lots (id, member_id, issuer_id, entry_id, points, remaining, earned_at, expires_at) overriding system value
select g.i, pg_temp.uid('00000000-0000-4000-9000-', g.m), g.partner, pg_temp.uid('00000000-0000-4000-8000-', g.i),
       10 + (g.i % 90)::int, 10 + (g.i % 90)::int, pg_temp.at(g.i), pg_temp.at(g.i) + interval '2 years'
from gen g where g.kind in ('EARN', 'BONUS');

-- burns draw the member's first lot (entry m, an earn at p(1 + m % 4))
insert into lot_consumptions (entry_id, lot_id, member_id, issuer_id, points, partner_id)
select pg_temp.uid('00000000-0000-4000-8000-', g.i), g.m, pg_temp.uid('00000000-0000-4000-9000-', g.m), 'p' || (1 + g.m % 4),
       5 + (g.i % 5)::int, case when g.kind = 'DONATION' then 'p5' else g.partner end
from gen g where g.kind in ('REDEMPTION', 'DONATION', 'EXPIRY');

insert into campaigns (id, partner_id, name, rule_kind, bonus_points, minimum_basket, currency, starts_at, ends_at, budget_points)
select pg_temp.uid('00000000-0000-4000-a000-', c), 'p' || (1 + c % 4), 'Campaign ' || c, 'BASKET_BONUS', 10, 50, 'EUR',
       pg_temp.at(c * $entries / 100), pg_temp.at(c * $entries / 100) + interval '14 days', 1000000000
from generate_series(0, 99) c;
insert into bonus_grants (entry_id, campaign_id, earn_entry_id, member_id, partner_id, points, granted_at)
select pg_temp.uid('00000000-0000-4000-8000-', g.i),
       pg_temp.uid('00000000-0000-4000-a000-', (g.i * 100 / $entries) / 4 * 4 + ((1 + (g.m + g.k) % 4) - 1)),
       pg_temp.uid('00000000-0000-4000-8000-', g.i - $members), pg_temp.uid('00000000-0000-4000-9000-', g.m), g.partner,
       10 + (g.i % 90)::int, pg_temp.at(g.i)
from gen g where g.kind = 'BONUS';
analyze;
SQL

echo "--- the aggregation job folding all of it (analytics_refresh, batches of 200,000 entries)"
start=$(date +%s.%N)
run -q -tA <<'SQL' | tail -1
select set_config('app.caller_kind', 'SYSTEM', false);
create procedure pg_temp.fold_all() language plpgsql as $$
declare _folded int;
begin
  loop
    select folded into _folded from analytics_refresh('EUR', '{1000,250,50}', 200000, interval '0 seconds', interval '10 minutes');
    commit;
    exit when _folded = 0;
  end loop;
end $$;
call pg_temp.fold_all();
select 'entries folded: ' || entries_folded from analytics_state;
SQL
echo "fold: $(echo "$(date +%s.%N) - $start" | bc) s"
run -q -c "analyze"

echo "--- analytics queries (ms, best and worst of 5; analyst = coalition, partner = p1's own view)"
# The statements of analytics.AnalyticsRepository, with the arguments the service passes; keep them in step.
time_query() { # name, caller kind, partner, statement
  local times
  times=$(for _ in 1 2 3 4 5; do
    run -q -tA -c "select coalition_set_caller('$2', '$3', '', 'bench')" -c "\\timing on" -c "$4" 2>&1 \
      | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
  done | sort -n)
  printf '%-34s %-8s best %7.1f  worst %7.1f\n' "$1" "$2" "$(head -1 <<< "$times")" "$(tail -1 <<< "$times")"
}
for view in "ANALYST|*|" "PARTNER|p1|p1"; do
  IFS='|' read -r kind scope partner <<< "$view"
  s="'$scope'"
  time_query watermark "$kind" "$partner" "select watermark from analytics_state where id = 1"
  time_query retention "$kind" "$partner" "select s.cohort_month, s.members, m.month, m.active_members, m.spend, m.visits, m.points_earned, m.points_redeemed from analytics_cohort_sizes s left join analytics_cohort_months m on m.scope = s.scope and m.cohort_month = s.cohort_month where s.scope = $s and s.cohort_month between '2025-01-01' and '2026-12-01' order by s.cohort_month, m.month limit 10000"
  time_query activity "$kind" "$partner" "select (select coalesce(sum(members), 0) from analytics_cohort_sizes where scope = $s) as members, coalesce(sum(members) filter (where day > '2026-09-01'), 0), coalesce(sum(members) filter (where day <= '2026-09-01'), 0) from analytics_last_active where scope = $s"
  time_query value-segments "$kind" "$partner" "select segment, members, spend, visits, points_earned, points_redeemed from analytics_segments where scope = $s"
  time_query cohort-value/retention-rate "$kind" "$partner" "select coalesce(sum(active_members) filter (where month = '2026-11-01' and cohort_month <= '2026-10-01'), 0), coalesce(sum(active_members) filter (where month = '2026-10-01'), 0) from analytics_cohort_months where scope = $s and month in ('2026-11-01', '2026-10-01')"
  time_query cohort-value "$kind" "$partner" "select s.cohort_month, s.members, coalesce(sum(m.spend), 0), coalesce(sum(m.spend) filter (where m.month = '2026-11-01'), 0) from analytics_cohort_sizes s left join analytics_cohort_months m on m.scope = s.scope and m.cohort_month = s.cohort_month where s.scope = $s and s.cohort_month between '2025-01-01' and '2026-12-01' group by s.cohort_month, s.members order by s.cohort_month"
  time_query campaign-roi "$kind" "$partner" "select c.id, c.name, c.partner_id, c.starts_at, c.ends_at, g.rewarded, g.members, g.bonus_points, g.cost_amount, g.spend_before, g.visits_before, g.spend_during, g.visits_during from campaigns c left join analytics_campaign_groups g on g.campaign_id = c.id where ($s = '*' or c.partner_id = $s) order by c.starts_at desc, c.id limit 10000"
  time_query reward-performance "$kind" "$partner" "select issuer_id, counterparty_id, kind, coalesce(sum(points) filter (where month >= '2025-01-01'), 0), coalesce(sum(point_seconds) filter (where month >= '2025-01-01'), 0), coalesce(sum(points), 0) from analytics_points where month <= '2026-12-01' and ($s = '*' or issuer_id = $s or counterparty_id = $s) group by issuer_id, counterparty_id, kind"
  time_query cross-brand-flows "$kind" "$partner" "select month, issuer_id, counterparty_id, points, point_seconds, members from analytics_points where kind = 'REDEEMED' and month between '2025-01-01' and '2026-12-01' and ($s = '*' or issuer_id = $s or counterparty_id = $s) order by month, issuer_id, counterparty_id limit 10000"
done
echo "--- the job keeping pace: 100 campaigns open at p1 and p2, $pace_earns new earns, batches of 1,000 entries"
# What the job does in service: each run folds the seconds since the last. 50 campaigns at each of two partners are
# open (the bench's earn-campaigns set: every earn there falls in 50 windows); their first fold catches them up (not
# timed). Then pace_earns earns at p1..p4 (1 in 40 with a bonus of one of the campaigns) posted since the watermark,
# folded by analytics_refresh in batches of 1,000 entries (a run every second at 1,000 earns/s), timed per batch.
run -q -tA <<SQL > /dev/null
select set_config('app.caller_kind', 'SYSTEM', false);
create function pg_temp.uid(_prefix text, _n bigint) returns uuid language sql immutable as
  \$\$ select (_prefix || lpad(to_hex(_n), 12, '0'))::uuid \$\$;
insert into campaigns (id, partner_id, name, rule_kind, bonus_points, minimum_basket, currency, starts_at, ends_at, budget_points)
select pg_temp.uid('00000000-0000-4000-b000-', c), 'p' || (1 + c % 2), 'Open ' || c, 'BASKET_BONUS', 10, 50, 'EUR',
       w - interval '1 minute', w + interval '1 day', 1000000000
from generate_series(0, 99) c, (select watermark as w from analytics_state) s;
-- the campaigns' catch-up, with a lag that keeps the watermark where it is (the earns below come after it)
select folded from analytics_refresh('EUR', '{1000,250,50}', 1000,
                                     now() - (select watermark from analytics_state) - interval '1 microsecond', interval '10 minutes');
create temp table gen as
select i, (i * 7919) % $members as m, 'p' || (1 + i % 4) as partner, i % 40 < 2 as bonus,
       w + (i + 1) * (now() - w) / ($pace_earns + 1) as at
from generate_series(0, $pace_earns - 1) i, (select watermark as w from analytics_state) s;
insert into journal_entries (id, kind, member_id, partner_id, points, purchase_amount, currency, channel, occurred_at, posted_at)
select pg_temp.uid('00000000-0000-4000-c000-', i), 'EARN', pg_temp.uid('00000000-0000-4000-9000-', m), partner, 10 + i % 90,
       (10 + i % 90) * 1.5, 'EUR', 'STORE', at, at from gen
union all
select pg_temp.uid('00000000-0000-4000-d000-', i), 'BONUS', pg_temp.uid('00000000-0000-4000-9000-', m), partner, 10, null, null,
       null, at, at from gen where bonus;
insert into postings (entry_id, account_id, member_id, partner_id, amount)
select pg_temp.uid(case when k = 'EARN' then '00000000-0000-4000-c000-' else '00000000-0000-4000-d000-' end, g.i), a.id,
       pg_temp.uid('00000000-0000-4000-9000-', g.m), g.partner, case when k = 'EARN' then -(10 + g.i % 90) else -10 end
from gen g cross join lateral (select 'EARN' as k union all select 'BONUS' where g.bonus) k
join accounts a on a.kind = 'PARTNER_ISSUED' and a.partner_id = g.partner;
insert into bonus_grants (entry_id, campaign_id, earn_entry_id, member_id, partner_id, points, granted_at)
select pg_temp.uid('00000000-0000-4000-d000-', i), pg_temp.uid('00000000-0000-4000-b000-', i % 2),
       pg_temp.uid('00000000-0000-4000-c000-', i), pg_temp.uid('00000000-0000-4000-9000-', m), partner, 10, at
from gen where bonus;
analyze;
SQL
run -q -tA <<'SQL' > /dev/null
select set_config('app.caller_kind', 'SYSTEM', false);
create procedure pg_temp.fold_timed() language plpgsql as $$
declare _folded int; _start timestamptz; _batches int[] := '{}'; _millis numeric[] := '{}'; _half int; _n int;
begin
  loop
    _start := clock_timestamp();
    select folded into _folded from analytics_refresh('EUR', '{1000,250,50}', 1000, interval '0 seconds', interval '10 minutes');
    commit;
    exit when _folded = 0;
    _batches := _batches || _folded;
    _millis := _millis || extract(epoch from clock_timestamp() - _start) * 1000;
  end loop;
  _n := cardinality(_batches);
  _half := _n / 2 + 1;
  -- the second half: the campaigns' samples full, as in service after a campaign's first hours
  raise notice 'pace: % entries in % batches: % entries/s; second half % entries/s (median batch % ms); slowest batch % ms',
    (select sum(b) from unnest(_batches) b), _n,
    round((select sum(b) from unnest(_batches) b) / (select sum(m) from unnest(_millis) m) * 1000),
    round((select sum(b) from unnest(_batches[_half:]) b) / (select sum(m) from unnest(_millis[_half:]) m) * 1000),
    round((select percentile_cont(0.5) within group (order by m) from unnest(_millis[_half:]) m)::numeric),
    round((select max(m) from unnest(_millis) m));
end $$;
set client_min_messages = notice;
call pg_temp.fold_timed();
SQL
run -q -tA -c "select 'aggregate rows: member state ' || (select count(*) from analytics_member_state) || ', flow members ' || (select count(*) from analytics_flow_members) || ', cohort months ' || (select count(*) from analytics_cohort_months) || ', point flows ' || (select count(*) from analytics_points)"
