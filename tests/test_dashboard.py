"""ClaimCheckDashboard: one dashboard per flow, whose widgets plot exactly the metrics the runtime emits."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from _synth import new_stack, queue_with_dlq, retrieval_pipe, split_pipe
from cdk_claim_check import ClaimCheckDashboard, ClaimCheckRetrievalPipe, ClaimCheckStore
from cdk_claim_check.dashboard import PIPE_METRICS, dashboard_body, runtime_metric_names
from cdk_claim_check.runtime.contract import METRICS_NAMESPACE, MetricName
from cdk_claim_check.runtime.errors import MISS_REASONS, REASONS, REJECT_REASONS, SPLIT_REASONS

RUNTIME = Path(__file__).resolve().parents[1] / "src" / "cdk_claim_check" / "runtime"
_EMITTING_CALLS = {"add_metric", "count_failure"}


def emitted_metric_names(sources: dict[str, str]) -> set[str]:
    """Metric names the runtime passes to an emitting call (``metrics.add_metric(name=MetricName.X)``,
    ``count_failure(MetricName.X, ...)``), read from the source text."""
    names: set[str] = set()
    for text in sources.values():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called not in _EMITTING_CALLS:
                continue
            arguments = [k.value for k in node.keywords if k.arg == "name"] + node.args[:1]
            for argument in arguments:
                if isinstance(argument, ast.IfExp):
                    candidates = [argument.body, argument.orelse]
                else:
                    candidates = [argument]
                for candidate in candidates:
                    if (
                        isinstance(candidate, ast.Attribute)
                        and getattr(candidate.value, "id", "") == "MetricName"
                    ):
                        names.add(getattr(MetricName, candidate.attr))
    return names


def coverage(emitted: set[str], shown: set[str]) -> tuple[set[str], set[str]]:
    """(emitted but on no widget, on a widget but never emitted)."""
    return emitted - shown, shown - emitted


def runtime_sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(RUNTIME.glob("*.py"))}


def _flow(**dashboard: Any) -> tuple[Any, dict[str, Any]]:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    split = split_pipe(stack, events.EventBus(stack, "Bus"), store=store)
    retrieval = retrieval_pipe(stack, sqs.Queue(stack, "Out"), store=store)
    ClaimCheckDashboard(stack, "Dashboard", split=split, retrievals=[retrieval], **dashboard)
    template = Template.from_stack(stack)
    return template, dashboard_body(template.to_json())


@pytest.fixture(scope="module")
def flow() -> tuple[Any, dict[str, Any]]:
    return _flow()


def _metrics(body: dict[str, Any], title: str) -> list[list[Any]]:
    (widget,) = [w for w in body["widgets"] if w["properties"].get("title") == title]
    return list(widget["properties"]["metrics"])


def test_widgets_show_every_metric_the_runtime_emits_and_no_other(flow: tuple[Any, dict[str, Any]]) -> None:
    emitted = emitted_metric_names(runtime_sources())
    assert emitted == {value for name, value in vars(MetricName).items() if name.isupper()}
    assert coverage(emitted, runtime_metric_names(flow[1])) == (set(), set())


def test_the_coverage_check_fails_for_a_metric_no_widget_shows(flow: tuple[Any, dict[str, Any]]) -> None:
    sources = runtime_sources()
    sources["new.py"] = "metrics.add_metric(name=MetricName.CLAIMS_ISSUED)\nx.add_metric(name=MetricName.X)"
    with pytest.raises(AttributeError):  # a name that is not in the contract fails the scan itself
        emitted_metric_names(sources)
    body = flow[1]
    without_s3 = {
        "widgets": [w for w in body["widgets"] if w["properties"].get("title") != "Split: S3 PUT requests"]
    }
    unshown, _ = coverage(emitted_metric_names(runtime_sources()), runtime_metric_names(without_s3))
    assert unshown == {MetricName.S3_PUTS}


def test_the_coverage_check_fails_for_a_widget_of_a_metric_never_emitted(
    flow: tuple[Any, dict[str, Any]],
) -> None:
    sources = runtime_sources()
    sources["retrieval.py"] = sources["retrieval.py"].replace("MetricName.EXPIRY_SKIPPED", "'not emitted'")
    _, unemitted = coverage(emitted_metric_names(sources), runtime_metric_names(flow[1]))
    assert unemitted == {MetricName.EXPIRY_SKIPPED}


def test_runtime_metrics_are_read_per_function_and_failures_per_reason(
    flow: tuple[Any, dict[str, Any]],
) -> None:
    body = flow[1]
    issued = _metrics(body, "Split: claims issued")[0]
    assert issued[:2] == [METRICS_NAMESPACE, "ClaimsIssued"]
    dimensions = dict(zip(issued[2:-1:2], issued[3:-1:2], strict=True))
    assert dimensions == {"FunctionName": "${SplitFunctionD2ED8FC5}", "service": "claim-check"}
    refused = _metrics(body, "Retrieval: misses and rejections by reason")
    shown = {(m[1], m[m.index("Reason") + 1]) for m in refused}
    assert shown == {("ClaimMisses", r) for r in MISS_REASONS} | {
        ("ClaimsRejected", r) for r in REJECT_REASONS
    }
    split_reasons = {m[m.index("Reason") + 1] for m in _metrics(body, "Split: failures by reason")}
    assert split_reasons == set(SPLIT_REASONS)
    assert set(MISS_REASONS) | set(REJECT_REASONS) | set(SPLIT_REASONS) == REASONS


def test_each_pipe_shows_its_dlq_depth_and_oldest_age_executions_and_function(
    flow: tuple[Any, dict[str, Any]],
) -> None:
    body = flow[1]
    for label in ("Split", "Retrieval"):
        dlq = _metrics(body, f"{label}: source DLQ")
        assert [m[1] for m in dlq] == ["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"]
        assert [m[1] for m in _metrics(body, f"{label}: pipe executions")] == list(PIPE_METRICS)
        function = _metrics(body, f"{label}: function")
        assert [(m[1], m[-1]["stat"]) for m in function] == [
            ("Duration", "p50"),
            ("Duration", "p99"),
            ("Errors", "Sum"),
            ("Throttles", "Sum"),
        ]


def test_a_logs_insights_table_lists_the_latest_failures_from_both_functions(
    flow: tuple[Any, dict[str, Any]],
) -> None:
    (log,) = [w for w in flow[1]["widgets"] if w["type"] == "log"]
    query = log["properties"]["query"]
    assert query.count("SOURCE '") == 2 and "reason" in query and "message_ids" in query


def test_dashboard_has_no_fixed_name_by_default_and_takes_one(flow: tuple[Any, dict[str, Any]]) -> None:
    flow[0].has_resource_properties("AWS::CloudWatch::Dashboard", {"DashboardName": Match.absent()})
    template, _ = _flow(dashboard_name="orders-claims", period=Duration.minutes(1))
    template.has_resource_properties("AWS::CloudWatch::Dashboard", {"DashboardName": "orders-claims"})
    body = dashboard_body(template.to_json())
    assert {
        m[-1].get("period", 300) for w in body["widgets"] for m in w["properties"].get("metrics", [])
    } == {60}


def test_a_dashboard_of_retrievals_only_labels_each_consumer() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    retrievals = [
        ClaimCheckRetrievalPipe(
            stack,
            f"Retrieve{n}",
            source=queue_with_dlq(stack, f"Claims{n}"),
            store=store,
            target=sqs.Queue(stack, f"Out{n}"),
        )
        for n in (1, 2)
    ]
    ClaimCheckDashboard(stack, "Dashboard", retrievals=retrievals)
    titles = [
        w["properties"].get("title") for w in dashboard_body(Template.from_stack(stack).to_json())["widgets"]
    ]
    assert "Retrieval 1: claims redeemed" in titles and "Retrieval 2: claims redeemed" in titles
    assert not [t for t in titles if t and t.startswith("Split")]


def test_a_dashboard_without_a_pipe_or_with_a_bad_period_fails_naming_the_prop() -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match="split= and/or retrievals="):
        ClaimCheckDashboard(stack, "Empty")
    store = ClaimCheckStore(stack, "Store")
    retrieval = ClaimCheckRetrievalPipe(
        stack, "R", source=queue_with_dlq(stack, "C"), store=store, target=sqs.Queue(stack, "O")
    )
    with pytest.raises(ValueError, match="period is 10 s"):
        ClaimCheckDashboard(stack, "Fast", retrievals=[retrieval], period=Duration.seconds(10))


def test_dashboard_body_names_the_problem_when_the_template_has_no_dashboard() -> None:
    with pytest.raises(ValueError, match="expected one dashboard, found \\[\\]"):
        dashboard_body({"Resources": {}})
