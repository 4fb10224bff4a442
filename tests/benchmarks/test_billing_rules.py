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
