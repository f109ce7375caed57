"""Daily plays by subscription level (free/paid), from the star schema's songplays.

spark-submit plays_by_level.py --output URI --run-date YYYY-MM-DD --mode full|daily
Writes <output>/reports/plays_by_level/date=YYYY-MM-DD/ (Parquet): level, plays, users.
A daily run rewrites its date only; a full run every date.
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


def plays_by_level(songplays: DataFrame) -> DataFrame:
    """One row per date and level: how many plays, by how many distinct users."""
    return (
        songplays.withColumn("date", F.date_format("start_time", "yyyy-MM-dd"))
        .groupBy("date", "level")
        .agg(F.count(F.lit(1)).alias("plays"), F.countDistinct("user_id").alias("users"))
    )


def of_run(songplays: DataFrame, mode: str, run_date: str) -> DataFrame:
    if mode == "full":
        return songplays
    return songplays.where(F.date_format("start_time", "yyyy-MM-dd") == F.lit(run_date))


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="plays_by_level.py")
    p.add_argument("--output", required=True)
    p.add_argument("--run-date", required=True)
    p.add_argument("--mode", choices=["full", "daily"], default="daily")
    args = p.parse_args(argv)
    spark = (
        SparkSession.builder.appName("sparkify-reports:plays_by_level")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .getOrCreate()
    )
    base = args.output.rstrip("/")
    songplays = spark.read.parquet(base + "/songplays")
    out = plays_by_level(of_run(songplays, args.mode, args.run_date))
    out.repartition("date").write.mode("overwrite").partitionBy("date").parquet(base + "/reports/plays_by_level")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
