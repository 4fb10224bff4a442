"""The original AWS sample's design, re-created faithfully in Python for the comparison.

aws-samples/serverless-patterns ``claim-check-pattern-cdk`` (Node.js 18 handlers, x86_64,
CDK's default 128 MB, both pipes at batch size 1):

- split: reads only ``event[0]``, parses the body and puts *the whole body* as the DynamoDB item
  (DocumentClient ``PutCommand({Item: body})``: JSON fields become attributes, keyed by the
  body's ``id``), no compression, no TTL; returns ``{"eventType": ..., "id": body.id}``.
- retrieval: reads only ``event[0]``, takes ``detail.id`` from the EventBridge envelope and does one
  ``GetCommand`` (eventually consistent, the SDK default); returns the raw reply.

This lives in ``benchmarks/`` on purpose: it is the yardstick, not part of the library.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

SAMPLE_LAMBDA_MEMORY_MB = 128  # aws-cdk-lib lambda.Function default; the sample sets none
SAMPLE_LAMBDA_ARCHITECTURE = "x86_64"  # the sample sets no architecture
SAMPLE_BATCH_SIZE = 1

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class SampleDesign:
    """The sample's split and retrieval enrichment handlers over one DynamoDB table."""

    name = "baseline"

    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table_name = table_name

    def split(self, event: list[dict[str, Any]], context: object = None) -> dict[str, Any]:
        # DocumentClient marshals JSON numbers as N; Decimal keeps them exact as the SDK does.
        body = json.loads(event[0]["body"], parse_float=Decimal)
        item = {name: _serializer.serialize(value) for name, value in body.items()}
        self._dynamodb.put_item(TableName=self._table_name, Item=item)
        return {"eventType": "Some_Event_Type", "id": body["id"]}

    def retrieval(self, event: list[dict[str, Any]], context: object = None) -> dict[str, Any]:
        claim_id = json.loads(event[0]["body"])["detail"]["id"]
        response = self._dynamodb.get_item(TableName=self._table_name, Key={"id": {"S": claim_id}})
        # DocumentClient unmarshals the item and Lambda returns it as JSON (numbers as numbers).
        reply = {key: value for key, value in response.items() if key != "Item"}
        if "Item" in response:
            item = {name: _deserializer.deserialize(value) for name, value in response["Item"].items()}
            reply["Item"] = json.loads(json.dumps(item, default=_json_number))
        return reply


def restored_payload(retrieval_output: dict[str, Any]) -> Any:
    """The body the sample's retrieval hands to its target (the item, as JSON values)."""
    return retrieval_output["Item"]


def _json_number(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
