"""The pytest suite runs the Spark that production runs, and the job pins the settings whose
defaults changed between that Spark and newer ones, so a job that passes here behaves the same on
EMR (Spark 3.5) and on a newer local Spark (4.x turns ANSI mode on by default, for one)."""
from __future__ import annotations

import json
import os

import pytest
from pyspark.sql import SparkSession

import etl

RELEASES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "emr-releases.json")


def test_the_session_runs_the_default_emr_releases_spark(spark):
    table = json.load(open(RELEASES))
    expected = table["releases"][table["default"]]["spark"]
    assert spark.version == expected, (
        "pytest runs Spark %s but the default EMR release %s runs Spark %s: move the pyspark pin in "
        "spark-jobs/requirements.in and run `npm run deps:lock`" % (spark.version, table["default"], expected))


class _Built(Exception):
    pass


# Spark settings whose defaults differ between Spark 3.5 (EMR 7) and Spark 4, and that change what
# the job computes or writes. The job sets each explicitly, so its results do not depend on which
# Spark runs it.
VERSION_SENSITIVE = {
    # 3.5: off (a bad cast is a silent null); 4.0: on (it raises). The job wants the error.
    "spark.sql.ansi.enabled": "true",
    # Timestamps are rendered and partitioned (year, month) in UTC, whatever the node's zone.
    "spark.sql.session.timeZone": "UTC",
    # INT96 is the default in both and legacy; every reader the job serves reads micros.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}


def test_the_job_pins_every_setting_whose_default_differs_by_spark_version(monkeypatch):
    seen = {}

    def capture(builder):
        seen.update(builder._options)
        raise _Built()

    monkeypatch.setattr(SparkSession.Builder, "getOrCreate", capture)
    with pytest.raises(_Built):
        etl.build_spark("parity-check")
    for key, value in VERSION_SENSITIVE.items():
        assert seen.get(key) == value, "etl.build_spark must set %s=%s explicitly (got %r)" % (key, value, seen.get(key))


def test_ansi_mode_makes_a_bad_cast_an_error_on_this_spark(spark):
    # What the pin above buys: with ANSI on, Spark 3.5 raises on a bad cast as Spark 4 does by
    # default, instead of returning null. The job relies on it never silently nulling a value.
    from pyspark.errors import PySparkException  # noqa: F401  (3.4+: the base of Spark's errors)

    assert spark.conf.get("spark.sql.ansi.enabled") == "true"
    with pytest.raises(Exception) as caught:
        spark.sql("SELECT CAST('abc' AS INT) AS n").collect()
    assert "CAST_INVALID_INPUT" in str(caught.value)
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        assert spark.sql("SELECT CAST('abc' AS INT) AS n").collect()[0]["n"] is None
    finally:
        spark.conf.set("spark.sql.ansi.enabled", "true")
