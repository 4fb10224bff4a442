"""``python -m benchmarks.cpu_snapshot --output FILE``: the CPU ratios alone, for a before/after
comparison of a runtime change (run it on both commits; each ratio is measured within one run).

Writes the handler ratios (handler_cpu.py, marshalling included and not, both S3 layouts) and the
``ClaimCheckClient`` / SQS Extended Client ratios (extended_client.py) as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cpu_snapshot", description=__doc__)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--repetitions", type=int, default=15)
    args = parser.parse_args(argv)

    from . import metering, moto_clock, replay
    from .lambda_env import use_fake_aws_credentials

    use_fake_aws_credentials()
    moto_clock.install()
    metering.install()
    replay.install()

    from . import extended_client, handler_cpu
    from .runner import FULL

    snapshot: dict[str, object] = {"repetitions": args.repetitions, "handler_cpu": {}, "extended_client": {}}
    for spec in FULL.cpu_payloads:
        row = handler_cpu.measure(spec, args.repetitions)
        snapshot["handler_cpu"][spec.label] = row  # type: ignore[index]
        ratios = {name: round(row[name], 3) for name in handler_cpu.RATIOS}
        print(spec.label, ratios, file=sys.stderr, flush=True)
    for spec in extended_client.SPECS[:2]:  # 1 KB and 16 KB: where the goal is set
        row = extended_client.measure(spec, args.repetitions)
        snapshot["extended_client"][spec.label] = row  # type: ignore[index]
        print(
            spec.label,
            "ours / peer CPU",
            round(row["cpu_ratio_ours_to_peer"], 3),
            file=sys.stderr,
            flush=True,
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(snapshot, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
