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


def test_an_unknown_source_queue_is_named_in_the_error(
    run_local: Callable[..., LocalRun], toy_assembly: Path, tmp_path: Path
) -> None:
    bodies = tmp_path / "one.jsonl"
    bodies.write_text('{"orderId": "x"}\n')
    run = run_local("--cdk-out", toy_assembly, "--messages-from", bodies, "--source-queue", "NoSuchQueue")
    assert run.returncode == 2
    assert "no queue 'NoSuchQueue'" in run.stderr


def test_messages_sent_to_a_named_source_queue_are_run(
    run_local: Callable[..., LocalRun], toy_assembly: Path, tmp_path: Path
) -> None:
    bodies = tmp_path / "two.jsonl"
    bodies.write_text('{"orderId":"x"}\n{"orderId":"y"}\n')
    run = run_local(
        "--cdk-out", toy_assembly, "--messages-from", bodies, "--source-queue", "ToyStack-InboxA8E05DC3"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert [m["restored"] for m in run.report["messages"]] == ["exact", "exact"]


def test_every_line_of_the_messages_file_is_sent_unless_messages_says_otherwise(
    run_local: Callable[..., LocalRun], toy_assembly: Path, tmp_path: Path
) -> None:
    bodies = tmp_path / "many.jsonl"
    bodies.write_text("".join(f'{{"orderId":"o-{n}"}}\n' for n in range(25)))
    run = run_local("--cdk-out", toy_assembly, "--messages-from", bodies, "--failure", "none")
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(run.report["messages"]) == 25
