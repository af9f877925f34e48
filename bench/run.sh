#!/usr/bin/env bash
# The gateway benchmark: the packaged gateway, driven through its real HTTP GraphQL endpoint with real
# signed bearer tokens, measured side by side with pgbench's TPC-B-like builtin on the same PostgreSQL,
# with the same clients and duration, in the same run. See bench/README.md.
#
#   bench/run.sh [--clients 32] [--seconds 30] [--members 100000] [--workloads "earn me redeem hot mixed hot redeem me earn"]
#                [--warmup 90] [--pool 20 (the gateway's database connections)]
#
# The workload earn-webhook is earn while both partners have an active webhook endpoint on a local receiver
# (bench/tools/WebhookSink.java); compare it with earn in the same run, alternating so that neither gains from its
# place: --warmup 90 --workloads "earn earn-webhook earn earn-webhook" (the targets take the mean of repeats).
# The workload earn-campaigns is earn while both partners run 50 campaigns each, 100 evaluated on every earn and
# none granting (the cost of evaluating them); earn-campaign-grants is the same with 2 of each partner's granting a
# bonus on every earn (the cost of the bonus transactions): --workloads "earn earn-campaigns earn-campaign-grants".
# The workload earn-analytics is earn while the analytics aggregation job folds the new ledger rows every 10 s (the
# gateway's own job is off in this run, so the other workloads run without it): --workloads "earn earn-analytics".
#
# The gateway runs with two event loops, as k8s/base deploys it; BENCH_EVENT_LOOPS=N runs it with N (Quarkus's own
# default is two per core).
#
# Needs: a JDK 17, wrk, psql, pgbench, openssl, jq, and a PostgreSQL that the local user can reach as a
# superuser (default: 127.0.0.1:5432, user postgres, trust auth; override with PGHOST/PGPORT/PGUSER).
set -euo pipefail
cd "$(dirname "$0")/.."

# The targets compare workloads with each other (reads >= 3 x earns, hot >= 0.8 x redeem) and earns with pgbench, and
# take the mean of repeats. So each compared pair runs twice, mirrored around the middle of the run (pgbench earn me
# redeem hot mixed hot redeem me earn pgbench): a machine whose speed drifts for a few minutes (session 15 saw 25 %
# between two minutes) then moves both sides of each ratio rather than one.
clients=32 seconds=30 members=100000 workloads="earn me redeem hot mixed hot redeem me earn" warmup=90 pool=20
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --members) members=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --pool) pool=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
for tool in java wrk psql pgbench openssl jq; do
  command -v $tool >/dev/null || { echo "bench needs $tool on the PATH (Debian: apt-get install wrk postgresql-client jq openssl)" >&2; exit 2; }
done
[ "$members" -ge 1000 ] || { echo "--members must be at least 1000 (the hot-partner workload uses the first 1,000)" >&2; exit 2; }

