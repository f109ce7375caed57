"""Tiny hand-written inputs: DataFrames for the pure functions and a Sparkify
directory (song_data/, log_data/) for whole-job runs."""
from __future__ import annotations

import datetime as dt
import json
import os
from typing import Dict, List, Sequence

import etl


def ms(text: str) -> int:
    """'2018-11-01 21:01:46.796' (UTC) -> epoch milliseconds."""
    t = dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.timezone.utc)
    return int(t.timestamp() * 1000 + 0.5)


def event(**fields) -> Dict:
    base = {
        "artist": None, "auth": "Logged In", "firstName": "Ann", "gender": "F",
        "itemInSession": 0, "lastName": "Lee", "length": None, "level": "free",
        "location": "Here", "method": "PUT", "page": "NextSong",
        "registration": 1.540919166796e12, "sessionId": 1, "song": None,
        "status": 200, "ts": ms("2018-11-01 00:00:00.000"), "userAgent": "UA", "userId": "1",
    }
    base.update(fields)
    return base


def song(**fields) -> Dict:
    base = {
        "num_songs": 1, "artist_id": "AR1", "artist_latitude": None, "artist_longitude": None,
        "artist_location": "", "artist_name": "Artist One", "song_id": "SO1",
        "title": "Song One", "duration": 200.0, "year": 2000,
    }
    base.update(fields)
    return base


def events_df(spark, rows: Sequence[Dict]):
    schema = etl.LOG_SCHEMA
    names = [f.name for f in schema.fields if f.name != etl.CORRUPT]
    from pyspark.sql.types import StructType

    return spark.createDataFrame(
        [tuple(r.get(n) for n in names) for r in rows],
        StructType([f for f in schema.fields if f.name != etl.CORRUPT]),
    )


def songs_df(spark, rows: Sequence[Dict]):
    from pyspark.sql.types import StructType

    fields = [f for f in etl.SONG_SCHEMA.fields if f.name != etl.CORRUPT]
    return spark.createDataFrame([tuple(r.get(f.name) for f in fields) for r in rows], StructType(fields))


# --- a small Sparkify input directory with two months and every quirk ------

SONGS = [
    song(song_id="SOA", artist_id="ARA", artist_name="Alpha", title="Apple", duration=100.0, year=2001,
         artist_location="Oslo", artist_latitude=59.9, artist_longitude=10.7),
    song(song_id="SOB", artist_id="ARA", artist_name="Alpha", title="Banana", duration=150.5, year=0,
         artist_location="Bergen", artist_latitude=60.4, artist_longitude=5.3),
    song(song_id="SOC", artist_id="ARC", artist_name="Gamma", title="Cherry", duration=200.0, year=2001),
]

NOV = [
    # Matches SOA exactly; ann is free in November.
    event(userId="7", firstName="Ann", level="free", sessionId=1, itemInSession=0,
          song="Apple", artist="Alpha", length=100.0, ts=ms("2018-11-01 21:01:46.796")),
    # Same title, other artist: kept, unmatched.
    event(userId="7", firstName="Ann", level="free", sessionId=1, itemInSession=1,
          song="Apple", artist="Gamma", length=100.0, ts=ms("2018-11-01 21:05:00.001")),
    # Logged-out: no user, not a songplay, not a user.
    event(userId="", firstName=None, lastName=None, gender=None, page="Home", auth="Logged Out",
          sessionId=2, itemInSession=0, ts=ms("2018-11-02 08:00:00.000")),
    # Bob: a non-play page still makes him a user.
    event(userId="9", firstName="Bob", lastName="Ray", gender="M", page="Home", level="paid",
          sessionId=3, itemInSession=0, ts=ms("2018-11-03 10:00:00.000")),
]
DEC = [
    # Ann upgrades in December; the play is 0.004 s off SOC's duration: match.
    event(userId="7", firstName="Ann", level="paid", sessionId=4, itemInSession=0,
          song="Cherry", artist="Gamma", length=200.004, ts=ms("2018-12-31 23:59:59.999")),
    # Same timestamp, other user: two plays, one time row.
    event(userId="9", firstName="Bob", lastName="Ray", gender="M", level="paid", sessionId=5,
          itemInSession=0, song="Banana", artist="Alpha", length=150.52, ts=ms("2018-12-31 23:59:59.999")),
]
BAD_LOG_LINES = [
    '{"page": "NextSong", "userId": "7", "ts": "1543622400000"}',  # string ts
    '{"page": "NextSong", "userId": "7"}',  # no ts
    '{"page": "NextSong", "userId": ',  # truncated
]


def write_sparkify(root: str) -> None:
    """song_data/A/B/C/<song_id>.json (one object per file, plus an empty file
    and a two-object file) and log_data/YYYY/MM/YYYY-MM-DD-events.json."""
    def put(rel: str, text: str) -> None:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    for s in SONGS:
        put("song_data/A/B/C/TR%s.json" % s["song_id"], json.dumps(s))
    put("song_data/A/B/D/TREMPTY.json", "")
    put("song_data/A/B/D/TRTWO.json",
        json.dumps(song(song_id="SOX", title="X")) + "\n" + json.dumps(song(song_id="SOY", title="Y")) + "\n")
    by_day: Dict[str, List[str]] = {}
    for e in NOV + DEC:
        day = dt.datetime.fromtimestamp(e["ts"] / 1000, dt.timezone.utc).strftime("%Y-%m-%d")
        by_day.setdefault(day, []).append(json.dumps(e))
    by_day["2018-11-03"] += BAD_LOG_LINES
    for day, lines in by_day.items():
        put("log_data/%s/%s/%s-events.json" % (day[:4], day[5:7], day), "\n".join(lines) + "\n")
