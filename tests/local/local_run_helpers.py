"""What an end-to-end test reads from a finished run of ``cdk-claim-check-local``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LocalRun:
    """A finished run of the CLI: its exit status, what it printed, and its JSON report (if any)."""

    returncode: int
    stdout: str
    stderr: str
    report: dict[str, Any]

    def messages_by(self, key: str) -> dict[Any, dict[str, Any]]:
        return {message[key]: message for message in self.report["messages"]}

    def pipe(self, logical_name: str) -> dict[str, Any]:
        """The summary of the pipe whose name ends with ``-<logical_name>``."""
        (pipe,) = [p for p in self.report["pipes"] if p["name"].endswith(f"-{logical_name}")]
        return pipe
