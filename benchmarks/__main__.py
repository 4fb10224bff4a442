"""``python -m benchmarks [--quick] [--output-dir DIR]``: run the benchmarks and write the report.

Without ``--output-dir`` the results go where the repository keeps them: benchmarks/results.json,
docs/benchmarks.md, docs/benchmarks.png and the cost table of README.md. With it, the first three
go into DIR and the README is left alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and few repetitions (about 2 minutes)"
    )
    parser.add_argument(
        "--output-dir", type=Path, help="write results.json, benchmarks.md and benchmarks.png here"
    )
    args = parser.parse_args(argv)

    # Installed before any boto3 client exists, so that every client carries the hooks.
    from . import metering, moto_clock, replay
    from .lambda_env import use_fake_aws_credentials

    use_fake_aws_credentials()
    moto_clock.install()
    metering.install()
    replay.install()

    from . import report, runner

    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    plan = runner.QUICK if args.quick else runner.FULL
    progress(f"{plan.mode} run: {len(plan.payloads)} payload kinds x {plan.messages} messages x 3 designs")
    results = runner.run(plan, progress)

    if args.output_dir is not None:
        json_path = args.output_dir / "results.json"
        markdown_path = args.output_dir / "benchmarks.md"
        plot_path = args.output_dir / "benchmarks.png"
    else:
        json_path = REPO_ROOT / "benchmarks" / "results.json"
        markdown_path = REPO_ROOT / "docs" / "benchmarks.md"
        plot_path = REPO_ROOT / "docs" / "benchmarks.png"
    if args.output_dir is None:
        from .readme_table import update_readme

        update_readme(REPO_ROOT / "README.md", results)
    report.write_json(results, json_path)
    report.write_plot(results, plot_path)
    report.write_markdown(results, markdown_path, plot_path.name)
    for target in results["targets"]:
        progress(f"target {'met   ' if target['met'] else 'MISSED'} {target['name']}: {target['note']}")
    progress(f"wrote {json_path}, {markdown_path} and {plot_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
