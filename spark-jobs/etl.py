#!/usr/bin/env python3
"""Sparkify ETL: song metadata and activity logs -> five Parquet tables.

    spark-submit spark-jobs/etl.py --input URI --output URI \
        [--mode full|daily] [--run-date YYYY-MM-DD] [--run-id ID]

The contract (inputs, tables, columns, partitioning, semantics) is the section
"The Spark job contract" of DESIGN.md. On EMR the orchestrator stages only this
file, so the job is deliberately ONE self-contained file, laid out in layers:

  1. schemas and record classification (what is rejected, and why)
  2. pure table functions: DataFrames in, DataFrame out, no I/O (unit-tested)
  3. edges: listing, reading, staged writes, swap-by-rename (Hadoop FileSystem,
     so the same code works for local paths, file:// and s3://)
  4. run orchestration, run report, CLI

Outputs under --output:
  songplays/ time/ (year, month)   users/   songs/ (year, artist_id)   artists/
  _rejects/<run-id>/   rejected records as JSON lines (source, reason, file, record)
  _reports/<run-id>.json   the run report, also printed as the LAST stdout line
  _state/users_latest/   state (latest event key per user) that lets daily runs and
                   backfills keep "latest event wins"; kept outside users/ so that a
                   reader globbing users/**/*.parquet (DuckDB, Athena) sees only the table

Exit codes: 0 success; 1 unexpected failure (Spark error); 2 bad arguments
(bad date, unknown mode, daily without --run-date, missing input dir);
3 input without song files or without log files for the run's scope, or
whose every song or log record is rejected (nothing is written then).
Every non-zero exit ends with ONE stderr line starting with "etl.py: error:".

Runs on Spark 3.5 / Python 3.9 (EMR 7.x) and Spark 4 (local pyspark), offline,
ANSI mode on, session time zone UTC. No Python UDFs anywhere: everything stays in
the JVM so the job is fast and identical on both Spark versions.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
import traceback
from typing import Dict, List, Optional, Sequence, Tuple
from urllib.parse import unquote

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

# Where daily runs keep the latest event key per user (outside users/, see the docstring).
USERS_STATE = "_state/users_latest"
PROG = "etl.py"
EXIT_USAGE = 2
EXIT_NO_INPUT = 3
EXIT_FAILED = 1

# ---------------------------------------------------------------------------
# 1. Schemas and record classification
# ---------------------------------------------------------------------------

CORRUPT = "_corrupt_record"
REASON = "reject_reason"
FILE = "source_file"

# Explicit schemas: no inference pass over the input (inference reads every
# file twice). Types follow the Udacity Sparkify data; a value of the wrong JSON
# type (e.g. a string `ts`) makes the record corrupt, and it is rejected.
SONG_SCHEMA = StructType(
    [
        StructField("num_songs", LongType()),
        StructField("artist_id", StringType()),
        StructField("artist_latitude", DoubleType()),
        StructField("artist_longitude", DoubleType()),
        StructField("artist_location", StringType()),
        StructField("artist_name", StringType()),
        StructField("song_id", StringType()),
        StructField("title", StringType()),
        StructField("duration", DoubleType()),
        StructField("year", IntegerType()),
        StructField(CORRUPT, StringType()),
    ]
)

# userId is a string in the source ("" for logged-out events); a numeric userId
# is still read fine because Spark keeps the raw text for StringType fields.
LOG_SCHEMA = StructType(
    [
        StructField("artist", StringType()),
        StructField("auth", StringType()),
        StructField("firstName", StringType()),
        StructField("gender", StringType()),
        StructField("itemInSession", LongType()),
        StructField("lastName", StringType()),
        StructField("length", DoubleType()),
        StructField("level", StringType()),
        StructField("location", StringType()),
        StructField("method", StringType()),
        StructField("page", StringType()),
        StructField("registration", DoubleType()),
        StructField("sessionId", LongType()),
        StructField("song", StringType()),
        StructField("status", LongType()),
        StructField("ts", LongType()),
        StructField("userAgent", StringType()),
        StructField("userId", StringType()),
        StructField(CORRUPT, StringType()),
    ]
)

# Only these log columns are used downstream; selecting them early lets the
# JSON reader skip converting the rest and keeps the cached events narrow. The
# reader type-checks only the columns it converts, so a bad `status` is not a
# reject while a bad `ts` is: exactly the fields the tables depend on.
LOG_COLUMNS = [
    "artist", "firstName", "gender", "itemInSession", "lastName", "length",
    "level", "location", "page", "sessionId", "song", "ts", "userAgent", "userId",
]
SONG_COLUMNS = [f.name for f in SONG_SCHEMA.fields if f.name != CORRUPT]

# Two floats that are "0.01 apart" in decimal are often 0.0100000000001 apart in
# binary; the epsilon keeps the documented boundary inclusive.
DURATION_TOLERANCE_S = 0.01 + 1e-9

# The `ts` (epoch ms) range a timestamp can hold in every reader: 0001-01-01 .. 9999-12-31.
TS_MIN_MS = -62135596800000
TS_MAX_MS = 253402300799999


def _corrupt_reason(raw):
    """Why Spark could not parse a line. The kept raw text holds the original
    bytes; regex matching decodes them, turning invalid UTF-8 into U+FFFD. A
    line that is valid JSON failed on a field's type."""
    return (
        F.when(raw.rlike("\\x{FFFD}"), F.lit("invalid_utf8"))
        .when(F.get_json_object(raw, "$").isNull(), F.lit("malformed_json"))
        .otherwise(F.lit("invalid_field_type"))
    )


