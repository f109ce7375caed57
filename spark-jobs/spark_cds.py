#!/usr/bin/env python3
"""Create the class-data-sharing (CDS) archive that local Spark drivers start from.

    .venv/bin/python spark-jobs/spark_cds.py [--force]

A Spark driver loads ~15,000 classes before its first line of work; the JVM
parses and verifies each one at every start. A dynamic CDS archive holds them
already parsed and verified, mapped from one file. This script runs etl.py
once over a tiny generated input (so the archive holds the classes of a real
run: JSON reading, the broadcast join, Parquet writing, not only start-up)
with -XX:ArchiveClassesAtExit, using the same spark-submit options as every
local run (local_spark.py), and keeps the archive at local-spark.json's
`driver.cdsArchive` (under the repo, git-ignored).

local_spark.py (and infra/local-spark.ts) then pass -XX:SharedArchiveFile to
the driver whenever the archive exists. It is harmless when it does not match:
the JVM checks the archive's class path, JARs (size and time) and JDK, and
when anything differs it silently starts without it (-Xshare:auto, the
default). It does nothing when the archive is up to date (its stamp records
the JDK, the pyspark JARs and the options), so the setup can run it every time.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

SPARK_JOBS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SPARK_JOBS)
from local_spark import REPO, cds_archive_path, local_spark_settings, spark_submit_args  # noqa: E402

VENV_BIN = os.path.dirname(sys.executable)


def _fingerprint(java_options: str) -> str:
    """What the archive depends on: the JDK, the driver's JARs (pyspark's and ours) and the JVM options."""
    import pyspark

    jars, _ = local_spark_settings()
    jars += sorted(glob.glob(os.path.join(os.path.dirname(pyspark.__file__), "jars", "*.jar")))
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    h = hashlib.sha256()
    # Logging options do not change which classes load.
    options = " ".join(o for o in java_options.split() if not o.startswith("-Xlog"))
    for part in [java, options, pyspark.__version__] + ["%s %d %d" % (j, os.path.getsize(j), os.path.getmtime(j))
                                                              for j in jars]:
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="spark_cds.py", description="Create the local Spark driver's CDS archive.")
    p.add_argument("--force", action="store_true", help="recreate it even when it is up to date")
    a = p.parse_args(argv)
    archive = cds_archive_path()
    if archive is None:
        return 0  # local-spark.json names no archive: nothing to do
    stamp = archive + ".stamp"
    # The options every local driver gets, without the archive itself (it does not exist yet).
    base = spark_submit_args(use_cds=False)
    java_options = next((o.split("=", 1)[1] for o in base if o.startswith("spark.driver.defaultJavaOptions=")), "")
    fingerprint = _fingerprint(java_options)
    if not a.force and os.path.exists(archive) and os.path.exists(stamp) and open(stamp).read() == fingerprint:
        return 0
    os.makedirs(os.path.dirname(archive), exist_ok=True)
    work = tempfile.mkdtemp(prefix="spark-cds-")
    try:
        data, out, tmp = os.path.join(work, "in"), os.path.join(work, "out"), archive + ".part"
        subprocess.run([sys.executable, os.path.join(SPARK_JOBS, "generate_data.py"), "--songs", "20",
                        "--events", "300", "--start-date", "2018-11-01", "--days", "3", "--seed", "1", "--out", data],
                       check=True, stdout=subprocess.DEVNULL)
        cmd = [os.path.join(VENV_BIN, "spark-submit"), "--master", "local[2]", "--conf", "spark.ui.enabled=false"]
        cmd += _without_conf(base, "spark.driver.defaultJavaOptions")
        cmd += ["--conf", "spark.driver.defaultJavaOptions=%s -XX:ArchiveClassesAtExit=%s" % (java_options, tmp)]
        cmd += [os.path.join(SPARK_JOBS, "etl.py"), "--input", data, "--output", out, "--run-id", "cds"]
        env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
        if proc.returncode != 0 or not os.path.exists(tmp):
            sys.stderr.write(proc.stderr[-3000:])
            # Not fatal (exit 0): the archive is an optimisation, and the setup must not stop for it.
            sys.stderr.write("spark_cds.py: warning: the training run failed (exit %d), no archive created; local "
                             "Spark runs work without it, only slower to start\n" % proc.returncode)
            return 0
        os.replace(tmp, archive)
        with open(stamp, "w") as f:
            f.write(fingerprint)
        print("spark_cds.py: created %s (%.0f MB)" % (os.path.relpath(archive, REPO), os.path.getsize(archive) / 1e6))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _without_conf(args, key):
    """spark-submit arguments without `--conf key=...`."""
    out, i = [], 0
    while i < len(args):
        if args[i] == "--conf" and i + 1 < len(args) and args[i + 1].startswith(key + "="):
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


if __name__ == "__main__":
    sys.exit(main())
