"""docs/render_dashboard.py: the README's picture of the dashboard counts what the local run emitted."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

from _scripts import load_script


def _renderer() -> ModuleType:
    return load_script(Path("docs/render_dashboard.py"))


def _emf(function: str, values: dict[str, float], reason: str | None = None) -> str:
    dimensions = ["FunctionName", "service", *(["Reason"] if reason else [])]
    record = {
        "_aws": {
            "CloudWatchMetrics": [
                {
                    "Namespace": "ClaimCheck",
                    "Dimensions": [dimensions],
                    "Metrics": [{"Name": n} for n in values],
                }
            ]
        },
        "FunctionName": function,
        "service": "claim-check",
        **({"Reason": reason} if reason else {}),
        **{name: [value] for name, value in values.items()},
    }
    return json.dumps(record)


def test_widget_values_are_the_run_totals_of_their_own_function_and_reason(tmp_path: Path) -> None:
    render = _renderer()
    log = "\n".join(
        [
            "START RequestId: x",
            _emf("Flow-SplitFn", {"ClaimsIssued": 10, "CompressionRatio": 2.0}),
            _emf("Flow-SplitFn", {"ClaimsIssued": 5, "CompressionRatio": 4.0}),
            _emf("Flow-OtherFn", {"ClaimsIssued": 99}),
            _emf("Flow-RetrieveFn", {"ClaimsRejected": 1}, reason="tampered"),
        ]
    )
    emf = render.emf_totals(log)
    issued = [
        "ClaimCheck",
        "ClaimsIssued",
        "FunctionName",
        "${SplitFn}",
        "service",
        "claim-check",
        {"stat": "Sum"},
    ]
    ratio = [
        "ClaimCheck",
        "CompressionRatio",
        "FunctionName",
        "${SplitFn}",
        "service",
        "claim-check",
        {"stat": "Average"},
    ]
    rejected = [
        "ClaimCheck",
        "ClaimsRejected",
        "FunctionName",
        "${RetrieveFn}",
        "Reason",
        "tampered",
        {"stat": "Sum"},
    ]
    forged = [
        "ClaimCheck",
        "ClaimsRejected",
        "FunctionName",
        "${RetrieveFn}",
        "Reason",
        "forged",
        {"stat": "Sum"},
    ]
    assert render.metric_value(issued, emf, "Flow") == 15
    assert render.metric_value(ratio, emf, "Flow") == 3.0
    assert (render.metric_value(rejected, emf, "Flow"), render.metric_value(forged, emf, "Flow")) == (1, 0)
    body = {
        "widgets": [
            {
                "type": "metric",
                "x": 0,
                "y": 0,
                "width": 8,
                "height": 6,
                "properties": {"title": "t", "metrics": [issued]},
            },
            {
                "type": "log",
                "x": 8,
                "y": 0,
                "width": 16,
                "height": 6,
                "properties": {"title": "l", "query": "q"},
            },
        ]
    }
    out = tmp_path / "dashboard.png"
    render.render(body, emf, "Flow", out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
