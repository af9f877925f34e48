#!/usr/bin/env bash
# First throughput check of the hot path: earnPoints through the packaged gateway (HTTP, real signed
# bearer tokens, RLS, idempotency, settlement records) side by side with pgbench's TPC-B-like builtin
# on the same PostgreSQL, same client count and duration. The full harness of the benchmark issue
# (all workloads, RSS/CPU, JSON per run, invariant checks) builds on this.
#   bench/earn/run.sh [clients=32] [seconds=30] [members=10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-32}; seconds=${2:-30}; members=${3:-10000}
pg=(-h 127.0.0.1 -U postgres)
work=$(mktemp -d)
trap 'kill ${gateway_pid:-0} 2>/dev/null || true; rm -rf "$work"' EXIT

[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
psql "${pg[@]}" -q -d postgres -c "drop database if exists coalition_bench" -c "create database coalition_bench"

# A signing key of our own, configured as the gateway's verification key.
openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
public_key=$(openssl rsa -in "$work/key.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT","kid":"bench"}' | b64url)
payload=$(printf '{"iss":"https://bench.local","aud":"coalition-gateway","sub":"bench","azp":"freshmart-pos","scope":"points:earn points:redeem members:read","iat":%d,"exp":%d}' "$now" $((now + 7200)) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/key.pem" -binary | b64url)
export BENCH_TOKEN="$header.$payload.$signature" BENCH_MEMBERS=$members

DB_HOST=127.0.0.1 DB_NAME=coalition_bench OIDC_PUBLIC_KEY="$public_key" OIDC_TOKEN_ISSUER=https://bench.local \
  java -Xmx256m ${BENCH_JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar > "$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 60); do curl -sf localhost:8080/q/health/ready >/dev/null && break; sleep 1; done
curl -sf localhost:8080/q/health/ready >/dev/null || { cat "$work/gateway.log"; exit 1; }

# Seed members with empty balances (no points, so no postings to keep in step).
psql "${pg[@]}" -q -d coalition_bench <<SQL
create function bench_luhn(payload text) returns text language sql immutable as \$\$
  select payload || ((10 - sum(case when (length(payload) - i) % 2 = 0
                                    then (d * 2) - case when d * 2 > 9 then 9 else 0 end else d end)::int % 10) % 10)::text
  from (select i, substr(payload, i, 1)::int as d from generate_series(1, length(payload)) i) digits
\$\$;
with ids as (select i, gen_random_uuid() as member_id from generate_series(1, $members) i),
accounts as (insert into accounts (kind, member_id) select 'MEMBER', member_id from ids returning id, member_id)
insert into members (id, card_number, account_id, enrolled_by)
select a.member_id, bench_luhn('9' || lpad(i::text, 14, '0')), a.id, 'freshmart' from accounts a join ids using (member_id);
SQL

echo "--- gateway: earnPoints, $clients clients, ${seconds}s, $members members ---"
gateway=$(wrk -t2 -c"$clients" -d"${seconds}s" -s bench/earn/earn.lua http://localhost:8080 | grep RESULT)
echo "$gateway"
rss_kb=$(ps -o rss= -p $gateway_pid | tr -d ' ')

# The ledger after the load: every invariant holds, and it booked exactly what clients were told.
# (Requests still in flight when wrk stopped may have committed without being counted: allow 2 per client.)
succeeded=$(echo "$gateway" | sed 's/.*succeeded=\([0-9]*\).*/\1/')
read -r entries violations < <(psql "${pg[@]}" -qtA -F ' ' -d coalition_bench <<'SQL'
select (select count(*) from journal_entries where kind = 'EARN'),
  (select count(*) from (select entry_id from postings group by entry_id having sum(amount) <> 0) unbalanced)
  + (select count(*) from members m where m.balance <> coalesce((select sum(p.amount) from postings p where p.account_id = m.account_id), 0))
  + (select count(*) from members m where m.balance <> coalesce((select sum(l.remaining) from lots l where l.member_id = m.id), 0))
  + (select count(*) from members where balance < 0 or held < 0 or held > balance)
  + (select count(*) from journal_entries e where abs(e.points) <> coalesce((select sum(r.points) from settlement_records r where r.entry_id = e.id), 0));
SQL
)
echo "ledger: $entries earn entries for $succeeded acknowledged earns, $violations invariant violations"
if [ "$violations" != "0" ] || [ "$entries" -lt "$succeeded" ] || [ "$entries" -gt $((succeeded + 2 * clients)) ]; then
  echo "LEDGER CHECK FAILED" >&2
  exit 1
fi

echo "--- pgbench TPC-B-like, $clients clients, ${seconds}s ---"
psql "${pg[@]}" -q -d postgres -c "drop database if exists coalition_pgbench" -c "create database coalition_pgbench"
pgbench "${pg[@]}" -q -i -s 10 coalition_pgbench >/dev/null 2>&1
tps=$(pgbench "${pg[@]}" -c "$clients" -j 2 -T "$seconds" -M prepared coalition_pgbench 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
echo "pgbench tps=$tps"
rps=$(echo "$gateway" | sed 's/.*rps=\([0-9.]*\).*/\1/')
ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN { printf "%.2f", a / b }')
echo "gateway earn / pgbench = $ratio   gateway RSS = $((rss_kb / 1024)) MiB"
mkdir -p bench/results
printf '{"date":"%s","clients":%d,"seconds":%d,"members":%d,"earn":"%s","pgbench_tps":%s,"ratio":%s,"gateway_rss_mib":%d}\n' \
  "$(date -u +%FT%TZ)" "$clients" "$seconds" "$members" "$gateway" "$tps" "$ratio" $((rss_kb / 1024)) \
  > "bench/results/earn-$(date -u +%Y%m%dT%H%M%SZ).json"
psql "${pg[@]}" -q -d postgres -c "drop database coalition_pgbench" -c "drop database coalition_bench" 2>/dev/null || true
