"""The README's test command: how scripts/run_tests.py spreads the suite over cores."""

from __future__ import annotations

from scripts.run_tests import worker_args


def test_every_core_by_default_with_a_module_kept_on_one_worker() -> None:
    assert worker_args(["-q"], "auto") == ["-n", "auto", "--dist", "loadscope"]


def test_a_worker_count_from_the_environment() -> None:
    assert worker_args([], "2") == ["-n", "2", "--dist", "loadscope"]


def test_zero_workers_runs_in_one_process() -> None:
    assert worker_args(["tests/portal"], "0") == []


def test_an_explicit_n_in_the_arguments_wins() -> None:
    assert worker_args(["-n", "4"], "auto") == []
    assert worker_args(["-n4"], "auto") == []
