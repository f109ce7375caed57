"""The whole job on a tiny Sparkify directory: one real spark-submit (with a
non-UTC machine time zone), in-process runs for daily mode, and the CLI's
argument errors."""
from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import subprocess
import sys

import pytest
from pyspark.sql import functions as F

import etl
from fixtures import write_sparkify

ETL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "etl.py")
VENV_BIN = os.path.dirname(sys.executable)


def data_files(root):
    """Data files only: Hadoop's local FS adds .crc siblings and _SUCCESS markers."""
    return sorted(p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True)
                  if os.path.isfile(p) and not os.path.basename(p).startswith((".", "_")) and "/_" not in p[len(root):])


def hashes(root):
    return {os.path.relpath(p, root): hashlib.sha256(open(p, "rb").read()).hexdigest() for p in data_files(root)}


def table_rows(spark, out, table, columns=None):
    df = spark.read.parquet(os.path.join(out, table))
    if "start_time" in df.columns:
        df = df.withColumn("start_time", F.date_format("start_time", "yyyy-MM-dd HH:mm:ss.SSS"))
    return sorted((tuple(r) for r in df.select(columns or sorted(df.columns)).collect()), key=repr)


def run_in_process(spark, inp, out, mode="full", run_date=None, run_id="r", extra=()):
    """etl.run on the shared session, standalone (audit + publish); the fixture
    input is full of rejects on purpose, so the reject-share check is relaxed."""
    argv = ["--input", inp, "--output", out, "--mode", mode, "--run-id", run_id, "--max-rejected-share", "1"]
    argv += ["--run-date", run_date] if run_date else []
    args = etl.parse_args(argv + list(extra))
    return etl.run(spark, args, run_id, dt.datetime.now(dt.timezone.utc))


@pytest.fixture(scope="module")
def sparkify(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("sparkify"))
    write_sparkify(root)
    return root


@pytest.fixture(scope="module")
def submitted(sparkify, tmp_path_factory):
    """One real spark-submit, full mode, on a machine whose clock says Kolkata."""
    out = str(tmp_path_factory.mktemp("out") / "tables")
    env = dict(os.environ, TZ="Asia/Kolkata", PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""),
               PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "spark-submit"), "--master", "local[2]",
         "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.extraJavaOptions=-Duser.timezone=Asia/Kolkata",
         ETL, "--input", sparkify, "--output", out, "--run-id", "e2e", "--max-rejected-share", "0.5"],
        env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc


def test_full_run_report_is_the_last_stdout_line_and_matches_the_tables(spark, submitted):
    out, proc = submitted
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    with open(os.path.join(out, "_reports", "e2e.json")) as f:
        assert json.load(f) == report
    assert list(report) == ["run_id", "mode", "run_date", "input_uri", "output_uri", "input", "rejected", "rows",
                            "partitions_written", "staged_uri", "published", "tables", "audit", "timings_s",
                            "started_at", "finished_at", "spark_version"]
    assert report["mode"] == "full" and report["run_date"] is None and report["run_id"] == "e2e"
    # One record per song file, whatever it holds.
    assert report["input"] == {"song_files": 5, "log_files": 4, "song_records": 5, "log_records": 9}
    assert report["rejected"] == {"total": 5, "by_reason": {
        "empty_file": 1, "invalid_field_type": 1, "malformed_json": 1, "missing_ts": 1, "not_one_json_object": 1}}
    for table in ("songplays", "users", "songs", "artists", "time"):
        assert report["rows"][table] == spark.read.parquet(os.path.join(out, table)).count(), table
    assert report["rows"] == {"songplays": 4, "users": 2, "songs": 3, "artists": 2, "time": 3}
    assert report["partitions_written"] == {
        "songplays": [out + "/songplays/year=2018/month=11", out + "/songplays/year=2018/month=12"],
        "time": [out + "/time/year=2018/month=11", out + "/time/year=2018/month=12"],
        "songs": 2,
    }
    assert report["staged_uri"] == out + "/_staging/e2e" and report["published"] is True
    assert report["audit"] == {"month": None, "month_songplays_before": None, "month_songplays_after": None}
    assert report["tables"]["songplays"] == {
        "status": "written", "rows": 4, "partitions": ["year=2018/month=11", "year=2018/month=12"],
        "schema": [["songplay_id", "bigint"], ["start_time", "timestamp"], ["user_id", "string"], ["level", "string"],
                   ["song_id", "string"], ["artist_id", "string"], ["session_id", "bigint"], ["location", "string"],
                   ["user_agent", "string"]]}
    assert report["tables"]["songs"]["partitions"] == ["year=0", "year=2001"]
    for table, (columns, _) in etl.CONTRACT.items():
        assert report["tables"][table]["schema"] == [list(c) for c in columns], table
        assert report["tables"][table]["rows"] == report["rows"][table]
    assert set(report["timings_s"]) == {"recover", "read", "transform", "write", "report", "publish", "total"}
    for leftover in ("_staging", "_previous", "_publish"):
        assert not os.path.exists(os.path.join(out, leftover))


