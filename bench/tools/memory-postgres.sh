#!/usr/bin/env bash
# A scratch PostgreSQL cluster in memory (/dev/shm), set up as the machine's own server but for where it writes: every
# flush then costs nothing, and pgbench's ceiling is bound by the CPU alone. That is the hardest ceiling this machine's
# CPU can set the gateway: on a real disk, pgbench's clients each wait for their own commit's flush, while a batch
# of earns waits for one, so a slower disk flatters the gateway's ratios.
#
#   bench/tools/memory-postgres.sh start [PORT]   (default 5433; prints the server's version when it is up)
#   PGPORT=5433 BENCH_POSTGRES_LOG=/dev/shm/coalition-bench-pg/log bench/run.sh
#   bench/tools/memory-postgres.sh stop
#
# Settings copied from the server at PGHOST:PGPORT (default 127.0.0.1:5432): shared_buffers, max_connections,
# autovacuum, max_wal_size, min_wal_size. Run as root (it starts the cluster as the postgres user) or as that user.
set -euo pipefail
action=${1:?start or stop}
port=${2:-5433}
dir=/dev/shm/coalition-bench-pg
bin=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_postgres() { if [ "$(id -un)" = root ]; then su postgres -c "$*"; else bash -c "$*"; fi; }
case $action in
start)
  main() { psql -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" -qtA -d postgres -c "show $1"; }
  # read first: a main server that cannot be reached stops the script before anything is made
  shared_buffers=$(main shared_buffers) max_connections=$(main max_connections) autovacuum=$(main autovacuum)
  max_wal_size=$(main max_wal_size) min_wal_size=$(main min_wal_size)
  rm -rf "$dir" && mkdir -p "$dir"
  [ "$(id -un)" != root ] || chown postgres "$dir"
  as_postgres "$bin/initdb -D $dir/data -U postgres --auth=trust" > /dev/null
  cat >> "$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
shared_buffers = '$shared_buffers'
max_connections = $max_connections
autovacuum = $autovacuum
max_wal_size = '$max_wal_size'
min_wal_size = '$min_wal_size'
log_checkpoints = on
log_line_prefix = '%m [%p] %q%u@%d '
CONF
  as_postgres "$bin/pg_ctl -D $dir/data -l $dir/log -w start" > /dev/null
  psql -h 127.0.0.1 -p "$port" -U postgres -qtA -d postgres -c "select version()"
  ;;
stop)
  [ ! -d "$dir/data" ] || as_postgres "$bin/pg_ctl -D $dir/data -m fast -w stop" > /dev/null || true
  rm -rf "$dir"
  ;;
*) echo "start or stop" >&2; exit 2 ;;
esac
