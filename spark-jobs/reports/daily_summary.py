"""One row per day built from the two other reports: plays (free and paid), users, top song.

spark-submit daily_summary.py --output URI --run-date YYYY-MM-DD --mode full|daily
Reads <output>/reports/plays_by_level and <output>/reports/top_songs (the pipeline runs it after
both); writes <output>/reports/daily_summary/date=YYYY-MM-DD/ (Parquet).
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


def daily_summary(by_level: DataFrame, top: DataFrame) -> DataFrame:
    """plays, free_plays, paid_plays, users (summed over levels: a user who changed level counts
    once per level), and the day's top song and artist (null when no play matched a song)."""
    totals = by_level.groupBy("date").agg(
        F.sum("plays").alias("plays"),
        F.sum(F.when(F.col("level") == "free", F.col("plays")).otherwise(0)).alias("free_plays"),
        F.sum(F.when(F.col("level") == "paid", F.col("plays")).otherwise(0)).alias("paid_plays"),
        F.sum("users").alias("users"),
    )
    first = top.where(F.col("rank") == 1).select(
        "date", F.col("title").alias("top_song"), F.col("artist").alias("top_artist"), F.col("plays").alias("top_song_plays")
    )
    return totals.join(first, "date", "left")


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="daily_summary.py")
    p.add_argument("--output", required=True)
    p.add_argument("--run-date", required=True)
    p.add_argument("--mode", choices=["full", "daily"], default="daily")
    args = p.parse_args(argv)
    spark = (
        SparkSession.builder.appName("sparkify-reports:daily_summary")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        # Keep date=YYYY-MM-DD a string when reading the reports back, as they were written.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .getOrCreate()
    )
    base = args.output.rstrip("/") + "/reports"
    by_level = spark.read.parquet(base + "/plays_by_level")
    top = spark.read.parquet(base + "/top_songs")
    if args.mode == "daily":
        by_level = by_level.where(F.col("date") == F.lit(args.run_date))
        top = top.where(F.col("date") == F.lit(args.run_date))
    out = daily_summary(by_level, top)
    out.repartition("date").write.mode("overwrite").partitionBy("date").parquet(base + "/daily_summary")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
