"""The AWS billing rules the cost model applies, on cases worked out by hand."""

from __future__ import annotations

from benchmarks.cost_model import eventbridge_chunks, sqs_chunks
from benchmarks.dynamodb_units import item_size, read_units, units_of, write_units
from benchmarks.metering import AwsCall


def test_item_size_counts_attribute_names_and_values() -> None:
    item = {"id": {"S": "abc"}, "body": {"B": b"\x00" * 10}, "n": {"N": "12345"}}
    # "id"+"abc" = 5, "body"+10 bytes = 14, "n" + (5 significant digits -> 3 + 1) = 5
    assert item_size(item) == 5 + 14 + 5


def test_nested_map_adds_three_bytes_and_one_per_element() -> None:
    item = {"m": {"M": {"a": {"S": "xy"}}}}
    assert item_size(item) == 1 + 3 + (1 + 1 + 2)


def test_write_units_round_up_per_kilobyte() -> None:
    assert write_units(1) == 1
    assert write_units(1024) == 1
    assert write_units(1025) == 2


def test_eventually_consistent_reads_cost_half() -> None:
    assert read_units(4096, consistent=True) == 1.0
    assert read_units(4097, consistent=True) == 2.0
    assert read_units(4097, consistent=False) == 1.0


def test_put_item_units_come_from_the_item_sent() -> None:
    call = AwsCall("dynamodb", "PutItem", {"Item": {"id": {"S": "x" * 2048}}})
    assert units_of(call) == (3.0, 0.0)


def test_sqs_bills_each_64_kb_chunk_as_a_request() -> None:
    small = AwsCall("sqs", "SendMessage", {"MessageBody": "x" * 65536})
    large = AwsCall("sqs", "SendMessage", {"MessageBody": "x" * 65537})
    assert (sqs_chunks(small), sqs_chunks(large)) == (1, 2)


def test_eventbridge_bills_each_entry_by_its_own_chunks() -> None:
    entries = [{"Source": "s", "DetailType": "d", "Detail": "x" * 70_000}, {"Source": "s", "Detail": "{}"}]
    assert eventbridge_chunks(AwsCall("events", "PutEvents", {"Entries": entries})) == 3


def test_the_floor_is_the_shared_lines_plus_one_s3_put_and_get_per_batch() -> None:
    from benchmarks.cost_model import Cost
    from benchmarks.prices import PRICES

    cost = Cost("ours (packed)", "200 KB", None, 10)
    cost.usd_per_million = {
        "sqs_request_chunks": 3.4,
        "pipes_request_chunks": 1.44,
        "eventbridge_event_chunks": 1.0,
        "dynamodb_write_units": 0.62,  # not part of the floor
    }
    cost.batches_per_message = {"split": 0.1, "retrieval": 0.5}
    expected = 3.4 + 1.44 + 1.0 + (0.1 * PRICES.s3_put + 0.5 * PRICES.s3_get) * 1e6
    assert cost.floor_usd_per_million == expected
    cost.failure = "ValidationException"
    assert cost.floor_usd_per_million is None


def test_storage_is_billed_for_what_the_lifecycle_rule_and_ttl_keep() -> None:
    from benchmarks.storage_time import dynamodb_storage_days, s3_storage_days

    # 7-day TTL: objects expire after 8 days, rounded up to midnight UTC (half a day on average)
    assert s3_storage_days(7) == 8.5
    assert s3_storage_days(6.5) == 8.5  # the rule counts whole days
    assert dynamodb_storage_days(7) == 9.0  # TTL plus the assumed deletion lag


def test_an_invocation_with_active_tracing_logs_an_xray_line_more() -> None:
    from benchmarks.cost_model import log_bytes, platform_log_lines

    traced = platform_log_lines(512, traced=True)
    untraced = platform_log_lines(512, traced=False)
    assert [line.split()[0] for line in untraced] == ["START", "END", "REPORT"]
    assert "XRAY TraceId" in traced[-1] and "XRAY" not in untraced[-1]
    assert log_bytes(traced) > log_bytes(untraced) > 0


def test_custom_metrics_are_counted_once_per_name_and_dimension_set() -> None:
    import json

    from benchmarks.cost_model import custom_metrics
    from benchmarks.pipeline import PipeBatch, PipelineRun

    emf = json.dumps(
        {
            "_aws": {
                "CloudWatchMetrics": [
                    {
                        "Namespace": "ClaimCheck",
                        "Dimensions": [["service"]],
                        "Metrics": [{"Name": "ClaimsIssued"}, {"Name": "BytesStored"}],
                    }
                ]
            },
            "service": "claim-check",
            "ClaimsIssued": 10,
        }
    )
    run = PipelineRun("ours (packed)", "1 KB", 20, 10)
    run.split_batches = [PipeBatch(1, 1, 0.0, [emf, '{"level":"INFO","message":"batch stored"}'])] * 2
    assert custom_metrics(run) == ["ClaimCheck/BytesStored[service]", "ClaimCheck/ClaimsIssued[service]"]


def test_a_receive_is_billed_for_what_sqs_sent_even_if_a_client_rewrites_the_reply() -> None:
    from types import SimpleNamespace

    from benchmarks.cost_model import sqs_chunks

    from benchmarks import metering

    call = AwsCall("sqs", "ReceiveMessage", {})
    reply = {"Messages": [{"Body": "x" * 100, "ReceiptHandle": "r"}]}
    response = SimpleNamespace(headers={"content-length": "300"}, content=b"")
    metering._on_response(
        response, reply, SimpleNamespace(has_streaming_output=False), {metering._CONTEXT_KEY: call}
    )
    reply["Messages"][0]["Body"] = "y" * 200_000  # what the SQS Extended Client does after the call
    assert sqs_chunks(call) == 1
