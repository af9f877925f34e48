#!/usr/bin/env bash
# What earns cost PostgreSQL (issue 6): the real earn_points with one earn and with a batch of several (as group
# commit sends them, V57), and the session-7 prototype of a set-based batch, measured with pgbench on this machine
# beside pgbench's TPC-B: bench/batch-earn/run.sh [--clients 8] [--seconds 20] [--members 100000]
# [--sizes "8 32 128" (the prototype)] [--batches "8 32" (the real function)] [--variant FILE [--variant-batch 8]].
# Needs what bench/run.sh needs, GNU time (/usr/bin/time; Debian: time), and the packaged gateway (./mvnw package),
# which it starts once to migrate a scratch database and register the demo partners. See bench/README.md, "Session 7",
# "Session 8", "Session 9" and "Session 17".
#
# --variant FILE compares a candidate change to the earn's functions with the functions as they are, in one pgbench
# run whose transactions alternate between the two at random, so that a machine whose speed drifts by a fifth within
# minutes (bench/README.md, sessions 15 and 16) moves both sides alike. FILE holds `create or replace function`
# statements, as a migration would. Each function it defines is installed as <name>_variant, with its calls in FILE
# renamed likewise; so is a copy of earn_points (unless FILE defines it), which therefore calls the variants where it
# called the originals. Functions that earn_points calls only through another function FILE does not define keep their
# originals.
set -euo pipefail
cd "$(dirname "$0")/../.."

clients=8 seconds=20 members=100000 sizes="8 32 128" batches="8 32" variant="" variant_batch=8
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --members) members=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --variant) variant=$2; shift 2 ;;
    --variant-batch) variant_batch=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
