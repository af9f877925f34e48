#!/usr/bin/env python3
"""Where the CPU goes in a JFR recording: top methods by self and by inclusive samples.

    bench/tools/jfr-hotspots.py recording.jfr [top=30] [filter-substring]

With a filter, only samples whose stack contains a frame matching it are counted (e.g. "org.coalition").
"""
import collections, json, subprocess, sys

recording = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
needle = sys.argv[3] if len(sys.argv) > 3 else None
raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "256", "--events", "jdk.ExecutionSample", recording],
                     check=True, capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]
self_counts, inclusive = collections.Counter(), collections.Counter()
total = 0
for event in events:
    frames = event["values"]["stackTrace"]["frames"] if event["values"]["stackTrace"] else []
    names = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in frames]
    if needle and not any(needle in n for n in names):
        continue
    total += 1
    if names:
        self_counts[names[0]] += 1
    for name in set(names):
        inclusive[name] += 1
print(f"{total} samples" + (f" with a frame matching {needle!r}" if needle else ""))
print("\n-- self --")
for name, n in self_counts.most_common(top):
    print(f"{100 * n / total:5.1f}%  {name}")
print("\n-- inclusive --")
for name, n in inclusive.most_common(top):
    print(f"{100 * n / total:5.1f}%  {name}")
