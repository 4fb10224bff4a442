"""``cdk-claim-check``: inspect, redeem and redrive claims, for the person on call.

Examples::

    cdk-claim-check inspect claim.json --table ClaimsTable
    cdk-claim-check redeem claim.json --table ClaimsTable --out payload.json
    cdk-claim-check dlq list ClaimsDlq --table ClaimsTable --log-group /aws/lambda/retrieve
    cdk-claim-check dlq redrive ClaimsDlq --dry-run
    cdk-claim-check dlq redrive ClaimsDlq --max 10 --ledger moved.jsonl

Credentials and region come from boto3's usual chain (``--profile``, ``--region`` override it).
Only ``redeem`` ever writes a payload. Exit status: 0 done; 1 a claim that does not redeem, or an
AWS call that failed; 2 bad usage, no credentials or region, a missing table or queue, an unknown claim.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from ..runtime.contract import SQS_MAX_RETENTION_SECONDS, TTL_ATTRIBUTE
from .aws import Aws, AwsOptions, OperatorError

_HOURS = int(timedelta(hours=1).total_seconds())


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--region", help="AWS region (default: boto3's: AWS_REGION, the profile's)")
    common.add_argument("--profile", help="AWS profile (default: boto3's: AWS_PROFILE, or the default chain)")
    common.add_argument("--endpoint-url", help="send every AWS call here (a local stand-in such as moto)")
    common.add_argument("--json", action="store_true", help="print JSON instead of text")
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--table", required=True, help="the claim-check table (ClaimCheckStore.table)")
    store.add_argument("--bucket", help="the store's bucket (default: the bucket the item names)")
    store.add_argument("--expected-bucket-owner", help="account that must own the bucket (default: yours)")
    store.add_argument("--mac-key", help="ARN of the claim signing key, to verify claim MACs")

    parser = argparse.ArgumentParser(
        prog="cdk-claim-check",
        description="Inspect, redeem and redrive claim-check messages (cdk-claim-check's operator command).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    claim_help = "a claim check, bus event, SQS message or record: JSON text, a file, or - for stdin"
    inspect = commands.add_parser(
        "inspect", parents=[common, store], help="where a claim is stored and whether it redeems (no payload)"
    )
    inspect.add_argument("claim", metavar="CLAIM", help=claim_help)
    redeem = commands.add_parser(
        "redeem", parents=[common, store], help="write a claim's payload, byte-exact, to --out or stdout"
    )
    redeem.add_argument("claim", metavar="CLAIM", help=claim_help)
    redeem.add_argument("--out", type=Path, help="write the payload to this file (default: standard output)")
    redeem.add_argument("--force", action="store_true", help="overwrite an existing --out file")

    dlq = commands.add_parser("dlq", help="a dead-letter queue: list or redrive").add_subparsers(
        dest="dlq_command", required=True
    )
    listing = dlq.add_parser("list", parents=[common], help="what is in a DLQ and why, removing nothing")
    listing.add_argument("queue", metavar="QUEUE", help="the DLQ: name, URL or ARN")
    listing.add_argument("--max", type=int, default=100, help="messages to list (default: 100)")
    listing.add_argument("--table", help="check each claim against this table now")
    listing.add_argument("--bucket", help=argparse.SUPPRESS)
    listing.add_argument("--expected-bucket-owner", help=argparse.SUPPRESS)
    listing.add_argument("--mac-key", help="ARN of the claim signing key, to verify claim MACs")
    listing.add_argument(
        "--log-group",
        action="append",
        default=[],
        help="a function log group to read the last logged error from (repeatable; the pipe's "
        "function_log_group)",
    )
    listing.add_argument(
        "--since-hours",
        type=float,
        default=SQS_MAX_RETENTION_SECONDS / _HOURS,
        help="how far back to read the logs, at most 336 (default: 336, SQS's longest retention)",
    )
    move = dlq.add_parser("redrive", parents=[common], help="move a DLQ's messages back to their source")
    move.add_argument("queue", metavar="QUEUE", help="the DLQ: name, URL or ARN")
    move.add_argument("--to", help="the queue to move to (default: the one queue whose DLQ this is)")
    move.add_argument(
        "--max", type=int, help="move at most this many (default: all; implies message by message)"
    )
    move.add_argument("--dry-run", action="store_true", help="show what would move, change nothing")
    move.add_argument(
        "--method",
        choices=["auto", "move-task", "receive-send-delete"],
        default="auto",
        help="auto (default): SQS's message-move task where possible, else message by message",
    )
    move.add_argument(
        "--ledger", type=Path, help="JSON Lines record of every move (default: redrive-<dlq>-<time>.jsonl)"
    )
    move.add_argument("--wait", type=int, default=300, help="seconds to follow a move task (default: 300)")
    return parser


def _store(args: argparse.Namespace) -> Any:
    from .claims import StoreOptions

    if not getattr(args, "table", None):
        return None
    return StoreOptions(
        table=args.table,
        bucket=getattr(args, "bucket", None),
        expected_bucket_owner=getattr(args, "expected_bucket_owner", None),
        mac_key=getattr(args, "mac_key", None),
    )


def _print_report(report: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
        return
    for name, value in report.to_json().items():
        if name in ("created_at", TTL_ATTRIBUTE) and value is not None:
            value = f"{value} ({time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(value))})"
        print(f"{name.replace('_', ' ')}: {'unknown' if value is None else value}")


def _inspect(aws: Aws, args: argparse.Namespace) -> int:
    from .claims import inspect_claim, read_claim

    report = inspect_claim(aws, _store(args), read_claim(args.claim))
    _print_report(report, args.json)
    return 0 if report.check == "ok" else 1


def _redeem(aws: Aws, args: argparse.Namespace) -> int:
    from .claims import read_claim, redeem_claim

    if args.out is not None and args.out.is_dir():
        raise OperatorError(f"--out {args.out} is a directory: name a file")
    if args.out is not None and args.out.exists() and not args.force:
        raise OperatorError(f"--out {args.out} exists: pass --force to overwrite it")
    payload = redeem_claim(aws, _store(args), read_claim(args.claim))
    if args.out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        try:
            args.out.write_bytes(payload)
        except OSError as error:
            raise OperatorError(f"--out {args.out}: {error.strerror or error}") from None
        print(f"wrote {len(payload)} bytes to {args.out}", file=sys.stderr)
    return 0


def _dlq_list(aws: Aws, args: argparse.Namespace) -> int:
    from .dlq import entries_json, list_dlq, resolve_queue

    if args.max < 1:
        raise OperatorError("--max must be at least 1")
    longest = SQS_MAX_RETENTION_SECONDS / _HOURS
    if not 0 < args.since_hours <= longest:
        raise OperatorError(f"--since-hours must be above 0 and at most {longest:g} (SQS's retention)")
    queue = resolve_queue(aws, args.queue)
    entries = list_dlq(
        aws,
        queue,
        limit=args.max,
        store=_store(args),
        log_groups=args.log_group,
        since_seconds=int(args.since_hours * _HOURS),
    )
    if args.json:
        print(json.dumps(entries_json(entries), indent=2))
        return 0
    print(f"{len(entries)} message(s) in {queue.name} (listed, none removed)")
    for entry in entries:
        sent = (
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(entry.sent_at / 1000)) if entry.sent_at else "?"
        )
        print(
            f"- {entry.message_id}  {entry.kind}  claim {entry.claim_id or '-'}  {entry.size} bytes  "
            f"sent {sent}  received {entry.receive_count}x"
        )
        if entry.check is not None:
            print(f"    check now:  {entry.check}")
        if args.log_group:
            print(f"    last error: {entry.last_error or 'none logged in the log groups searched'}")
    if not args.log_group and entries:
        print("(pass --log-group <function log group> for each message's last logged error)")
    return 0


def _dlq_redrive(aws: Aws, args: argparse.Namespace) -> int:
    from .dlq import check_redrive, redrive, resolve_queue, source_of

    if args.max is not None and args.max < 1:
        raise OperatorError("--max must be at least 1")
    dlq = resolve_queue(aws, args.queue)
    target = resolve_queue(aws, args.to, "--to") if args.to else source_of(aws, dlq)
    # Refusals come before the ledger is opened, so a refused run leaves no empty ledger behind.
    check_redrive(dlq, target, limit=args.max, method=args.method)
    ledger_path = args.ledger or Path(
        f"redrive-{dlq.name}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.jsonl"
    )
    try:
        ledger: TextIO = io.StringIO() if args.dry_run else ledger_path.open("a", encoding="utf-8")
    except OSError as error:  # before anything moves
        raise OperatorError(f"--ledger {ledger_path}: {error.strerror or error}") from None
    with ledger:
        result = redrive(
            aws,
            dlq,
            target,
            limit=args.max,
            dry_run=args.dry_run,
            method=args.method,
            ledger=ledger,
            wait_seconds=args.wait,
            progress=(lambda line: print(line, file=sys.stderr)) if args.json else print,
        )
    summary = {
        "from": dlq.arn,
        "to": target.arn,
        "method": result.method,
        "moved": result.moved,
        "not_deleted": result.not_deleted,
        "ledger": None if args.dry_run else str(ledger_path),
        "notes": result.notes,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        if not args.dry_run:
            print(f"{result.method}: {result.moved} moved from {dlq.name} to {target.name}", end="")
            print(f", {result.not_deleted} sent but still in the DLQ" if result.not_deleted else "")
        for note in result.notes:
            print(note)
        if not args.dry_run:
            print(f"ledger: {ledger_path}")
    return 1 if result.not_deleted else 0


_COMMANDS = {
    ("inspect", None): _inspect,
    ("redeem", None): _redeem,
    ("dlq", "list"): _dlq_list,
    ("dlq", "redrive"): _dlq_redrive,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cdk-claim-check``; returns the exit status."""
    args = _parser().parse_args(argv)
    command = _COMMANDS[(args.command, getattr(args, "dlq_command", None))]
    try:
        aws = Aws(AwsOptions(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url))
        return command(aws, args)
    except OperatorError as error:
        print(f"cdk-claim-check: error: {error}", file=sys.stderr)
        return error.exit_status


if __name__ == "__main__":
    sys.exit(main())
