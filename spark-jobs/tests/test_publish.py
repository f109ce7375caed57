"""Write-audit-publish in the job (SPEC.md "Publish intent protocol"):
the publish survives a kill at any point, the next run (or a retry) rolls it
forward first, and a failed audit leaves the published tables byte-identical."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

import etl
from fixtures import write_sparkify
from test_bad_input import only_one_error_line, put, run_main, tables_of
from test_job import ETL, hashes, run_in_process

LEFTOVERS = ("_staging", "_previous", "_publish")


def no_leftovers(out):
    return [d for d in LEFTOVERS if os.path.exists(os.path.join(out, d))]


def add_december_plays(inp):
    """New input for a second run: more plays, so the published tables change."""
    put(inp, "log_data/2018/12/2018-12-05-events.json", "\n".join(json.dumps(dict(
        page="NextSong", userId="11", firstName="Cy", lastName="Doe", gender="M", level="free", sessionId=9,
        itemInSession=i, song="Apple", artist="Alpha", length=100.0, location="There", userAgent="UA",
        ts=1543968000000 + i)) for i in range(3)) + "\n")


@pytest.fixture(scope="module")
def lake(spark, tmp_path_factory):
    """A published lake (full run), the grown input, and the tables an
    uninterrupted second run over it publishes."""
    root = tmp_path_factory.mktemp("publish")
    inp, published = str(root / "in"), str(root / "published")
    write_sparkify(inp)
    run_in_process(spark, inp, published, run_id="first")
    add_december_plays(inp)
    expected = str(root / "expected")
    shutil.copytree(published, expected)
    run_in_process(spark, inp, expected, run_id="second")
    return inp, published, tables_of(spark, expected)


# --- the protocol itself, in-process: an exception stands in for the kill ----

class Killed(BaseException):
    pass


def fake_lake(root):
    """Two published tables and a staged run that replaces one, removes the
    other and adds a third."""
    put(root, "a/part-0", "old a")
    put(root, "b/year=1/part-0", "old b")
    put(root, "_staging/r1/a/part-0", "new a")
    put(root, "_staging/r1/c/part-0", "new c")
    put(root, "_reports/r1.json", json.dumps({"run_id": "r1", "published": False}))
    return [{"table": "a", "staged": "a", "target": "a"},
            {"table": "b", "staged": None, "target": "b/year=1"},
            {"table": "c", "staged": "c", "target": "c"}]


def contents(root):
    found = {}
    for d, _, files in os.walk(root):
        for f in files:
            if not f.startswith("."):
                found[os.path.relpath(os.path.join(d, f), root)] = open(os.path.join(d, f)).read()
    return found


POINTS = ["after-intent"] + ["%s:%d" % (p, i) for i in range(3) for p in ("after-backup", "after-install")] + [
    "before-cleanup"]


@pytest.mark.parametrize("point", POINTS)
def test_a_publish_killed_at_any_point_is_rolled_forward_by_the_next_run(spark, tmp_path, monkeypatch, point):
    out = str(tmp_path / "lake")
    moves = fake_lake(out)

    def kill_at(where):
        if where == point:
            raise Killed(where)

    monkeypatch.setattr(etl, "_fault", kill_at)
    publisher = etl.Publisher(etl.HadoopFs(spark), out)
    with pytest.raises(Killed):
        publisher.publish("r1", moves)
    intent = json.load(open(os.path.join(out, "_publish", "intent.json")))
    assert intent["run_id"] == "r1" and intent["moves"] == moves
    # No version of a table is lost while the intent is pending: each is either in
    # place, or backed up under _previous/r1 (its new copy still staged).
    for i, move in enumerate(moves[:2]):
        old = "old a" if i == 0 else "old b"
        here = contents(out)
        assert old in here.values() or intent["progress"].get(str(i)) == "installed", here

    monkeypatch.setattr(etl, "_fault", lambda where: None)
    assert etl.Publisher(etl.HadoopFs(spark), out).recover() == "r1"
    report = json.loads(contents(out).pop("_reports/r1.json"))
    assert report == {"run_id": "r1", "published": True, "published_targets": ["a", "b/year=1", "c"]}
    assert {k: v for k, v in contents(out).items() if not k.startswith("_reports/")} == {
        "a/part-0": "new a", "c/part-0": "new c"}
    assert no_leftovers(out) == []


def test_a_half_done_copy_move_is_finished_without_losing_a_file(spark, tmp_path):
    """The copy-then-delete path (S3's kind of move), interrupted after copying
    part of the files: moving again completes it."""
    src, dst = str(tmp_path / "src"), str(tmp_path / "dst")
    for i in range(3):
        put(src, "year=1/part-%d" % i, "row %d" % i)
    put(dst, "year=1/part-0", "row 0")  # the first file was copied when the move was killed
    fs = etl.HadoopFs(spark)
    fs.move(src, dst)
    assert not os.path.exists(src)
    assert contents(dst) == {"year=1/part-%d" % i: "row %d" % i for i in range(3)}


# --- the whole job, killed for real (SIGKILL of the driver) ------------------

KILLS = ["after-intent", "after-backup:0", "after-install:1", "before-cleanup"]


@pytest.mark.parametrize("point", KILLS)
def test_the_job_sigkilled_while_publishing_is_completed_by_the_next_run(spark, lake, tmp_path, point):
    inp, published, expected = lake
    out = str(tmp_path / "lake")
    shutil.copytree(published, out)
    env = dict(os.environ, EMRFLOW_FAULT_PUBLISH=point, PYSPARK_PYTHON=sys.executable,
               PYSPARK_DRIVER_PYTHON=sys.executable)
    proc = subprocess.run([sys.executable, ETL, "--input", inp, "--output", out, "--run-id", "second",
                           "--max-rejected-share", "1"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert os.path.exists(os.path.join(out, "_publish", "intent.json"))
    if point == "after-backup:0":
        # The next run is another one, staging only: it finishes the killed publish first.
        report = run_in_process(spark, inp, out, run_id="third", extra=["--stage-only"])
        assert report["published"] is False
        assert os.path.exists(os.path.join(out, "_staging", "third", "_manifest.json"))
        shutil.rmtree(os.path.join(out, "_staging"))
    else:
        run_in_process(spark, inp, out, run_id="second")  # the retry of the same run
    assert tables_of(spark, out) == expected
    assert no_leftovers(out) == []


# --- stage-only and the audit ------------------------------------------------

def test_stage_only_writes_staging_and_a_manifest_and_publishes_nothing(spark, lake, tmp_path):
    inp, published, _ = lake
    out = str(tmp_path / "lake")
    shutil.copytree(published, out)
    before = hashes(out)
    report = run_in_process(spark, inp, out, mode="daily", run_date="2018-12-05", run_id="s1",
                            extra=["--stage-only"])
    assert hashes(out) == before
    staged = os.path.join(out, "_staging", "s1")
    assert report["staged_uri"] == out + "/_staging/s1" and report["published"] is False
    manifest = json.load(open(os.path.join(staged, "_manifest.json")))
    assert {k: manifest[k] for k in ("format", "run_id", "mode", "run_date")} == {
        "format": 1, "run_id": "s1", "mode": "daily", "run_date": "2018-12-05"}
    assert manifest["moves"] == [
        {"table": "songplays", "staged": "songplays/year=2018/month=12", "target": "songplays/year=2018/month=12"},
        {"table": "time", "staged": "time/year=2018/month=12", "target": "time/year=2018/month=12"},
        {"table": "users", "staged": "users", "target": "users"},
        {"table": "_state", "staged": "_state/users_latest", "target": "_state/users_latest"},
        {"table": "_rejects", "staged": "_rejects", "target": "_rejects/s1"},
    ]  # no new song: songs and artists are untouched
    for move in manifest["moves"]:
        assert os.path.isdir(os.path.join(staged, move["staged"]))
    assert report["rows"]["songs"] == "unchanged" and report["tables"]["artists"]["status"] == "unchanged"
    assert report["tables"]["songplays"]["partitions"] == ["year=2018/month=12"]
    assert report["audit"] == {"month": "2018-12", "month_songplays_before": 2, "month_songplays_after": 5}


def test_a_failed_audit_exits_4_with_one_line_and_keeps_the_tables_and_the_staging(
        spark, lake, tmp_path, monkeypatch, capsys):
    inp, published, _ = lake
    out = str(tmp_path / "lake")
    shutil.copytree(published, out)
    before = hashes(out)
    code, stdout, stderr = run_main(spark, monkeypatch, capsys,
                                    ["--input", inp, "--output", out, "--run-id", "bad"])  # default share 0.05
    assert code == etl.EXIT_DATA_QUALITY and stdout == ""
    only_one_error_line(stderr, code, "etl.py: error: data quality: 5 of ")
    assert "rejected (" in stderr and out + "/_staging/bad" in stderr
    assert hashes(out) == before
    assert os.path.exists(os.path.join(out, "_staging", "bad", "_manifest.json"))
    assert not os.path.exists(os.path.join(out, "_publish"))
