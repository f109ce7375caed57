"""Each semantic rule of the contract on a handful of rows, through the pure
table functions of etl.py (no files, no spark-submit)."""
from __future__ import annotations

from pyspark.sql import functions as F

import etl
from fixtures import event, events_df, ms, song, songs_df


def plays(spark, events, songs):
    df = etl.songplays_table(events_df(spark, events), songs_df(spark, songs))
    return {
        r["ts_text"]: r
        for r in df.withColumn("ts_text", F.date_format("start_time", "yyyy-MM-dd HH:mm:ss.SSS")).collect()
    }


def test_song_matches_on_title_artist_and_duration_within_10ms(spark):
    songs = [song(song_id="SO1", artist_id="AR1", artist_name="A", title="T", duration=200.0)]
    events = [
        event(ts=ms("2018-11-01 00:00:01.000"), song="T", artist="A", length=200.0),    # exact
        event(ts=ms("2018-11-01 00:00:02.000"), song="T", artist="A", length=200.005),  # 5 ms off
        event(ts=ms("2018-11-01 00:00:03.000"), song="T", artist="A", length=199.99),   # 10 ms: boundary
        event(ts=ms("2018-11-01 00:00:04.000"), song="T", artist="A", length=200.02),   # 20 ms off
        event(ts=ms("2018-11-01 00:00:05.000"), song="T", artist="B", length=200.0),    # title only
        event(ts=ms("2018-11-01 00:00:06.000"), song="U", artist="A", length=200.0),    # artist only
        event(ts=ms("2018-11-01 00:00:07.000"), song="T", artist="A", length=None),     # no length
    ]
    got = {k[-6:]: (r["song_id"], r["artist_id"]) for k, r in plays(spark, events, songs).items()}
    assert got == {
        "01.000": ("SO1", "AR1"),
        "02.000": ("SO1", "AR1"),
        "03.000": ("SO1", "AR1"),
        "04.000": (None, None),
        "05.000": (None, None),
        "06.000": (None, None),
        "07.000": (None, None),
    }


def test_several_matching_songs_give_one_play_with_the_smallest_song_id(spark):
    songs = [
        song(song_id="SO9", artist_id="AR9", artist_name="A", title="T", duration=100.0),
        song(song_id="SO2", artist_id="AR2", artist_name="A", title="T", duration=100.004),
        song(song_id="SO1", artist_id="AR1", artist_name="A", title="T", duration=150.0),  # too far
    ]
    rows = list(plays(spark, [event(song="T", artist="A", length=100.0)], songs).values())
    assert [(r["song_id"], r["artist_id"]) for r in rows] == [("SO2", "AR2")]


def test_only_nextsong_plays_by_logged_in_users_are_songplays(spark):
    events = [
        event(ts=ms("2018-11-01 00:00:01.000"), page="NextSong", userId="5"),
        event(ts=ms("2018-11-01 00:00:02.000"), page="Home", userId="5"),
        event(ts=ms("2018-11-01 00:00:03.000"), page="NextSong", userId=""),
    ]
    got = plays(spark, events, [song()])
    assert list(got) == ["2018-11-01 00:00:01.000"]
    r = got["2018-11-01 00:00:01.000"]
    assert (r["user_id"], r["level"], r["session_id"], r["location"], r["user_agent"]) == ("5", "free", 1, "Here", "UA")


def test_start_time_keeps_milliseconds_and_partitions_by_utc_month(spark):
    ts = ms("2018-11-30 23:59:59.999")
    df = etl.songplays_table(events_df(spark, [event(ts=ts)]), songs_df(spark, [song()]))
    r = df.select(
        F.date_format("start_time", "yyyy-MM-dd HH:mm:ss.SSS").alias("t"),
        (F.unix_micros("start_time") / 1000).cast("long").alias("ms"),
        "year", "month",
    ).first()
    assert (r["t"], r["ms"], r["year"], r["month"]) == ("2018-11-30 23:59:59.999", ts, 2018, 11)


def test_songplay_id_is_deterministic_and_distinct_per_event(spark):
    events = [event(ts=ms("2018-11-01 00:00:00.000") + i, sessionId=1, itemInSession=i) for i in range(20)]
    events += [event(ts=ms("2018-11-01 00:00:00.000"), sessionId=2, itemInSession=0, userId="8")]
    first = etl.songplays_table(events_df(spark, events), songs_df(spark, [song()]))
    # Another run sees the events in another order and partitioning.
    second = etl.songplays_table(events_df(spark, events[::-1]).repartition(3), songs_df(spark, [song()]))
    key = ["user_id", "session_id", F.unix_micros("start_time").alias("t")]
    a = {tuple(r[:3]): r["songplay_id"] for r in first.select(*key, "songplay_id").collect()}
    b = {tuple(r[:3]): r["songplay_id"] for r in second.select(*key, "songplay_id").collect()}
    assert a == b
    assert len(set(a.values())) == len(events)


