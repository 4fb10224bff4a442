"""Render a ClaimCheckDashboard as a PNG, with the runtime metrics of a local run.

    cdk-claim-check-local --app "python examples/app.py" --handler-log /tmp/handler.log
    python docs/render_dashboard.py --handler-log /tmp/handler.log --out docs/dashboard.png

The widgets, their titles, places and metrics come from the dashboard body synthesized from the app
(the example by default). Runtime metrics (namespace ``ClaimCheck``) are summed from the Powertools
EMF records in the handler log, matched by metric name, function (the local run names a function
``<stack>-<logical id>``) and reason. AWS metrics (Pipes, Lambda, SQS) exist only in CloudWatch, so
their widgets list what they plot; the Logs Insights widget shows its query.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from cdk_claim_check.dashboard import dashboard_body
from cdk_claim_check.local.assembly import read_stacks, select_stack, synthesize
from cdk_claim_check.runtime.contract import (
    METRIC_FUNCTION_DIMENSION,
    METRIC_REASON_DIMENSION,
    METRICS_NAMESPACE,
)

ROOT = Path(__file__).resolve().parent.parent
_KEY = tuple[str, str, str]  # metric name, function name, reason ("" for none)
_PLACEHOLDER = re.compile(r"^\$\{([A-Za-z0-9]+)\}$")


def emf_totals(handler_log: str) -> tuple[Counter[_KEY], Counter[_KEY]]:
    """Sums and sample counts of the runtime's EMF metrics in a handler log, by (name, FunctionName,
    Reason)."""
    totals: Counter[_KEY] = Counter()
    samples: Counter[_KEY] = Counter()
    for line in handler_log.splitlines():
        if '"_aws"' not in line:
            continue
        try:
            record = json.loads(line[line.index("{") :])
        except ValueError:
            continue
        for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
            if directive.get("Namespace") != METRICS_NAMESPACE:
                continue
            function = str(record.get(METRIC_FUNCTION_DIMENSION, ""))
            reason = str(record.get(METRIC_REASON_DIMENSION, ""))
            for metric in directive.get("Metrics", []):
                values = record.get(metric["Name"])
                total = sum(values) if isinstance(values, list) else float(values or 0)
                totals[(metric["Name"], function, reason)] += total
                samples[(metric["Name"], function, reason)] += len(values) if isinstance(values, list) else 1
    return totals, samples


def _dimensions(metric: list[Any]) -> dict[str, str]:
    fields = [field for field in metric if not isinstance(field, dict)]
    return dict(zip(fields[2::2], fields[3::2], strict=False))


def metric_value(
    metric: list[Any], emf: tuple[Mapping[_KEY, float], Mapping[_KEY, int]], stack_name: str
) -> float:
    """The local run's value of one widget metric, by the widget's statistic (Sum or Average), its
    function placeholder resolved as the local run names functions."""
    dimensions = _dimensions(metric)
    function = dimensions.get(METRIC_FUNCTION_DIMENSION, "")
    placeholder = _PLACEHOLDER.match(function)
    if placeholder:
        function = f"{stack_name}-{placeholder.group(1)}"[:64]
    key = (str(metric[1]), function, dimensions.get(METRIC_REASON_DIMENSION, ""))
    total, samples = emf[0].get(key, 0.0), emf[1].get(key, 0)
    average = isinstance(metric[-1], dict) and metric[-1].get("stat") == "Average"
    return float(total / samples if average and samples else total)


def render(
    body: dict[str, Any], emf: tuple[Mapping[_KEY, float], Mapping[_KEY, int]], stack_name: str, out: Path
) -> None:
    """Draw the body's widgets on a 24-column grid, runtime metrics as bars of the run's totals."""
    rows = max(w["y"] + w["height"] for w in body["widgets"])
    figure = plt.figure(figsize=(24 * 0.75, rows * 0.5))
    for widget in body["widgets"]:
        x, y, width, height = widget["x"], widget["y"], widget["width"], widget["height"]
        axes = figure.add_axes(
            (x / 24 + 0.075, 1 - (y + height) / rows + 0.025, width / 24 - 0.09, height / rows - 0.06)
        )
        props = widget["properties"]
        axes.set_title(props.get("title", ""), fontsize=9, loc="left")
        metrics = props.get("metrics", [])
        runtime = [m for m in metrics if m[0] == METRICS_NAMESPACE]
        if runtime:
            labels = [m[-1].get("label", m[1]) if isinstance(m[-1], dict) else m[1] for m in runtime]
            bars = axes.barh(labels, [metric_value(m, emf, stack_name) for m in runtime], color="#1f77b4")
            axes.bar_label(bars, fmt="%.4g", fontsize=7, padding=2)
            axes.margins(x=0.25)
            axes.tick_params(labelsize=7)
            axes.invert_yaxis()
            continue
        axes.set_xticks([])
        axes.set_yticks([])
        if widget["type"] == "log":
            text = "Logs Insights (function log groups):\n" + props.get("query", "").split("| fields", 1)[-1]
        else:
            text = "\n".join(
                f"{m[0]} {m[1]}"
                + (f" ({m[-1]['stat']})" if isinstance(m[-1], dict) and "stat" in m[-1] else "")
                for m in metrics
            )
            text += "\n(in CloudWatch only, not in the local run)"
        axes.text(0.02, 0.5, text, fontsize=7, va="center", transform=axes.transAxes)
    figure.savefig(out, dpi=70)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--handler-log", type=Path, required=True, help="--handler-log of a local run")
    parser.add_argument("--app", default=f"{sys.executable} {ROOT / 'examples' / 'app.py'}", help="CDK app")
    parser.add_argument("--stack", help="the stack with the dashboard (default: the only one with pipes)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "dashboard.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        stack = select_stack(
            read_stacks(synthesize(args.app, Path(scratch) / "cdk.out", cwd=ROOT)), args.stack
        )
    emf = emf_totals(args.handler_log.read_text(encoding="utf-8"))
    render(dashboard_body(stack.template), emf, stack.name.replace("/", "-"), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