def classify_log_records(raw: DataFrame, run_month: Optional[Tuple[int, int]] = None) -> DataFrame:
    """Log records + `reject_reason` (null = usable).

    A record without `ts` cannot be placed in time, and a record without the
    `userId` key is not a Sparkify event (logged-out events carry ""). In daily
    mode an event whose UTC month is not the run's month would otherwise write
    into a month this run must not touch, so it is set aside, visibly.
    """
    reason = (
        F.when(F.col(CORRUPT).isNotNull(), _corrupt_reason(F.col(CORRUPT)))
        .when(F.col("ts").isNull(), F.lit("missing_ts"))
        # Outside years 1..9999 timestamp_millis overflows, which with ANSI on
        # would fail the whole job over one record (and no reader handles it).
        .when((F.col("ts") < F.lit(TS_MIN_MS)) | (F.col("ts") > F.lit(TS_MAX_MS)), F.lit("ts_out_of_range"))
        .when(F.col("userId").isNull(), F.lit("missing_user_id"))
    )
    if run_month is not None:
        start = F.expr("timestamp_millis(ts)")
        outside = (F.year(start) != F.lit(run_month[0])) | (F.month(start) != F.lit(run_month[1]))
        reason = reason.when(outside, F.lit("outside_run_month"))
    return raw.withColumn(REASON, reason)


def classify_song_records(raw: DataFrame) -> DataFrame:
    """Song records + `reject_reason` (null = usable).

    The layout promises one object per song file; a file with several is
    ambiguous (which one is the song?), so all of its records are rejected.
    `raw` must carry the source file path in `source_file`.
    """
    per_file = F.count(F.lit(1)).over(Window.partitionBy(FILE))
    reason = (
        F.when(per_file > 1, F.lit("multiple_objects_in_file"))
        .when(F.col(CORRUPT).isNotNull(), _corrupt_reason(F.col(CORRUPT)))
        # A blank id is missing too: as a partition value "" is written as the
        # Hive default partition and reads back as null.
        .when(F.coalesce(F.trim("song_id"), F.lit("")) == "", F.lit("missing_song_id"))
        .when(F.coalesce(F.trim("artist_id"), F.lit("")) == "", F.lit("missing_artist_id"))
    )
    return raw.withColumn(REASON, reason)


def rejects_of(classified: DataFrame, source: str, columns: Sequence[str]) -> DataFrame:
    """Rejected records in the `_rejects` shape. A record that parsed but failed
    a rule has no raw text, so it is kept as the JSON of its parsed fields."""
    record = F.coalesce(F.col(CORRUPT), F.to_json(F.struct(*[F.col(c) for c in columns])))
    return classified.filter(F.col(REASON).isNotNull()).select(
        F.lit(source).alias("source"),
        F.col(REASON).alias("reason"),
        F.col(FILE).alias("file"),
        record.alias("record"),
    )


