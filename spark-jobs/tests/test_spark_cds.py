"""The driver's class-data-sharing archive (spark_cds.py) is only ever an
optimisation: a driver given one that does not match its class path, or a
damaged one, starts anyway, and prints nothing on stdout (the report's line)."""
from __future__ import annotations

import subprocess

import local_spark


def _java(options: str, classpath: str) -> subprocess.CompletedProcess:
    return subprocess.run(["java", *options.split(), "-cp", classpath, "-version"], capture_output=True, text=True,
                          timeout=120)


def test_an_archive_for_another_class_path_or_a_damaged_one_is_ignored(tmp_path):
    archive = tmp_path / "other.jsa"
    made = subprocess.run(["java", "-XX:ArchiveClassesAtExit=%s" % archive, "-cp", str(tmp_path), "-version"],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0 and archive.exists(), made.stderr
    damaged = tmp_path / "damaged.jsa"
    damaged.write_bytes(b"\0not an archive" * 1000)
    base = local_spark.driver_java_options(use_cds=False)
    other_dir = tmp_path / "other-classes"
    other_dir.mkdir()
    for jsa in (archive, damaged):
        proc = _java("%s -XX:SharedArchiveFile=%s" % (base, jsa), str(other_dir))
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "", proc.stdout  # warnings, if any, go to stderr


def test_the_archive_is_passed_only_when_it_exists(tmp_path, monkeypatch):
    monkeypatch.setattr(local_spark, "cds_archive_path", lambda: str(tmp_path / "driver.jsa"))
    assert "SharedArchiveFile" not in local_spark.driver_java_options()
    (tmp_path / "driver.jsa").write_bytes(b"x")
    assert "-XX:SharedArchiveFile=%s" % (tmp_path / "driver.jsa") in local_spark.driver_java_options()
    assert "SharedArchiveFile" not in local_spark.driver_java_options(use_cds=False)
    assert any(a.startswith("spark.driver.defaultJavaOptions=") and "SharedArchiveFile" in a
               for a in local_spark.spark_submit_args())
