"""The Lambda-like runner of the fault cases, and the one rule every case asserts.

The rule: an invocation either returns a complete, correct, in-order response for every record,
or raises (a timed-out invocation counts as raised); a returned claim check is redeemable; and
once the fault clears, the same batch (same messageIds) round-trips byte-exact.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fault_proxy import FaultProxy

from _runtime_env import reset_runtime_caches
from cdk_claim_check.local.lambda_harness import DEFAULT_SOURCE_ARN, LambdaContext, sqs_record
from cdk_claim_check.runtime import ClaimCheckClient, retrieval, split

FUNCTION_TIMEOUT_SECONDS = 2
"""The functions' timeout in these cases (the template's default of 30 s is too long for a test)."""
MAX_ATTEMPTS = "2"
"""``AWS_MAX_ATTEMPTS`` for the test environment. botocore (standard retry mode) backs off up to
1 s before its 2nd attempt and 2 s before its 3rd: with 2 attempts a retried call fits in the
function timeout, as the default attempts fit in the default 30 s."""


@dataclass
class Outcome:
    """How one invocation ended: ``returned`` (with ``value``), ``raised`` or ``timed_out``."""

    kind: str
    value: Any = None
    error: BaseException | None = None

    @property
    def returned(self) -> bool:
        return self.kind == "returned"


@dataclass
class LambdaRunner:
    """Runs a handler in a worker thread and stops waiting at the function's timeout, as Lambda does.

    A timed-out invocation has failed whatever its thread does later. Its sandbox is gone: the
    proxy is frozen (held answers are never delivered, new calls fail fast) until the abandoned
    thread has ended, then the runtime's caches are cleared (the next invocation is a cold start).
    """

    proxy: FaultProxy | None = None
    timeout_seconds: int = FUNCTION_TIMEOUT_SECONDS
    timeouts: int = 0
    stragglers: list[threading.Thread] = field(default_factory=list)

    def invoke(self, handler: Callable[[Any, Any], Any], event: Any) -> Outcome:
        return self.call(lambda context: handler(json.loads(json.dumps(event)), context))

    def call(self, function: Callable[[LambdaContext], Any]) -> Outcome:
        context = LambdaContext(function_name="claim-check-fault", timeout_seconds=self.timeout_seconds)
        box: list[Outcome] = []

        def run() -> None:
            try:
                value = function(context)
            except BaseException as error:
                box.append(Outcome("raised", error=error))
            else:
                box.append(Outcome("returned", json.loads(json.dumps(value))))

        worker = threading.Thread(target=run, name="lambda-invocation", daemon=True)
        worker.start()
        worker.join(context.get_remaining_time_in_millis() / 1000)
        if not worker.is_alive():
            return box[0]
        self.timeouts += 1
        if self.proxy is not None:
            self.proxy.freeze()
        worker.join(15)
        if worker.is_alive():
            self.stragglers.append(worker)
        if self.proxy is not None:
            self.proxy.thaw()
        reset_runtime_caches()
        return Outcome("timed_out", error=TimeoutError(f"Task timed out after {self.timeout_seconds} s"))


def noise(length: int, seed: int = 0) -> str:
    """``length`` characters that zlib cannot shrink much (base64 of seeded random bytes)."""
    return base64.b64encode(random.Random(seed).randbytes(length)).decode()[:length]


# --- expectations ------------------------------------------------------------------------------


def expected_value(body: str) -> Any:
    """What retrieval returns: the parsed value of a strict-JSON object or array, else the string."""

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        value = json.loads(body, parse_constant=refuse)
    except ValueError:
        return body
    return value if isinstance(value, dict | list) else body


def claim_id(source_arn: str, message_id: str) -> str:
    return hashlib.sha256(f"{source_arn}/{message_id}".encode()).hexdigest()[:32]


def assert_claims_match(checks: Any, batch: Sequence[dict[str, Any]]) -> None:
    """Complete, in order, and each claim check the one of its record (id, bytes, sha256, v)."""
    assert isinstance(checks, list) and len(checks) == len(batch)
    for check, record in zip(checks, batch, strict=True):
        claim = check["claimCheck"]
        body = record["body"].encode()
        assert claim["v"] == 1
        assert claim["id"] == claim_id(record["eventSourceARN"], record["messageId"])
        assert claim["sha256"] == hashlib.sha256(body).hexdigest()
        if not record["body"].lstrip().startswith('["'):  # foreign pointers declare their own size
            assert claim["bytes"] == len(body)


def retrieval_batch(checks: Sequence[Any]) -> list[dict[str, Any]]:
    """The retrieval pipe's batch: one record per claim check, as the split pipe's target queue holds them."""
    return [sqs_record(json.dumps(check), message_id=f"r-{index}") for index, check in enumerate(checks)]


def split_batch(bodies: Sequence[str], *, prefix: str = "m") -> list[dict[str, Any]]:
    return [
        sqs_record(body, message_id=f"{prefix}-{index}", source_arn=DEFAULT_SOURCE_ARN)
        for index, body in enumerate(bodies)
    ]


@dataclass
class Harness:
    """One fault case's world: the proxy, the runner, the store of this test."""

    proxy: FaultProxy
    runner: LambdaRunner
    resources: Any
    configure: Callable[..., None]

    def split(self, batch: Sequence[dict[str, Any]]) -> Outcome:
        return self.runner.invoke(split.handler, list(batch))

    def retrieve(self, batch: Sequence[dict[str, Any]]) -> Outcome:
        return self.runner.invoke(retrieval.handler, list(batch))

    def client(self) -> ClaimCheckClient:
        """A client with the handlers' own environment (table, bucket, extended-client buckets, ...)."""
        return ClaimCheckClient.from_config()

    def clear(self) -> None:
        self.proxy.clear()

    # --- the rule ------------------------------------------------------------------------------

    def round_trip(self, batch: Sequence[dict[str, Any]], expected: Sequence[Any] | None = None) -> None:
        """With no fault: the batch splits, its claims redeem byte-exact, and retrieval returns them."""
        self.proxy.clear()
        outcome = self.split(batch)
        assert outcome.returned, f"split after the fault cleared: {outcome.kind}: {outcome.error!r}"
        assert_claims_match(outcome.value, batch)
        self.assert_redeemable(outcome.value, batch, expected)

    def assert_redeemable(
        self, checks: Sequence[Any], batch: Sequence[dict[str, Any]], expected: Sequence[Any] | None = None
    ) -> None:
        bodies = [record["body"] for record in batch] if expected is None else list(expected)
        redeemed = self.runner.call(lambda _: [p.body for p in self.client().redeem_batch(checks)])
        assert redeemed.returned, f"redeem: {redeemed.kind}: {redeemed.error!r}"
        assert redeemed.value == bodies  # byte-exact
        values = self.retrieve(retrieval_batch(checks))
        assert values.returned, f"retrieval: {values.kind}: {values.error!r}"
        assert values.value == [expected_value(body) for body in bodies]

    def split_rule(self, batch: Sequence[dict[str, Any]], expected: Sequence[Any] | None = None) -> Outcome:
        """Split under the fault set on the proxy, then check the rule; returns the faulted outcome."""
        outcome = self.split(batch)
        self.proxy.clear()
        if outcome.returned:
            assert_claims_match(outcome.value, batch)
            self.assert_redeemable(outcome.value, batch, expected)
        else:
            assert outcome.error is not None
        self.round_trip(batch, expected)
        return outcome

    def issued(self, bodies: Sequence[str]) -> tuple[list[dict[str, Any]], list[Any]]:
        """A split batch claimed with no fault: its records and claim checks."""
        batch = split_batch(bodies)
        self.proxy.clear()
        outcome = self.split(batch)
        assert outcome.returned, outcome.error
        return batch, outcome.value

    def retrieval_rule(
        self, batch: Sequence[dict[str, Any]], checks: Sequence[Any], *, again: bool = True
    ) -> Outcome:
        """Retrieval under the fault set on the proxy, then the rule: a returned answer is complete
        and correct, and once the fault clears the redelivered retrieval batch redeems again."""
        expected = [expected_value(record["body"]) for record in batch]
        records = retrieval_batch(checks)
        outcome = self.retrieve(records)
        self.proxy.clear()
        if outcome.returned:
            assert outcome.value == expected
        else:
            assert outcome.error is not None
        if again:
            redelivered = self.retrieve(records)
            assert redelivered.returned, f"redelivered retrieval: {redelivered.kind}: {redelivered.error!r}"
            assert redelivered.value == expected
        self.round_trip(batch)
        return outcome
