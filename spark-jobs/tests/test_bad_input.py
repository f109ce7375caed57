"""Bad input through the whole job (main(), in-process, on the shared session).

Every case either completes with the bad records counted by reason in the run
report (and the tables exactly as if the bad records were not there), or fails
with ONE stderr line and a known exit code, leaving the previously published
tables byte-identical and no staging directory behind.
"""
from __future__ import annotations

import collections
import datetime as dt
import io
import json
import os
import shutil
import sys

import pytest

import etl
from fixtures import DEC, NOV, SONGS, event, ms, song
from test_job import hashes, table_rows

TABLES = ("songplays", "users", "songs", "artists", "time")
GOOD_TS = ms("2018-11-02 12:00:00.000")


def put(root, rel, data) -> None:
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def write_clean(root) -> None:
    """The fixtures' songs and events without any quirk: one song per file, one log file per day."""
    for s in SONGS:
        put(root, "song_data/A/B/C/TR%s.json" % s["song_id"], json.dumps(s))
    by_day = {}
    for e in NOV + DEC:
        day = dt.datetime.fromtimestamp(e["ts"] / 1000, dt.timezone.utc).strftime("%Y-%m-%d")
        by_day.setdefault(day, []).append(json.dumps(e))
    for day, lines in by_day.items():
        put(root, "log_data/%s/%s/%s-events.json" % (day[:4], day[5:7], day), "\n".join(lines) + "\n")


def run_main(spark, monkeypatch, capsys, argv):
    """etl.main() as spark-submit runs it, but on the session every test shares
    (main() would otherwise start a JVM and stop it when done)."""
    monkeypatch.setattr(etl, "build_spark", lambda name: spark)
    monkeypatch.setattr(spark, "stop", lambda: None)
    capsys.readouterr()
    try:
        code = etl.main(argv)
    finally:
        spark.sparkContext.setLogLevel("ERROR")
    out, err = capsys.readouterr()
    return code, out, err


def tables_of(spark, out):
    return {t: table_rows(spark, out, t) for t in TABLES}


@pytest.fixture(scope="module")
def baseline(spark, tmp_path_factory):
    """The clean input, published once: the tables every completed case must reproduce."""
    root = tmp_path_factory.mktemp("bad-input")
    inp, out = str(root / "clean"), str(root / "published")
    write_clean(inp)
    args = etl.parse_args(["--input", inp, "--output", out, "--run-id", "clean"])
    report = etl.run(spark, args, "clean", dt.datetime.now(dt.timezone.utc))
    assert report["rejected"]["total"] == 0
    return inp, out, tables_of(spark, out)


def log_line(**fields) -> str:
    return json.dumps(event(**fields))


