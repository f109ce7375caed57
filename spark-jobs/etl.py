#!/usr/bin/env python3
"""Sparkify ETL: song metadata and activity logs -> five Parquet tables.

    spark-submit spark-jobs/etl.py --input URI --output URI \
        [--mode full|daily] [--run-date YYYY-MM-DD] [--run-id ID] \
        [--stage-only] [--max-rejected-share 0.05]

The contract (inputs, tables, columns, partitioning, semantics) is the section
"The Spark job contract" of DESIGN.md; staging, the manifest and the publish
intent protocol are in SPEC.md ("Write-audit-publish"). On EMR the orchestrator
stages only this file, so the job is deliberately ONE self-contained file,
laid out in layers:

  1. schemas and record classification (what is rejected, and why)
  2. pure table functions: DataFrames in, DataFrame out, no I/O (unit-tested)
  3. edges: listing, reading, staged writes, the publish intent protocol
     (Hadoop FileSystem, so the same code works for local paths, file:// and s3://)
  4. run phases, each a function whose wall time the report's timings_s gives:
     recover, read, transform (build the tables), write (stage them), report,
     publish (audit + publish); the CLI

Every run first rolls forward a publish that a killed run left half-done
(<output>/_publish/intent.json), then writes everything under
<output>/_staging/<run-id>/ and the manifest _staging/<run-id>/_manifest.json
LAST. With --stage-only it stops there (the orchestrator audits the report and
publishes). Without it the job audits itself (reject share <=
--max-rejected-share, every written table non-empty, schemas = the contract)
and publishes with the same intent protocol.

Outputs under --output:
  songplays/ time/ (year, month)   users/   songs/ (year; rows sorted by artist_id)   artists/
  _rejects/<run-id>/   rejected records as JSON lines (source, reason, file, record)
  _reports/<run-id>.json   the run report, also printed as the LAST stdout line
  _state/users_latest/   latest event key per user, so daily runs and backfills keep
                   "latest event wins"
  _state/songs/    every song seen by any run, so daily runs add new songs and artists
                   with the full run's rules. Both states are kept outside the tables
                   so that a reader globbing users/**/*.parquet sees only the table.
  _staging/<run-id>/   a run's staged output (kept after a failed audit, for inspection)
  _publish/intent.json, _previous/<run-id>/   only while a publish is under way

Exit codes: 0 success; 1 unexpected failure (Spark error); 2 bad arguments
(bad date, unknown mode, daily without --run-date, missing input dir, bad
share); 3 input without song files or without log files for the run's scope,
or whose every song or log record is rejected (nothing is written then);
4 the standalone audit failed (the published tables are untouched, the staged
output is kept and the message says where).
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
import signal
import sys
import time
import traceback
from typing import Dict, List, Optional, Sequence, Tuple
from urllib.parse import unquote

from pyspark.sql import DataFrame, Observation, SparkSession
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
# Every song any run has seen (one row per song_id, the song file's fields):
# what lets a daily run add new songs and artists with the full run's rules.
SONGS_STATE = "_state/songs"
PROG = "etl.py"
EXIT_USAGE = 2
EXIT_NO_INPUT = 3
EXIT_FAILED = 1
EXIT_DATA_QUALITY = 4

# ---------------------------------------------------------------------------
# 1. Schemas and record classification
# ---------------------------------------------------------------------------

CORRUPT = "_corrupt_record"
REASON = "reject_reason"
FILE = "source_file"
DOC = "_document"  # a song file's whole text, BOM and outer white space removed

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
SONG_STATE_COLUMNS = SONG_COLUMNS

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
    """Song documents (one row per song file, see `read_song_files`) +
    `reject_reason` (null = usable); a rejected file keeps its text in
    `_corrupt_record`.

    A song file is ONE JSON object in any layout. What is not exactly one
    object (two objects, an array, a bare value, trailing text) is rejected as
    a whole: which of several objects would be the song? Wrapping the text in
    [ ] and counting the array's elements catches what from_json lets through
    (it parses the first value and ignores the rest). U+FFFD in the text means
    bytes that were not UTF-8 (the text reader replaces them).
    """
    doc = F.col(DOC)
    one_value = F.coalesce(F.json_array_length(F.concat(F.lit("["), doc, F.lit("]"))) == 1, F.lit(False))
    one_object = doc.startswith("{") & doc.endswith("}") & one_value
    reason = (
        F.when(doc == "", F.lit("empty_file"))
        .when(doc.rlike("\\x{FFFD}"), F.lit("invalid_utf8"))
        .when(F.get_json_object(doc, "$").isNull(), F.lit("malformed_json"))
        .when(~one_object, F.lit("not_one_json_object"))
        .when(F.col(CORRUPT).isNotNull(), F.lit("invalid_field_type"))
        # A blank id is missing too: as a partition value "" is written as the
        # Hive default partition and reads back as null.
        .when(F.coalesce(F.trim("song_id"), F.lit("")) == "", F.lit("missing_song_id"))
        .when(F.coalesce(F.trim("artist_id"), F.lit("")) == "", F.lit("missing_artist_id"))
    )
    return (
        raw.withColumn(REASON, reason)
        .withColumn(CORRUPT, F.when(F.col(REASON).isNotNull(), doc))
        .drop(DOC)
    )


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


def artists_table(songs: DataFrame, distinct: bool = False) -> DataFrame:
    """Where songs disagree about an artist, the song with the smallest song_id
    wins: min() over a struct led by song_id picks exactly that song.
    `distinct`: the songs are already one per song_id (the job computes that
    once and passes it everywhere)."""
    first = F.min(
        F.struct("song_id", "artist_name", "artist_location", "artist_latitude", "artist_longitude")
    )
    return (
        (songs if distinct else distinct_songs(songs))
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


def song_lookup(songs: DataFrame, distinct: bool = False) -> DataFrame:
    """(title, artist_name) -> every candidate song. Keying on the two equality
    columns makes the join with plays many-to-one, so a play can never be
    duplicated by the join, and the lookup is small enough to broadcast."""
    return (
        (songs if distinct else distinct_songs(songs))
        .filter(F.col("title").isNotNull() & F.col("artist_name").isNotNull())
        .groupBy(F.col("title").alias("_title"), F.col("artist_name").alias("_artist"))
        .agg(F.collect_list(F.struct("song_id", "artist_id", "duration")).alias("_candidates"))
    )


def song_plays(events: DataFrame) -> DataFrame:
    """Events that are plays by a logged-in user."""
    return events.filter((F.col("page") == "NextSong") & (F.col("userId") != ""))


def songplays_table(events: DataFrame, songs: DataFrame, distinct: bool = False) -> DataFrame:
    """One row per NextSong event with a non-empty userId.

    The song is the one with equal title and artist name and a duration within
    0.01 s of `length`; when several qualify the smallest song_id wins
    (array_min over structs led by song_id), when none does the play is kept
    with null ids. songplay_id hashes the event's identity, so re-running any
    date gives every event the same id (monotonically_increasing_id would not).
    `distinct`: `songs` is already one row per song_id.
    """
    plays = song_plays(events)
    lookup = F.broadcast(song_lookup(songs, distinct))
    joined = plays.join(
        lookup,
        (plays["song"] == lookup["_title"]) & (plays["artist"] == lookup["_artist"]),
        "left",
    )
    close = F.filter(
        F.col("_candidates"),
        lambda c: F.abs(c["duration"] - F.col("length")) <= F.lit(DURATION_TOLERANCE_S),
    )
    # The match is computed once per play into a column of its own, and its two
    # ids are read from that column in a second projection: written as two
    # field accesses on one expression, Spark evaluates the filter over the
    # candidates twice (subexpression elimination does not cover lambdas), and
    # it does not merge the two projections because that would duplicate it.
    start_time = F.expr("timestamp_millis(ts)")  # keeps the milliseconds of ts
    matched = joined.select("*", F.array_min(close).alias("_match"))
    return matched.select(
        F.xxhash64("userId", "sessionId", "itemInSession", "ts").alias("songplay_id"),
        start_time.alias("start_time"),
        F.col("userId").alias("user_id"),
        "level",
        F.col("_match.song_id").alias("song_id"),
        F.col("_match.artist_id").alias("artist_id"),
        F.col("sessionId").alias("session_id"),
        "location",
        F.col("userAgent").alias("user_agent"),
        F.year(start_time).alias("year"),
        F.month(start_time).alias("month"),
    )


def play_times(events: DataFrame) -> DataFrame:
    """(start_time, year, month) of every play, straight from the events: what
    `time` needs, without the song match or a second pass over songplays. Kept
    in step with songplays_table's start_time, year and month."""
    start_time = F.expr("timestamp_millis(ts)")
    return song_plays(events).select(
        start_time.alias("start_time"), F.year(start_time).alias("year"), F.month(start_time).alias("month"))


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

    def delete_if_empty(self, uri: str) -> None:
        path, fs = self._p(uri)
        if fs.exists(path) and fs.getFileStatus(path).isDirectory() and len(fs.listStatus(path)) == 0:
            fs.delete(path, False)

    def move(self, src: str, dst: str) -> None:
        """Move a directory (or file) src -> dst; no-op when src is gone.

        Where rename is one metadata operation (local, HDFS) and dst does not
        exist yet, it is one rename. Otherwise (S3, where rename is copy +
        delete anyway, or a dst left half-written by an interrupted move):
        copy every file under src to the same name under dst, and delete src
        only after the whole copy succeeded, so re-running a half-done move
        is always safe and never loses a file."""
        s, fs = self._p(src)
        d, _ = self._p(dst)
        if not fs.exists(s):
            return
        fs.mkdirs(d.getParent())
        if str(fs.getUri().getScheme()) in ("file", "hdfs") and not fs.exists(d):
            if not fs.rename(s, d):
                raise IOError("rename failed: %s -> %s" % (src, dst))
            return
        self.copy_then_delete(src, dst)

    def copy_then_delete(self, src: str, dst: str) -> None:
        s, fs = self._p(src)
        d, _ = self._p(dst)
        jvm = self._jvm
        if fs.getFileStatus(s).isFile():
            jvm.org.apache.hadoop.fs.FileUtil.copy(fs, s, fs, d, False, True, self._conf)
        else:
            base = fs.getFileStatus(s).getPath().toUri().getPath().rstrip("/")
            files = fs.listFiles(s, True)
            while files.hasNext():
                f = files.next().getPath()
                rel = f.toUri().getPath()[len(base) + 1:]
                jvm.org.apache.hadoop.fs.FileUtil.copy(
                    fs, f, fs, jvm.org.apache.hadoop.fs.Path(d, rel), False, True, self._conf)
        fs.delete(s, True)

    def read_text(self, uri: str) -> str:
        path, fs = self._p(uri)
        stream = fs.open(path)
        try:
            return str(self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
        finally:
            stream.close()

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


def read_song_files(spark: SparkSession, directory: str) -> DataFrame:
    """Each song file as ONE document, whatever its layout (one line or
    pretty-printed, LF or CRLF, trailing newline or not, UTF-8 BOM), parsed
    with the song schema; `classify_song_records` decides what is one object.

    Measured on 2,313 generated song files (warm, a loaded 2-core machine):
    this whole-text read + from_json 18-20 s, Spark's multiLine JSON reader
    14-18 s, the former line-by-line reader 21-31 s. multiLine is a little
    faster but silently keeps the first of two objects and splits an array
    into rows, so it cannot reject what is not one object; this can. A
    zero-byte file yields no row: it is found through the file list, like an
    empty log file.
    """
    text = F.regexp_replace(F.col("value"), "^[\\s\\x{FEFF}]+|\\s+$", "")
    options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT}
    docs = (
        # wholetext as text()'s argument: text() would override an option() of that name.
        spark.read.option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.json")
        .text(directory, wholetext=True)
        .select(text.alias(DOC), F.col("_metadata.file_path").alias(FILE))
    )
    parsed = docs.select(DOC, FILE, F.from_json(DOC, SONG_SCHEMA, options).alias("_j"))
    return parsed.select(*["_j." + c for c in SONG_COLUMNS], F.col("_j." + CORRUPT).alias(CORRUPT), DOC, FILE)


