#!/usr/bin/env python3
"""Benchmark (not a test): spark-jobs/etl.py against the naive original-style
job, DuckDB and a do-nothing spark-submit, at several input sizes.

    npm run bench:etl   # = .venv/bin/python spark-jobs/bench/bench_etl.py [--events 1M,5M] [--repeat 3]

Contenders (wall time of the whole process, JVM start-up included, as a user
of the pipeline waits for it):
  ours     spark-jobs/etl.py, full mode, spark-submit as the local provider runs
           it (local[2], 4 GiB driver, the JARs and settings of local-spark.json)
  naive    spark-jobs/bench/naive_etl.py, the original project's job (same
           flags); at the first size only
  duckdb   spark-jobs/bench/duckdb_etl.py, the same transformation and layout,
           counting rejects like ours
  startup  spark-jobs/bench/noop_spark.py: spark-submit, SparkSession, stop

Each size's input is generated once (5,000 songs, 60 days of events, seed 42)
and kept under .bench-data/ (it ignores itself). Every contender runs
--repeat times, interleaved (round after round of every contender and size,
so the machine's load touches them alike); the median is reported. ours and
duckdb must write the same row counts, or the benchmark fails. The last line
printed is (as every benchmark's; infra/bench/summary-table.ts reads it)

    bench:etl naive/ours=<x> marginal_ours/duckdb=<y> startup_s=<s> met=<n>/<m> at=<UTC> load=<1-min>

naive/ours at the first size; marginal = (T(last) - T(first)) per extra event,
ours over the same for DuckDB (with the default sizes: (T(5M) - T(1M)) / 4
each; n/a with one size, and then not judged); startup = the do-nothing
spark-submit's median; met = targets met of those judged.

BENCH_SMOKE=1 changes the defaults to the smallest run (300 events, 20 songs,
one round, data in a temporary directory removed afterwards): `npm test` checks
that the benchmark still works and prints its last line, not its targets.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from local_spark import spark_submit_args  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SPARK_JOBS = os.path.dirname(HERE)
REPO = os.path.dirname(SPARK_JOBS)
VENV_BIN = os.path.dirname(sys.executable)
# Same resources for every Spark contender; local mode runs everything in the
# driver JVM, whose 1 GiB default is too small to cache millions of events.
SPARK = [os.path.join(VENV_BIN, "spark-submit"), "--master", "local[2]", "--driver-memory", "4g",
         "--conf", "spark.ui.enabled=false"]
TABLES = ["songplays", "time", "users", "songs", "artists"]
TARGETS = {"naive/ours": 2.5, "marginal": 2.5, "startup": 4.0}
SMOKE = os.environ.get("BENCH_SMOKE") == "1"


def parse_sizes(text: str) -> List[int]:
    """'1M,5M' -> [1000000, 5000000]; plain numbers and k/M suffixes."""
    sizes = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", part)
        if not m:
            raise argparse.ArgumentTypeError("--events %r: expected a list like 1M,5M or 20000" % text)
        n = float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6}[m.group(2).lower()]
        if n < 1:
            raise argparse.ArgumentTypeError("--events %r: every size must be at least 1 event" % text)
        sizes.append(int(n))
    if len(set(sizes)) != len(sizes):
        raise argparse.ArgumentTypeError("--events %r: sizes must differ" % text)
    return sizes


def label(events: int) -> str:
    return "%gM" % (events / 1e6) if events >= 100000 else str(events)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench_etl.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=parse_sizes, default=parse_sizes("300" if SMOKE else "1M,5M"),
                   help="input sizes in log events, e.g. 1M,5M (naive runs at the first only)")
    p.add_argument("--repeat", type=int, default=1 if SMOKE else 3, help="runs per contender and size (median reported)")
    p.add_argument("--songs", type=int, default=20 if SMOKE else 5000)
    p.add_argument("--data", default=None if SMOKE else os.path.join(REPO, ".bench-data"),
                   help="where inputs and outputs go (smoke mode: a temporary directory, removed)")
    p.add_argument("--event-log", default=None, help="write ours' Spark event logs into this directory")
    a = p.parse_args(list(argv))
    if a.repeat < 1:
        p.error("--repeat must be at least 1")
    return a


def ensure_data(base: str, events: int, songs: int) -> str:
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, ".gitignore"), "w") as f:
        f.write("*\n")
    data = os.path.join(base, "sparkify-%s-%dsongs-seed42" % (label(events).lower(), songs))
    if os.path.exists(os.path.join(data, ".complete")):
        return data
    shutil.rmtree(data, ignore_errors=True)
    t0 = time.monotonic()
    subprocess.run([sys.executable, os.path.join(SPARK_JOBS, "generate_data.py"), "--songs", str(songs),
                    "--events", str(events), "--start-date", "2018-11-01", "--days", "60", "--seed", "42",
                    "--out", data], check=True, stdout=subprocess.DEVNULL)
    open(os.path.join(data, ".complete"), "w").close()
    print("generated %s in %.1fs" % (data, time.monotonic() - t0), flush=True)
    return data


def commands(a: argparse.Namespace, data: str, out: str) -> Dict[str, List[str]]:
    local = SPARK + spark_submit_args()
    event_log = []
    if a.event_log:
        os.makedirs(a.event_log, exist_ok=True)
        event_log = ["--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + a.event_log,
                     "--conf", "spark.eventLog.compress=false", "--conf", "spark.eventLog.rolling.enabled=false"]
    return {
        "startup": local + [os.path.join(HERE, "noop_spark.py")],
        "ours": local + event_log + [os.path.join(SPARK_JOBS, "etl.py"), "--input", data, "--output", out,
                                     "--run-id", "bench"],
        "naive": local + [os.path.join(HERE, "naive_etl.py"), "--input", data, "--output", out],
        "duckdb": [sys.executable, os.path.join(HERE, "duckdb_etl.py"), "--input", data, "--output", out],
    }


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_one(name: str, cmd: List[str], out: str) -> Tuple[float, float, str]:
    """(wall s, CPU s, stdout). CPU = user + system time of the whole process
    tree (spark-submit, both JVMs, Python): on a shared machine it moves far
    less with other people's load than wall time does."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""),
               PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    cpu0, t0 = _children_cpu(), time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall, cpu = time.monotonic() - t0, _children_cpu() - cpu0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit("bench_etl.py: error: %s failed with exit code %d" % (name, proc.returncode))
    return wall, cpu, proc.stdout


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def file_counts(out: str) -> Dict[str, int]:
    return {t: len(glob.glob(os.path.join(out, t, "**", "*.parquet"), recursive=True)) for t in TABLES}