def test_full_run_writes_the_exact_rows_in_utc(spark, submitted):
    out, _ = submitted
    sp = spark.read.parquet(os.path.join(out, "songplays"))
    got = sorted(tuple(r) for r in sp.select(
        F.date_format("start_time", "yyyy-MM-dd HH:mm:ss.SSS"), "user_id", "level", "song_id", "artist_id",
        "session_id", "year", "month").collect())
    assert got == [
        ("2018-11-01 21:01:46.796", "7", "free", "SOA", "ARA", 1, 2018, 11),
        ("2018-11-01 21:05:00.001", "7", "free", None, None, 1, 2018, 11),
        ("2018-12-31 23:59:59.999", "7", "paid", "SOC", "ARC", 4, 2018, 12),
        ("2018-12-31 23:59:59.999", "9", "paid", None, None, 5, 2018, 12),
    ]
    assert table_rows(spark, out, "time", ["start_time", "hour", "day", "week", "month", "year", "weekday"]) == [
        ("2018-11-01 21:01:46.796", 21, 1, 44, 11, 2018, 4),
        ("2018-11-01 21:05:00.001", 21, 1, 44, 11, 2018, 4),
        ("2018-12-31 23:59:59.999", 23, 31, 1, 12, 2018, 1),
    ]
    users = ["user_id", "first_name", "last_name", "gender", "level"]
    assert table_rows(spark, out, "users", users) == [("7", "Ann", "Lee", "F", "paid"), ("9", "Bob", "Ray", "M", "paid")]
    artists = ["artist_id", "name", "location", "latitude", "longitude"]
    assert table_rows(spark, out, "artists", artists) == [
        ("ARA", "Alpha", "Oslo", 59.9, 10.7), ("ARC", "Gamma", "", None, None)]
    songs = ["song_id", "title", "artist_id", "year", "duration"]
    assert table_rows(spark, out, "songs", songs) == [
        ("SOA", "Apple", "ARA", 2001, 100.0), ("SOB", "Banana", "ARA", 0, 150.5), ("SOC", "Cherry", "ARC", 2001, 200.0)]


def test_full_run_writes_one_file_per_partition_and_keeps_rejects(submitted):
    out, _ = submitted
    for table, pattern in (("songplays", "year=*/month=*"), ("time", "year=*/month=*"),
                           ("songs", "year=*")):
        parts = glob.glob(os.path.join(out, table, pattern))
        assert parts, table
        for part in parts:
            assert len(data_files(part)) == 1, part
    lines = [json.loads(l) for p in glob.glob(os.path.join(out, "_rejects", "e2e", "*.json")) for l in open(p)]
    assert sorted(l["reason"] for l in lines) == sorted(
        ["empty_file", "invalid_field_type", "malformed_json", "missing_ts", "not_one_json_object"])
    assert all(l["file"] for l in lines)