database=coalition_batch_earn work=$(mktemp -d)
cleanup() {
  local status=$?
  [ -z "${gateway_pid:-}" ] || { kill "$gateway_pid" 2>/dev/null || true; wait "$gateway_pid" 2>/dev/null || true; }
  psql -q -d postgres -c "drop database if exists $database" -c "drop database if exists coalition_pgbench" 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
psql -q -d postgres -c "drop database if exists $database" -c "create database $database"

# The gateway migrates the database and registers the partners and their accounts; then it is stopped.
card_key=$(openssl rand -hex 32)
openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
DB_HOST=$PGHOST DB_PORT=$PGPORT DB_NAME=$database DB_OWNER_USER=$PGUSER COALITION_PRIVACY_CARD_KEY="$card_key" \
OIDC_PUBLIC_KEY="$(openssl rsa -in "$work/key.pem" -pubout -outform DER 2>/dev/null | base64 -w0)" \
OIDC_TOKEN_ISSUER=https://bench.local java -Xmx256m -XX:+UseParallelGC -jar target/quarkus-app/quarkus-run.jar > "$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 90); do curl -sf localhost:8080/q/health/ready >/dev/null && break; sleep 1; done
curl -sf localhost:8080/q/health/ready >/dev/null || { cat "$work/gateway.log"; exit 1; }
kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true; gateway_pid=

psql -q -v ON_ERROR_STOP=1 -v members="$members" -v points=100000 -v card_key="$card_key" -d $database -f bench/seed.sql
psql -q -v ON_ERROR_STOP=1 -d $database -f bench/batch-earn/earn-batch.sql
# Unmeasured earns first, so that no table an earn reads is empty when a measured session plans its statements: a plan
# cached for an empty member_qualifying scans it whole, and kept doing so as it grew for the whole 20 s (session 17:
# one earn per transaction measured at 2.1 ms of PostgreSQL's CPU instead of 0.9).
echo "select bench_earn_points(8, $members);" > "$work/warm-up.sql"
pgbench -n -U coalition_app -c "$clients" -j 2 -t 200 -M prepared -f "$work/warm-up.sql" $database > /dev/null
psql -q -d $database -c "vacuum analyze" -c "checkpoint"

ticks=$(getconf CLK_TCK)
# pgbench's backends end with the run, and their CPU with them: PostgreSQL's share is the machine's busy time less
# pgbench's own (the machine is otherwise quiet: check that nothing else runs).
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
earns() { psql -qtA -d $database -c "select count(*) from journal_entries where kind = 'EARN'"; }
measure() { # label, pgbench script; prints one table row
  local before_ticks before_earns tps after_earns seconds_cpu
  printf '%s\n' "$2" > "$work/script.sql"
  before_earns=$(earns) before_ticks=$(machine_ticks)
  /usr/bin/time -f '%U %S' -o "$work/client-cpu" pgbench -n -U coalition_app -c "$clients" -j 2 -T "$seconds" -M prepared \
    -f "$work/script.sql" $database > "$work/pgbench.log" 2>&1 || { cat "$work/pgbench.log" >&2; exit 1; }
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.log")
  seconds_cpu=$(awk -v a="$before_ticks" -v b="$(machine_ticks)" -v t="$ticks" -v client="$(awk '{ print $1 + $2 }' "$work/client-cpu")" \
      'BEGIN { print (b - a) / t - client }')
  after_earns=$(earns)
  awk -v l="$1" -v tps="$tps" -v n=$((after_earns - before_earns)) -v s="$seconds" -v c="$seconds_cpu" \
      'BEGIN { printf "| %s | %.0f | %.0f | %.3f |\n", l, tps, n / s, c * 1000 / n }'
  psql -q -d $database -c "vacuum analyze" -c "checkpoint"
}

# --variant: the candidate and the functions as they are, in one run (see the head of this file)
compare_variant() {
  local names renames
  names=$(grep -oiP 'create\s+(or\s+replace\s+)?function\s+(public\.)?\K[a-z_0-9]+' "$variant" | sort -u)
  [ -n "$names" ] || { echo "$variant defines no function" >&2; exit 2; }
  renames=""
  for name in $names earn_points; do renames="$renames s/\b$name\(/${name}_variant(/g;"; done
  sed -E "$renames" "$variant" > "$work/variant.sql"
  if ! grep -qx earn_points <<< "$names"; then
    psql -qtA -d $database -c "select pg_get_functiondef('earn_points'::regproc)" | sed -E "$renames" >> "$work/variant.sql"
    echo ";" >> "$work/variant.sql"
  fi
  psql -qtA -d $database -c "select pg_get_functiondef('bench_earn_points'::regproc)" \
    | sed -E "s/\bbench_earn_points\(/bench_earn_points_variant(/; s/\bearn_points\(/earn_points_variant(/" >> "$work/variant.sql"
  echo ";" >> "$work/variant.sql"
  psql -q -v ON_ERROR_STOP=1 -d $database -f "$work/variant.sql" -c "grant execute on all functions in schema public to coalition_app"
  echo "select bench_earn_points($variant_batch, $members);" > "$work/as-is.sql"
  echo "select bench_earn_points_variant($variant_batch, $members);" > "$work/variant-call.sql"
  # One client per core: with more, every statement also waits for the others' turns on the CPU, a wait both sides
  # share, which shrinks the difference in percent (session 17: 10.6 % with 2 clients, 5.4 % with 8).
  pgbench -n -U coalition_app -c "$(nproc)" -j "$(nproc)" -T $((seconds * 3)) -M prepared \
    -f "$work/as-is.sql@1" -f "$work/variant-call.sql@1" $database > "$work/pgbench.log" 2>&1 || { cat "$work/pgbench.log" >&2; exit 1; }
  echo "| batches of $variant_batch earns, interleaved in one run | statements | mean latency ms |"
  echo "|---|---|---|"
  awk -v as_is="as they are" -v candidate="$variant" '
    /^SQL script 1:/ { label = as_is; n = 1 } /^SQL script 2:/ { label = candidate; n = 2 }
    /^ - [0-9]+ transactions/ { count = $2 }
    /^ - latency average/ { latency[n] = $5; printf "| %s | %s | %s |\n", label, count, $5 }
    END { printf "\nThe candidate'"'"'s statement took %+.1f %% against the functions as they are.\n", (latency[2] / latency[1] - 1) * 100 }' "$work/pgbench.log"
}
if [ -n "$variant" ]; then
  compare_variant
  exit 0
fi

echo "| statement | transactions/s | earns/s | PostgreSQL CPU ms per earn |"
echo "|---|---|---|---|"
measure "earn_points, one earn per transaction" "select bench_earn_points(1, $members);"
for size in $batches; do
  measure "earn_points with a batch of $size" "select bench_earn_points($size, $members);"
done
for size in $sizes; do
  measure "set-based batch of $size" "select bench_earn_batch($size, $members);"
done
tpcb=$(bench/tpcb.sh 32 "$seconds")
echo "pgbench TPC-B-like, 32 clients, scale 32: $tpcb tps"