def test_users_take_name_and_level_from_their_latest_event(spark):
    events = [
        event(userId="7", level="free", firstName="Ann", ts=ms("2018-11-01 00:00:00.000")),
        event(userId="7", level="paid", firstName="Anna", page="Home", ts=ms("2018-11-20 00:00:00.000")),
        event(userId="7", level="free", firstName="Ann", ts=ms("2018-11-10 00:00:00.000")),
        # Exact-ts tie: the later item in the session wins, whatever the input order.
        event(userId="8", level="free", ts=ms("2018-11-05 00:00:00.000"), sessionId=3, itemInSession=2),
        event(userId="8", level="paid", ts=ms("2018-11-05 00:00:00.000"), sessionId=3, itemInSession=3),
        event(userId="", level="free", firstName=None, ts=ms("2018-11-30 00:00:00.000")),
    ]
    users = etl.users_table(etl.users_latest(events_df(spark, events)))
    assert sorted(tuple(r) for r in users.collect()) == [
        ("7", "Anna", "Lee", "F", "paid"),
        ("8", "Ann", "Lee", "F", "paid"),
    ]
    assert users.columns == ["user_id", "first_name", "last_name", "gender", "level"]


def test_users_merge_keeps_the_latest_event_across_runs_in_any_order(spark):
    nov = etl.users_latest(events_df(spark, [event(userId="7", level="free", ts=ms("2018-11-01 00:00:00.000"))]))
    dec = etl.users_latest(events_df(spark, [event(userId="7", level="paid", ts=ms("2018-12-01 00:00:00.000")),
                                             event(userId="9", level="free", ts=ms("2018-12-02 00:00:00.000"))]))
    after_backfill = etl.merge_users_latest(dec, nov)  # November re-run after December
    twice = etl.merge_users_latest(after_backfill, nov)
    expected = [("7", "paid"), ("9", "free")]
    assert sorted((r["user_id"], r["level"]) for r in after_backfill.collect()) == expected
    assert sorted((r["user_id"], r["level"]) for r in twice.collect()) == expected


def test_time_has_iso_week_and_weekday_in_utc_and_one_row_per_start_time(spark):
    events = [
        event(ts=ms("2018-12-31 23:59:59.999"), itemInSession=1),  # Monday, ISO week 1 of 2019
        event(ts=ms("2018-12-31 23:59:59.999"), itemInSession=2),  # duplicate timestamp
        event(ts=ms("2017-01-01 05:00:00.000")),                   # Sunday, ISO week 52 of 2016
        event(ts=ms("2018-11-15 13:30:00.123")),
    ]
    sp = etl.songplays_table(events_df(spark, events), songs_df(spark, [song()]))
    t = etl.time_table(sp)
    assert t.columns == ["start_time", "hour", "day", "week", "month", "year", "weekday"]
    got = sorted(tuple(r) for r in t.select(
        F.date_format("start_time", "yyyy-MM-dd HH:mm:ss.SSS"), "hour", "day", "week", "month", "year", "weekday"
    ).collect())
    assert got == [
        ("2017-01-01 05:00:00.000", 5, 1, 52, 1, 2017, 7),
        ("2018-11-15 13:30:00.123", 13, 15, 46, 11, 2018, 4),
        ("2018-12-31 23:59:59.999", 23, 31, 1, 12, 2018, 1),
    ]


def test_songs_one_row_per_song_id_and_artists_from_the_smallest_song_id(spark):
    songs = [
        song(song_id="SO2", artist_id="AR1", artist_name="Later Name", artist_location="B",
             artist_latitude=2.0, artist_longitude=2.0, title="Two", duration=2.0, year=0),
        song(song_id="SO1", artist_id="AR1", artist_name="First Name", artist_location="A",
             artist_latitude=1.0, artist_longitude=1.0, title="One", duration=1.0, year=1999),
        song(song_id="SO1", artist_id="AR1", artist_name="First Name", artist_location="A",
             artist_latitude=1.0, artist_longitude=1.0, title="One", duration=1.0, year=1999),
        song(song_id="SO3", artist_id="AR3", artist_name="Other", title="Three", duration=3.0, year=2001),
    ]
    df = songs_df(spark, songs)
    s = etl.songs_table(df)
    assert s.columns == ["song_id", "title", "artist_id", "year", "duration"]
    assert sorted(tuple(r) for r in s.collect()) == [
        ("SO1", "One", "AR1", 1999, 1.0),
        ("SO2", "Two", "AR1", 0, 2.0),
        ("SO3", "Three", "AR3", 2001, 3.0),
    ]
    a = etl.artists_table(df)
    assert a.columns == ["artist_id", "name", "location", "latitude", "longitude"]
    assert sorted(tuple(r) for r in a.collect()) == [
        ("AR1", "First Name", "A", 1.0, 1.0),
        ("AR3", "Other", "", None, None),
    ]
