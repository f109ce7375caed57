"""Bad input is counted and set aside with a reason, never fatal."""
from __future__ import annotations

import json
import os

import etl


def write(tmp_path, rel, data: bytes) -> None:
    p = tmp_path / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)


def reasons(df):
    # Whole rows, as the job caches them: the JSON reader only type-checks the
    # columns a query needs, so selecting the reason alone would hide type errors.
    return sorted((r[etl.REASON] or "ok") for r in df.collect())


def test_log_records_are_classified_with_a_reason(spark, tmp_path):
    lines = [
        b'{"page": "NextSong", "userId": "7", "ts": 1541105830796}',
        b'{"page": "NextSong", "userId": "7", "ts": "1541105830796"}',
        b'{"page": "NextSong", "userId": "7", "ts": null}',
        b'{"page": "NextSong", "userId": "7"}',
        b'{"page": "Home", "ts": 1541105830796}',
        b'{"page": "NextSong", "userId": "7", "ts": 15411058',
        b'{"page": "NextSong", "userId": "\xff\xfe", "ts": 1541105830796}',
        b'{"page": "NextSong", "userId": "7", "ts": 1543622400000}',  # 2018-12-01: outside November
    ]
    write(tmp_path, "log_data/2018/11/2018-11-01-events.json", b"\n".join(lines) + b"\n")
    raw = etl.read_json(spark, str(tmp_path / "log_data"), etl.LOG_SCHEMA, etl.LOG_COLUMNS)
    assert reasons(etl.classify_log_records(raw)) == sorted(
        ["ok", "invalid_field_type", "missing_ts", "missing_ts", "missing_user_id", "malformed_json",
         "invalid_utf8", "ok"]
    )
    daily = etl.classify_log_records(raw, run_month=(2018, 11))
    assert reasons(daily).count("outside_run_month") == 1


def test_song_files_that_are_not_one_object_or_miss_ids_are_rejected_once_per_file(spark, tmp_path):
    ok = {"song_id": "SO1", "artist_id": "AR1", "title": "T", "duration": 1.0, "year": 0}
    write(tmp_path, "song_data/A/A/A/ok.json", json.dumps(ok).encode())
    write(tmp_path, "song_data/A/A/A/two.json", (json.dumps(ok) + "\n" + json.dumps(ok)).encode())
    write(tmp_path, "song_data/A/A/A/noid.json", json.dumps(dict(ok, song_id=None)).encode())
    write(tmp_path, "song_data/A/A/A/year.json", json.dumps(dict(ok, year="1999")).encode())
    write(tmp_path, "song_data/A/A/A/empty.json", b"")
    raw = etl.read_song_files(spark, str(tmp_path / "song_data"))
    assert len(etl.input_files(raw)) == 5
    classified = etl.classify_song_records(raw)
    assert reasons(classified) == sorted(["ok", "not_one_json_object", "missing_song_id", "invalid_field_type"])
    total, by_reason, empty = etl._count_records(classified, etl.input_files(raw))
    assert total == 4 and [os.path.basename(p) for p in empty] == ["empty.json"]
    kept = etl.rejects_of(classified, "song", etl.SONG_COLUMNS).collect()
    assert len(kept) == 3 and all(r["record"] and r["file"] and r["source"] == "song" for r in kept)
