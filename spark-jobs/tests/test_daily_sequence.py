"""Daily mode keeps every table whole: a month of daily runs, with songs (and a
new artist, and a song that changes an artist's winning attributes) arriving
mid-month, gives exactly the tables of one full run over the same input."""
from __future__ import annotations

import datetime as dt
import glob
import json
import os

import duckdb

from fixtures import event, ms, song
from test_bad_input import TABLES, put, tables_of
from test_job import run_in_process

# Twelve songs of one year with artists in no particular order: the songs file
# of that year must come out sorted by artist_id.
EARLY = [song(song_id="SO%02d" % i, artist_id="AR%02d" % ((i * 7) % 12), artist_name="Artist %d" % ((i * 7) % 12),
              title="Early %d" % i, duration=100.0 + i, year=1999, artist_location="Early place")
         for i in range(1, 13)]
LATE = [
    # A new artist, and a new song of a known artist.
    song(song_id="SO50", artist_id="AR50", artist_name="Newcomer", title="Late", duration=300.0, year=2010),
    song(song_id="SO51", artist_id="AR01", artist_name="Artist 1", title="Late too", duration=301.0, year=2010),
    # A smaller song_id than AR07's earliest song: its attributes now win for AR07.
    song(song_id="SO00", artist_id="AR07", artist_name="Artist 7 renamed", title="Oldest", duration=99.0, year=1999,
         artist_location="Elsewhere", artist_latitude=1.5, artist_longitude=2.5),
]


def play(day, i, s, user="5", level="free"):
    return event(userId=user, level=level, sessionId=day, itemInSession=i, song=s["title"],
                 artist=s["artist_name"], length=s["duration"], ts=ms("2018-11-%02d 10:00:00.000" % day) + i)


DAYS = [
    (3, EARLY, [play(3, i, s) for i, s in enumerate(EARLY[:5])]),
    (14, LATE, [play(14, i, s) for i, s in enumerate(LATE)] + [play(14, 9, EARLY[6], user="6")]),
    (28, [], [play(28, 0, LATE[0], level="paid"), play(28, 1, EARLY[0], user="6", level="paid")]),
]


def arrive(root, day, songs, events):
    for s in songs:
        put(root, "song_data/A/%s.json" % s["song_id"], json.dumps(s, indent=2))
    put(root, "log_data/2018/11/2018-11-%02d-events.json" % day, "\n".join(json.dumps(e) for e in events) + "\n")


def test_a_month_of_daily_runs_with_songs_arriving_mid_month_equals_a_full_run(spark, tmp_path):
    inp, daily_out, full_out = str(tmp_path / "in"), str(tmp_path / "daily"), str(tmp_path / "full")
    for day, songs, events in DAYS:
        arrive(inp, day, songs, events)
        report = run_in_process(spark, inp, daily_out, mode="daily", run_date="2018-11-%02d" % day,
                                run_id="d%02d" % day)
        assert report["rows"]["songs"] == ("unchanged" if not songs else len(EARLY) + (len(LATE) if day > 3 else 0))
        # After every run, every song and artist a play points at is in the tables.
        tables = tables_of(spark, daily_out)
        song_ids = {r[0] for r in spark.read.parquet(daily_out + "/songs").select("song_id").collect()}
        artist_ids = {r[0] for r in spark.read.parquet(daily_out + "/artists").select("artist_id").collect()}
        plays = spark.read.parquet(daily_out + "/songplays").select("song_id", "artist_id").collect()
        assert {p[0] for p in plays if p[0]} <= song_ids and {p[1] for p in plays if p[1]} <= artist_ids
    run_in_process(spark, inp, full_out, run_id="full")
    full = tables_of(spark, full_out)
    assert tables == full
    assert set(TABLES) == set(full)
    matched = [r for r in spark.read.parquet(full_out + "/songplays").collect() if r["song_id"]]
    assert len(matched) == 5 + 4 + 2  # every play found its song, also the mid-month ones
    artist7 = spark.read.parquet(daily_out + "/artists").filter("artist_id = 'AR07'").first()
    assert (artist7["name"], artist7["location"]) == ("Artist 7 renamed", "Elsewhere")


def test_songs_are_partitioned_by_year_only_and_each_file_is_sorted_by_artist_id(spark, tmp_path):
    inp, out = str(tmp_path / "in"), str(tmp_path / "out")
    for day, songs, events in DAYS:
        arrive(inp, day, songs, events)
    run_in_process(spark, inp, out, run_id="full")
    years = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out, "songs", "*")) if "=" in p)
    assert years == ["year=1999", "year=2010"]
    for year in years:
        files = glob.glob(os.path.join(out, "songs", year, "*.parquet"))
        assert len(files) == 1, files
        artists = [r[0] for r in duckdb.sql("SELECT artist_id FROM read_parquet('%s')" % files[0]).fetchall()]
        assert artists == sorted(artists) and len(artists) >= 2
