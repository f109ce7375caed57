"""The day's most played songs, with their titles and artists, from the star schema.

spark-submit top_songs.py --output URI --run-date YYYY-MM-DD --mode full|daily [--top N]
Writes <output>/reports/top_songs/date=YYYY-MM-DD/ (Parquet): rank, song_id, title, artist, plays.
Plays whose song is unknown (song_id null) are not ranked.
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F


def top_songs(songplays: DataFrame, songs: DataFrame, artists: DataFrame, top: int) -> DataFrame:
    """Per date, the `top` songs by plays (ties broken by song_id), named."""
    counted = (
        songplays.where(F.col("song_id").isNotNull())
        .withColumn("date", F.date_format("start_time", "yyyy-MM-dd"))
        .groupBy("date", "song_id")
        .agg(F.count(F.lit(1)).alias("plays"))
    )
    ranked = counted.withColumn(
        "rank", F.row_number().over(Window.partitionBy("date").orderBy(F.desc("plays"), F.asc("song_id")))
    ).where(F.col("rank") <= top)
    named = ranked.join(songs.select("song_id", "title", "artist_id"), "song_id", "left").join(
        artists.select("artist_id", F.col("name").alias("artist")), "artist_id", "left"
    )
    return named.select("date", "rank", "song_id", "title", "artist", "plays")


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="top_songs.py")
    p.add_argument("--output", required=True)
    p.add_argument("--run-date", required=True)
    p.add_argument("--mode", choices=["full", "daily"], default="daily")
    p.add_argument("--top", type=int, default=10)
    args = p.parse_args(argv)
    spark = (
        SparkSession.builder.appName("sparkify-reports:top_songs")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .getOrCreate()
    )
    base = args.output.rstrip("/")
    songplays = spark.read.parquet(base + "/songplays")
    if args.mode == "daily":
        songplays = songplays.where(F.date_format("start_time", "yyyy-MM-dd") == F.lit(args.run_date))
    out = top_songs(songplays, spark.read.parquet(base + "/songs"), spark.read.parquet(base + "/artists"), args.top)
    out.repartition("date").write.mode("overwrite").partitionBy("date").parquet(base + "/reports/top_songs")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
