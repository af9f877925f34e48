#!/usr/bin/env bash
# The ceiling the gateway is measured against: pgbench's TPC-B-like builtin on the local PostgreSQL, in a scratch
# database coalition_pgbench (dropped afterwards), with scale = clients so that its own branch rows are not its
# bottleneck, started from a checkpoint as the gateway's workloads are. Prints the tps alone.
#   bench/tpcb.sh CLIENTS SECONDS   (PGHOST, PGPORT and PGUSER as for bench/run.sh)
set -euo pipefail
clients=$1 seconds=$2
psql -q -d postgres -c "drop database if exists coalition_pgbench" -c "create database coalition_pgbench" 2>/dev/null
pgbench -q -i -s "$clients" coalition_pgbench >/dev/null 2>&1
# pgbench -i leaves its tables to be written out; without the checkpoint that write-back lands in the measured run
psql -q -d postgres -c "checkpoint"
pgbench -c "$clients" -j 2 -T "$seconds" -M prepared coalition_pgbench 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
psql -q -d postgres -c "drop database coalition_pgbench"