def summary_line(med: Dict[Tuple[str, int], float], sizes: Sequence[int]) -> str:
    """The benchmark's last line (see the module docstring)."""
    first, last = sizes[0], sizes[-1]
    naive = med[("naive", first)] / med[("ours", first)]
    startup = med[("startup", 0)]
    met = [naive >= TARGETS["naive/ours"], startup <= TARGETS["startup"]]
    if len(sizes) > 1:
        ratio = ((med[("ours", last)] - med[("ours", first)]) / (med[("duckdb", last)] - med[("duckdb", first)]))
        marginal = "%.2f" % ratio
        met.append(ratio <= TARGETS["marginal"])
    else:
        marginal = "n/a"
    return "bench:etl naive/ours=%.2f marginal_ours/duckdb=%s startup_s=%.1f met=%d/%d%s at=%s load=%.1f" % (
        naive, marginal, startup, sum(met), len(met), " smoke=1" if SMOKE else "",
        time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()), os.getloadavg()[0])


def load() -> str:
    return " ".join("%.1f" % x for x in os.getloadavg())


def main(argv: Optional[Sequence[str]] = None) -> int:
    a = parse_args(sys.argv[1:] if argv is None else argv)
    if a.data is not None:
        return measure(a)
    a.data = tempfile.mkdtemp(prefix="emrflow-bench-etl-")
    try:
        return measure(a)
    finally:
        shutil.rmtree(a.data, ignore_errors=True)


