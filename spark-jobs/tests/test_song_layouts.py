"""Every valid song file is read, whatever its layout; only what is not ONE
JSON object is rejected, counted and named by its file."""
from __future__ import annotations

import codecs
import json
import os

import etl
from fixtures import song
from test_bad_input import put

SONG = song(song_id="SO1", artist_id="AR1", title="Pretty")
PRETTY = json.dumps(SONG, indent=2)
READ = {
    "one-line.json": json.dumps(SONG),
    "one-line-newline.json": json.dumps(SONG) + "\n",
    "pretty.json": PRETTY,
    "pretty-newline.json": PRETTY + "\n",
    "pretty-crlf.json": PRETTY.replace("\n", "\r\n") + "\r\n",
    "bom.json": codecs.BOM_UTF8 + json.dumps(SONG).encode("utf-8"),
    "bom-pretty-crlf.json": codecs.BOM_UTF8 + (PRETTY.replace("\n", "\r\n")).encode("utf-8"),
    "indented.json": "  \n\t" + PRETTY + "\n\n",
}
REJECTED = {
    "two-objects.json": (json.dumps(SONG) + "\n" + json.dumps(SONG), "not_one_json_object"),
    "two-on-one-line.json": (json.dumps(SONG) + " " + json.dumps(SONG), "not_one_json_object"),
    "array.json": (json.dumps([SONG]), "not_one_json_object"),
    "array-of-two.json": (json.dumps([SONG, SONG], indent=2), "not_one_json_object"),
    "trailing-text.json": (json.dumps(SONG) + " oops", "not_one_json_object"),
    "string.json": ('"just a string"', "not_one_json_object"),
    "garbage.json": ("not json at all", "malformed_json"),
    "truncated.json": (PRETTY[: len(PRETTY) // 2], "malformed_json"),
    "blank.json": ("\r\n  \n", "empty_file"),
}


def test_song_files_in_every_layout_are_read_and_only_non_objects_are_rejected(spark, tmp_path):
    for name, data in READ.items():
        put(str(tmp_path), "song_data/ok/" + name, data)
    for name, (data, _) in REJECTED.items():
        put(str(tmp_path), "song_data/bad/" + name, data)
    put(str(tmp_path), "song_data/bad/empty.json", b"")
    raw = etl.read_song_files(spark, str(tmp_path / "song_data"))
    classified = etl.classify_song_records(raw).cache()
    rows = classified.select(etl.FILE, etl.REASON, "song_id", "title", "duration", "year").collect()
    by_file = {os.path.basename(r[etl.FILE]): r for r in rows}
    for name in READ:
        r = by_file[name]
        assert (r[etl.REASON], r["song_id"], r["title"], r["duration"], r["year"]) == (
            None, "SO1", "Pretty", 200.0, 2000), name
    for name, (_, reason) in REJECTED.items():
        assert by_file[name][etl.REASON] == reason, name
    # One record per file; the zero-byte file is found through the file list.
    total, by_reason, empty = etl._count_records(classified, etl.input_files(raw))
    assert total == len(READ) + len(REJECTED)
    assert [os.path.basename(p) for p in empty] == ["empty.json"]
    assert sum(by_reason.values()) == len(REJECTED)
    kept = {os.path.basename(r["file"]): r for r in etl.rejects_of(classified, "song", etl.SONG_COLUMNS).collect()}
    assert set(kept) == set(REJECTED)
    assert kept["two-objects.json"]["record"] == REJECTED["two-objects.json"][0]  # the whole file, for inspection
    classified.unpersist()
