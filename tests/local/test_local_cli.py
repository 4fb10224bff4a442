"""The command's usage errors: an app that does not synthesize, or nothing to run."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from local_run_helpers import LocalRun


def test_an_app_that_fails_to_synthesize_exits_two_with_its_error(run_local: Callable[..., LocalRun]) -> None:
    run = run_local("--app", f"{sys.executable} -c \"raise SystemExit('no app here')\"")
    assert run.returncode == 2
    assert "no app here" in run.stderr


def test_a_directory_that_is_not_an_assembly_exits_two(
    run_local: Callable[..., LocalRun], tmp_path: Path
) -> None:
    run = run_local("--cdk-out", tmp_path)
    assert run.returncode == 2
    assert "not a cloud assembly" in run.stderr


def test_a_stack_without_a_producer_asks_for_messages(
    run_local: Callable[..., LocalRun], toy_assembly: Path
) -> None:
    run = run_local("--cdk-out", toy_assembly)
    assert run.returncode == 2
    assert "--messages-from" in run.stderr
