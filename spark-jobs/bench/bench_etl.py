#!/usr/bin/env python3
"""Benchmark (not a test): spark-jobs/etl.py against a naive Spark baseline and
DuckDB, side by side in one run, on about one million log events.

    npm run bench:etl      # = .venv/bin/python spark-jobs/bench/bench_etl.py

The input is generated once and cached under .bench-data/ at the repo root
(the directory ignores itself through its own .gitignore). Each contender
writes to a fresh directory; wall time includes JVM start-up for the Spark
runs, as a user of the pipeline would wait for it. Both Spark contenders run
with the local provider's JARs and settings (spark-jobs/local-spark.json); a
fourth run, ours-stock-fs, repeats ours on stock Hadoop's local file system to
show what that buys. Prints wall times, the ratios naive/ours and ours/duckdb,
and the output file count per table.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from local_spark import spark_submit_args  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SPARK_JOBS = os.path.dirname(HERE)
REPO = os.path.dirname(SPARK_JOBS)
BENCH = os.path.join(REPO, ".bench-data")
DATA = os.path.join(BENCH, "sparkify-1m-seed42")
GENERATE = ["--songs", "5000", "--events", "1000000", "--start-date", "2018-11-01", "--days", "60", "--seed", "42"]
VENV_BIN = os.path.dirname(sys.executable)
# Same resources for both Spark contenders; local mode runs everything in the
# driver JVM, whose 1 GiB default is too small to cache a million events.
SPARK = [os.path.join(VENV_BIN, "spark-submit"), "--master", "local[2]", "--driver-memory", "4g",
         "--conf", "spark.ui.enabled=false"]
TABLES = ["songplays", "time", "users", "songs", "artists"]


# Stock Hadoop's local file system (no native library here): forks /bin/chmod per written file.
STOCK_FS = ["--conf", "spark.hadoop.fs.file.impl=org.apache.hadoop.fs.RawLocalFileSystem"]


def ensure_data() -> None:
    os.makedirs(BENCH, exist_ok=True)
    with open(os.path.join(BENCH, ".gitignore"), "w") as f:
        f.write("*\n")
    if os.path.exists(os.path.join(DATA, ".complete")):
        return
    shutil.rmtree(DATA, ignore_errors=True)
    t0 = time.monotonic()
    subprocess.run([sys.executable, os.path.join(SPARK_JOBS, "generate_data.py"), *GENERATE, "--out", DATA], check=True)
    open(os.path.join(DATA, ".complete"), "w").close()
    print("generated input in %.1fs" % (time.monotonic() - t0), flush=True)


def timed(name: str, cmd, out: str):
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""),
               PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit("%s failed with exit code %d" % (name, proc.returncode))
    print("%-14s %7.1f s" % (name, wall), flush=True)
    return wall, proc.stdout


def file_counts(out: str):
    return {t: len(glob.glob(os.path.join(out, t, "**", "*.parquet"), recursive=True)) for t in TABLES}


def main() -> int:
    ensure_data()
    size_mb = sum(os.path.getsize(p) for p in glob.glob(os.path.join(DATA, "**", "*.json"), recursive=True)) / 1e6
    print("input: %s (%.0f MB of JSON, %d cores)" % (DATA, size_mb, os.cpu_count() or 0), flush=True)
    names = ("ours", "naive", "duckdb", "ours-stock-fs")
    outs = {n: os.path.join(BENCH, "out", n) for n in names}
    local = SPARK + spark_submit_args()
    etl = [os.path.join(SPARK_JOBS, "etl.py"), "--input", DATA, "--run-id", "bench"]
    runs = {}
    # Both Spark contenders run the way the local provider runs Spark (same JARs and file system),
    # so the ratio measures the jobs; ours-stock-fs shows what that file system buys.
    runs["ours"], ours_stdout = timed("ours", local + etl + ["--output", outs["ours"]], outs["ours"])
    runs["naive"], _ = timed("naive", local + [os.path.join(HERE, "naive_etl.py"), "--input", DATA,
                                               "--output", outs["naive"]], outs["naive"])
    runs["duckdb"], _ = timed("duckdb", [sys.executable, os.path.join(HERE, "duckdb_etl.py"), "--input", DATA,
                                         "--output", outs["duckdb"]], outs["duckdb"])
    runs["ours-stock-fs"], _ = timed("ours-stock-fs", SPARK + STOCK_FS + etl + ["--output", outs["ours-stock-fs"]],
                                     outs["ours-stock-fs"])
    report = json.loads(ours_stdout.strip().splitlines()[-1])

    print()
    print("%-14s %8s  %s" % ("", "wall s", "  ".join("%9s" % t for t in TABLES)))
    for name in names:
        counts = file_counts(outs[name])
        print("%-14s %8.1f  %s" % (name, runs[name], "  ".join("%9d" % counts[t] for t in TABLES)))
    print("(columns after wall time: Parquet files written per table)")
    print()
    naive_ratio, duck_ratio = runs["naive"] / runs["ours"], runs["ours"] / runs["duckdb"]
    print("naive/ours  = %.2fx  (target >= 2.0x: %s)" % (naive_ratio, "met" if naive_ratio >= 2 else "NOT met"))
    print("ours/duckdb = %.2fx  (target <= 2.5x: %s)" % (duck_ratio, "met" if duck_ratio <= 2.5 else "NOT met"))
    print("ours-stock-fs/ours = %.2fx  (what the NIO local file system buys)" % (runs["ours-stock-fs"] / runs["ours"]))
    print("ours, inside the job: %s; rows %s" % (json.dumps(report["timings_s"]), json.dumps(report["rows"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