work=$(mktemp -d)
database=coalition_bench
cleanup() {
  local status=$?  # the run's own verdict: stopping the gateway (exit 143 on SIGTERM) must not replace it
  if [ -n "${gateway_pid:-}" ]; then kill "$gateway_pid" 2>/dev/null || true; wait "$gateway_pid" 2>/dev/null || true; fi
  if [ -n "${sink_pid:-}" ]; then kill "$sink_pid" 2>/dev/null || true; fi
  if [ -n "${analytics_pid:-}" ]; then kill "$analytics_pid" 2>/dev/null || true; fi
  if [ -n "${timeline_pid:-}" ]; then kill "$timeline_pid" 2>/dev/null || true; fi
  psql -q -d postgres -c "drop database if exists $database" -c "drop database if exists coalition_pgbench" 2>/dev/null || true
  if [ "$status" != 0 ] && [ -f "$work/gc.log" ]; then  # a failed run's logs, for its post-mortem
    local kept=target/bench-logs/failed-$(date -u +%Y%m%dT%H%M%SZ)
    keep_postgres_log
    mkdir -p "$kept" && cp "$work"/*.log "$kept/" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
log() { printf '\n=== %s\n' "$*"; }

# PostgreSQL's own log for the run's window, kept beside the gateway's: where it lives depends on the server, so it is
# found through Debian's pg_lsclusters (or given as BENCH_POSTGRES_LOG), and skipped when it cannot be read.
case $PGHOST in 127.0.0.1|localhost|/*) local_cluster_log=$(pg_lsclusters --no-header 2>/dev/null | awk -v port="$PGPORT" '$3 == port { print $7 }') ;; esac
postgres_log=${BENCH_POSTGRES_LOG:-${local_cluster_log:-}}
[ -r "${postgres_log:-/nonexistent}" ] || postgres_log=""
postgres_log_start=$([ -n "$postgres_log" ] && stat -c %s "$postgres_log" || echo 0)
keep_postgres_log() {
  [ -z "$postgres_log" ] || tail -c +"$((postgres_log_start + 1))" "$postgres_log" > "$work/postgres.log" 2>/dev/null || true
}

log "building the packaged gateway"
[ "${BENCH_SKIP_BUILD:-}" = 1 ] || ./mvnw -B -q package -DskipTests
# Notices kept quiet, errors not: a database that cannot be dropped (a session of an earlier run still in it) must
# say so, or the run ends here without a word.
PGOPTIONS="-c client_min_messages=warning" psql -q -v ON_ERROR_STOP=1 -d postgres -c "drop database if exists $database" -c "create database $database" \
  || { echo "cannot recreate the database $database: is an earlier run's session still connected to it?" >&2; exit 1; }
# Only this database's sessions: a stall is then explained by PostgreSQL's log if it waited on a lock or ran a
# statement for a second or more.
psql -q -d postgres -c "alter database $database set log_lock_waits = on" -c "alter database $database set log_min_duration_statement = 1000"

log "signing tokens with a fresh key (the gateway's verification key for this run)"
openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
public_key=$(openssl rsa -in "$work/key.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
header=$(printf '{"alg":"RS256","typ":"JWT","kid":"bench"}' | b64url)
now=$(date +%s)
sign() { # claims json -> compact JWT
  local payload signature
  payload=$(printf '%s' "$1" | b64url)
  signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/key.pem" -binary | b64url)
  printf '%s.%s.%s' "$header" "$payload" "$signature"
}
claims='"iss":"https://bench.local","aud":"coalition-gateway","iat":'$now',"exp":'$((now + 7200))
partner_token() { sign '{'"$claims"',"sub":"'"$1"'","azp":"'"$1"'","scope":"points:earn points:redeem members:read webhooks:manage campaigns:manage"}'; }
export BENCH_TOKEN_FRESHMART=$(partner_token freshmart-pos) BENCH_TOKEN_FUELCO=$(partner_token fuelco-pos)
export BENCH_MEMBER_TOKENS=$work/member-tokens BENCH_MEMBERS=$members BENCH_HOT_MEMBERS=1000
for n in $(seq 1 1000); do
  sign '{'"$claims"',"sub":"bench-member-'$n'","groups":["member"]}'; echo
done > "$BENCH_MEMBER_TOKENS"

log "starting the gateway (production profile, -Xmx256m, the parallel collector and two event loops as in k8s/base)"
# Card numbers are stored as their keyed hash: the gateway and bench/seed.sql must use the same key.
card_key=$(openssl rand -hex 32)
# The webhook receiver runs on this machine over http, which production refuses; only the benchmark allows it.
DB_HOST=$PGHOST DB_PORT=$PGPORT DB_NAME=$database DB_OWNER_USER=$PGUSER DB_POOL_SIZE=$pool \
OIDC_PUBLIC_KEY="$public_key" OIDC_TOKEN_ISSUER=https://bench.local COALITION_PRIVACY_CARD_KEY="$card_key" \
COALITION_WEBHOOKS_REQUIRE_HTTPS=false COALITION_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true COALITION_ANALYTICS_REFRESH_ENABLED=false \
QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE=${BENCH_EVENT_LOOPS:-2} \
  java -Xmx256m -XX:+UseParallelGC -Xlog:gc:file="$work/gc.log" ${BENCH_JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar > "$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 90); do curl -sf localhost:8080/q/health/ready >/dev/null && break; sleep 1; done
curl -sf localhost:8080/q/health/ready >/dev/null || { cat "$work/gateway.log"; exit 1; }

log "seeding $members members with 100,000 points each"
# Each card's sealed copy, which a member's own read opens, made by the gateway's own code under the run's card key.
java -cp "target/quarkus-app/app/*:target/quarkus-app/lib/main/*" bench/tools/SealCards.java "$members" "$card_key" > "$work/sealed-cards.csv"
# Its statements carry the card key and take seconds: kept out of PostgreSQL's log of slow statements.
PGOPTIONS="-c log_min_duration_statement=-1" \
  psql -q -v ON_ERROR_STOP=1 -v members="$members" -v points=100000 -v card_key="$card_key" -d $database -f bench/seed.sql < "$work/sealed-cards.csv"

ticks=$(getconf CLK_TCK)
# User and system ticks of the processes given, with those of their children that have ended: for PostgreSQL the
# postmaster's reaped children (psql's sessions, pgbench's, autovacuum's workers), which a sum over the living loses
# (the timeline showed PostgreSQL's CPU falling and jumping). The gateway and the webhook receiver start no children.
cpu_ticks() { awk '{ t += $14 + $15 + $16 + $17 } END { print t + 0 }' "$@" 2>/dev/null || echo 0; }
gateway_cpu() { cpu_ticks /proc/$gateway_pid/stat; }
# What the gateway's heap holds once a full collection has thrown out every dead object (MiB, from its GC log), or
# null without the JDK's jcmd. Taken after the warm-up and again after the workloads: the second much above the first
# would be a leak, which the peak occupancy per workload cannot tell from garbage the collector has not reached yet.
live_heap() {
  command -v jcmd > /dev/null && jcmd "$gateway_pid" GC.run > /dev/null 2>&1 || { echo null; return; }
  sed -n 's/.*Pause Full (Diagnostic Command) [0-9]*M->\([0-9]*\)M(.*/\1/p' "$work/gc.log" | tail -1 | grep . || echo null
}
postgres_cpu() { cpu_ticks $(pgrep -x postgres | sed 's|.*|/proc/&/stat|'); }
# The whole machine's ticks from one reading of /proc/stat: busy (user, nice, system, irq, softirq, steal), stolen,
# and waiting for I/O.
# - Busy: what is neither the gateway nor PostgreSQL is wrk (reported apart), the webhook receiver and anything else
#   running, which make a run noisy when they are large.
# - Stolen: ticks the hypervisor gave to other guests while this one wanted to run, a slow stretch of the machine that
#   no process of the run caused. Part of busy, reported apart.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $9, $6 }' /proc/stat; }
# Every second of the run, what the gateway, PostgreSQL and the machine did (ticks per second; 100 = one core), to
# explain a stall after the fact: a gateway that stops while the machine idles waits on something; a machine busy
# elsewhere or stolen from is not the code's.
timeline() {
  local g p m s w G P M S W
  sample() { echo "$(gateway_cpu) $(postgres_cpu) $(machine_ticks)"; }
  echo "time gateway postgres machine steal iowait" > "$work/timeline.log"
  read -r g p m s w <<< "$(sample)"
  while sleep 1; do
    read -r G P M S W <<< "$(sample)"
    echo "$(date -u +%H:%M:%S) $((G - g)) $((P - p)) $((M - m)) $((S - s)) $((W - w))" >> "$work/timeline.log"
    g=$G p=$P m=$M s=$S w=$W
  done
}
timeline & timeline_pid=$!
# Sets the variable named $1 to the CPU seconds of this shell's ended children, wrk among them. Called directly, never
# in a pipeline or a command substitution: there `times` would report a fresh subshell's children, which are none.
children_cpu_into() {
  times > "$work/times"
  printf -v "$1" '%s' "$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$work/times")"
}
entries() { psql -qtA -d $database -c "select count(*) filter (where kind = 'EARN'), count(*) filter (where kind = 'REDEMPTION') from journal_entries" | tr '|' ' '; }
# Requests in flight when wrk stops still commit: wait until the ledger stops moving before counting.
settle() { local last=""; while true; do current=$(entries); [ "$current" = "$last" ] && break; last=$current; sleep 1; done; }
graphql() { # token, document, variables json
  curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer $1" localhost:8080/graphql \
    -d "$(jq -nc --arg q "$2" --argjson v "$3" '{query: $q, variables: $v}')"
}
# The first member signs in and sees the whole card, opened from its sealed copy, as every `me` read of the run will.
card_of_first=$(graphql "$(head -1 "$BENCH_MEMBER_TOKENS")" '{ me { cardNumber } }' '{}' | jq -r '.data.me.cardNumber // empty')
[[ "$card_of_first" =~ ^900000000000001[0-9]$ ]] || { echo "member 1's me read gave card '$card_of_first', not its own" >&2; exit 1; }
sink_port=18089
webhook_events() { psql -qtA -d $database -c "select count(*) from partner_events where type = 'TransactionPosted'"; }
pending_deliveries() { psql -qtA -d $database -c "select (select count(*) from webhook_deliveries where status <> 'DELIVERED') + (select coalesce(sum(webhook_stream_backlog(id)), 0) from webhook_endpoints)"; }
# Both partners subscribe to TransactionPosted on the local sink; prints the endpoint ids.
start_sink() {
  [ -z "${sink_pid:-}" ] || return 0
  # The receiver stands in for a partner's server on another machine: at the lowest priority it takes only CPU
  # that the gateway and PostgreSQL leave, and its CPU is reported apart.
  nice -n 19 java -Xmx64m bench/tools/WebhookSink.java $sink_port & sink_pid=$!
  for _ in $(seq 1 60); do curl -sf localhost:$sink_port/count >/dev/null && break; sleep 0.5; done
}
subscribe_webhooks() {
  for token in "$BENCH_TOKEN_FRESHMART" "$BENCH_TOKEN_FUELCO"; do
    graphql "$token" 'mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } userErrors { message } } }' \
      "{\"i\":{\"idempotencyKey\":\"bench-$RANDOM-$RANDOM\",\"url\":\"http://127.0.0.1:$sink_port/hook\",\"eventTypes\":[\"TRANSACTION_POSTED\"]}}" \
      | jq -er '.data.createWebhookEndpoint.endpoint.id'
  done
}
unsubscribe_webhooks() { # endpoint ids (FreshMart's, then FuelCo's)
  set -- "$@"
  graphql "$BENCH_TOKEN_FRESHMART" 'mutation($i: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $i) { userErrors { message } } }' \
    "{\"i\":{\"idempotencyKey\":\"bench-$RANDOM-$RANDOM\",\"id\":\"$1\"}}" > /dev/null
  graphql "$BENCH_TOKEN_FUELCO" 'mutation($i: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $i) { userErrors { message } } }' \
    "{\"i\":{\"idempotencyKey\":\"bench-$RANDOM-$RANDOM\",\"id\":\"$2\"}}" > /dev/null
}
# 50 campaigns per partner, all running, with budgets no run exhausts; ended after the workload. 46 have rules this
# workload's baskets never meet (other categories, bigger baskets). With "grants", 2 more give every earn a bonus;
# without, their baskets qualify but their segments (Gold members, paid-club members) admit no benchmark member, so
# every earn also checks them in its statement and grants nothing. 2 more never match.
start_campaigns() {
  local token n rule segment starts ends
  starts=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ) ends=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
  for token in "$BENCH_TOKEN_FRESHMART" "$BENCH_TOKEN_FUELCO"; do
    for n in $(seq 1 50); do
      segment=null
      case $n in
        1) rule='{"kind":"BASKET_BONUS","minimumBasket":"10.00","bonusPoints":5}'
           [ "$1" = grants ] || segment='{"tiers":["GOLD"]}' ;;
        2) rule='{"kind":"BASKET_BONUS","minimumBasket":"1.00","bonusPoints":1}'
           [ "$1" = grants ] || segment='{"paidMembers":true}' ;;
        *[02468]) rule='{"kind":"CATEGORY_MULTIPLIER","category":"bench-category-'$n'","multiplier":"2"}' ;;
        *) rule='{"kind":"BASKET_BONUS","minimumBasket":"'$((1000 + n))'.00","bonusPoints":100}' ;;
      esac
      graphql "$token" 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } userErrors { message } } }' \
        "{\"i\":{\"idempotencyKey\":\"bench-$RANDOM-$RANDOM-$n\",\"name\":\"Bench campaign $n\",\"rule\":$rule,\"segment\":$segment,\"currency\":\"EUR\",\"startsAt\":\"$starts\",\"endsAt\":\"$ends\",\"budgetPoints\":100000000}}" \
        | jq -er '.data.createCampaign.campaign.id' > /dev/null
    done
  done
}
# The analytics job's transaction (analytics.AnalyticsAggregator: its advisory lock, its statement, its settings), run
# here every 10 s as the gateway's own role, so that only earn-analytics has it. Prints the entries folded.
fold_analytics() {
  psql -qtA -U coalition_app -d $database -v ON_ERROR_STOP=1 <<'SQL' | tail -1
begin;
select coalition_set_caller('SYSTEM', '', '', 'system:bench');
set local statement_timeout = 120000;
select case when pg_try_advisory_xact_lock(7020655987639216483)
            then (select folded from analytics_refresh('EUR', '{1000,250,50}', 20000, interval '2 seconds', interval '10 minutes'))
            else 0 end;
commit;
SQL
}
start_analytics() {
  while [ "$(fold_analytics)" != 0 ]; do :; done   # the backlog of the seed and earlier workloads, not measured
  # Every 10 s: a third of the gateway's default interval (coalition.analytics.refresh-interval, 30 s). Folding every
  # second, as before, paid a batch's fixed cost (its temporary tables, a psql session) 30 times a workload and
  # charged the write path for it; in service a run folds whatever the interval brought.
  ( while true; do sleep 10; fold_analytics > /dev/null; done ) & analytics_pid=$!
}
analytics_lag_seconds() {
  psql -qtA -d $database -c "select round(extract(epoch from now() - watermark)::numeric, 1) from analytics_state"
}
end_campaigns() {
  psql -q -d $database -c "update campaigns set status = 'ENDED'"
}
drive() { BENCH_WORKLOAD=$1 wrk -t2 -c"$clients" -d"$2s" --timeout 10s -s bench/load/gateway.lua http://localhost:8080 | sed -n 's/^RESULT //p'; }

# What the machine itself gave at both ends of the run, beside pgbench: the time of one synchronous 8 kB write on the
# disk that holds PostgreSQL's data (the flush every commit waits for; skipped when that directory is not on this
# machine), and of a fixed single-threaded loop. pgbench's 32 clients each wait for their own commit's flush, while a
# batch of the gateway's earns waits for one: a disk slow to flush lowers pgbench more than the gateway, and a machine
# slow in its CPU lowers both. The probes record which the machine was, at each end of the run (session 21: neither
# moved in step with the gateway's CPU per request, so they explain nothing on their own yet).
machine_probe() {
  local data flush=null loop
  data=$(psql -qtA -d postgres -c "show data_directory" 2>/dev/null || true)
  if [ -n "$data" ] && [ -w "$(dirname "$data")" ]; then
    local file=$(dirname "$data")/coalition-bench-flush-probe
    # written once first, then over in place with each write synchronous: as PostgreSQL reuses its WAL segments
    dd if=/dev/zero of="$file" bs=8k count=1000 2>/dev/null && sync "$file"
    flush=$(dd if=/dev/zero of="$file" bs=8k count=1000 oflag=dsync conv=notrunc 2>&1 \
      | sed -n 's/.* copied, \([0-9.]*\) s.*/\1/p' | awk '{ printf "%.3f", $1 * 1000 / 1000 }')
    rm -f "$file"
  fi
  loop=$( { TIMEFORMAT=%R; time awk 'BEGIN { for (i = 0; i < 20000000; i++) s += i }'; } 2>&1 )
  printf '{"flush_8k_ms":%s,"cpu_loop_s":%s}' "${flush:-null}" "$loop"
}

# pgbench's TPC-B-like builtin on the same server, clients and duration (bench/tpcb.sh), from a checkpoint as every
# workload starts from one (settle_database). It runs before the workloads and after them, and ratios are to the mean:
# this machine's speed drifted by 11 % within one run (session 14), and a ceiling measured at one end of a ten-minute
# run flattered or wronged the gateway by that much.
log "pgbench TPC-B-like builtin: $clients clients, ${seconds}s, scale $clients (before the workloads)"
tps_before=$(bench/tpcb.sh "$clients" "$seconds")
echo "pgbench: $tps_before tps"
probe_before=$(machine_probe)
echo "machine: $probe_before"

# The JIT compiles the hot paths in the first seconds; measured workloads start warm, like a gateway in service.
log "warm-up: ${warmup}s of mixed load (not measured)"
drive mixed "$warmup" > /dev/null
# Mixed load never signs in as a member: without this, the measured `me` workload paid for compiling its own path.
if [[ " $workloads " == *" me "* ]] && [ "$warmup" -gt 0 ]; then
  log "warm-up: $((warmup / 3))s of me reads (not measured)"
  drive me $((warmup / 3)) > /dev/null
fi
settle
live_heap_before=$(live_heap)

# Every workload starts from a settled database: the dead rows of the seed and of the workload before vacuumed, statistics
# fresh, dirty pages written out. Without this the first workload after the seed paid for autovacuum and a checkpoint
# (in run-20261205T000751Z earn ran first at 497/s and PostgreSQL spent 2.8 ms per earn; earn-analytics, third, 776/s and
# 1.4 ms), which made comparisons within a run (earn against earn-webhook, earn-analytics) favour whatever ran later.
settle_database() { psql -q -d $database -c "vacuum analyze" -c "checkpoint"; }

results=()
for workload in $workloads; do
  settle_database
  log "workload $workload: $clients clients, ${seconds}s"
  read -r earns_before redemptions_before < <(entries)
  if [ "$workload" = earn-campaigns ] || [ "$workload" = earn-campaign-grants ]; then
    start_campaigns "${workload#earn-campaign-}"
    sleep 6 # every replica reloads running campaigns every 5 s (campaign.CampaignBook); this one has reloaded at once
  fi
  [ "$workload" != earn-analytics ] || start_analytics
  if [ "$workload" = earn-webhook ]; then
    start_sink
    endpoints=$(subscribe_webhooks | tr '\n' ' ')
    events_before=$(webhook_events) received_before=$(curl -sf localhost:$sink_port/count)
    sink_before=$(cpu_ticks /proc/$sink_pid/stat)
  fi
  gc_line=$(wc -l < "$work/gc.log")
  gateway_before=$(gateway_cpu) postgres_before=$(postgres_cpu)
  read -r machine_before steal_before _ <<< "$(machine_ticks)"
  echo "# $(date -u +%H:%M:%S) workload $workload starts" >> "$work/timeline.log"
  children_cpu_into driver_before
  ( peak=0; while kill -0 $gateway_pid 2>/dev/null; do
      # written aside and renamed: the kill below may land between the truncation and the write of a plain redirect
      rss=$(awk '/VmRSS/ { print $2 }' /proc/$gateway_pid/status); [ "$rss" -gt "$peak" ] && peak=$rss \
        && echo $peak > "$work/rss.next" && mv "$work/rss.next" "$work/rss"
      sleep 0.5; done ) & sampler=$!
  result=$(drive "$workload" "$seconds")
  children_cpu_into driver_after
  echo "# $(date -u +%H:%M:%S) workload $workload ends" >> "$work/timeline.log"
  driver_seconds=$(awk -v a="$driver_before" -v b="$driver_after" 'BEGIN { printf "%.1f", b - a }')
  kill $sampler; wait $sampler 2>/dev/null || true
  gateway_seconds=$(awk -v a="$gateway_before" -v b="$(gateway_cpu)" -v t="$ticks" 'BEGIN { printf "%.1f", (b - a) / t }')
  postgres_seconds=$(awk -v a="$postgres_before" -v b="$(postgres_cpu)" -v t="$ticks" 'BEGIN { printf "%.1f", (b - a) / t }')
  # The rest of the machine: neither the gateway, nor PostgreSQL, nor wrk (which drives ten thousand `me` reads a
  # second with a quarter of a core, and so made every run look noisy)
  read -r machine_after steal_after _ <<< "$(machine_ticks)"
  steal_seconds=$(awk -v a="$steal_before" -v b="$steal_after" -v t="$ticks" 'BEGIN { printf "%.1f", (b - a) / t }')
  others_seconds=$(awk -v a="$machine_before" -v b="$machine_after" -v t="$ticks" -v g="$gateway_seconds" -v p="$postgres_seconds" \
      -v d="$driver_seconds" -v s="$steal_seconds" 'BEGIN { o = (b - a) / t - g - p - d - s; printf "%.1f", o < 0 ? 0 : o }')
  # Peak heap: the largest heap occupancy the collector reports before a collection during the workload. The parallel
  # collector empties its old generation only in a full collection, so this includes what it promoted and has not
  # yet found dead; live_heap (above) says what the gateway keeps.
  heap_mib=$(tail -n +"$gc_line" "$work/gc.log" | sed -n 's/.* \([0-9]*\)M->[0-9]*M(.*/\1/p' | sort -n | tail -1)
  echo "$result"
  ledger='null'
  if [ "$workload" != me ]; then
    settle
    read -r earns_after redemptions_after < <(entries)
    violations=$(psql -qtA -F '|' -d $database -f bench/ledger-check.sql | awk -F'|' '$2 != 0 { print $1 ": " $2 }')
    earned=$(jq .earned <<< "$result") redeemed=$(jq .redeemed <<< "$result")
    new_earns=$((earns_after - earns_before)) new_redemptions=$((redemptions_after - redemptions_before))
    echo "ledger: $new_earns earn entries for $earned acknowledged, $new_redemptions redemption entries for $redeemed acknowledged"
    # A request still in flight when wrk stops may commit without being counted: at most one per client.
    if [ -n "$violations" ] || [ $new_earns -lt "$earned" ] || [ $new_earns -gt $((earned + clients)) ] \
       || [ $new_redemptions -lt "$redeemed" ] || [ $new_redemptions -gt $((redeemed + clients)) ]; then
      echo "LEDGER CHECK FAILED after $workload: ${violations:-entry counts do not match acknowledged requests}" >&2
      exit 1
    fi
    ledger="{\"violations\":0,\"earn_entries\":$new_earns,\"redemption_entries\":$new_redemptions}"
  fi
  case $workload in earn-campaigns|earn-campaign-grants) end_campaigns ;; esac
  analytics='null'
  if [ "$workload" = earn-analytics ]; then
    kill $analytics_pid; wait $analytics_pid 2>/dev/null || true
    lag=$(analytics_lag_seconds)
    echo "analytics: the watermark trailed the load by ${lag}s when it stopped"
    analytics="{\"watermark_lag_seconds\":$lag}"
  fi
  webhooks='null'
  if [ "$workload" = earn-webhook ]; then
    # Every event of the workload must arrive: wait for the backlog to drain, then count what the sink saw.
    drain_start=$(date +%s)
    while [ "$(pending_deliveries)" != 0 ]; do sleep 1; [ $(( $(date +%s) - drain_start )) -lt 300 ] || break; done
    drain_seconds=$(( $(date +%s) - drain_start ))
    events=$(( $(webhook_events) - events_before ))
    read -r requests_before distinct_before <<< "$received_before"
    read -r requests_after distinct_after <<< "$(curl -sf localhost:$sink_port/count)"
    delivered=$((distinct_after - distinct_before)) requests=$((requests_after - requests_before))
    echo "webhooks: $events events, $delivered delivered ($requests requests), backlog drained ${drain_seconds}s after the load"
    unsubscribe_webhooks $endpoints
    if [ "$delivered" -ne "$events" ]; then
      echo "WEBHOOK CHECK FAILED after $workload: $events events, $delivered delivered" >&2
      exit 1
    fi
    # The receiver shares this machine's two cores with the gateway: what it used is not the gateway's cost.
    receiver_seconds=$(awk -v a="$sink_before" -v b="$(cpu_ticks /proc/$sink_pid/stat)" -v t="$ticks" 'BEGIN { printf "%.1f", (b - a) / t }')
    echo "webhook receiver CPU: ${receiver_seconds}s"
    webhooks="{\"events\":$events,\"delivered\":$delivered,\"requests\":$requests,\"drain_seconds\":$drain_seconds,\"receiver_cpu_seconds\":$receiver_seconds}"
  fi
  results+=("$(jq -c --arg w "$workload" --argjson g "$gateway_seconds" --argjson p "$postgres_seconds" --argjson o "$others_seconds" --argjson d "$driver_seconds" --argjson st "$steal_seconds" \
      --argjson rss "$(( $(cat "$work/rss") / 1024 ))" --argjson heap "${heap_mib:-0}" --argjson ledger "$ledger" --argjson webhooks "$webhooks" --argjson analytics "$analytics" --argjson s "$seconds" \
      '{workload: $w} + . + {gateway_cpu_cores: ($g / $s * 100 | round / 100), gateway_cpu_ms_per_request: ($g * 1000 / .requests * 100 | round / 100),
        postgres_cpu_cores: ($p / $s * 100 | round / 100), postgres_cpu_ms_per_request: ($p * 1000 / .requests * 100 | round / 100), load_driver_cpu_cores: ($d / $s * 100 | round / 100), steal_cpu_cores: ($st / $s * 100 | round / 100), other_cpu_cores: ($o / $s * 100 | round / 100), gateway_rss_mib: $rss, gateway_peak_heap_mib: $heap, ledger: $ledger, webhooks: $webhooks, analytics: $analytics}' <<< "$result")")
