"""Turns a metered pipeline run into billed units per message and USD per million messages.

Every unit comes from a request the run made (or from the bytes it carried); the AWS billing
rules applied to them are written next to each line below, and the prices are in prices.py.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from .dynamodb_units import item_size, units_of
from .metering import AwsCall
from .pipeline import PipelineRun
from .prices import CHUNK_BYTES, DYNAMODB_ITEM_OVERHEAD_BYTES, GB, PRICES, PriceTable

S3_PUT_CLASS = {
    "PutObject",
    "CopyObject",
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "ListObjects",
    "ListObjectsV2",
}
S3_FREE = {"DeleteObject", "DeleteObjects", "AbortMultipartUpload"}

LINE_ITEMS = (
    "sqs_request_chunks",
    "pipes_request_chunks",
    "eventbridge_event_chunks",
    "lambda_requests",
    "lambda_gb_seconds",
    "dynamodb_write_units",
    "dynamodb_read_units",
    "s3_put_requests",
    "s3_get_requests",
    "dynamodb_storage_gb_months",
    "s3_storage_gb_months",
    "xray_traces",
    "log_ingestion_gb",
    "log_storage_gb_months",
)

# What Lambda itself writes to a function's log group per invocation (text format), with typical
# values: START, END and REPORT, and the XRAY line of the REPORT when active tracing is on.
_REQUEST_ID = "8f507cfc-8c4a-4f0c-9a3b-7d1c5f0c2e11"
LOG_RETENTION_MONTHS = 1.0  # the constructs' default log_retention (one month)


def platform_log_lines(memory_mb: int, traced: bool) -> list[str]:
    """The lines Lambda writes for one invocation, as in a function's log group."""
    report = (
        f"REPORT RequestId: {_REQUEST_ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: 98 MB\t"
    )
    if traced:
        trace = "1-6751f0a2-3c1f4f5e6a7b8c9d0e1f2a3b"
        report += f"\nXRAY TraceId: {trace}\tSegmentId: 4f5e6a7b8c9d0e1f\tSampled: true\t"
    return [f"START RequestId: {_REQUEST_ID} Version: $LATEST", f"END RequestId: {_REQUEST_ID}", report]


def log_bytes(lines: list[str]) -> int:
    """Bytes ingested for these log lines (each with its newline)."""
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def custom_metrics(run: PipelineRun) -> list[str]:
    """The distinct CloudWatch metrics (namespace, name, dimensions) a run's embedded-metric lines emit."""
    found: set[str] = set()
    for batch in run.split_batches + run.retrieval_batches:
        for line in batch.log_lines:
            if not line.startswith("{") or '"_aws"' not in line:
                continue
            document = json.loads(line)
            for directive in document["_aws"].get("CloudWatchMetrics", []):
                dimensions = ",".join(sorted(name for group in directive["Dimensions"] for name in group))
                for metric in directive["Metrics"]:
                    found.add(f"{directive['Namespace']}/{metric['Name']}[{dimensions}]")
    return sorted(found)


@dataclass
class Cost:
    design: str
    payload_label: str
    failure: str | None
    batch_size: int
    units_per_message: dict[str, float] = field(default_factory=dict)
    usd_per_million: dict[str, float] = field(default_factory=dict)
    operations_per_message: dict[str, float] = field(default_factory=dict)
    retrieval_batch_size: int = 0
    batches_per_message: dict[str, float] = field(default_factory=dict)
    custom_metrics: list[str] = field(default_factory=list)

    @property
    def total_usd_per_million(self) -> float | None:
        return None if self.failure else sum(self.usd_per_million.values())

    @property
    def floor_usd_per_million(self) -> float | None:
        """What any claim-check-on-Pipes design pays at this run's batch sizes: the SQS, Pipes and
        EventBridge lines (ours carry claim checks of one 64 KB chunk, the least there is) plus one
        S3 PUT per split batch and one GET per retrieval batch."""
        if self.failure:
            return None
        shared = sum(self.usd_per_million[item] for item in FLOOR_LINE_ITEMS)
        s3 = self.batches_per_message["split"] * PRICES.s3_put
        s3 += self.batches_per_message["retrieval"] * PRICES.s3_get
        return shared + s3 * 1e6


