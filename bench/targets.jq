# The benchmark issue's targets, judged on one run's JSON (bench/run.sh prints this after its table):
#   jq -r -f bench/targets.jq bench/results/run-<time>.json
# A workload named more than once in a run (--workloads "earn earn-webhook earn earn-webhook") is judged on the mean
# of its repeats, so that alternating two workloads takes out the order they ran in. Only targets whose workloads
# the run has are judged.
def runs($name): [.workloads[] | select(.workload == $name)];
def present($name): runs($name) | length > 0;
def mean($name; f): runs($name) | map(f) | add / length;
def w($name): {rps: mean($name; .rps), ratio_to_pgbench: (mean($name; .ratio_to_pgbench) * 100 | round / 100),
               p99_ms: (mean($name; .p99_ms) * 10 | round / 10), repeats: (runs($name) | length)};
def repeats($name): if w($name).repeats > 1 then " (mean of \(w($name).repeats) runs)" else "" end;
def verdict($ok): if $ok then "met" else "NOT MET" end;
[ (if present("earn") then "earn throughput \(w("earn").ratio_to_pgbench) x pgbench\(repeats("earn")) (target >= 0.6): \(verdict(w("earn").ratio_to_pgbench >= 0.6))" else empty end),
  (if present("earn") then "earn p99 \(w("earn").p99_ms) ms (target < 50): \(verdict(w("earn").p99_ms < 50))" else empty end),
  "errors \([.workloads[].errors] | add) (target 0): \(verdict(([.workloads[].errors] | add) == 0))",
  (if present("hot") and present("redeem") then (w("hot").rps / w("redeem").rps) as $r
    | "hot partner at \($r * 100 | round) % of random redemptions (target >= 80 %): \(verdict($r >= 0.8))" else empty end),
  (if present("me") and present("earn") then (w("me").rps / w("earn").rps) as $r
    | "reads \($r * 100 | round / 100) x earn throughput (target >= 3): \(verdict($r >= 3))" else empty end),
  (if present("earn-webhook") and present("earn") then
     (w("earn-webhook").rps / w("earn").rps) as $r
     | "earn with active webhooks at \($r * 100 | round) % of earn\(repeats("earn-webhook")) (target >= 90 %): \(verdict($r >= 0.9))"
   else empty end),
  (if present("earn-campaigns") and present("earn") then
     (w("earn-campaigns").rps / w("earn").rps) as $r
     | "earn with 100 campaigns evaluated at \($r * 100 | round) % of earn (target >= 80 %): \(verdict($r >= 0.8))"
   else empty end),
  (if present("earn-campaign-grants") and present("earn") then
     (w("earn-campaign-grants").rps / w("earn").rps) as $r
     | "earn with 2 bonuses granted per earn at \($r * 100 | round) % of earn (no target: each bonus is a transaction of its own)"
   else empty end),
  (if present("earn-analytics") and present("earn") then
     (w("earn-analytics").rps / w("earn").rps) as $r
     | "earn while analytics aggregates at \($r * 100 | round) % of earn (target >= 90 %): \(verdict($r >= 0.9))"
   else empty end),
  # not a target but a condition of the others: wrk, the receiver and anything else left the gateway and PostgreSQL alone
  ([.workloads[] | .other_cpu_cores // empty] | max) as $others
    | if $others == null then empty
      elif $others > 0.25 then "NOISY RUN: the rest of the machine used up to \($others) cores during a workload; compare with care"
      else "quiet run: the rest of the machine used at most \($others) cores during any workload" end,
  # nor this: CPU the hypervisor gave to other guests while this one wanted it (runs before session 21 lack the field)
  ([.workloads[] | .steal_cpu_cores // empty] | max) as $steal
    | if $steal == null then empty
      elif $steal > 0.1 then "STOLEN CPU: the hypervisor took up to \($steal) cores during a workload; compare with care"
      else "little stolen CPU: at most \($steal) cores during any workload" end,
  # nor a target: pgbench before and after the workloads agreed, so the machine held its speed through the run
  (.pgbench_tps_runs // empty | (max / min - 1) as $drift
    | if $drift > 0.15 then "DRIFTING MACHINE: pgbench gave \(.[0]) tps before the workloads and \(.[1]) after; compare with care"
      else "steady machine: pgbench gave \(.[0]) tps before the workloads and \(.[1]) after" end),
  ([.workloads[].gateway_peak_heap_mib] | max) as $heap
    | "peak heap \($heap) MiB (target < 256): \(verdict($heap < 256))",
  # nor a target, but what the peak is made of: the heap after a full collection (runs before session 22 lack it)
  (.gateway_live_heap_mib // empty | select(.after_warmup != null and .after_workloads != null)
    | "live heap after a full collection: \(.after_warmup) MiB after the warm-up, \(.after_workloads) MiB after the workloads")
] | .[]
