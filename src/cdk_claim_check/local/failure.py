"""The failure path the report shows: one claim check that must not be redeemed.

While the flow runs, the injector remembers the first claim check a pipe delivers to a bus, queue
or topic. Once the flow is idle, it delivers one more claim check to that same target, as a forged
or stale event would arrive, so it travels the same rules and queues and is alone in its batch
(an enrichment has no partial batch failure: a bad record fails every record of its batch):

``tampered``: a copy with a wrong digest; retrieval must fail with ``tampered``.
``expired``: the stored item gets an expiry time in the past first (moto returns expired items, as
DynamoDB may until its TTL sweep runs), then the claim check is sent again; retrieval must fail
with ``expired``.

Either way the claim check must end, after the queue's ``maxReceiveCount``, in its dead-letter queue.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from ..runtime.contract import PARTITION_KEY, TTL_ATTRIBUTE
from .delivery import deliver
from .ledger import Delivery, Ledger, claim_check_of, sha256_hex
from .pipes import LocalPipe
from .provision import LocalResources
from .server import Clients

FailureMode = Literal["tampered", "expired", "none"]


@dataclass
class FailureInjector:
    """A delivery hook that plants one failure of the chosen kind, once."""

    mode: FailureMode
    clients: Clients
    resources: LocalResources
    ledger: Ledger
    claim_id: str | None = None  # the claim check that must fail, once injected
    notes: list[str] = field(default_factory=list)
    _seen: tuple[LocalPipe, Any, dict[str, Any]] | None = None

    def __call__(self, pipe: LocalPipe, delivery: Delivery) -> None:
        """Remember the first claim check delivered to a bus, queue or topic."""
        if self._seen is not None or delivery.target_kind in ("function", "state_machine"):
            return
        for item in delivery.items:
            claim = claim_check_of(item)
            if claim is not None:
                self._seen = (pipe, item, claim)
                return

    def inject(self) -> bool:
        """Deliver the failing claim check; ``False`` if no claim check was ever seen (or mode ``none``)."""
        if self.mode == "none" or self._seen is None:
            return False
        pipe, item, claim = self._seen
        forged = json.loads(item) if isinstance(item, str) else copy.deepcopy(item)
        forged_claim = claim_check_of(forged)
        assert forged_claim is not None  # a copy of a claim check is one
        if self.mode == "tampered":
            forged_claim["sha256"] = sha256_hex(f"tampered:{claim['sha256']}")
            self.notes.append(
                f"sent a copy of claim check {claim['id']} with a wrong digest to {pipe.target.name}"
            )
        elif not self._expire(str(claim["id"])):
            self.notes.append(f"no table holds claim {claim['id']}: nothing to expire")
            return False
        self.claim_id = str(claim["id"])
        if isinstance(item, str):
            forged = json.dumps(forged)
        deliver(
            pipe.target,
            [forged],
            pipe=f"{pipe.name} ({self.mode} claim check)",
            clients=self.clients,
            resources=self.resources,
            ledger=self.ledger,
            injected=True,
        )
        return True

    def _expire(self, claim_id: str) -> bool:
        past = str(int(time.time()) - 3600)
        for table in self.resources.index.of_type("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
            try:
                self.clients.dynamodb.update_item(
                    TableName=table.name,
                    Key={PARTITION_KEY: {"S": claim_id}},
                    UpdateExpression=f"SET {TTL_ATTRIBUTE} = :past",
                    ConditionExpression=f"attribute_exists({PARTITION_KEY})",
                    ExpressionAttributeValues={":past": {"N": past}},
                )
            except self.clients.dynamodb.exceptions.ConditionalCheckFailedException:
                continue
            self.notes.append(
                f"set the stored item of claim check {claim_id} in {table.name} to expired, sent it again"
            )
            return True
        return False