# (case, extra files under the clean input, expected rejects by reason)
COMPLETING = [
    ("malformed JSON lines", {
        "+log_data/2018/11/2018-11-01-events.json": '{"page": "NextSong", "userId": \nnot json at all\n',
    }, {"malformed_json": 2}),
    ("missing and null fields", {
        "log_data/2018/11/2018-11-04-events.json": "\n".join([
            '{"page": "NextSong", "userId": "7"}',
            '{"page": "NextSong", "userId": "7", "ts": null}',
            '{"page": "Home", "ts": %d}' % GOOD_TS,
            '{"page": "NextSong", "userId": null, "ts": %d}' % GOOD_TS,
        ]) + "\n",
        "song_data/A/B/E/TRNOID.json": json.dumps(song(song_id=None, title="No id")),
        "song_data/A/B/E/TRNOARTIST.json": json.dumps({"song_id": "SOZ", "title": "No artist", "duration": 1.0}),
        "song_data/A/B/E/TRBLANKARTIST.json": json.dumps(song(song_id="SOW", artist_id="")),
    }, {"missing_ts": 2, "missing_user_id": 2, "missing_song_id": 1, "missing_artist_id": 2}),
    ("wrong types (string ts, string numbers)", {
        "log_data/2018/11/2018-11-06-events.json": "\n".join([
            log_line(userId="5", ts="abc"),
            log_line(userId="5", ts=str(GOOD_TS)),
            log_line(userId="5", ts=GOOD_TS, length="long"),
            log_line(userId="5", ts=GOOD_TS, sessionId=[1]),
        ]) + "\n",
        "song_data/A/B/E/TRYEAR.json": json.dumps(song(song_id="SOY", year="1999")),
    }, {"invalid_field_type": 5}),
    ("ts out of range (would overflow a timestamp)", {
        "log_data/2018/11/2018-11-07-events.json": "\n".join([
            log_line(userId="5", ts=9_000_000_000_000_000_000),
            log_line(userId="5", ts=-9_000_000_000_000_000_000),
            log_line(userId="5", ts=253_402_300_800_000),  # year 10000
        ]) + "\n",
    }, {"ts_out_of_range": 3}),
    ("empty files", {
        "log_data/2018/11/2018-11-08-events.json": "",
        "log_data/2018/11/2018-11-09-events.json": "\n\n",
        "song_data/A/B/E/TREMPTY.json": "",
    }, {"empty_file": 3}),
    ("a song file that is not one object (one reject per file)", {
        "song_data/A/B/E/TRTWO.json": json.dumps(song(song_id="SOX")) + "\n" + json.dumps(song(song_id="SOY")),
        "song_data/A/B/E/TRARRAY.json": json.dumps([song(song_id="SOU"), song(song_id="SOV")]),
    }, {"not_one_json_object": 2}),
    ("non-UTF-8 bytes", {
        "+log_data/2018/11/2018-11-02-events.json": b'{"page": "NextSong", "userId": "\xff\xfe", "ts": 1}\n',
        "song_data/A/B/E/TRLATIN1.json": json.dumps(song(song_id="SOL", artist_name="Beyonc\u00e9"),
                                                    ensure_ascii=False).encode("latin-1"),
    }, {"invalid_utf8": 2}),
]


@pytest.fixture(scope="module")
def combined(spark, tmp_path_factory, baseline):
    """ONE run over the clean input plus every case's files (a whole run per
    case would cost seconds each); each case owns its files, so every reject
    is attributable to its case through the `file` it names."""
    clean_input = baseline[0]
    root = tmp_path_factory.mktemp("bad-records")
    inp, out = str(root / "in"), str(root / "out")
    shutil.copytree(clean_input, inp)
    for _, extra, _ in COMPLETING:
        for rel, data in extra.items():
            data = data if isinstance(data, bytes) else data.encode("utf-8")
            if rel.startswith("+"):  # appended to a clean file: its good lines must still count
                data = open(os.path.join(inp, rel[1:]), "rb").read() + data
            put(inp, rel.lstrip("+"), data)
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(etl, "build_spark", lambda name: spark)
        mp.setattr(spark, "stop", lambda: None)
        stdout, stderr = io.StringIO(), io.StringIO()
        mp.setattr(sys, "stdout", stdout)
        mp.setattr(sys, "stderr", stderr)
        code = etl.main(["--input", inp, "--output", out, "--run-id", "bad", "--max-rejected-share", "1"])
    finally:
        mp.undo()
        spark.sparkContext.setLogLevel("ERROR")
    assert code == 0, stderr.getvalue()
    report = json.loads(stdout.getvalue().strip().splitlines()[-1])
    rejects_dir = os.path.join(out, "_rejects", "bad")
    rejects = [json.loads(line) for f in sorted(os.listdir(rejects_dir)) if f.endswith(".json")
               for line in open(os.path.join(rejects_dir, f), encoding="utf-8")]
    return out, report, rejects


@pytest.mark.parametrize("case, extra, expected", COMPLETING, ids=[c[0] for c in COMPLETING])
def test_bad_records_are_counted_and_set_aside_by_reason(combined, case, extra, expected):
    _, report, rejects = combined
    mine = [r for r in rejects if any(r["file"].endswith("/" + rel.lstrip("+")) for rel in extra)]
    assert dict(collections.Counter(r["reason"] for r in mine)) == expected
    for reason, n in expected.items():
        assert report["rejected"]["by_reason"][reason] >= n
    # The raw record is kept for inspection (an empty file has none).
    assert all(r["record"] for r in mine if r["reason"] != "empty_file")


