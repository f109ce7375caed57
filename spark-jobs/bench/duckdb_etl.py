#!/usr/bin/env python3
"""Benchmark reference: the same transformation as spark-jobs/etl.py (full
mode) in DuckDB SQL, writing the same partitioned Parquet tables.

    python spark-jobs/bench/duckdb_etl.py --input DIR --output DIR

Same semantics and layout (songs partitioned by year, sorted by artist_id;
song files read as one JSON document each, whatever their layout): explicit
columns, title + artist + duration within 0.01 s (smallest song_id wins),
hashed songplay_id, latest event per user, ISO week and weekday, artists from
the smallest song_id. Rejects are counted and set aside like etl.py's, not
dropped silently: a log line that is not JSON, has no usable `ts` (missing,
not a number, outside years 1..9999) or no `userId` key; a song file that is
empty, not one JSON object, or lacks song_id or artist_id. They go to
<output>/_rejects/ (source, file, record); the last stdout line is a JSON
summary {"rows": {...}, "rejected": n} that the benchmark compares with ours.
"""
from __future__ import annotations

import argparse
import json
import os

import duckdb

LOG_COLUMNS = ("{artist: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR', itemInSession: 'BIGINT', "
               "lastName: 'VARCHAR', length: 'DOUBLE', level: 'VARCHAR', location: 'VARCHAR', page: 'VARCHAR', "
               "sessionId: 'BIGINT', song: 'VARCHAR', ts: 'BIGINT', userAgent: 'VARCHAR', userId: 'VARCHAR'}")
TS_MIN_MS, TS_MAX_MS = -62135596800000, 253402300799999
TABLES = ("songplays", "time", "users", "songs", "artists")


def song_field(name: str, sql_type: str) -> str:
    return "TRY_CAST(json_extract_string(doc, '$.%s') AS %s) AS %s" % (name, sql_type, name)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    a = p.parse_args()
    out = a.output
    for single in ("users", "artists", "_rejects"):
        os.makedirs(os.path.join(out, single), exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # Song files: each file is one document (read whole, BOM and outer white space removed), as in etl.py.
    con.execute(f"""CREATE TEMP TABLE song_docs AS
        WITH d AS (SELECT filename, regexp_replace(content, '^[\\s\\x{{FEFF}}]+|\\s+$', '', 'g') AS doc
                   FROM read_text('{a.input}/song_data/**/*.json'))
        SELECT filename, doc, json_valid(doc) AND doc <> '' AS valid FROM d""")
    con.execute(f"""CREATE TEMP TABLE songs_raw AS
        WITH o AS (SELECT filename, doc FROM song_docs WHERE valid AND json_type(doc) = 'OBJECT')
        SELECT filename, {song_field('song_id', 'VARCHAR')}, {song_field('title', 'VARCHAR')},
               {song_field('artist_id', 'VARCHAR')}, {song_field('artist_name', 'VARCHAR')},
               {song_field('artist_location', 'VARCHAR')}, {song_field('artist_latitude', 'DOUBLE')},
               {song_field('artist_longitude', 'DOUBLE')}, {song_field('duration', 'DOUBLE')},
               {song_field('year', 'INTEGER')} FROM o""")
    con.execute("""CREATE TEMP TABLE song_rejects AS
        SELECT 'song' AS source, filename AS file, doc AS record FROM song_docs
        WHERE NOT valid OR json_type(doc) <> 'OBJECT'
        UNION ALL SELECT 'song', filename, NULL FROM songs_raw
        WHERE coalesce(trim(song_id), '') = '' OR coalesce(trim(artist_id), '') = ''""")
    # Log lines: a line that is not JSON (or not of the column types) reads as a row of NULLs: no ts.
    con.execute(f"""CREATE TEMP TABLE events_raw AS SELECT * FROM read_json('{a.input}/log_data/**/*.json',
        format = 'newline_delimited', columns = {LOG_COLUMNS}, ignore_errors = true, filename = true)""")
    usable = f"ts IS NOT NULL AND ts BETWEEN {TS_MIN_MS} AND {TS_MAX_MS} AND userId IS NOT NULL"
    con.execute(f"""CREATE TEMP TABLE log_rejects AS SELECT 'log' AS source, filename AS file,
        to_json(e)::VARCHAR AS record FROM events_raw e WHERE NOT ({usable})""")
    con.execute(f"CREATE TEMP TABLE events AS SELECT * FROM events_raw WHERE {usable}")
    con.execute("""CREATE TEMP TABLE songs AS SELECT song_id, unnest(s) FROM (SELECT song_id, min({'title': title,
        'artist_id': artist_id, 'artist_name': artist_name, 'artist_location': artist_location,
        'artist_latitude': artist_latitude, 'artist_longitude': artist_longitude, 'duration': duration,
        'year': year}) AS s FROM songs_raw
        WHERE coalesce(trim(song_id), '') <> '' AND coalesce(trim(artist_id), '') <> '' GROUP BY song_id)""")
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
    con.execute("""CREATE TEMP TABLE time AS SELECT DISTINCT start_time, hour(start_time) AS hour,
        day(start_time) AS day, weekofyear(start_time) AS week, month, year, isodow(start_time) AS weekday
        FROM songplays""")
    con.execute(f"COPY time TO '{out}/time' (FORMAT parquet, PARTITION_BY (year, month))")
    con.execute("""CREATE TEMP TABLE users AS SELECT userId AS user_id, u.first_name, u.last_name, u.gender, u.level
        FROM (SELECT userId, arg_max({'first_name': firstName, 'last_name': lastName, 'gender': gender,
                                      'level': level}, (ts, sessionId, itemInSession)) AS u
              FROM events WHERE userId <> '' GROUP BY userId)""")
    con.execute(f"COPY users TO '{out}/users/users.parquet' (FORMAT parquet)")
    # The contract's songs layout: partitioned by year only, each file's rows sorted by artist_id.
    con.execute(f"""COPY (SELECT song_id, title, artist_id, year, duration FROM songs ORDER BY year, artist_id, song_id)
        TO '{out}/songs' (FORMAT parquet, PARTITION_BY (year))""")
    con.execute("""CREATE TEMP TABLE artists AS SELECT artist_id, a.artist_name AS name, a.artist_location AS location,
        a.artist_latitude AS latitude, a.artist_longitude AS longitude FROM (
        SELECT artist_id, min({'song_id': song_id, 'artist_name': artist_name, 'artist_location': artist_location,
               'artist_latitude': artist_latitude, 'artist_longitude': artist_longitude}) AS a
        FROM songs GROUP BY 1)""")
    con.execute(f"COPY artists TO '{out}/artists/artists.parquet' (FORMAT parquet)")
    rejected = con.execute("SELECT (SELECT count(*) FROM song_rejects) + (SELECT count(*) FROM log_rejects)").fetchone()[0]
    if rejected:
        con.execute(f"""COPY (SELECT * FROM song_rejects UNION ALL SELECT * FROM log_rejects)
            TO '{out}/_rejects/rejects.json' (FORMAT json)""")
    rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    print(json.dumps({"rows": rows, "rejected": rejected}))


if __name__ == "__main__":
    main()
