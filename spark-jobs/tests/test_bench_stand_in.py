"""The benchmarks' stand-in for etl.py (infra/bench/noop_job.py, the Spark step of
`npm run bench:overhead`) accepts every argument the real job accepts, and parses
it as the real job does: the orchestrator passes the stand-in etl.py's arguments,
and when etl.py gained --stage-only the stand-in did not, so the benchmark broke
(issue #30). Each option of etl.build_parser() is tried on its own; a stand-in with
a parser of its own that lacks one fails here, naming the option."""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys

import pytest

import etl

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STAND_INS = [os.path.join(REPO, "infra", "bench", "noop_job.py")]


def load(path: str):
    spec = importlib.util.spec_from_file_location("stand_in_" + os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def real_options():
    return [a for a in etl.build_parser()._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]


def sample(action: argparse.Action):
    """Arguments that give this option a valid, non-default value."""
    flag = action.option_strings[-1]
    if action.nargs == 0:
        return [flag]
    if action.choices:
        return [flag, list(action.choices)[-1]]
    if action.type is etl._date:
        return [flag, "2018-11-15"]
    if action.type is etl._share:
        return [flag, "0.25"]
    return [flag, "bench-run-1"]


def test_the_real_job_has_the_options_the_orchestrator_passes():
    # So the parametrised test below cannot pass by trying nothing.
    flags = {f for a in real_options() for f in a.option_strings}
    assert {"--input", "--output", "--mode", "--run-date", "--run-id", "--stage-only"} <= flags


@pytest.mark.parametrize("stand_in", STAND_INS, ids=os.path.basename)
@pytest.mark.parametrize("option", real_options(), ids=lambda a: a.option_strings[-1])
def test_a_stand_in_parses_each_argument_of_the_real_job_as_the_real_job(stand_in, option, tmp_path):
    # Always given (and so tried): --input (a directory: both check it), --output, and --run-date
    # (daily mode needs it); every other option is added with a value of its own.
    argv = ["--input", str(tmp_path), "--output", str(tmp_path / "lake"), "--run-date", "2018-11-15"]
    if not set(option.option_strings) & set(argv):
        argv += sample(option)
    expected = etl.parse_args(argv)
    assert getattr(expected, option.dest) != option.default or option.required, "the sample should set the option"
    try:
        parsed = load(stand_in).parse_args(argv)
    except SystemExit as e:
        pytest.fail("%s rejects %s, which etl.py accepts (exit %s)" % (os.path.basename(stand_in), " ".join(sample(option)), e.code))
    assert vars(parsed) == vars(expected)


@pytest.mark.parametrize("stand_in", STAND_INS, ids=os.path.basename)
def test_a_stand_in_refuses_what_the_real_job_refuses_with_one_line(stand_in, tmp_path):
    # Staged as one file named etl.py, it finds the real job through EMRFLOW_ETL_SCRIPT, as the benchmark sets it.
    staged = tmp_path / "etl.py"
    staged.write_text(open(stand_in).read())
    proc = subprocess.run(
        [sys.executable, str(staged), "--input", str(tmp_path), "--output", str(tmp_path), "--no-such-option"],
        env=dict(os.environ, EMRFLOW_ETL_SCRIPT=os.path.join(REPO, "spark-jobs", "etl.py")),
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["%s: error: unrecognized arguments: --no-such-option" % "noop_job.py"]
