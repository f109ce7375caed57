"""One SparkSession for the whole pytest run: starting a JVM costs seconds,
so every test shares it (local[2], tiny shuffles, no UI, ANSI on, UTC)."""
from __future__ import annotations

import os
import sys

import pytest

SPARK_JOBS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SPARK_JOBS not in sys.path:
    sys.path.insert(0, SPARK_JOBS)
TESTS = os.path.dirname(os.path.abspath(__file__))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

# The Python that runs pytest is the one with pyspark; make Spark use it too.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    from local_spark import local_spark_settings

    # The same JARs and settings the local provider gives spark-submit (local-spark.json).
    jars, conf = local_spark_settings()
    builder = SparkSession.builder.config("spark.driver.extraClassPath", ":".join(jars))
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = (
        builder.master("local[2]")
        .appName("emrflow-spark-jobs-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
