"""``cdk-claim-check-local``: run a CDK app's claim-check flow end to end against moto, without AWS.

Examples::

    cdk-claim-check-local --app "python examples/app.py" --messages 20
    cdk-claim-check-local --cdk-out cdk.out --stack MyStack --messages-from orders.jsonl
    cdk-claim-check-local                     # the app of ./cdk.json

Exit status: 0 when every message came back exactly and the failure path ended in a dead-letter
queue; 1 when a message was lost, not restored exactly or the flow did not drain; 2 on bad usage
or an app that does not synthesize.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import get_args

from .assembly import AssemblyError, cdk_json_app, read_stacks, select_stack, synthesize
from .failure import FailureMode
from .feed import FeedError
from .functions import FunctionError
from .report import RunReport, render
from .runner import DEFAULT_MESSAGES, RunOptions, run_stack


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cdk-claim-check-local",
        description="Run the claim-check flow of a CDK app locally: moto on 127.0.0.1, the pipes played "
        "from the synthesized template, the real Lambda handlers in-process.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--app", help='CDK app command, e.g. "python app.py" (default: the app of ./cdk.json)'
    )
    source.add_argument("--cdk-out", type=Path, help="an already synthesized cloud assembly directory")
    parser.add_argument("--stack", help="the stack to run (default: the only stack with pipes)")
    parser.add_argument(
        "--messages",
        type=int,
        help=f"messages to send (default: {DEFAULT_MESSAGES} from a producer, all lines of --messages-from)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the producer's sample data (default: 7)")
    parser.add_argument(
        "--messages-from", type=Path, help="a file with one message body per line (JSON Lines), sent verbatim"
    )
    parser.add_argument(
        "--source-queue", help="queue to send --messages-from to (default: the flow's entry queue)"
    )
    parser.add_argument(
        "--failure",
        choices=get_args(FailureMode),
        default="tampered",
        help="failure path: a tampered or expired claim check that must end in a DLQ (default tampered)",
    )
    parser.add_argument(
        "--region", default="us-east-1", help="region of the local resources (default: us-east-1)"
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds before giving up (default: 600)"
    )
    parser.add_argument(
        "--handler-log", type=Path, help="write the handlers' own output (Powertools logs) here"
    )
    parser.add_argument("--report-json", type=Path, help="also write the report as JSON here")
    parser.add_argument("--quiet", action="store_true", help="print the report only, no progress lines")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cdk-claim-check-local``; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.messages is not None and args.messages < 1:
        print("--messages must be at least 1", file=sys.stderr)
        return 2

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    with tempfile.TemporaryDirectory(prefix="cdk-claim-check-local-") as scratch:
        try:
            assembly_dir = args.cdk_out
            if assembly_dir is None:
                app, context = (args.app, {}) if args.app else (cdk_json_app(Path.cwd()) or ("", {}))
                if not app:
                    print("pass --app, --cdk-out, or run where a cdk.json names the app", file=sys.stderr)
                    return 2
                progress(f"synthesizing: {app}")
                assembly_dir = synthesize(app, Path(scratch) / "cdk.out", cwd=Path.cwd(), context=context)
            stack = select_stack(read_stacks(assembly_dir), args.stack)
        except AssemblyError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        handler_log = args.handler_log.open("w", encoding="utf-8") if args.handler_log else None
        options = RunOptions(
            messages=args.messages,
            seed=args.seed,
            messages_from=args.messages_from,
            source_queue=args.source_queue,
            failure=args.failure,
            region=args.region,
            timeout_seconds=args.timeout,
            handler_log=handler_log,
        )
        try:
            report: RunReport = run_stack(stack, options, progress=progress)
        except (FeedError, FunctionError) as error:
            print(f"error: the run could not feed the flow: {error}", file=sys.stderr)
            return 2
        finally:
            if handler_log is not None:
                handler_log.close()
    print(render(report))
    if args.report_json:
        args.report_json.write_text(json.dumps(report.to_json(), indent=2))
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