def test_daily_run_replaces_only_its_month_and_is_idempotent(spark, sparkify, tmp_path):
    out = str(tmp_path / "tables")
    run_in_process(spark, sparkify, out, run_id="full")
    november = hashes(os.path.join(out, "songplays", "year=2018", "month=11"))
    november_time = hashes(os.path.join(out, "time", "year=2018", "month=11"))
    songs_before = hashes(os.path.join(out, "songs"))

    first = run_in_process(spark, sparkify, out, mode="daily", run_date="2018-12-31", run_id="d1")
    tables_after_first = {t: table_rows(spark, out, t) for t in ("songplays", "time", "users", "songs", "artists")}
    second = run_in_process(spark, sparkify, out, mode="daily", run_date="2018-12-31", run_id="d2")
    tables_after_second = {t: table_rows(spark, out, t) for t in ("songplays", "time", "users", "songs", "artists")}

    assert tables_after_first == tables_after_second
    assert hashes(os.path.join(out, "songplays", "year=2018", "month=11")) == november
    assert hashes(os.path.join(out, "time", "year=2018", "month=11")) == november_time
    assert hashes(os.path.join(out, "songs")) == songs_before  # no new song, so not rewritten
    for report in (first, second):
        assert report["input"]["log_files"] == 1
        assert report["rows"] == {"songplays": 2, "time": 1, "users": 2, "songs": "unchanged", "artists": "unchanged"}
        assert report["tables"]["songs"] == {"status": "unchanged", "rows": None, "schema": None, "partitions": []}
        assert report["audit"] == {"month": "2018-12", "month_songplays_before": 2, "month_songplays_after": 2}
        assert report["partitions_written"]["songplays"] == [out + "/songplays/year=2018/month=12"]
    assert len(tables_after_second["songplays"]) == 4
    # A backfill of November must not downgrade Ann, who paid in December.
    run_in_process(spark, sparkify, out, mode="daily", run_date="2018-11-15", run_id="d3")
    assert ("7", "paid") in table_rows(spark, out, "users", ["user_id", "level"])
    assert not os.path.exists(os.path.join(out, "_staging"))


def test_a_month_without_log_files_fails_before_writing_anything(spark, sparkify, tmp_path):
    out = str(tmp_path / "tables")
    with pytest.raises(etl.InputError, match="no log files"):
        run_in_process(spark, sparkify, out, mode="daily", run_date="2019-01-05")
    assert not os.path.exists(out)


@pytest.mark.parametrize("argv, needle", [
    (["--mode", "daily"], "--run-date is required"),
    (["--mode", "weekly"], "invalid choice: 'weekly'"),
    (["--mode", "daily", "--run-date", "2018-02-30"], "'2018-02-30' is not a valid date"),
    (["--run-date", "18-11-01"], "'18-11-01' is not a valid date"),
    (["--input", "/nonexistent/input"], "--input /nonexistent/input: no such directory"),
])
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(sparkify, tmp_path, argv, needle):
    out = str(tmp_path / "tables")
    args = ["--input", sparkify, "--output", out] + argv
    proc = subprocess.run([sys.executable, ETL] + args, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("etl.py: error:") and needle in lines[0], proc.stderr
    assert not os.path.exists(out)


def test_tables_read_back_with_the_contracts_columns_and_partition_types(spark, submitted):
    """pipelines/sparkify-tables.ts, as Parquet read-back reports it (partition keys are ints)."""
    out, _ = submitted
    for table, (columns, keys) in etl.CONTRACT.items():
        schema = spark.read.parquet(os.path.join(out, table)).schema
        assert [[f.name, f.dataType.simpleString()] for f in schema.fields if f.name not in keys] == [
            list(c) for c in columns], table
        assert [(k, schema[k].dataType.simpleString()) for k in keys] == [(k, "int") for k in keys], table