def empty_file_rejects(spark: SparkSession, source: str, paths: Sequence[str]) -> DataFrame:
    schema = "source string, reason string, file string, record string"
    return spark.createDataFrame([(source, "empty_file", p, None) for p in paths], schema)


# --- publishing: the intent protocol (SPEC.md "Publish intent protocol") ----
#
# The orchestrator's TypeScript (activities/publish) implements the same
# protocol on the same files, and either side must be able to finish an
# intent the other wrote, so the record's shape and the order of the steps are
# fixed. A reader can find a target missing only between the two halves of
# one move (target backed up, staged copy not yet installed).

INTENT = "_publish/intent.json"
FAULT_ENV = "EMRFLOW_FAULT_PUBLISH"


def _fault(point: str) -> None:
    """Test hook: EMRFLOW_FAULT_PUBLISH=<point> kills the driver right there,
    as a crash would (no finally blocks, no cleanup)."""
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


class Publisher:
    """Applies a manifest's moves under the intent record, and rolls forward
    an intent a killed run left behind."""

    def __init__(self, fs: HadoopFs, output: str):
        self.fs = fs
        self.output = output.rstrip("/")
        self.intent_uri = "%s/%s" % (self.output, INTENT)
        self._local = _local_path(self.output)

    def _uri(self, rel: str) -> str:
        return "%s/%s" % (self.output, rel)

    # The intent (and a report marked published) goes through Python's own
    # file I/O locally: os.replace makes each rewrite atomic, and Hadoop's local
    # FS would add a .crc file that the TypeScript side does not keep up to
    # date. On S3 one PUT is atomic.
    def _read_json(self, rel: str) -> Optional[dict]:
        if self._local is not None:
            path = os.path.join(self._local, rel)
            if not os.path.exists(path):
                return None
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        if not self.fs.exists(self._uri(rel)):
            return None
        return json.loads(self.fs.read_text(self._uri(rel)))

    def read_intent(self) -> Optional[dict]:
        return self._read_json(INTENT)

    def write_intent(self, intent: dict) -> None:
        self._write_json(INTENT, intent)

    def _write_json(self, rel: str, value: dict) -> None:
        text = json.dumps(value, separators=(",", ":")) + "\n"
        if self._local is not None:
            path = os.path.join(self._local, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = "%s.%d.tmp" % (path, os.getpid())
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        else:
            self.fs.write_text(self._uri(rel), text)

    def _mark_report_published(self, intent: dict) -> None:
        """As the TypeScript side does: a retry of the orchestrator's publish
        that finds neither intent nor staging learns from the report that the
        publish happened."""
        rel = "_reports/%s.json" % intent["run_id"]
        report = self._read_json(rel)
        if report is None or report.get("published") is True:
            return
        report.update(published=True, published_targets=[m["target"] for m in intent["moves"]])
        self._write_json(rel, report)

    def delete_intent(self) -> None:
        if self._local is not None:
            path = os.path.join(self._local, INTENT)
            if os.path.exists(path):
                os.remove(path)
            parent = os.path.dirname(path)
            if os.path.isdir(parent) and not os.listdir(parent):
                os.rmdir(parent)
        else:
            self.fs.delete(self.intent_uri)
            self.fs.delete_if_empty(self._uri("_publish"))

    def recover(self) -> Optional[str]:
        """Roll forward a pending intent, whoever wrote it; its run id or None."""
        intent = self.read_intent()
        if intent is None:
            return None
        _log("rolling forward the interrupted publish of run %s" % intent["run_id"])
        self._roll_forward(intent)
        return str(intent["run_id"])

    def publish(self, run_id: str, moves: List[dict]) -> None:
        pending = self.read_intent()
        if pending is not None:
            self._roll_forward(pending)
            if pending["run_id"] == run_id:
                return  # this run's own publish, resumed
        intent = {
            "format": 1,
            "run_id": run_id,
            "staging": "_staging/" + run_id,
            "previous": "_previous/" + run_id,
            "created_at": _iso(_utc_now()),
            "moves": moves,
            "progress": {},
        }
        self.write_intent(intent)
        _fault("after-intent")
        self._roll_forward(intent)

    def _roll_forward(self, intent: dict) -> None:
        staging, previous = intent["staging"], intent["previous"]
        progress = intent.setdefault("progress", {})
        for i, move in enumerate(intent["moves"]):
            key = str(i)
            target = move["target"]
            if progress.get(key) is None:
                self.fs.move(self._uri(target), self._uri("%s/%s" % (previous, target)))
                progress[key] = "backed-up"
                self.write_intent(intent)
                _fault("after-backup:%d" % i)
            if progress[key] == "backed-up":
                if move["staged"] is not None:
                    self.fs.move(self._uri("%s/%s" % (staging, move["staged"])), self._uri(target))
                progress[key] = "installed"
                self.write_intent(intent)
                _fault("after-install:%d" % i)
        # Every move is installed: only now may the previous versions go.
        _fault("before-cleanup")
        self.fs.delete(self._uri(previous))
        self.fs.delete_if_empty(self._uri("_previous"))
        self.fs.delete(self._uri(staging))
        self.fs.delete_if_empty(self._uri("_staging"))
        self._mark_report_published(intent)
        self.delete_intent()


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


# The table contract (pipelines/sparkify-tables.ts, DESIGN.md): file columns
# with the Spark type names Parquet reads back as, and partition keys. The
# standalone audit compares what was staged against it.
CONTRACT = {
    "songplays": ([("songplay_id", "bigint"), ("start_time", "timestamp"), ("user_id", "string"),
                   ("level", "string"), ("song_id", "string"), ("artist_id", "string"),
                   ("session_id", "bigint"), ("location", "string"), ("user_agent", "string")],
                  ["year", "month"]),
    "users": ([("user_id", "string"), ("first_name", "string"), ("last_name", "string"),
               ("gender", "string"), ("level", "string")], []),
    "songs": ([("song_id", "string"), ("title", "string"), ("artist_id", "string"), ("duration", "double")],
              ["year"]),
    "artists": ([("artist_id", "string"), ("name", "string"), ("location", "string"),
                 ("latitude", "double"), ("longitude", "double")], []),
    "time": ([("start_time", "timestamp"), ("hour", "int"), ("day", "int"), ("week", "int"),
              ("weekday", "int")], ["year", "month"]),
}
TABLES = ("songplays", "users", "songs", "artists", "time")


class DataQualityError(Exception):
    code = EXIT_DATA_QUALITY


def _merge_counts(*counts: Dict[str, int]) -> Dict[str, int]:
    merged: Dict[str, int] = {}
    for c in counts:
        for k, v in c.items():
            merged[k] = merged.get(k, 0) + v
    return merged


def read_inputs(spark: SparkSession, fs: HadoopFs, args: argparse.Namespace) -> dict:
    """Phase 1: list and parse each input once (cached), count and classify
    every record. Fails with InputError on input that has nothing usable."""
    inp = args.input.rstrip("/")
    run_date: Optional[dt.date] = args.run_date
    daily = args.mode == "daily"
    if not fs.is_dir(inp):
        raise UsageError("--input %s: no such directory" % args.input)
    song_dir = inp + "/song_data"
    log_dir = inp + "/log_data"
    if daily:
        log_dir += "/%04d/%02d" % (run_date.year, run_date.month)
    raw_songs = read_song_files(spark, song_dir) if fs.is_dir(song_dir) else None
    song_paths = input_files(raw_songs) if raw_songs is not None else []
    if not song_paths:
        raise InputError("no song files (*.json) under %s" % song_dir)
    raw_logs = read_json(spark, log_dir, LOG_SCHEMA, LOG_COLUMNS) if fs.is_dir(log_dir) else None
    log_paths = input_files(raw_logs) if raw_logs is not None else []
    if not log_paths:
        raise InputError("no log files (*.json) under %s" % log_dir)

    # Song files are many and tiny: Spark packs them into one task per ~32
    # files (157 tasks for 5,000 files), and every later pass over the cached
    # songs (the counts, the distinct songs, the rejects) would run that many
    # tasks over a few MB; the event log showed those passes costing more than
    # the songs' whole work. A few partitions, still one per core and more, do.
    songs_c = classify_song_records(raw_songs).coalesce(2 * spark.sparkContext.defaultParallelism).cache()
    run_month = (run_date.year, run_date.month) if daily else None
    events_c = classify_log_records(raw_logs, run_month).cache()
    song_records, song_rejects, song_empty = _count_records(songs_c, song_paths)
    log_records, log_rejects, log_empty = _count_records(events_c, log_paths)
    # A zero-byte song file yields no document: it is one (empty) record too.
    song_records += len(song_empty)
    _require_usable("song", song_records, _merge_counts(song_rejects, {"empty_file": len(song_empty)}), [],
                    len(song_paths), song_dir)
    _require_usable("log", log_records, log_rejects, log_empty, len(log_paths), log_dir)
    by_reason = _merge_counts(song_rejects, log_rejects)
    empty_files = len(song_empty) + len(log_empty)
    if empty_files:
        by_reason["empty_file"] = by_reason.get("empty_file", 0) + empty_files
    return {
        "songs_c": songs_c, "events_c": events_c, "song_empty": song_empty, "log_empty": log_empty,
        "input": {"song_files": len(song_paths), "log_files": len(log_paths),
                  "song_records": song_records, "log_records": log_records},
        "by_reason": by_reason,
    }


def previous_songs(spark: SparkSession, fs: HadoopFs, out: str) -> Optional[DataFrame]:
    """Every song earlier runs saw (the daily runs' song state), or None when
    the lake has no songs yet. A lake published by an older job without the
    state gets it rebuilt from its songs and artists tables."""
    if fs.exists("%s/%s" % (out, SONGS_STATE)):
        return spark.read.parquet("%s/%s" % (out, SONGS_STATE)).select(*SONG_STATE_COLUMNS)
    if not (fs.exists(out + "/songs") and fs.exists(out + "/artists")):
        return None
    songs = spark.read.parquet(out + "/songs")
    artists = spark.read.parquet(out + "/artists")
    return songs.join(artists, "artist_id", "left").select(
        F.lit(None).cast("bigint").alias("num_songs"),
        "artist_id",
        F.col("latitude").alias("artist_latitude"),
        F.col("longitude").alias("artist_longitude"),
        F.col("location").alias("artist_location"),
        F.col("name").alias("artist_name"),
        "song_id",
        "title",
        "duration",
        F.col("year").cast("int").alias("year"),
    )


def build_tables(spark: SparkSession, fs: HadoopFs, args: argparse.Namespace, inputs: dict) -> dict:
    """Phase 2: every table as a lazy DataFrame, plus which tables this run
    leaves unchanged. Nothing is counted here: the row counts come from the
    writes (stage_tables). The only Spark work is the distinct songs (cached:
    the match, songs, artists and the song state all read them) and, daily,
    whether any song is new."""
    out = args.output.rstrip("/")
    daily = args.mode == "daily"
    songs_ok = inputs["songs_c"].filter(F.col(REASON).isNull()).select(*SONG_STATE_COLUMNS)
    events_ok = inputs["events_c"].filter(F.col(REASON).isNull()).drop(REASON, CORRUPT, FILE)

    # Songs: a daily run adds what is new in the input to every song seen
    # before, with the same min rule as a full run, so any sequence of daily
    # runs ends with the songs (and artists) a full run over the same input has.
    previous = previous_songs(spark, fs, out) if daily else None
    seen = distinct_songs(songs_ok if previous is None else previous.unionByName(songs_ok))
    seen = seen.select(*SONG_STATE_COLUMNS).cache()
    songs_changed = previous is None or not seen.subtract(previous).isEmpty()

    # songplays and time each read the cached events once and shuffle once, by
    # month, so each month is one file; neither is cached (each is written once).
    # `time` takes the plays' timestamps directly: it needs no song match.
    songplays = songplays_table(events_ok, seen, distinct=True).repartition("year", "month")
    time_df = time_table(play_times(events_ok).repartition("year", "month"))

    latest = users_latest(events_ok)
    if daily and fs.exists(out + "/users"):
        if fs.exists(out + "/" + USERS_STATE):
            prev_users = spark.read.parquet(out + "/" + USERS_STATE)
        else:
            prev_users = users_from_table(spark.read.parquet(out + "/users"))
        latest = merge_users_latest(prev_users, latest)
    # Cached: written twice (the users table and its state), a few thousand rows.
    latest = latest.coalesce(1).cache()

    built = {"songplays": songplays, "time": time_df, "latest": latest, "seen": seen,
             "songs": None, "artists": None, "rows": {}}
    if songs_changed:
        built["songs"] = seen.select("song_id", "title", "artist_id", "year", "duration")
        built["artists"] = artists_table(seen, distinct=True)
    else:
        built["rows"]["songs"] = built["rows"]["artists"] = "unchanged"
    return built


def _counted(df: DataFrame) -> Tuple[DataFrame, Observation]:
    """df with a row counter that its write fills in (Spark's observed metrics):
    the count costs no pass of its own."""
    observation = Observation()
    return df.observe(observation, F.count(F.lit(1)).alias("rows")), observation


def _rows(observation: Observation) -> int:
    return int(observation.get["rows"])


def stage_tables(spark: SparkSession, fs: HadoopFs, args: argparse.Namespace, run_id: str,
                 inputs: dict, built: dict) -> List[dict]:
    """Phase 3: write every table this run changes under _staging/<run-id>/ (same
    relative layout as published), then the manifest, LAST; fills built["rows"]
    from the writes; returns the manifest's moves, in order."""
    out = args.output.rstrip("/")
    root = "%s/_staging/%s" % (out, run_id)
    fs.delete(root)  # a previous attempt of this run id
    daily = args.mode == "daily"
    moves: List[dict] = []
    rows = built["rows"]

    def staged(rel: str) -> Optional[str]:
        return rel if fs.exists("%s/%s" % (root, rel)) else None

    songplays, songplays_n = _counted(built["songplays"])
    write_partitioned(songplays, root + "/songplays", ["year", "month"], already_partitioned=True)
    time_df, time_n = _counted(built["time"])
    write_partitioned(time_df, root + "/time", ["year", "month"], already_partitioned=True)
    rows["songplays"], rows["time"] = _rows(songplays_n), _rows(time_n)
    if daily:
        month = "year=%d/month=%d" % (args.run_date.year, args.run_date.month)
        for table in ("songplays", "time"):
            rel = "%s/%s" % (table, month)
            moves.append({"table": table, "staged": staged(rel), "target": rel})
    else:
        moves += [{"table": t, "staged": t, "target": t} for t in ("songplays", "time")]
    users, users_n = _counted(users_table(built["latest"]))
    write_single(users, root + "/users")
    rows["users"] = _rows(users_n)
    write_single(built["latest"], "%s/%s" % (root, USERS_STATE))
    moves.append({"table": "users", "staged": "users", "target": "users"})
    moves.append({"table": "_state", "staged": USERS_STATE, "target": USERS_STATE})
    if built["songs"] is not None:
        # songs: partitioned by year only, each file's rows sorted by artist_id
        # (cheap artist lookups through Parquet min/max statistics). Sorting by
        # (year, artist_id) satisfies the writer's own ordering by year, so it
        # adds no second sort that could undo this one.
        tasks = 2 * spark.sparkContext.defaultParallelism
        songs, songs_n = _counted(built["songs"])
        songs = songs.repartition(tasks, "year").sortWithinPartitions("year", "artist_id", "song_id")
        write_partitioned(songs, root + "/songs", ["year"], already_partitioned=True)
        artists, artists_n = _counted(built["artists"])
        write_single(artists, root + "/artists")
        rows["songs"], rows["artists"] = _rows(songs_n), _rows(artists_n)
        write_single(built["seen"], "%s/%s" % (root, SONGS_STATE))
        moves.append({"table": "songs", "staged": "songs", "target": "songs"})
        moves.append({"table": "artists", "staged": "artists", "target": "artists"})
        moves.append({"table": "_state", "staged": SONGS_STATE, "target": SONGS_STATE})
    if sum(inputs["by_reason"].values()):
        songs_c, events_c = inputs["songs_c"], inputs["events_c"]
        rejects = rejects_of(songs_c, "song", SONG_COLUMNS).unionByName(rejects_of(events_c, "log", LOG_COLUMNS))
        empty = empty_file_rejects(spark, "song", inputs["song_empty"]).unionByName(
            empty_file_rejects(spark, "log", inputs["log_empty"]))
        rejects.unionByName(empty).coalesce(1).write.json(root + "/_rejects")
        moves.append({"table": "_rejects", "staged": "_rejects", "target": "_rejects/" + run_id})
    run_date = args.run_date
    manifest = {"format": 1, "run_id": run_id, "mode": args.mode,
                "run_date": run_date.isoformat() if run_date else None,
                "created_at": _iso(_utc_now()), "moves": moves}
    # Written LAST: its presence means the staging is complete.
    fs.write_text(root + "/_manifest.json", json.dumps(manifest, indent=1) + "\n")
    return moves


def describe_staged(spark: SparkSession, fs: HadoopFs, root: str, built: dict) -> Dict[str, dict]:
    """Per table: status, rows, the file columns as read back from the staged
    Parquet (partition keys excluded) and the staged partitions."""
    tables: Dict[str, dict] = {}
    for table in TABLES:
        rows = built["rows"][table]
        if rows == "unchanged":
            tables[table] = {"status": "unchanged", "rows": None, "schema": None, "partitions": []}
            continue
        path = "%s/%s" % (root, table)
        keys = CONTRACT[table][1]
        schema = None
        if fs.exists(path):
            schema = [[f.name, f.dataType.simpleString()]
                      for f in spark.read.parquet(path).schema.fields if f.name not in keys]
        partitions: List[str] = []
        if keys:
            pattern = "/".join("%s=*" % k for k in keys)
            partitions = sorted(p.split("/%s/" % table, 1)[1].rstrip("/")
                                for p in fs.glob("%s/%s" % (path, pattern)))
        tables[table] = {"status": "written", "rows": rows, "schema": schema, "partitions": partitions}
    return tables


def audit_problems(report: dict, max_rejected_share: float) -> List[str]:
    """The standalone run's own checks on what it staged (the orchestrator's
    check task does these and more on the report)."""
    problems = []
    records = report["input"]["song_records"] + report["input"]["log_records"]
    rejected = report["rejected"]["total"]
    share = (1.0 if rejected else 0.0) if records == 0 else rejected / records
    if share > max_rejected_share:
        problems.append("%d of %d input records rejected (%.1f%% > %.1f%% allowed)"
                        % (rejected, records, share * 100, max_rejected_share * 100))
    for table in TABLES:
        info = report["tables"][table]
        if info["status"] != "written":
            continue
        if info["rows"] == 0:
            problems.append("%s wrote 0 rows" % table)
        expected = [list(c) for c in CONTRACT[table][0]]
        if info["schema"] is not None and info["schema"] != expected:
            problems.append("%s schema %s differs from the contract %s" % (
                table, " ".join("%s:%s" % tuple(c) for c in info["schema"]),
                " ".join("%s:%s" % tuple(c) for c in expected)))
    return problems


def run(spark: SparkSession, args: argparse.Namespace, run_id: str, started_at: dt.datetime) -> dict:
    # Spark matches cached data by query plan, and a second run in the same
    # session (tests, notebooks) over a grown input has the same plan: without
    # this it would reuse the first run's cached input.
    spark.catalog.clearCache()
    try:
        return _run(spark, args, run_id, started_at)
    finally:
        spark.catalog.clearCache()


class _Phases:
    """Wall time of each phase, for the report's timings_s."""

    def __init__(self):
        self.start = self.last = time.monotonic()
        self.seconds: Dict[str, float] = {}

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.seconds[name] = round(now - self.last, 3)
        self.last = now


def recover_phase(publisher: "Publisher") -> None:
    """Phase 0: a publish that a killed run left half-done is finished before
    anything reads the published tables (the daily merges read users and songs)."""
    publisher.recover()


def report_phase(spark: SparkSession, fs: HadoopFs, args: argparse.Namespace, run_id: str,
                 inputs: dict, built: dict) -> dict:
    """Phase 4: the run report (without timings), from what was read and staged."""
    out = args.output.rstrip("/")
    root = "%s/_staging/%s" % (out, run_id)
    run_date: Optional[dt.date] = args.run_date
    tables = describe_staged(spark, fs, root, built)
    audit = {"month": None, "month_songplays_before": None, "month_songplays_after": None}
    if args.mode == "daily":
        month_rel = "songplays/year=%d/month=%d" % (run_date.year, run_date.month)
        before = spark.read.parquet(out + "/" + month_rel).count() if fs.exists(out + "/" + month_rel) else 0
        audit = {"month": "%04d-%02d" % (run_date.year, run_date.month),
                 "month_songplays_before": before, "month_songplays_after": built["rows"]["songplays"]}
    by_reason = inputs["by_reason"]
    return {
        "run_id": run_id,
        "mode": args.mode,
        "run_date": run_date.isoformat() if run_date else None,
        "input_uri": args.input,
        "output_uri": args.output,
        "input": inputs["input"],
        "rejected": {"total": sum(by_reason.values()), "by_reason": dict(sorted(by_reason.items()))},
        "rows": {t: built["rows"][t] for t in ("songplays", "time", "users", "songs", "artists")},
        "partitions_written": {
            "songplays": ["%s/songplays/%s" % (out, p) for p in tables["songplays"]["partitions"]],
            "time": ["%s/time/%s" % (out, p) for p in tables["time"]["partitions"]],
            "songs": len(tables["songs"]["partitions"]),
        },
        "staged_uri": root,
        "published": False,
        "tables": tables,
        "audit": audit,
    }


def publish_phase(publisher: "Publisher", args: argparse.Namespace, run_id: str, moves: List[dict],
                  report: dict) -> None:
    """Phase 5 (standalone runs only): audit what was staged, then publish it."""
    if args.stage_only:
        return
    problems = audit_problems(report, args.max_rejected_share)
    if problems:
        raise DataQualityError("%s; the published tables are unchanged, the staged output is kept at %s"
                               % ("; ".join(problems), report["staged_uri"]))
    publisher.publish(run_id, moves)
    report["published"] = True


def _run(spark: SparkSession, args: argparse.Namespace, run_id: str, started_at: dt.datetime) -> dict:
    phases = _Phases()
    fs = HadoopFs(spark)
    out = args.output.rstrip("/")
    publisher = Publisher(fs, out)

    recover_phase(publisher)
    phases.done("recover")
    inputs = read_inputs(spark, fs, args)
    phases.done("read")
    built = build_tables(spark, fs, args, inputs)
    phases.done("transform")
    root = "%s/_staging/%s" % (out, run_id)
    try:
        moves = stage_tables(spark, fs, args, run_id, inputs, built)
    except BaseException:
        fs.delete(root)  # half-written staging is of no use to anyone
        fs.delete_if_empty(out + "/_staging")
        raise
    phases.done("write")
    report = report_phase(spark, fs, args, run_id, inputs, built)
    phases.done("report")
    publish_phase(publisher, args, run_id, moves, report)
    phases.done("publish")
    # transform = building the tables' plans, write = staging them (where the
    # Spark work runs), report = describing the staged tables.
    phases.seconds["total"] = round(phases.last - phases.start, 3)
    report.update({
        "timings_s": phases.seconds,
        "started_at": _iso(started_at),
        "finished_at": _iso(_utc_now()),
        "spark_version": spark.version,
    })
    return report


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


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("%r is not a share between 0 and 1" % text)
    return value


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The job's arguments. The benchmarks' stand-in job (infra/bench/noop_job.py) parses
    with this too, so it accepts whatever the orchestrator passes to this job."""
    p = _Parser(prog=prog, description="Sparkify ETL: JSON songs and logs -> Parquet star schema.")
    p.add_argument("--input", required=True, help="URI holding song_data/ and log_data/")
    p.add_argument("--output", required=True, help="URI of the tables")
    p.add_argument("--mode", choices=["full", "daily"], default="full")
    p.add_argument("--run-date", type=_date, default=None, help="YYYY-MM-DD; required in daily mode")
    p.add_argument("--run-id", default=None, help="names the report and rejects; [A-Za-z0-9._-]+")
    p.add_argument("--stage-only", action="store_true",
                   help="write the tables to _staging/<run-id>/ with a manifest; the orchestrator publishes")
    p.add_argument("--max-rejected-share", type=_share, default=0.05,
                   help="standalone audit: the largest share of input records that may be rejected (default 0.05)")
    return p


def parse_args(argv: Sequence[str], prog: str = PROG) -> argparse.Namespace:
    args = build_parser(prog).parse_args(list(argv))
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
    except DataQualityError as e:
        return _fail(e.code, "data quality: %s" % e)
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
