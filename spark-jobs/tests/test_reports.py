"""The sparkify-reports pipeline's three scripts, each on a handful of rows."""
from __future__ import annotations

import datetime as dt
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reports"))

from daily_summary import daily_summary  # noqa: E402
from plays_by_level import of_run, plays_by_level  # noqa: E402
from top_songs import top_songs  # noqa: E402

D1 = dt.datetime(2018, 11, 15, 10, 0, 0)
D2 = dt.datetime(2018, 11, 16, 23, 59, 0)


@pytest.fixture()
def songplays(spark):
    rows = [
        (1, D1, "10", "free", "SO1", "AR1"),
        (2, D1, "10", "paid", "SO1", "AR1"),
        (3, D1, "11", "paid", "SO2", "AR2"),
        (4, D1, "12", "paid", None, None),
        (5, D2, "10", "paid", "SO2", "AR2"),
    ]
    return spark.createDataFrame(rows, "songplay_id bigint, start_time timestamp, user_id string, level string, song_id string, artist_id string")


def test_plays_by_level_counts_plays_and_distinct_users_per_day(songplays):
    got = {(r.date, r.level): (r.plays, r.users) for r in plays_by_level(songplays).collect()}
    assert got == {("2018-11-15", "free"): (1, 1), ("2018-11-15", "paid"): (3, 3), ("2018-11-16", "paid"): (1, 1)}


def test_a_daily_run_reads_its_day_only(songplays):
    got = {r.date for r in plays_by_level(of_run(songplays, "daily", "2018-11-16")).collect()}
    assert got == {"2018-11-16"}


def test_top_songs_ranks_by_plays_names_them_and_skips_unknown_songs(spark, songplays):
    songs = spark.createDataFrame([("SO1", "Hound Dog", "AR1"), ("SO2", "Feeling Good", "AR2")], "song_id string, title string, artist_id string")
    artists = spark.createDataFrame([("AR1", "Elvis Presley"), ("AR2", "Nina Simone")], "artist_id string, name string")
    got = [(r.date, r.rank, r.title, r.artist, r.plays) for r in top_songs(songplays, songs, artists, 1).orderBy("date").collect()]
    assert got == [("2018-11-15", 1, "Hound Dog", "Elvis Presley", 2), ("2018-11-16", 1, "Feeling Good", "Nina Simone", 1)]


def test_daily_summary_joins_plays_by_level_with_the_top_song(spark):
    by_level = spark.createDataFrame(
        [("2018-11-15", "free", 1, 1), ("2018-11-15", "paid", 3, 3), ("2018-11-16", "paid", 1, 1)],
        "date string, level string, plays bigint, users bigint",
    )
    top = spark.createDataFrame([("2018-11-15", 1, "SO1", "Hound Dog", "Elvis Presley", 2)], "date string, rank int, song_id string, title string, artist string, plays bigint")
    got = {r.date: (r.plays, r.free_plays, r.paid_plays, r.users, r.top_song, r.top_artist) for r in daily_summary(by_level, top).collect()}
    assert got == {
        "2018-11-15": (4, 1, 3, 4, "Hound Dog", "Elvis Presley"),
        "2018-11-16": (1, 0, 1, 1, None, None),
    }
