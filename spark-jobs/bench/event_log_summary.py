#!/usr/bin/env python3
"""Where a Spark run's time went, from its event log (spark.eventLog.enabled;
bench_etl.py --event-log DIR writes ours'):

    python spark-jobs/bench/event_log_summary.py DIR/local-...

One line per stage, slowest first: wall seconds, tasks, summed task run time,
JVM GC time, bytes read and shuffled, and the line of the job that ran it;
then the application's wall time and the part no stage covers (start-up,
the driver's own work, Python)."""
from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    stages, app_start, app_end, first_job = {}, None, None, None
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            kind = e["Event"]
            if kind == "SparkListenerApplicationStart":
                app_start = e["Timestamp"]
            elif kind == "SparkListenerApplicationEnd":
                app_end = e["Timestamp"]
            elif kind == "SparkListenerJobStart" and first_job is None:
                first_job = e["Submission Time"]
            elif kind == "SparkListenerTaskEnd":
                m = e.get("Task Metrics") or {}
                s = stages.setdefault(e["Stage ID"], {"run": 0, "gc": 0, "read": 0, "shuffle": 0, "tasks": 0})
                s["tasks"] += 1
                s["run"] += m.get("Executor Run Time", 0)
                s["gc"] += m.get("JVM GC Time", 0)
                s["read"] += (m.get("Input Metrics") or {}).get("Bytes Read", 0)
                s["shuffle"] += (m.get("Shuffle Write Metrics") or {}).get("Shuffle Bytes Written", 0)
            elif kind == "SparkListenerStageCompleted":
                info = e["Stage Info"]
                s = stages.setdefault(info["Stage ID"], {"run": 0, "gc": 0, "read": 0, "shuffle": 0, "tasks": 0})
                s["wall"] = (info.get("Completion Time", 0) - info.get("Submission Time", 0)) / 1000
                s["start"] = info.get("Submission Time", 0)
                s["name"] = info["Stage Name"]
    done = [s for s in stages.values() if "wall" in s]
    print("%6s %6s %8s %7s %9s %9s  %s" % ("wall s", "tasks", "run s", "GC s", "read MB", "shuf MB", "stage"))
    for s in sorted(done, key=lambda s: -s["wall"]):
        print("%6.1f %6d %8.1f %7.1f %9.1f %9.1f  %s" % (s["wall"], s["tasks"], s["run"] / 1000, s["gc"] / 1000,
                                                       s["read"] / 1e6, s["shuffle"] / 1e6, s["name"]))
    total_stages = sum(s["wall"] for s in done)
    if app_start and app_end:
        app = (app_end - app_start) / 1000
        print("application %.1f s (SparkContext up -> stop); stages %.1f s (summed, may overlap); "
              "before the first job %.1f s; GC %.1f s of %.1f s task time"
              % (app, total_stages, ((first_job or app_start) - app_start) / 1000,
                 sum(s["gc"] for s in done) / 1000, sum(s["run"] for s in done) / 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
