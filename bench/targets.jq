# The benchmark issue's targets, judged on one run's JSON (bench/run.sh prints this after its table):
#   jq -r -f bench/targets.jq bench/results/run-<time>.json
def w($name): .workloads[] | select(.workload == $name);
def verdict($ok): if $ok then "met" else "NOT MET" end;
[ (w("earn") | "earn throughput \(.ratio_to_pgbench) x pgbench (target >= 0.6): \(verdict(.ratio_to_pgbench >= 0.6))"),
  (w("earn") | "earn p99 \(.p99_ms) ms (target < 50): \(verdict(.p99_ms < 50))"),
  "errors \([.workloads[].errors] | add) (target 0): \(verdict(([.workloads[].errors] | add) == 0))",
  ((w("hot").rps / w("redeem").rps) as $r
    | "hot partner at \($r * 100 | round) % of random redemptions (target >= 80 %): \(verdict($r >= 0.8))"),
  ((w("me").rps / w("earn").rps) as $r
    | "reads \($r * 100 | round / 100) x earn throughput (target >= 3): \(verdict($r >= 3))"),
  (if any(.workloads[]; .workload == "earn-webhook") then
     (w("earn-webhook").rps / w("earn").rps) as $r
     | "earn with active webhooks at \($r * 100 | round) % of earn (target >= 90 %): \(verdict($r >= 0.9))"
   else empty end),
  (if any(.workloads[]; .workload == "earn-campaigns") then
     (w("earn-campaigns").rps / w("earn").rps) as $r
     | "earn with 100 campaigns evaluated at \($r * 100 | round) % of earn (target >= 80 %): \(verdict($r >= 0.8))"
   else empty end),
  (if any(.workloads[]; .workload == "earn-campaign-grants") then
     (w("earn-campaign-grants").rps / w("earn").rps) as $r
     | "earn with 2 bonuses granted per earn at \($r * 100 | round) % of earn (no target: each bonus is a transaction of its own)"
   else empty end),
  (if any(.workloads[]; .workload == "earn-analytics") then
     (w("earn-analytics").rps / w("earn").rps) as $r
     | "earn while analytics aggregates at \($r * 100 | round) % of earn (target >= 90 %): \(verdict($r >= 0.9))"
   else empty end),
  ([.workloads[].gateway_peak_heap_mib] | max) as $heap
    | "peak heap \($heap) MiB (target < 256): \(verdict($heap < 256))"
] | .[]
