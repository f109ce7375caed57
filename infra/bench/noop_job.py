"""A Spark step that does almost nothing, for `npm run bench:overhead`.

It takes etl.py's arguments, starts a SparkSession (so the step pays the real JVM and Spark
start-up, as every step does), runs one trivial job, and writes the run report the workflow
expects to <output>/_reports/<run-id>.json, printing it as its last stdout line like etl.py.
"""
import argparse
import datetime as dt
import json
import os

from pyspark.sql import SparkSession


def main():
    p = argparse.ArgumentParser(prog="noop_job.py")
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--mode", default="full")
    p.add_argument("--run-date")
    p.add_argument("--run-id", required=True)
    args = p.parse_args()
    started = dt.datetime.now(dt.timezone.utc)
    spark = SparkSession.builder.appName("emrflow-bench-noop").getOrCreate()
    rows = spark.range(1).count()
    spark.stop()
    finished = dt.datetime.now(dt.timezone.utc)
    report = {
        "run_id": args.run_id, "mode": args.mode, "run_date": args.run_date,
        "input_uri": args.input, "output_uri": args.output,
        "input": {"song_files": 1, "log_files": 1, "song_records": rows, "log_records": rows},
        "rejected": {"total": 0, "by_reason": {}},
        "rows": {"songplays": rows, "users": rows, "songs": rows, "artists": rows, "time": rows},
        "timings_s": {"total": (finished - started).total_seconds()},
        "started_at": started.isoformat(), "finished_at": finished.isoformat(),
    }
    out = os.path.join(args.output, "_reports")
    os.makedirs(out, exist_ok=True)
    tmp = os.path.join(out, f".{args.run_id}.json.tmp")
    with open(tmp, "w") as f:
        json.dump(report, f)
    os.replace(tmp, os.path.join(out, f"{args.run_id}.json"))
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
