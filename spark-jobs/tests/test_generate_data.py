"""The data generator: real layout, deterministic, with the quirks the job must survive."""
from __future__ import annotations

import filecmp
import glob
import json
import os
import subprocess
import sys

GENERATOR = os.path.join(os.path.dirname(__file__), "..", "generate_data.py")
ARGS = ["--songs", "30", "--events", "600", "--start-date", "2018-11-28", "--days", "5", "--seed", "7"]


def generate(out, *extra):
    return subprocess.run([sys.executable, GENERATOR, *ARGS, *extra, "--out", str(out)],
                          capture_output=True, text=True, check=False)


def test_layout_and_quirks(tmp_path):
    r = generate(tmp_path / "d")
    assert r.returncode == 0, r.stderr
    songs = glob.glob(str(tmp_path / "d" / "song_data" / "*" / "*" / "*" / "TR*.json"))
    assert len(songs) == 30
    layouts = set()
    for f in songs:  # one JSON object per song file, in every layout
        raw = open(f, "rb").read()
        assert isinstance(json.loads(raw.decode("utf-8-sig")), dict)
        layouts.add((raw.startswith(b"\xef\xbb\xbf"), b"\r\n" in raw, raw.count(b"\n") > 2, raw.endswith(b"\n")))
    assert (True, True, False, True) in layouts, "UTF-8 BOM"
    assert (False, True, True, False) in layouts, "pretty-printed, CRLF, no trailing newline"
    assert (False, False, True, True) in layouts, "pretty-printed"
    assert (False, False, False, False) in layouts and (False, False, False, True) in layouts, "one line"
    logs = sorted(glob.glob(str(tmp_path / "d" / "log_data" / "*" / "*" / "*-events.json")))
    # The window crosses a month boundary: November and December directories.
    assert {os.path.basename(os.path.dirname(p)) for p in logs} == {"11", "12"}
    events = [json.loads(line) for p in logs for line in open(p)]
    assert len(events) == 600
    assert any(e["userId"] == "" for e in events), "logged-out events have an empty userId"
    assert any(e["page"] == "NextSong" for e in events)
    with open(songs[0], encoding="utf-8-sig") as fh:
        assert set(json.load(fh)) >= {"song_id", "title", "artist_id", "artist_name", "duration", "year"}
    assert any(json.load(open(f, encoding="utf-8-sig"))["year"] == 0 for f in songs)


def test_same_seed_same_bytes(tmp_path):
    assert generate(tmp_path / "a").returncode == 0
    assert generate(tmp_path / "b").returncode == 0
    cmp = filecmp.dircmp(tmp_path / "a", tmp_path / "b")
    assert not cmp.diff_files and not cmp.left_only and not cmp.right_only


def test_malformed_share_breaks_lines(tmp_path):
    assert generate(tmp_path / "m", "--malformed-share", "0.1").returncode == 0
    broken = 0
    for p in glob.glob(str(tmp_path / "m" / "log_data" / "*" / "*" / "*.json")):
        for line in open(p):
            try:
                json.loads(line)
            except ValueError:
                broken += 1
    assert 20 <= broken <= 100


def test_bad_arguments_one_line_exit_2(tmp_path):
    r = subprocess.run([sys.executable, GENERATOR, "--songs", "3", "--events", "3", "--start-date", "2018-13-01",
                        "--out", str(tmp_path / "x")], capture_output=True, text=True, check=False)
    assert r.returncode == 2
    assert r.stderr.strip() == "generate_data.py: error: --start-date 2018-13-01: expected YYYY-MM-DD"
    assert not (tmp_path / "x").exists()
