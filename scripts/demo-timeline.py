#!/usr/bin/env python3
"""The demo's timeline: for each injected failure, how long pcloud took to notice it and how long
until the deployable was running again, from the events (pcloudsh events --json on stdin) and the
injection marks (a file of "EPOCH LABEL" lines, the argument)."""
import json
import sys

DETECTIONS = ("resource.restart", "assembly.restart", "deployable.restart", "assembly.fence", "resource.failure-ignored")

events = [json.loads(line) for line in sys.stdin if line.strip()]
marks = []
with open(sys.argv[1]) as f:
    for line in f:
        at, label = line.strip().split(" ", 1)
        marks.append((float(at), label))

rows = []
for index, (at, label) in enumerate(marks):
    until = marks[index + 1][0] if index + 1 < len(marks) else float("inf")
    window = [e for e in events if at <= e["at"] < until]
    detected = next((e for e in window if e["kind"] in DETECTIONS), None)
    healthy = None
    if detected:
        healthy = next((e for e in window if e["at"] >= detected["at"] and e["kind"] == "deployable.state"
                        and '"running"' in (e.get("data") or "")), None)
    rows.append((label,
                 f"{detected['at'] - at:.1f} s" if detected else "not seen",
                 f"{healthy['at'] - at:.1f} s" if healthy else "not yet",
                 detected["message"] if detected else ""))

header = ("failure", "detected after", "running again after", "what pcloud did")
widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(3)]
print("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  " + header[3])
for row in rows:
    print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)) + "  " + row[3])
missing = [r for r in rows if r[1] == "not seen" or r[2] == "not yet"]
sys.exit(1 if missing else 0)