# ---------------------------------------------------------------------------
# 2. Pure table functions (usable records in, table out; no I/O)
# ---------------------------------------------------------------------------


def distinct_songs(songs: DataFrame) -> DataFrame:
    """One record per song_id. Duplicates (the same song in two files) are
    resolved by the smallest attribute tuple, so the choice never depends on
    file order or partitioning."""
    attrs = [c for c in SONG_COLUMNS if c != "song_id"]
    return (
        songs.groupBy("song_id")
        .agg(F.min(F.struct(*attrs)).alias("s"))
        .select("song_id", *[F.col("s." + c).alias(c) for c in attrs])
    )


def songs_table(songs: DataFrame) -> DataFrame:
    return distinct_songs(songs).select("song_id", "title", "artist_id", "year", "duration")


def artists_table(songs: DataFrame) -> DataFrame:
    """Where songs disagree about an artist, the song with the smallest song_id
    wins: min() over a struct led by song_id picks exactly that song."""
    first = F.min(
        F.struct("song_id", "artist_name", "artist_location", "artist_latitude", "artist_longitude")
    )
    return (
        distinct_songs(songs)
        .groupBy("artist_id")
        .agg(first.alias("a"))
        .select(
            "artist_id",
            F.col("a.artist_name").alias("name"),
            F.col("a.artist_location").alias("location"),
            F.col("a.artist_latitude").alias("latitude"),
            F.col("a.artist_longitude").alias("longitude"),
        )
    )


def song_lookup(songs: DataFrame) -> DataFrame:
    """(title, artist_name) -> every candidate song. Keying on the two equality
    columns makes the join with plays many-to-one, so a play can never be
    duplicated by the join, and the lookup is small enough to broadcast."""
    return (
        distinct_songs(songs)
        .filter(F.col("title").isNotNull() & F.col("artist_name").isNotNull())
        .groupBy(F.col("title").alias("_title"), F.col("artist_name").alias("_artist"))
        .agg(F.collect_list(F.struct("song_id", "artist_id", "duration")).alias("_candidates"))
    )


def song_plays(events: DataFrame) -> DataFrame:
    """Events that are plays by a logged-in user."""
    return events.filter((F.col("page") == "NextSong") & (F.col("userId") != ""))


def songplays_table(events: DataFrame, songs: DataFrame) -> DataFrame:
    """One row per NextSong event with a non-empty userId.

    The song is the one with equal title and artist name and a duration within
    0.01 s of `length`; when several qualify the smallest song_id wins
    (array_min over structs led by song_id), when none does the play is kept
    with null ids. songplay_id hashes the event's identity, so re-running any
    date gives every event the same id (monotonically_increasing_id would not).
    """
    plays = song_plays(events)
    lookup = F.broadcast(song_lookup(songs))
    joined = plays.join(
        lookup,
        (plays["song"] == lookup["_title"]) & (plays["artist"] == lookup["_artist"]),
        "left",
    )
    close = F.filter(
        F.col("_candidates"),
        lambda c: F.abs(c["duration"] - F.col("length")) <= F.lit(DURATION_TOLERANCE_S),
    )
    match = F.array_min(close)
    start_time = F.expr("timestamp_millis(ts)")  # keeps the milliseconds of ts
    return joined.select(
        F.xxhash64("userId", "sessionId", "itemInSession", "ts").alias("songplay_id"),
        start_time.alias("start_time"),
        F.col("userId").alias("user_id"),
        "level",
        match["song_id"].alias("song_id"),
        match["artist_id"].alias("artist_id"),
        F.col("sessionId").alias("session_id"),
        "location",
        F.col("userAgent").alias("user_agent"),
        F.year(start_time).alias("year"),
        F.month(start_time).alias("month"),
    )


def time_table(songplays: DataFrame) -> DataFrame:
    """One row per distinct start_time. Grouping by (year, month, start_time)
    rather than start_time alone lets Spark reuse songplays' partitioning by
    (year, month) instead of shuffling again. weekofyear is ISO-8601; Spark's
    weekday() is 0 = Monday, so +1 gives the ISO day of week."""
    return (
        songplays.groupBy("year", "month", "start_time")
        .agg(F.count(F.lit(1)).alias("_n"))
        .select(
            "start_time",
            F.hour("start_time").alias("hour"),
            F.dayofmonth("start_time").alias("day"),
            F.weekofyear("start_time").alias("week"),
            "month",
            "year",
            (F.expr("weekday(start_time)") + 1).alias("weekday"),
        )
    )