def measure(a: argparse.Namespace) -> int:
    sizes = a.events
    inputs = {n: ensure_data(a.data, n, a.songs) for n in sizes}
    for n, data in inputs.items():
        mb = sum(os.path.getsize(p) for p in glob.glob(os.path.join(data, "**", "*.json"), recursive=True)) / 1e6
        print("input %s: %s (%.0f MB of JSON)" % (label(n), data, mb), flush=True)
    print("machine: %d cores; load average %s at start" % (os.cpu_count() or 0, load()), flush=True)
    # (contender, size) in the order of one round; startup has no size (0).
    plan = [("startup", 0)]
    for n in sizes:
        plan += [("ours", n), ("duckdb", n)] + ([("naive", n)] if n == sizes[0] else [])
    walls: Dict[Tuple[str, int], List[float]] = {k: [] for k in plan}
    cpus: Dict[Tuple[str, int], List[float]] = {k: [] for k in plan}
    outputs: Dict[Tuple[str, int], str] = {}
    reports: Dict[int, dict] = {}
    for round_no in range(1, a.repeat + 1):
        for name, n in plan:
            out = os.path.join(a.data, "out", "%s-%s" % (name, label(n) if n else "none"))
            cmd = commands(a, inputs.get(n, ""), out)[name]
            wall, cpu, stdout = run_one(name, cmd, out)
            walls[(name, n)].append(wall)
            cpus[(name, n)].append(cpu)
            outputs[(name, n)] = out
            if name == "ours":
                reports[n] = last_json(stdout)
            if name == "duckdb":
                duck = last_json(stdout)
                ours = reports[n]
                if duck["rows"] != ours["rows"] or duck["rejected"] != ours["rejected"]["total"]:
                    raise SystemExit("bench_etl.py: error: at %s events ours wrote rows %s (rejected %d) but "
                                     "DuckDB %s (rejected %d)" % (label(n), ours["rows"], ours["rejected"]["total"],
                                                                  duck["rows"], duck["rejected"]))
            print("round %d  %-8s %-6s %7.1f s wall %7.1f s CPU  (load %s)" % (
                round_no, name, label(n) if n else "-", wall, cpu, load()), flush=True)
    med = {k: statistics.median(v) for k, v in walls.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpus.items()}

    print()
    print("median of %d, load average %s at the end" % (a.repeat, load()))
    print("%-8s %-6s %8s %8s %8s  %s" % ("", "events", "median s", "min s", "CPU s", "  ".join("%9s" % t for t in TABLES)))
    for name, n in plan:
        counts = file_counts(outputs[(name, n)]) if name != "startup" else {t: 0 for t in TABLES}
        print("%-8s %-6s %8.1f %8.1f %8.1f  %s" % (name, label(n) if n else "-", med[(name, n)], min(walls[(name, n)]),
                                                med_cpu[(name, n)], "  ".join("%9d" % counts[t] for t in TABLES)))
    print("(columns after the times: Parquet files written per table)")
    for n in sizes:
        r = reports[n]
        print("ours at %s, inside the job (last run): timings_s %s; rows %s" % (
            label(n), json.dumps(r["timings_s"]), json.dumps(r["rows"])))
    print("targets: naive/ours >= %.1fx, marginal ours/duckdb <= %.1fx, startup <= %.0f s" % (
        TARGETS["naive/ours"], TARGETS["marginal"], TARGETS["startup"]))
    print("the same ratios in CPU seconds (less sensitive to other load): " + summary_line(med_cpu, sizes)[len("bench:etl "):])
    print(summary_line(med, sizes), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