def test_the_run_with_every_bad_record_completes_with_exactly_the_clean_tables(spark, baseline, combined):
    _, _, clean_tables = baseline
    out, report, rejects = combined
    expected = collections.Counter()
    for _, _, reasons in COMPLETING:
        expected.update(reasons)
    assert report["rejected"] == {"total": sum(expected.values()), "by_reason": dict(sorted(expected.items()))}
    assert len(rejects) == sum(expected.values())
    assert tables_of(spark, out) == clean_tables
    assert report["rows"] == {t: len(rows) for t, rows in clean_tables.items()}
    assert not os.path.exists(os.path.join(out, "_staging"))


def only_one_error_line(stderr, code, needle):
    lines = [line for line in stderr.splitlines() if not line.startswith("etl.py: wrote ")]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("etl.py: error: ") and needle in lines[0], lines[0]


# (case, how to damage a copy of the clean input, exit code, expected message part)
FAILING = [
    ("an empty input directory",
     lambda inp: [shutil.rmtree(os.path.join(inp, d)) for d in ("song_data", "log_data")],
     etl.EXIT_NO_INPUT, "no song files (*.json) under "),
    ("no log files",
     lambda inp: (shutil.rmtree(os.path.join(inp, "log_data")), os.makedirs(os.path.join(inp, "log_data", "2018"))),
     etl.EXIT_NO_INPUT, "no log files (*.json) under "),
    ("every log record rejected",
     lambda inp: [put(inp, os.path.relpath(os.path.join(d, f), inp), "{oops\n")
                  for d, _, files in os.walk(os.path.join(inp, "log_data")) for f in files],
     etl.EXIT_NO_INPUT, "no usable log records in 4 files under "),
    ("every song file empty",
     lambda inp: [put(inp, os.path.relpath(os.path.join(d, f), inp), "")
                  for d, _, files in os.walk(os.path.join(inp, "song_data")) for f in files],
     etl.EXIT_NO_INPUT, "no usable song records in 3 files under "),
]


@pytest.mark.parametrize("case, damage, code, needle", FAILING, ids=[c[0] for c in FAILING])
def test_unusable_input_fails_with_one_line_and_leaves_the_tables_as_they_were(
        spark, monkeypatch, capsys, tmp_path, baseline, case, damage, code, needle):
    clean_input, published, clean_tables = baseline
    inp, out = str(tmp_path / "in"), str(tmp_path / "out")
    shutil.copytree(clean_input, inp)
    shutil.copytree(published, out)
    before = hashes(out)
    damage(inp)
    got_code, stdout, stderr = run_main(spark, monkeypatch, capsys, ["--input", inp, "--output", out, "--run-id", "x"])
    assert got_code == code
    assert stdout == ""
    only_one_error_line(stderr, code, needle)
    assert hashes(out) == before
    assert tables_of(spark, out) == clean_tables
    assert sorted(os.listdir(out)) == sorted(os.listdir(published))


def test_a_failure_between_table_writes_publishes_nothing(spark, monkeypatch, capsys, tmp_path, baseline):
    """songplays and time are already staged when writing users fails: none of
    them may appear, and the staging directory is gone."""
    clean_input, published, clean_tables = baseline
    out = str(tmp_path / "out")
    shutil.copytree(published, out)
    before = hashes(out)
    real_write_single = etl.write_single

    def failing_write_single(df, path):
        if path.endswith("/users"):
            raise IOError("disk full (injected)")
        real_write_single(df, path)

    monkeypatch.setattr(etl, "write_single", failing_write_single)
    # Other data, so that a published half would show: new plays for user 5.
    inp = str(tmp_path / "in")
    shutil.copytree(clean_input, inp)
    put(inp, "log_data/2018/11/2018-11-04-events.json", log_line(userId="5", ts=GOOD_TS) + "\n")
    code, stdout, stderr = run_main(spark, monkeypatch, capsys, ["--input", inp, "--output", out, "--run-id", "y"])
    assert code == etl.EXIT_FAILED and stdout == ""
    assert stderr.strip().splitlines()[-1] == "etl.py: error: run y failed: OSError: disk full (injected)"
    assert hashes(out) == before
    assert tables_of(spark, out) == clean_tables
    assert sorted(os.listdir(out)) == sorted(os.listdir(published))