done

live_heap_after=$(live_heap)
log "pgbench TPC-B-like builtin again, after the workloads"
tps_after=$(bench/tpcb.sh "$clients" "$seconds")
probe_after=$(machine_probe)
tps=$(awk -v a="$tps_before" -v b="$tps_after" 'BEGIN { printf "%.1f", (a + b) / 2 }')
echo "pgbench: $tps_before tps before the workloads, $tps_after after; ratios are to their mean, $tps"

mkdir -p bench/results
file=bench/results/run-$(date -u +%Y%m%dT%H%M%SZ).json
# The gateway's GC log and log, PostgreSQL's log and the run's timeline, kept beside the build (not committed): a
# workload that misses a target is explained from them, and the scratch directory they were written to goes when the
# run ends.
logs=target/bench-logs/$(basename "$file" .json)
keep_postgres_log
mkdir -p "$logs" && cp "$work"/*.log "$logs/"
printf '%s\n' "${results[@]}" | jq -s --argjson tps "$tps" --argjson before "$tps_before" --argjson after "$tps_after" --argjson clients "$clients" --argjson seconds "$seconds" \
    --argjson members "$members" --argjson pool "$pool" --argjson probes "[$probe_before,$probe_after]" --argjson warmup "$warmup" --argjson live_before "$live_heap_before" --argjson live_after "$live_heap_after" --arg commit "$(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')" \
    --arg machine "$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(psql -qtA -d postgres -c 'show server_version')" \
    '{date: (now | todate), commit: $commit, machine: $machine, clients: $clients, seconds: $seconds, members: $members, pool: $pool, warmup_seconds: $warmup,
      pgbench_tps: ($tps | round), pgbench_tps_runs: [($before | round), ($after | round)], machine_probes: $probes,
      gateway_live_heap_mib: {after_warmup: $live_before, after_workloads: $live_after}, workloads: map(. + {ratio_to_pgbench: (.rps / $tps * 100 | round / 100)})}' > "$file"

log "results ($file; the gateway's and PostgreSQL's logs and the timeline in $logs)"
jq -r '"pgbench TPC-B-like: \(.pgbench_tps) tps (the mean of \(.pgbench_tps_runs[0]) before the workloads and \(.pgbench_tps_runs[1]) after)",
  (.machine_probes // empty | "machine: an 8 kB synchronous write took \(map(.flush_8k_ms) | join(" and ")) ms, the CPU loop \(map(.cpu_loop_s) | join(" and ")) s (before and after)"),
  "| workload | req/s | x pgbench | p50 ms | p95 ms | p99 ms | errors | gateway CPU (cores, ms/req) | PostgreSQL CPU (cores, ms/req) | wrk (cores) | rest of the machine (cores) | RSS MiB | peak heap MiB |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  (.workloads[] | "| \(.workload) | \(.rps) | \(.ratio_to_pgbench) | \(.p50_ms) | \(.p95_ms) | \(.p99_ms) | \(.errors) | \(.gateway_cpu_cores), \(.gateway_cpu_ms_per_request) | \(.postgres_cpu_cores), \(.postgres_cpu_ms_per_request // "-") | \(.load_driver_cpu_cores // "-") | \(.other_cpu_cores) | \(.gateway_rss_mib) | \(.gateway_peak_heap_mib) |")' "$file"

log "against the targets (those whose workloads ran; repeated workloads by their mean)"
jq -r -f bench/targets.jq "$file"