FLOOR_LINE_ITEMS = ("sqs_request_chunks", "pipes_request_chunks", "eventbridge_event_chunks")


def _chunks(size_bytes: int) -> int:
    return max(1, math.ceil(size_bytes / CHUNK_BYTES))


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def _message_attributes_bytes(attributes: dict[str, Any]) -> int:
    total = 0
    for name, value in attributes.items():
        total += _utf8(name) + _utf8(value.get("DataType", ""))
        total += _utf8(value.get("StringValue", "")) + len(value.get("BinaryValue", b""))
    return total


def sqs_chunks(call: AwsCall) -> int:
    """SQS bills each 64 KB chunk of a request's payload as one request."""
    params = call.params
    if call.operation == "SendMessage":
        return _chunks(
            _utf8(params["MessageBody"]) + _message_attributes_bytes(params.get("MessageAttributes", {}))
        )
    if call.operation == "SendMessageBatch":
        return _chunks(
            sum(
                _utf8(e["MessageBody"]) + _message_attributes_bytes(e.get("MessageAttributes", {}))
                for e in params["Entries"]
            )
        )
    if call.operation == "ReceiveMessage":
        messages = call.parsed.get("Messages", [])
        return _chunks(
            sum(
                _utf8(m["Body"]) + _message_attributes_bytes(m.get("MessageAttributes", {})) for m in messages
            )
        )
    return 1


def eventbridge_chunks(call: AwsCall) -> int:
    """EventBridge bills each 64 KB chunk of each PutEvents entry as one event."""
    if call.operation != "PutEvents":
        return 0
    total = 0
    for entry in call.params["Entries"]:
        size = sum(_utf8(entry.get(key, "")) for key in ("Source", "DetailType", "Detail"))
        size += sum(_utf8(r) for r in entry.get("Resources", [])) + (14 if "Time" in entry else 0)
        total += _chunks(size)
    return total


def object_bytes(call: AwsCall) -> int:
    """Bytes a PutObject stored: its body, or what went over the wire for a stream."""
    body = call.params.get("Body")
    if isinstance(body, bytes | bytearray):
        return len(body)
    if isinstance(body, str):
        return _utf8(body)
    return call.request_bytes


def _stored_item_bytes(call: AwsCall) -> int:
    if call.operation == "PutItem" and call.error_code is None:
        return item_size(call.params["Item"]) + DYNAMODB_ITEM_OVERHEAD_BYTES
    if call.operation == "BatchWriteItem":
        return sum(
            item_size(r["PutRequest"]["Item"]) + DYNAMODB_ITEM_OVERHEAD_BYTES
            for requests in call.params["RequestItems"].values()
            for r in requests
            if "PutRequest" in r
        )
    return 0


def billed_units(run: PipelineRun) -> dict[str, float]:
    """Billed units of the whole run (all messages), by line item."""
    all_calls = [call for meter in run.phases.values() for call in meter.calls]
    sqs_calls = [c for c in all_calls if c.service == "sqs"]
    dynamodb_calls = [c for c in all_calls if c.service == "dynamodb"]
    s3_calls = [c for c in all_calls if c.service == "s3"]
    batches = run.split_batches + run.retrieval_batches
    writes_reads = [units_of(c) for c in dynamodb_calls]
    return {
        # the bus's SendMessage to the claims queue happens inside AWS, so it is counted from
        # the messages that arrived there
        "sqs_request_chunks": float(
            sum(sqs_chunks(c) for c in sqs_calls) + sum(_chunks(b) for b in run.delivered_claim_bytes)
        ),
        "pipes_request_chunks": float(sum(batch.pipes_chunks for batch in batches)),
        "eventbridge_event_chunks": float(
            sum(eventbridge_chunks(c) for c in all_calls if c.service == "events")
        ),
        "lambda_requests": float(len(batches)),
        # Lambda bills each invocation's duration rounded up to the millisecond
        "lambda_gb_seconds": sum(math.ceil(b.invocation_cpu_seconds * 1000) / 1000 for b in batches),
        "dynamodb_write_units": sum(w for w, _ in writes_reads),
        "dynamodb_read_units": sum(r for _, r in writes_reads),
        "s3_put_requests": float(sum(1 for c in s3_calls if c.operation in S3_PUT_CLASS)),
        "s3_get_requests": float(sum(1 for c in s3_calls if c.operation not in S3_PUT_CLASS | S3_FREE)),
        "dynamodb_storage_gb_months": sum(_stored_item_bytes(c) for c in dynamodb_calls) / GB,
        "s3_storage_gb_months": sum(object_bytes(c) for c in s3_calls if c.operation == "PutObject") / GB,
        # one trace per invocation: every invocation sampled (the upper bound; Lambda's default
        # sampling rule records the first request each second and 5% of the others)
        "xray_traces": float(len(batches)),
        # the function's own lines; the platform's are added in cost_of (they depend on the design)
        "log_ingestion_gb": sum(log_bytes(b.log_lines) for b in batches) / GB,
    }


