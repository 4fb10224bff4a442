"""What claim authenticity costs per message: KMS requests priced, and the time of the calls on moto.

``python -m benchmarks.claim_mac [--messages N] [--batch B] [--output PATH]`` issues and redeems the
same bodies with and without a claim signing key, against moto's server on 127.0.0.1, in one run:

- KMS requests per message, counted from the boto3 calls (one GenerateMac at issue, one VerifyMac at
  redemption: KMS has no batch MAC API), priced with ``prices.KMS_REQUEST_USD``;
- wall time per message of ``issue_batch`` and ``redeem_batch`` with and without the key, and their
  ratio. On moto a KMS call is a loopback HTTP request, so this is the client-side cost (signing,
  HTTP, JSON, the canonical encoding); a real KMS call adds its network round trip inside the
  region, which is not measured here (unverified offline).

It writes ``benchmarks/claim_mac_results.json`` (or ``--output``) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .prices import KMS_KEY_MONTH_USD, KMS_PRICES_AS_OF, KMS_REQUEST_USD

RESULTS_PATH = Path(__file__).with_name("claim_mac_results.json")
BODY_BYTES = 2_000


def _body(index: int) -> str:
    filler = "x" * (BODY_BYTES - 40)
    return json.dumps({"orderId": f"o-{index}", "type": "order", "note": filler})


def _counted(client: Any, counts: Counter[str]) -> Any:
    client.meta.events.register("before-call.*.*", lambda model, **_: counts.update([model.name]))
    return client


def _timed(function: Callable[[], Any], repeats: int) -> float:
    """Median seconds of ``repeats`` calls."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _measure(client: Any, batches: list[Any], counts: Counter[str], repeats: int) -> dict[str, float]:
    """Per message: median issue and redeem time, and the KMS requests both made."""
    messages = sum(len(requests) for requests in batches)
    issued = [client.issue_batch(requests).claim_checks for requests in batches]
    counts.clear()
    issue_s = _timed(lambda: [client.issue_batch(requests) for requests in batches], repeats)
    generate_calls = counts["GenerateMac"] / repeats
    counts.clear()
    redeem_s = _timed(lambda: [client.redeem_batch(checks) for checks in issued], repeats)
    verify_calls = counts["VerifyMac"] / repeats
    return {
        "issue_ms_per_message": 1000 * issue_s / messages,
        "redeem_ms_per_message": 1000 * redeem_s / messages,
        "kms_requests_per_message": (generate_calls + verify_calls) / messages,
    }


def run(*, messages: int = 200, batch: int = 10, repeats: int = 5) -> dict[str, Any]:
    """Measure both variants against a fresh moto server; returns the results document."""
    import boto3

    from cdk_claim_check.local.lambda_harness import ACCOUNT, REGION, moto_server
    from cdk_claim_check.runtime import ClaimCheckClient, ClaimRequest

    from .lambda_env import use_fake_aws_credentials

    use_fake_aws_credentials()
    with moto_server() as endpoint:

        def aws(service: str) -> Any:
            return boto3.client(service, endpoint_url=endpoint, region_name=REGION)

        dynamodb, s3, kms = aws("dynamodb"), aws("s3"), aws("kms")
        table = f"claims-{uuid.uuid4().hex[:8]}"
        dynamodb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]
        counts: Counter[str] = Counter()
        _counted(kms, counts)
        batches = [
            [ClaimRequest(_body(start + i), message_id=f"m-{start + i}") for i in range(batch)]
            for start in range(0, messages, batch)
        ]
        variants: dict[str, Any] = {}
        for name, mac_key_id in (("without_mac", None), ("with_mac", key)):
            client = ClaimCheckClient(
                table,
                dynamodb_client=dynamodb,
                s3_client=s3,
                kms_client=kms,
                mac_key_id=mac_key_id,
                expected_bucket_owner=ACCOUNT,
            )
            variants[name] = _measure(client, batches, counts, repeats)
    plain, signed = variants["without_mac"], variants["with_mac"]
    requests_per_message = signed["kms_requests_per_message"]
    return {
        "command": f"python -m benchmarks.claim_mac --messages {messages} --batch {batch}",
        "messages": messages,
        "batch": batch,
        "body_bytes": BODY_BYTES,
        "repeats": repeats,
        "where": "moto server on 127.0.0.1 (loopback; no real KMS round trip)",
        "variants": variants,
        "issue_time_ratio": signed["issue_ms_per_message"] / plain["issue_ms_per_message"],
        "redeem_time_ratio": signed["redeem_ms_per_message"] / plain["redeem_ms_per_message"],
        "kms_usd_per_million_messages": requests_per_message * KMS_REQUEST_USD * 1e6,
        "kms_key_usd_per_month": KMS_KEY_MONTH_USD,
        "prices_as_of": KMS_PRICES_AS_OF,
    }


def markdown(results: dict[str, Any]) -> str:
    """The results as a small Markdown table (for the README's claim-authenticity paragraph)."""
    plain, signed = results["variants"]["without_mac"], results["variants"]["with_mac"]
    rows = [
        "| claim authenticity | issue ms/msg | redeem ms/msg | KMS requests/msg | KMS $/M msgs |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| off | {plain['issue_ms_per_message']:.2f} | {plain['redeem_ms_per_message']:.2f} | "
        f"{plain['kms_requests_per_message']:.0f} | 0.00 |",
        f"| on | {signed['issue_ms_per_message']:.2f} | {signed['redeem_ms_per_message']:.2f} | "
        f"{signed['kms_requests_per_message']:.0f} | {results['kms_usd_per_million_messages']:.2f} |",
    ]
    note = (
        f"\n{results['messages']} messages of {results['body_bytes']} bytes in batches of "
        f"{results['batch']}, "
        f"{results['where']}; ratios on/off: issue {results['issue_time_ratio']:.2f}x, redeem "
        f"{results['redeem_time_ratio']:.2f}x; plus ${results['kms_key_usd_per_month']:.2f} per key-month "
        f"(prices of {results['prices_as_of']}). Reproduce: `{results['command']}`."
    )
    return "\n".join(rows) + note


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.claim_mac", description=__doc__)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--output", type=Path, default=RESULTS_PATH)
    args = parser.parse_args(argv)
    results = run(messages=args.messages, batch=args.batch)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
