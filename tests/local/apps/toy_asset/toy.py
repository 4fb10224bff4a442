"""A toy claim-check pair for the local run's own tests: enough to tell its pipes work, nothing more."""

import hashlib
import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TOY_TABLE"])
# Read at cold start, as a real handler's configuration is: each function must get its own.
ROLE = os.environ["TOY_ROLE"]


def split(event, context):
    out = []
    for record in event:
        body = record["body"]
        if "poison" in body:
            raise ValueError(f"record {record['messageId']}: poison")
        digest = hashlib.sha256(body.encode()).hexdigest()
        TABLE.put_item(Item={"id": digest[:32], "body": body})
        out.append(
            {
                "claimCheck": {"v": 1, "id": digest[:32], "bytes": len(body.encode()), "sha256": digest},
                "metadata": {"role": ROLE},
            }
        )
    return out


def retrieve(event, context):
    out = []
    for record in event:
        message = json.loads(record["body"])
        claim = message.get("detail", message)["claimCheck"]
        body = TABLE.get_item(Key={"id": claim["id"]})["Item"]["body"]
        if hashlib.sha256(body.encode()).hexdigest() != claim["sha256"]:
            raise ValueError(f"record {record['messageId']}: tampered")
        try:
            out.append(json.loads(body))
        except ValueError:
            out.append(body)
    return out


RECEIVED = []


def consume(event, context):
    RECEIVED.append(event)
    return {"received": len(event)}
