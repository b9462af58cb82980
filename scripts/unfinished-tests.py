#!/usr/bin/env python3
"""Names the tests a `swift test` log shows started and never finished (read on stdin).

Used when the run is stopped by its time limit, so the report says which test hung rather than
only that the job ran out of time.
"""
import re
import sys

started, finished = {}, set()
for number, line in enumerate(sys.stdin, 1):
    if m := re.search(r"◇ Test (\S+?\(.*?\)) started", line):
        started.setdefault(m.group(1), number)
    elif m := re.search(r"[✔✘] Test (\S+?\(.*?\)) (passed|failed|skipped)", line):
        finished.add(m.group(1))
    elif m := re.search(r"Test Case '(.+?)' started", line):
        started.setdefault(m.group(1), number)
    elif m := re.search(r"Test Case '(.+?)' (passed|failed|skipped)", line):
        finished.add(m.group(1))
unfinished = [(n, name) for name, n in started.items() if name not in finished]
for number, name in sorted(unfinished):
    print(f"  {name} (started at log line {number})")
if not unfinished:
    print("  (none: every test that started finished)")
