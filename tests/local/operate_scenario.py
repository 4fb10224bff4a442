"""The on-call path on the local run, end to end, printed as one JSON object (run by test_local_operate.py).

Usage: ``python operate_scenario.py <cloud assembly dir>`` (the targets example: inbox -> split ->
claims queue -> retrieval -> Lambda consumer). Against a fresh moto server it:

1. sends the bodies through the split only, so their claim checks wait in the claims queue;
2. damages the victim's store item (its digest), as a bad write or a hand edit would;
3. runs every pipe: the retrieval refuses the victim (``tampered``), Pipes retries its batch, and after
   the claims queue's ``maxReceiveCount`` the batch is in the claims DLQ;
4. runs ``cdk-claim-check dlq list`` (the real command, in a child process, against the moto server);
5. restores the store item, runs ``cdk-claim-check inspect`` and ``cdk-claim-check dlq redrive``;
6. runs every pipe again and reports what reached the consumer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from cdk_claim_check.local.assembly import read_stacks, select_stack
from cdk_claim_check.local.lambda_harness import FAKE_CREDENTIALS, moto_server
from cdk_claim_check.local.ledger import Ledger
from cdk_claim_check.local.pipes import LocalPipe, PipeRunner
from cdk_claim_check.local.provision import provision
from cdk_claim_check.local.server import Clients
from cdk_claim_check.runtime.wire import claim_id

VICTIM = "the victim: plain text, not JSON · ünïcödé · " + "x" * 100
OTHERS = [json.dumps({"orderId": f"o-{n}", "lines": list(range(n * 10))}) for n in range(1, 6)]


def operate(endpoint_url: str, *args: str) -> dict[str, Any]:
    """Run ``cdk-claim-check`` as a user would (its own process), against the moto server."""
    env = {**os.environ, **FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"}
    run = subprocess.run(
        [sys.executable, "-m", "cdk_claim_check.operate", *args, "--endpoint-url", endpoint_url],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return {"status": run.returncode, "out": run.stdout, "err": run.stderr}


def main(assembly: Path, scratch: Path) -> dict[str, Any]:
    stack = select_stack(read_stacks(assembly), None)
    with moto_server(execute_state_machines=True) as endpoint_url:
        clients = Clients.for_endpoint(endpoint_url, "us-east-1")
        resources = provision(stack, clients)
        pipes = [
            LocalPipe.from_template(p.logical_id, resources)
            for p in resources.index.of_type("AWS::Pipes::Pipe")
        ]
        (split,) = [p for p in pipes if p.target.kind == "queue"]
        (retrieval,) = [p for p in pipes if p is not split]
        split.is_entry = True
        ledger = Ledger()
        quiet: Any = lambda _line: None  # noqa: E731

        sent = {}
        for body in [OTHERS[0], VICTIM, *OTHERS[1:]]:
            sent[clients.sqs.send_message(QueueUrl=split.source_queue_url, MessageBody=body)["MessageId"]] = (
                body
            )
        PipeRunner(
            [split], clients=clients, resources=resources, ledger=ledger, progress=quiet
        ).run_until_idle(timeout_seconds=120)
        victim_id = claim_id(split.source_arn, next(m for m, b in sent.items() if b == VICTIM))
        (table,) = resources.index.of_type("AWS::DynamoDB::Table")
        key = {"id": {"S": victim_id}}
        original = clients.dynamodb.get_item(TableName=table.name, Key=key, ConsistentRead=True)["Item"]
        clients.dynamodb.update_item(
            TableName=table.name,
            Key=key,
            UpdateExpression="SET sha256 = :bad",
            ExpressionAttributeValues={":bad": {"S": "0" * 64}},
        )

        runner = PipeRunner(pipes, clients=clients, resources=resources, ledger=ledger, progress=quiet)
        runner.run_until_idle(timeout_seconds=300)
        dlq = resources.queue_url(resources.dead_letter_queues[retrieval.source_queue])
        log_group = resources.props(retrieval.enrichment.logical_id)["LoggingConfig"]["LogGroup"]  # type: ignore[union-attr]
        delivered_before = [item for d in ledger.deliveries if d.pipe == retrieval.name for item in d.items]

        listed = operate(
            endpoint_url, "dlq", "list", dlq, "--table", table.name, "--log-group", log_group, "--json"
        )
        claim_in_dlq = clients.sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
        victim_message = next(m for m in claim_in_dlq if victim_id in m["Body"])
        for message in claim_in_dlq:  # as they were: visible
            clients.sqs.change_message_visibility(
                QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        inspected_broken = operate(endpoint_url, "inspect", json.dumps(victim_message), "--table", table.name)

        clients.dynamodb.put_item(TableName=table.name, Item=original)  # the store is fixed
        inspected_fixed = operate(
            endpoint_url, "inspect", json.dumps(victim_message), "--table", table.name, "--json"
        )
        ledger_file = scratch / "redrive.jsonl"
        redriven = operate(endpoint_url, "dlq", "redrive", dlq, "--ledger", str(ledger_file), "--json")

        runner.run_until_idle(timeout_seconds=300)
        delivered_after = [item for d in ledger.deliveries if d.pipe == retrieval.name for item in d.items]
        depth = clients.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
        return {
            "victim_claim_id": victim_id,
            "sent": list(sent.values()),
            "delivered_before_fix": delivered_before,
            "delivered_after_redrive": delivered_after[len(delivered_before) :],
            "dlq_list": listed,
            "inspect_broken": inspected_broken,
            "inspect_fixed": inspected_fixed,
            "redrive": redriven,
            "ledger": [json.loads(line) for line in ledger_file.read_text().splitlines()],
            "dlq_depth_after": int(depth["Attributes"]["ApproximateNumberOfMessages"]),
            "retrieval_failures": len([f for f in ledger.failures if f.pipe == retrieval.name]),
        }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
