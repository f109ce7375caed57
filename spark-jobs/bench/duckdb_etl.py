#!/usr/bin/env python3
"""Benchmark reference: the same transformation as spark-jobs/etl.py (full
mode) in DuckDB SQL, writing the same partitioned Parquet tables.

    python spark-jobs/bench/duckdb_etl.py --input DIR --output DIR

Same semantics and layout (songs partitioned by year, sorted by artist_id;
song files read as one JSON document each, whatever their layout): explicit columns, title + artist + duration within 0.01 s
(smallest song_id wins), hashed songplay_id, latest event per user, ISO week
and weekday, artists from the smallest song_id. Rejects are not kept aside.
"""
from __future__ import annotations

import argparse
import os

import duckdb

SONG_COLUMNS = ("{song_id: 'VARCHAR', title: 'VARCHAR', artist_id: 'VARCHAR', artist_name: 'VARCHAR', "
                "artist_location: 'VARCHAR', artist_latitude: 'DOUBLE', artist_longitude: 'DOUBLE', "
                "duration: 'DOUBLE', year: 'INTEGER'}")
LOG_COLUMNS = ("{artist: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR', itemInSession: 'BIGINT', "
               "lastName: 'VARCHAR', length: 'DOUBLE', level: 'VARCHAR', location: 'VARCHAR', page: 'VARCHAR', "
               "sessionId: 'BIGINT', song: 'VARCHAR', ts: 'BIGINT', userAgent: 'VARCHAR', userId: 'VARCHAR'}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    a = p.parse_args()
    out = a.output
    for single in ("users", "artists"):
        os.makedirs(os.path.join(out, single), exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""CREATE TEMP TABLE songs_raw AS SELECT * FROM read_json('{a.input}/song_data/*/*/*/*.json',
        format = 'auto', columns = {SONG_COLUMNS}, ignore_errors = true)
        WHERE song_id IS NOT NULL AND artist_id IS NOT NULL""")
    con.execute(f"""CREATE TEMP TABLE events AS SELECT * FROM read_json('{a.input}/log_data/*/*/*.json',
        format = 'newline_delimited', columns = {LOG_COLUMNS}, ignore_errors = true)
        WHERE ts IS NOT NULL AND userId IS NOT NULL""")
    con.execute("""CREATE TEMP TABLE songs AS SELECT song_id, unnest(s) FROM (SELECT song_id, min({'title': title,
        'artist_id': artist_id, 'artist_name': artist_name, 'artist_location': artist_location,
        'artist_latitude': artist_latitude, 'artist_longitude': artist_longitude, 'duration': duration,
        'year': year}) AS s FROM songs_raw GROUP BY song_id)""")
    con.execute("""CREATE TEMP TABLE songplays AS
        WITH plays AS (SELECT *, make_timestamp(ts * 1000) AS start_time FROM events
                       WHERE page = 'NextSong' AND userId <> ''),
        matched AS (SELECT p.ts, p.userId, p.sessionId, p.itemInSession, min(s.song_id) AS song_id
                    FROM plays p JOIN songs s ON s.title = p.song AND s.artist_name = p.artist
                         AND abs(s.duration - p.length) <= 0.01 + 1e-9
                    GROUP BY ALL)
        SELECT hash(p.userId, p.sessionId, p.itemInSession, p.ts) AS songplay_id, p.start_time,
               p.userId AS user_id, p.level, m.song_id, s.artist_id AS artist_id, p.sessionId AS session_id,
               p.location, p.userAgent AS user_agent, year(p.start_time) AS year, month(p.start_time) AS month
        FROM plays p
        LEFT JOIN matched m USING (ts, userId, sessionId, itemInSession)
        LEFT JOIN songs s ON s.song_id = m.song_id""")
    con.execute(f"COPY songplays TO '{out}/songplays' (FORMAT parquet, PARTITION_BY (year, month))")
    con.execute(f"""COPY (SELECT DISTINCT start_time, hour(start_time) AS hour, day(start_time) AS day,
        weekofyear(start_time) AS week, month, year, isodow(start_time) AS weekday FROM songplays)
        TO '{out}/time' (FORMAT parquet, PARTITION_BY (year, month))""")
    con.execute(f"""COPY (SELECT userId AS user_id, u.first_name, u.last_name, u.gender, u.level FROM (
        SELECT userId, arg_max({{'first_name': firstName, 'last_name': lastName, 'gender': gender, 'level': level}},
                               (ts, sessionId, itemInSession)) AS u
        FROM events WHERE userId <> '' GROUP BY userId)) TO '{out}/users/users.parquet' (FORMAT parquet)""")
    # The contract's songs layout: partitioned by year only, each file's rows sorted by artist_id.
    con.execute(f"""COPY (SELECT song_id, title, artist_id, year, duration FROM songs ORDER BY year, artist_id, song_id)
        TO '{out}/songs' (FORMAT parquet, PARTITION_BY (year))""")
    con.execute(f"""COPY (SELECT artist_id, a.artist_name AS name, a.artist_location AS location,
        a.artist_latitude AS latitude, a.artist_longitude AS longitude FROM (
        SELECT artist_id, min({{'song_id': song_id, 'artist_name': artist_name, 'artist_location': artist_location,
               'artist_latitude': artist_latitude, 'artist_longitude': artist_longitude}}) AS a
        FROM songs GROUP BY 1)) TO '{out}/artists/artists.parquet' (FORMAT parquet)""")


if __name__ == "__main__":
    main()
