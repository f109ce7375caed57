"""The benchmark harness (npm run bench:etl) at a tiny size, so it cannot rot:
every contender runs for real, ours and DuckDB must agree on every table's
rows and on the rejects, and the last line is the one the issue defines."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from bench import bench_etl

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(os.path.dirname(HERE), "bench", "bench_etl.py")


def test_event_sizes_parse_as_a_list_with_suffixes():
    assert bench_etl.parse_sizes("1M,5M") == [1000000, 5000000]
    assert bench_etl.parse_sizes("300, 2k") == [300, 2000]
    for bad in ("1M,1M", "five", "0"):
        with pytest.raises(Exception):
            bench_etl.parse_sizes(bad)


def test_the_last_line_gives_naive_over_ours_the_marginal_ratio_and_start_up():
    med = {("startup", 0): 3.94, ("naive", 1): 100.0, ("ours", 1): 40.0, ("ours", 5): 80.0,
           ("duckdb", 1): 6.0, ("duckdb", 5): 26.0}
    # marginal = (80 - 40) / (26 - 6) = 2.0
    assert bench_etl.summary_line(med, [1, 5]).startswith(
        "bench:etl naive/ours=2.50 marginal_ours/duckdb=2.00 startup_s=3.9 met=3/3 at=")
    # One size: no marginal ratio, so two targets judged; a slow start-up misses its target.
    med[("startup", 0)] = 4.5
    assert bench_etl.summary_line(med, [1]).startswith(
        "bench:etl naive/ours=2.50 marginal_ours/duckdb=n/a startup_s=4.5 met=1/2 at=")


def test_the_smoke_run_of_every_contender_ends_with_the_summary_line(tmp_path):
    # BENCH_SMOKE=1 as `npm test` documents it: the smallest sizes, data in a temp dir of its own
    # (TMPDIR is this test's, so a smoke run that left its data behind would show here).
    proc = subprocess.run(
        [sys.executable, BENCH], env=dict(os.environ, BENCH_SMOKE="1", TMPDIR=str(tmp_path)),
        capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert re.fullmatch(r"bench:etl naive/ours=\d+\.\d\d marginal_ours/duckdb=n/a startup_s=\d+\.\d "
                        r"met=\d/2 smoke=1 at=\S+Z load=\d+\.\d", lines[-1]), lines[-1]
    assert os.listdir(tmp_path) == [], "the smoke run left its data behind"
    for name in ("startup", "ours", "duckdb", "naive"):
        assert any(re.match(r"round 1  %s " % name, line) for line in lines), name
    # Every table was written by each job (naive in the original layout, songs by year and artist).
    table_rows = [line.split() for line in lines if re.match(r"(ours|duckdb|naive) +\d", line)]
    assert len(table_rows) == 3 and all(int(c) > 0 for row in table_rows for c in row[-5:])