USER_STATE_FIELDS = ["ts", "session_id", "item_in_session", "first_name", "last_name", "gender", "level"]


def users_latest(events: DataFrame) -> DataFrame:
    """Per user, the attributes of their latest event plus that event's key.

    max() over a struct led by ts selects the latest event; session and item
    break exact-ts ties deterministically (duplicate timestamps exist).
    """
    latest = F.max(
        F.struct(
            F.col("ts").alias("ts"),
            F.col("sessionId").alias("session_id"),
            F.col("itemInSession").alias("item_in_session"),
            F.col("firstName").alias("first_name"),
            F.col("lastName").alias("last_name"),
            F.col("gender").alias("gender"),
            F.col("level").alias("level"),
        )
    )
    return (
        events.filter(F.col("userId") != "")
        .groupBy(F.col("userId").alias("user_id"))
        .agg(latest.alias("u"))
        .select("user_id", *[F.col("u." + c).alias(c) for c in USER_STATE_FIELDS])
    )


def merge_users_latest(previous: DataFrame, current: DataFrame) -> DataFrame:
    """Latest event wins across runs, whatever order the months are run in
    (a backfill of an old month must not downgrade a user's current level).
    Merging the same month twice gives the same result, which makes daily
    runs idempotent for users."""
    both = previous.select("user_id", *USER_STATE_FIELDS).unionByName(
        current.select("user_id", *USER_STATE_FIELDS)
    )
    return (
        both.groupBy("user_id")
        .agg(F.max(F.struct(*USER_STATE_FIELDS)).alias("u"))
        .select("user_id", *[F.col("u." + c).alias(c) for c in USER_STATE_FIELDS])
    )


def users_from_table(users: DataFrame) -> DataFrame:
    """State for a users table published without its hidden state (e.g. by an
    older job): its rows lose to any newer event."""
    return users.select(
        "user_id",
        F.lit(-(2**63)).cast("bigint").alias("ts"),
        F.lit(None).cast("bigint").alias("session_id"),
        F.lit(None).cast("bigint").alias("item_in_session"),
        "first_name",
        "last_name",
        "gender",
        "level",
    )


def users_table(latest: DataFrame) -> DataFrame:
    return latest.select("user_id", "first_name", "last_name", "gender", "level")


# ---------------------------------------------------------------------------
# 3. Edges: file system, reading, staged writes, swap
# ---------------------------------------------------------------------------


