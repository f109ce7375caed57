"""A Spark step that does almost nothing, standing in for etl.py in `npm run bench:overhead`.

It parses its arguments with etl.py's own parser (etl.build_parser, through etl.parse_args), so it
accepts every argument the orchestrator passes to the real job: a new argument of etl.py cannot
break the benchmark again (spark-jobs/tests/test_bench_stand_in.py checks it). Then it starts a
SparkSession (so the step pays the real JVM and Spark start-up, as every step does; not with
EMRFLOW_BENCH_NO_SPARK=1, the benchmark's smoke run), runs one trivial job, and writes what the workflow reads after the step, as etl.py does: with --stage-only
a one-file table staged under <output>/_staging/<run-id>/ with its manifest (the publish task
moves it), and the run report at <output>/_reports/<run-id>.json, printed as the last stdout line.

A job is staged as ONE file (the local provider copies it to <state>/code/<hash>/etl.py), so this
file cannot import etl.py as a sibling module: it loads it by path, from EMRFLOW_ETL_SCRIPT (the
benchmark sets it) or else from the checkout it lives in (spark-jobs/etl.py).
"""
import datetime as dt
import importlib.util
import json
import os
import sys

PROG = "noop_job.py"


def real_job():
    """etl.py as a module (its name differs from this file's staged name, etl.py, on purpose)."""
    path = os.environ.get("EMRFLOW_ETL_SCRIPT") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "spark-jobs", "etl.py")
    if not os.path.isfile(path):
        sys.exit("%s: error: the real job %s is missing (set EMRFLOW_ETL_SCRIPT)" % (PROG, path))
    spec = importlib.util.spec_from_file_location("emrflow_real_etl", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv):
    """etl.py's parsing and checks, under this job's name; exit 2 with one line, as etl.py."""
    etl = real_job()
    try:
        return etl.parse_args(argv, prog=PROG)
    except etl.UsageError as e:
        sys.stderr.write("%s: error: %s\n" % (PROG, e))
        sys.exit(etl.EXIT_USAGE)


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = os.path.join(os.path.dirname(path), ".%s.tmp" % os.path.basename(path))
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.replace(tmp, path)


def stage(output, run_id, mode, run_date):
    """A one-file table and its manifest, as etl.py --stage-only leaves them (manifest last)."""
    staging = os.path.join(output, "_staging", run_id)
    os.makedirs(os.path.join(staging, "bench_table"), exist_ok=True)
    with open(os.path.join(staging, "bench_table", "part-0.txt"), "w") as f:
        f.write("noop\n")
    write_json(os.path.join(staging, "_manifest.json"), {
        "format": 1, "run_id": run_id, "mode": mode, "run_date": run_date,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "moves": [{"table": "bench_table", "staged": "bench_table", "target": "bench_table/run=%s" % run_id}],
    })


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = dt.datetime.now(dt.timezone.utc)
    run_id = args.run_id or "noop-" + started.strftime("%Y%m%dT%H%M%SZ")
    run_date = args.run_date.isoformat() if args.run_date else None
    if os.environ.get("EMRFLOW_BENCH_NO_SPARK") == "1":  # the benchmark's smoke run: no JVM
        rows = 1
    else:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.appName("emrflow-bench-noop").getOrCreate()
        rows = spark.range(1).count()
        spark.stop()
    if args.stage_only:
        stage(args.output, run_id, args.mode, run_date)
    finished = dt.datetime.now(dt.timezone.utc)
    report = {
        "run_id": run_id, "mode": args.mode, "run_date": run_date,
        "input_uri": args.input, "output_uri": args.output,
        "input": {"song_files": 1, "log_files": 1, "song_records": rows, "log_records": rows},
        "rejected": {"total": 0, "by_reason": {}},
        "rows": {"songplays": rows, "users": rows, "songs": rows, "artists": rows, "time": rows},
        "timings_s": {"total": (finished - started).total_seconds()},
        "started_at": started.isoformat(), "finished_at": finished.isoformat(),
    }
    write_json(os.path.join(args.output, "_reports", "%s.json" % run_id), report)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