def cost_of(
    run: PipelineRun,
    *,
    memory_mb: int,
    architecture: str,
    storage_months: float,
    s3_storage_months: float,
    traced: bool,
    prices: PriceTable = PRICES,
) -> Cost:
    """Price a run: ``storage_months`` for DynamoDB items, ``s3_storage_months`` for objects; X-Ray
    traces only when ``traced``."""
    cost = Cost(run.design, run.payload_label, run.failure, run.batch_size)
    cost.retrieval_batch_size = run.retrieval_batch_size or run.batch_size
    if run.failure:
        return cost
    totals = billed_units(run)
    invocations = len(run.split_batches) + len(run.retrieval_batches)
    totals["lambda_gb_seconds"] *= memory_mb / 1024
    totals["dynamodb_storage_gb_months"] *= storage_months
    totals["s3_storage_gb_months"] *= s3_storage_months
    if not traced:
        totals["xray_traces"] = 0.0
    totals["log_ingestion_gb"] += invocations * log_bytes(platform_log_lines(memory_mb, traced)) / GB
    totals["log_storage_gb_months"] = totals["log_ingestion_gb"] * LOG_RETENTION_MONTHS
    cost.custom_metrics = custom_metrics(run)
    cost.batches_per_message = {
        "split": len(run.split_batches) / run.messages,
        "retrieval": len(run.retrieval_batches) / run.messages,
    }
    gb_second_price = (
        prices.lambda_gb_second_arm64 if architecture == "arm64" else prices.lambda_gb_second_x86_64
    )
    unit_prices = {
        "sqs_request_chunks": prices.sqs_request_chunk,
        "pipes_request_chunks": prices.pipes_request_chunk,
        "eventbridge_event_chunks": prices.eventbridge_event_chunk,
        "lambda_requests": prices.lambda_request,
        "lambda_gb_seconds": gb_second_price,
        "dynamodb_write_units": prices.dynamodb_write_unit,
        "dynamodb_read_units": prices.dynamodb_read_unit,
        "s3_put_requests": prices.s3_put,
        "s3_get_requests": prices.s3_get,
        "dynamodb_storage_gb_months": prices.dynamodb_storage_gb_month,
        "s3_storage_gb_months": prices.s3_storage_gb_month,
        "xray_traces": prices.xray_trace_recorded,
        "log_ingestion_gb": prices.logs_ingestion_gb,
        "log_storage_gb_months": prices.logs_storage_gb_month,
    }
    for item in LINE_ITEMS:
        per_message = totals[item] / run.messages
        cost.units_per_message[item] = per_message
        cost.usd_per_million[item] = per_message * unit_prices[item] * 1e6
    operations = [c for meter in run.phases.values() for c in meter.calls]
    for call in operations:
        key = f"{call.service}.{call.operation}"
        cost.operations_per_message[key] = cost.operations_per_message.get(key, 0.0) + 1 / run.messages
    return cost