class HadoopFs:
    """The Hadoop FileSystem API through py4j: the one file-system layer that
    means the same thing for local paths, file:// and s3:// (EMRFS)."""

    def __init__(self, spark: SparkSession):
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _p(self, uri: str):
        path = self._jvm.org.apache.hadoop.fs.Path(uri)
        return path, path.getFileSystem(self._conf)

    def exists(self, uri: str) -> bool:
        path, fs = self._p(uri)
        return bool(fs.exists(path))

    def is_dir(self, uri: str) -> bool:
        path, fs = self._p(uri)
        return bool(fs.exists(path)) and bool(fs.getFileStatus(path).isDirectory())

    def delete(self, uri: str) -> None:
        path, fs = self._p(uri)
        if fs.exists(path):
            fs.delete(path, True)

    def mkdirs(self, uri: str) -> None:
        path, fs = self._p(uri)
        fs.mkdirs(path)

    def rename(self, src: str, dst: str) -> None:
        s, fs = self._p(src)
        d, _ = self._p(dst)
        fs.mkdirs(d.getParent())
        if not fs.rename(s, d):
            raise IOError("rename failed: %s -> %s" % (src, dst))

    def glob(self, pattern: str) -> List[str]:
        path, fs = self._p(pattern)
        found = fs.globStatus(path)
        return [] if found is None else [str(s.getPath().toString()) for s in found]

    def glob_count(self, pattern: str) -> int:
        path, fs = self._p(pattern)
        found = fs.globStatus(path)
        return 0 if found is None else len(found)

    def write_text(self, uri: str, text: str) -> None:
        path, fs = self._p(uri)
        stream = fs.create(path, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()


def input_files(df: DataFrame) -> List[str]:
    """The files a file-source DataFrame reads, as the file index listed them
    (empty files included). Serialised to one JSON string inside the JVM (with
    the Jackson that Spark ships): one py4j call instead of one per file, and
    there can be tens of thousands of song files."""
    jvm = df.sparkSession.sparkContext._jvm
    mapper = jvm.com.fasterxml.jackson.databind.ObjectMapper()
    return [_same_path(p) for p in json.loads(mapper.writeValueAsString(df._jdf.inputFiles()))]


def _same_path(uri: str) -> str:
    """The file index says file:///x and may leave %-escapes decoded, while
    _metadata.file_path says file:/x; one spelling so the two can be compared."""
    uri = unquote(str(uri))
    return "file:/" + uri[len("file:///"):] if uri.startswith("file:///") else uri


def read_json(spark: SparkSession, directory: str, schema: StructType, columns: Sequence[str]) -> DataFrame:
    """Lenient JSON read: bad lines become rows with `_corrupt_record` set
    instead of failing the job; the source file rides along for the rejects."""
    return (
        spark.read.schema(schema)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.json")
        .json(directory)
        .select(*columns, CORRUPT, F.col("_metadata.file_path").alias(FILE))
    )


def empty_file_rejects(spark: SparkSession, source: str, paths: Sequence[str]) -> DataFrame:
    schema = "source string, reason string, file string, record string"
    return spark.createDataFrame([(source, "empty_file", p, None) for p in paths], schema)


class Staging:
    """Everything is written under <output>/_staging/<run-id>/ first and only
    moved into place after every write succeeded, so a run that dies halfway
    leaves the published tables as they were. Moving is rename through the
    Hadoop FileSystem API (a metadata operation locally/HDFS, copy+delete on
    S3), and the previous version is kept until the new one is in place."""

    def __init__(self, fs: HadoopFs, output: str, run_id: str):
        self.fs = fs
        self.output = output
        self.root = "%s/_staging/%s" % (output, run_id)
        self._trash = self.root + "/_previous"

    def path(self, name: str) -> str:
        return "%s/%s" % (self.root, name)

    def publish(self, staged_rel: str, target_rel: str) -> None:
        """Replace <output>/<target_rel> with <staging>/<staged_rel>; when the
        staged directory does not exist the target is removed (e.g. a month
        that no longer has any plays)."""
        staged = self.path(staged_rel)
        target = "%s/%s" % (self.output, target_rel)
        previous = "%s/%s" % (self._trash, target_rel)
        had_previous = self.fs.exists(target)
        if had_previous:
            self.fs.rename(target, previous)
        if self.fs.exists(staged):
            try:
                self.fs.rename(staged, target)
            except Exception:
                if had_previous:
                    self.fs.rename(previous, target)
                raise
        self.fs.delete(previous)

    def clean(self) -> None:
        self.fs.delete(self.root)
        # Leave no empty _staging/ behind once the last run is done with it.
        parent = "%s/_staging" % self.output
        if self.fs.exists(parent) and not self.fs.glob(parent + "/*"):
            self.fs.delete(parent)


def _log(message: str) -> None:
    sys.stderr.write("%s: %s\n" % (PROG, message))
    sys.stderr.flush()


def write_partitioned(
    df: DataFrame, path: str, columns: Sequence[str], already_partitioned: bool = False, tasks: Optional[int] = None
) -> None:
    """Exactly one file per partition: repartitioning by the partition columns
    puts each partition's rows in one task, and a task writes one file per
    partition value. Without it every task writes a file into every partition
    it touches (the small-file explosion). `already_partitioned` skips the
    shuffle for a DataFrame cached right after that same repartition. An
    explicit `tasks` keeps AQE from coalescing a tiny table with thousands of
    partitions (songs) into one task that then opens every file serially."""
    t0 = time.monotonic()
    if not already_partitioned:
        df = df.repartition(tasks, *columns) if tasks else df.repartition(*columns)
    df.write.partitionBy(*columns).parquet(path)
    _log("wrote %s in %.1fs" % (path, time.monotonic() - t0))


def write_single(df: DataFrame, path: str) -> None:
    t0 = time.monotonic()
    df.coalesce(1).write.parquet(path)
    _log("wrote %s in %.1fs" % (path, time.monotonic() - t0))


# ---------------------------------------------------------------------------
# 4. Orchestration, report, CLI
# ---------------------------------------------------------------------------


class UsageError(Exception):
    code = EXIT_USAGE


class InputError(Exception):
    code = EXIT_NO_INPUT


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _count_records(classified: DataFrame, files: Sequence[str]) -> Tuple[int, Dict[str, int], List[str]]:
    """(records, rejects by reason, files that yielded no record).

    One small aggregation gives all three; on a cached DataFrame it is also
    what materialises the cache. A file without records (zero bytes, blank
    lines) would otherwise disappear without a trace.
    """
    total, by_reason, seen = 0, {}, set()
    for row in classified.groupBy(REASON, FILE).count().collect():
        total += int(row["count"])
        seen.add(_same_path(row[FILE]))
        if row[REASON] is not None:
            by_reason[row[REASON]] = by_reason.get(row[REASON], 0) + int(row["count"])
    return total, by_reason, sorted(f for f in files if f not in seen)


def _require_usable(source: str, records: int, rejects: Dict[str, int], empty: Sequence[str],
                    files: int, where: str) -> None:
    """Input whose every record is rejected is broken input, not an empty day:
    publishing from it would replace good tables with empty ones."""
    if records > sum(rejects.values()):
        return
    reasons = dict(rejects, **({"empty_file": len(empty)} if empty else {}))
    raise InputError("no usable %s records in %d files under %s (rejected: %s)" % (
        source, files, where, ", ".join("%s=%d" % kv for kv in sorted(reasons.items()))))


def run(spark: SparkSession, args: argparse.Namespace, run_id: str, started_at: dt.datetime) -> dict:
    clock0 = time.monotonic()
    fs = HadoopFs(spark)
    inp, out = args.input.rstrip("/"), args.output.rstrip("/")
    daily = args.mode == "daily"
    run_date: Optional[dt.date] = args.run_date

    if not fs.is_dir(inp):
        raise UsageError("--input %s: no such directory" % args.input)
    song_dir = inp + "/song_data"
    log_dir = inp + "/log_data"
    if daily:
        log_dir += "/%04d/%02d" % (run_date.year, run_date.month)
    raw_songs = read_json(spark, song_dir, SONG_SCHEMA, SONG_COLUMNS) if fs.is_dir(song_dir) else None
    song_paths = input_files(raw_songs) if raw_songs is not None else []
    if not song_paths:
        raise InputError("no song files (*.json) under %s" % song_dir)
    raw_logs = read_json(spark, log_dir, LOG_SCHEMA, LOG_COLUMNS) if fs.is_dir(log_dir) else None
    log_paths = input_files(raw_logs) if raw_logs is not None else []
    if not log_paths:
        raise InputError("no log files (*.json) under %s" % log_dir)
    song_files, log_files = len(song_paths), len(log_paths)

    # --- read: parse each input exactly once, into memory --------------------
    songs_c = classify_song_records(raw_songs).cache()
    run_month = (run_date.year, run_date.month) if daily else None
    events_c = classify_log_records(raw_logs, run_month).cache()
    song_records, song_rejects, song_empty = _count_records(songs_c, song_paths)
    log_records, log_rejects, log_empty = _count_records(events_c, log_paths)
    clock_read = time.monotonic()
    _require_usable("song", song_records, song_rejects, song_empty, song_files, song_dir)
    _require_usable("log", log_records, log_rejects, log_empty, log_files, log_dir)

    by_reason: Dict[str, int] = {}
    for reasons in (song_rejects, log_rejects):
        for k, v in reasons.items():
            by_reason[k] = by_reason.get(k, 0) + v
    empty_files = len(song_empty) + len(log_empty)
    if empty_files:
        by_reason["empty_file"] = empty_files

    # --- transform: build and materialise every table ------------------------
    songs_ok = songs_c.filter(F.col(REASON).isNull()).drop(REASON, CORRUPT, FILE)
    events_ok = events_c.filter(F.col(REASON).isNull()).drop(REASON, CORRUPT, FILE)

    songplays = songplays_table(events_ok, songs_ok).repartition("year", "month").cache()
    rows = {"songplays": songplays.count()}
    time_df = time_table(songplays).cache()
    rows["time"] = time_df.count()

    latest = users_latest(events_ok)
    if daily and fs.exists(out + "/users"):
        if fs.exists(out + "/" + USERS_STATE):
            previous = spark.read.parquet(out + "/" + USERS_STATE)
        else:
            previous = users_from_table(spark.read.parquet(out + "/users"))
        latest = merge_users_latest(previous, latest)
    latest = latest.coalesce(1).cache()
    rows["users"] = latest.count()

    rebuild = {t: (not daily) or not fs.exists("%s/%s" % (out, t)) for t in ("songs", "artists")}
    songs_df = songs_table(songs_ok).cache() if rebuild["songs"] else None
    artists_df = artists_table(songs_ok).cache() if rebuild["artists"] else None
    rows["songs"] = songs_df.count() if songs_df is not None else 0
    rows["artists"] = artists_df.count() if artists_df is not None else 0
    clock_transform = time.monotonic()

    # --- write: stage everything, then swap in ------------------------------
    stage = Staging(fs, out, run_id)
    stage.fs.delete(stage.root)  # a previous attempt of this run id
    try:
        write_partitioned(songplays, stage.path("songplays"), ["year", "month"], already_partitioned=True)
        write_partitioned(time_df, stage.path("time"), ["year", "month"], already_partitioned=True)
        write_single(users_table(latest), stage.path("users"))
        write_single(latest, stage.path(USERS_STATE))
        if songs_df is not None:
            write_partitioned(songs_df, stage.path("songs"), ["year", "artist_id"],
                              tasks=2 * spark.sparkContext.defaultParallelism)
        if artists_df is not None:
            write_single(artists_df, stage.path("artists"))
        rejected_total = sum(by_reason.values())
        if rejected_total:
            rejects = rejects_of(songs_c, "song", SONG_COLUMNS).unionByName(
                rejects_of(events_c, "log", LOG_COLUMNS)
            )
            if empty_files:
                rejects = rejects.unionByName(
                    empty_file_rejects(spark, "song", song_empty).unionByName(
                        empty_file_rejects(spark, "log", log_empty)
                    )
                )
            rejects.coalesce(1).write.json(stage.path("_rejects"))

        partitions = {
            "songplays": sorted(
                out + p.split("/_staging/%s" % run_id, 1)[1]
                for p in fs.glob(stage.path("songplays/year=*/month=*"))
            ),
            "time": sorted(
                out + p.split("/_staging/%s" % run_id, 1)[1]
                for p in fs.glob(stage.path("time/year=*/month=*"))
            ),
            "songs": fs.glob_count(stage.path("songs/year=*/artist_id=*")) if songs_df is not None else 0,
        }

        # Publishing: every write above succeeded, so only renames remain.
        if daily:
            month = "year=%d/month=%d" % (run_date.year, run_date.month)
            for table in ("songplays", "time"):
                stage.publish("%s/%s" % (table, month), "%s/%s" % (table, month))
        else:
            stage.publish("songplays", "songplays")
            stage.publish("time", "time")
        stage.publish(USERS_STATE, USERS_STATE)
        stage.publish("users", "users")
        for table, df in (("songs", songs_df), ("artists", artists_df)):
            if df is not None:
                stage.publish(table, table)
        if rejected_total:
            stage.publish("_rejects", "_rejects/" + run_id)
    finally:
        stage.clean()
    clock_write = time.monotonic()

    return {
        "run_id": run_id,
        "mode": args.mode,
        "run_date": run_date.isoformat() if run_date else None,
        "input_uri": args.input,
        "output_uri": args.output,
        "input": {
            "song_files": song_files,
            "log_files": log_files,
            "song_records": song_records,
            "log_records": log_records,
        },
        "rejected": {"total": sum(by_reason.values()), "by_reason": dict(sorted(by_reason.items()))},
        "rows": rows,
        "partitions_written": partitions,
        "timings_s": {
            "read": round(clock_read - clock0, 3),
            "transform": round(clock_transform - clock_read, 3),
            "write": round(clock_write - clock_transform, 3),
            "total": round(clock_write - clock0, 3),
        },
        "started_at": _iso(started_at),
        "finished_at": _iso(_utc_now()),
        "spark_version": spark.version,
    }


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(message)


def _date(text: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a valid date (expected YYYY-MM-DD)" % text)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = _Parser(prog=PROG, description="Sparkify ETL: JSON songs and logs -> Parquet star schema.")
    p.add_argument("--input", required=True, help="URI holding song_data/ and log_data/")
    p.add_argument("--output", required=True, help="URI of the tables")
    p.add_argument("--mode", choices=["full", "daily"], default="full")
    p.add_argument("--run-date", type=_date, default=None, help="YYYY-MM-DD; required in daily mode")
    p.add_argument("--run-id", default=None, help="names the report and rejects; [A-Za-z0-9._-]+")
    args = p.parse_args(list(argv))
    if args.mode == "daily" and args.run_date is None:
        raise UsageError("--run-date is required with --mode daily")
    if args.run_id is not None and not re.fullmatch(r"[A-Za-z0-9._-]{1,200}", args.run_id):
        raise UsageError("--run-id %r may only contain letters, digits, '.', '_' and '-'" % args.run_id)
    for name in ("input", "output"):
        value = getattr(args, name)
        if not value.strip():
            raise UsageError("--%s is empty" % name)
    # Local inputs are checked before Spark starts (fast, nothing created);
    # remote ones once the Hadoop FileSystem is available.
    local = _local_path(args.input)
    if local is not None and not os.path.isdir(local):
        raise UsageError("--input %s: no such directory" % args.input)
    return args


def _local_path(uri: str) -> Optional[str]:
    if uri.startswith("file://"):
        return uri[len("file://"):]
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", uri):
        return None
    return uri


def default_run_id(mode: str, run_date: Optional[dt.date], now: dt.datetime) -> str:
    return "%s-%s-%s" % (mode, run_date.isoformat() if run_date else "all", now.strftime("%Y%m%dT%H%M%SZ"))


def build_spark(app_name: str) -> SparkSession:
    spark = (
        SparkSession.builder.appName(app_name)
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        # INT96 is legacy; micros keeps ts's milliseconds and every reader
        # (DuckDB, Athena, pandas) understands it.
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        # Everything is written to a private staging directory and swapped in
        # afterwards, so the v1 committer's second, job-level rename of every
        # file buys no safety here; v2 renames each file once (thousands of
        # files for songs). EMR's S3-optimised committer ignores this.
        .config("spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version", "2")
        .config("spark.hadoop.mapreduce.fileoutputcommitter.cleanup-failures.ignored", "true")
        # Which local file system Spark uses is the submitter's choice: the local
        # provider passes a faster one (spark-jobs/local-spark.json); EMR uses S3.
        .getOrCreate()
    )
    conf = spark.sparkContext.getConf()
    # 200 shuffle partitions is tuned for big clusters; the data here is a few
    # hundred MB at most. Only applied when the submitter did not choose.
    if not conf.contains("spark.sql.shuffle.partitions"):
        spark.conf.set("spark.sql.shuffle.partitions", str(max(4, 2 * spark.sparkContext.defaultParallelism)))
    return spark


def _fail(code: int, message: str) -> int:
    sys.stderr.write("%s: error: %s\n" % (PROG, message.splitlines()[0] if message else "failed"))
    sys.stderr.flush()
    return code


def main(argv: Optional[Sequence[str]] = None) -> int:
    started_at = _utc_now()
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except UsageError as e:
        return _fail(EXIT_USAGE, str(e))
    run_id = args.run_id or default_run_id(args.mode, args.run_date, started_at)
    spark = build_spark("sparkify-etl-" + run_id)
    try:
        spark.sparkContext.setLogLevel("WARN")
        report = run(spark, args, run_id, started_at)
        out = args.output.rstrip("/")
        line = json.dumps(report, separators=(",", ":"), sort_keys=False)
        HadoopFs(spark).write_text("%s/_reports/%s.json" % (out, run_id), line + "\n")
    except (UsageError, InputError) as e:
        return _fail(e.code, str(e))
    except Exception as e:  # the orchestrator shows stderr's tail: end with one line
        traceback.print_exc()
        return _fail(EXIT_FAILED, "run %s failed: %s: %s" % (run_id, type(e).__name__, str(e).strip()))
    finally:
        spark.stop()
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
