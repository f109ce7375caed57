"""What Spark in local mode gets on top of pyspark, read from local-spark.json: the JARs
infra/bootstrap.mjs downloads into .venv/jars/ and the settings that use them. The pytest
session and the benchmark use it here; the local provider reads the same file
(infra/local-spark.ts). etl.py never imports it: EMR stages that file alone."""
from __future__ import annotations

import json
import os
from typing import Dict, List, Optional, Tuple

SPARK_JOBS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(SPARK_JOBS)


def local_spark_settings() -> Tuple[List[str], Dict[str, str]]:
    """(JAR paths for the driver's class path, Spark settings); exits naming the fix when a JAR is missing."""
    with open(os.path.join(SPARK_JOBS, "local-spark.json")) as f:
        spec = json.load(f)
    jars = []
    for jar in spec["jars"]:
        _, artifact, version = jar["maven"].split(":")
        path = os.path.join(REPO, ".venv", "jars", "%s-%s.jar" % (artifact, version))
        if not os.path.exists(path):
            raise SystemExit("%s is missing: run `npm run setup`" % path)
        jars.append(path)
    return jars, dict(spec["conf"])


def cds_archive_path() -> Optional[str]:
    """Where local-spark.json keeps the driver's class-data-sharing archive (absolute), or None."""
    with open(os.path.join(SPARK_JOBS, "local-spark.json")) as f:
        rel = json.load(f).get("driver", {}).get("cdsArchive")
    return os.path.join(REPO, rel) if rel else None


def driver_java_options(use_cds: bool = True) -> str:
    """The driver's JVM options: local-spark.json's, plus the CDS archive when it exists."""
    with open(os.path.join(SPARK_JOBS, "local-spark.json")) as f:
        options = json.load(f).get("driver", {}).get("javaOptions", "")
    archive = cds_archive_path()
    if use_cds and archive and os.path.exists(archive):
        options = (options + " -XX:SharedArchiveFile=" + archive).strip()
    return options


def spark_submit_args(use_cds: bool = True) -> List[str]:
    """The same, as spark-submit options. The driver's JVM options go in
    spark.driver.defaultJavaOptions, so a caller's extraJavaOptions add to them."""
    jars, conf = local_spark_settings()
    args = ["--driver-class-path", ":".join(jars)] if jars else []
    for key, value in conf.items():
        args += ["--conf", "%s=%s" % (key, value)]
    java = driver_java_options(use_cds)
    if java:
        args += ["--conf", "spark.driver.defaultJavaOptions=" + java]
    return args
