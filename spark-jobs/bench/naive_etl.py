#!/usr/bin/env python3
"""Benchmark baseline: the ETL as the original Airflow/Udacity project wrote it.

    spark-submit spark-jobs/bench/naive_etl.py --input DIR --output DIR

Kept deliberately naive, as a yardstick for spark-jobs/etl.py (not a job to
run): schema inference over every input file, songs joined on title only,
monotonically_increasing_id for songplay_id, default shuffle partitions, and a
static overwrite of each partitioned table. Not used by the pipeline.
"""
from __future__ import annotations

import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    a = p.parse_args()
    spark = SparkSession.builder.appName("naive-etl").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")

    # multiLine: the one change from the original, which read song files line by line. That was right for
    # Udacity's one-line files, but the generated data also has pretty-printed ones, which a line reader
    # turns into corrupt records: the baseline would silently skip their songs and do less work than ours.
    # Read whole, every file yields its song, as in etl.py. Still infers the schema (reads everything twice).
    song_df = spark.read.option("multiLine", "true").json(a.input + "/song_data/*/*/*/*.json")
    songs = song_df.select("song_id", "title", "artist_id", "year", "duration").dropDuplicates(["song_id"])
    songs.write.mode("overwrite").partitionBy("year", "artist_id").parquet(a.output + "/songs")
    artists = song_df.select(
        "artist_id", F.col("artist_name").alias("name"), F.col("artist_location").alias("location"),
        F.col("artist_latitude").alias("latitude"), F.col("artist_longitude").alias("longitude"),
    ).dropDuplicates(["artist_id"])
    artists.write.mode("overwrite").parquet(a.output + "/artists")

    log_df = spark.read.json(a.input + "/log_data/*/*/*.json").filter(F.col("page") == "NextSong")
    users = log_df.select(
        F.col("userId").alias("user_id"), F.col("firstName").alias("first_name"),
        F.col("lastName").alias("last_name"), "gender", "level",
    ).dropDuplicates(["user_id"])
    users.write.mode("overwrite").parquet(a.output + "/users")

    log_df = log_df.withColumn("start_time", F.to_timestamp(F.from_unixtime(F.col("ts") / 1000)))
    time_table = log_df.select("start_time").dropDuplicates().select(
        "start_time", F.hour("start_time").alias("hour"), F.dayofmonth("start_time").alias("day"),
        F.weekofyear("start_time").alias("week"), F.month("start_time").alias("month"),
        F.year("start_time").alias("year"), F.dayofweek("start_time").alias("weekday"),
    )
    time_table.write.mode("overwrite").partitionBy("year", "month").parquet(a.output + "/time")

    songplays = log_df.join(song_df, log_df.song == song_df.title, "left").select(
        F.monotonically_increasing_id().alias("songplay_id"), "start_time",
        F.col("userId").alias("user_id"), "level", "song_id", "artist_id",
        F.col("sessionId").alias("session_id"), log_df.location, F.col("userAgent").alias("user_agent"),
        F.year("start_time").alias("year"), F.month("start_time").alias("month"),
    )
    songplays.write.mode("overwrite").partitionBy("year", "month").parquet(a.output + "/songplays")
    spark.stop()


if __name__ == "__main__":
    main()
