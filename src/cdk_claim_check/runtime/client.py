"""``ClaimCheckClient``: issue and redeem claim checks from your own code.

The split and retrieval handlers are thin wrappers around this client, so a Lambda function or
a workflow task that redeems a claim check itself (for example because the payload is too large
for a Step Functions input) gets exactly the behaviour of the retrieval pipe::

    from cdk_claim_check.runtime import ClaimCheckClient

    client = ClaimCheckClient("my-claims-table", "my-overflow-bucket")
    check = client.put('{"orderId": "o-1", "lines": [...]}')
    payload = client.redeem(check)          # also accepts an EventBridge event or a JSON string
    payload.body, payload.value, payload.message_attributes
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .config import RuntimeConfig, StoreSettings, load_config
from .contract import DEFAULT_TTL_SECONDS, Compression, S3Layout
from .issuing import ClaimRequest, IssuedBatch, issue_batch
from .redeeming import RedeemedPayload, delete_redeemed, redeem_batch
from .storage import AwsClaimStore, ClaimStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

__all__ = ["ClaimCheckClient", "ClaimRequest", "IssuedBatch", "RedeemedPayload"]

_log = logging.getLogger(__name__)


class ClaimCheckClient:
    """Issue claim checks for bodies and redeem them, with the store layout of the pipes.

    :param table_name: the claim-check DynamoDB table (partition key ``id``, TTL ``expires_at``).
    :param bucket_name: overflow S3 bucket; default ``None`` (every body stays in its item).
    :param ttl_seconds: claim lifetime; default 604,800 (7 days).
    :param compression: ``auto`` (default, zlib when smaller) or ``none``.
    :param inline_limit_bytes: stored size at or below which a body stays in the item; default
        8192 with a bucket, 350,000 without.
    :param s3_layout: ``packed`` (default) or ``object``.
    :param keep_fields: JSON fields copied into the claim check's ``metadata``; default none.
    :param dynamodb_client: boto3 clients to use; default: created on first use from the
        usual boto3 environment (``AWS_REGION``, ``AWS_ENDPOINT_URL``, ...).
    :param s3_client: boto3 clients to use; default: created on first use from the
        usual boto3 environment (``AWS_REGION``, ``AWS_ENDPOINT_URL``, ...).
    :param store: a :class:`~.store.ClaimStore` replacing the AWS one (the clients are then unused).
    :param clock: epoch-seconds clock for creation and expiry; default ``time.time``.

    :raises ConfigError: for a bad setting, naming its environment variable.
    """

    def __init__(
        self,
        table_name: str,
        bucket_name: str | None = None,
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        compression: Compression = Compression.AUTO,
        inline_limit_bytes: int | None = None,
        s3_layout: S3Layout = S3Layout.PACKED,
        keep_fields: Sequence[str] = (),
        dynamodb_client: DynamoDBClient | None = None,
        s3_client: S3Client | None = None,
        store: ClaimStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = StoreSettings(
            table_name=table_name,
            bucket_name=bucket_name,
            ttl_seconds=ttl_seconds,
            compression=compression,
            inline_limit_bytes=inline_limit_bytes,
            s3_layout=s3_layout,
            keep_fields=tuple(keep_fields),
        )
        self._store = store or AwsClaimStore(table_name, dynamodb=dynamodb_client, s3=s3_client)
        self._clock = clock

    @classmethod
    def from_config(cls, config: RuntimeConfig | None = None, **kwargs: Any) -> ClaimCheckClient:
        """A client with the settings of the environment contract (``load_config()`` by default)."""
        settings = (config or load_config()).store
        return cls(
            settings.table_name,
            settings.bucket_name,
            ttl_seconds=settings.ttl_seconds,
            compression=settings.compression,
            inline_limit_bytes=settings.inline_limit_bytes,
            s3_layout=settings.s3_layout,
            keep_fields=settings.keep_fields,
            **kwargs,
        )

    def put(
        self,
        body: str,
        *,
        message_attributes: Mapping[str, Any] | None = None,
        message_id: str | None = None,
        source_arn: str = "",
    ) -> dict[str, Any]:
        """Store ``body`` and return its claim check (wire format v1).

        With ``message_id`` (default ``None``: a random id) the claim id is deterministic, so
        putting the same body again is idempotent and a different body fails with ``conflict``.
        """
        request = ClaimRequest(body, message_id, source_arn, message_attributes)
        return self.issue_batch([request]).claim_checks[0]

    def issue_batch(self, requests: Sequence[ClaimRequest]) -> IssuedBatch:
        """Store a batch of bodies (the split handler's operation); claim checks come back in order.

        :raises ClaimCheckError: naming the first record (position, messageId) that cannot be stored.
        """
        return issue_batch(self._store, self.settings, requests, now=int(self._clock()))

    def redeem(self, claim_check: Any, *, delete: bool = False) -> RedeemedPayload:
        """Redeem one claim check (the wire object, an EventBridge event holding it, or a JSON
        string of either); with ``delete=True`` (default ``False``) the claim is deleted after.

        :raises ClaimCheckError: ``missing``, ``expired``, ``tampered``, ``unknown_version`` or ``malformed``.
        """
        return self.redeem_batch([claim_check], delete=delete)[0]

    def redeem_batch(
        self, claim_checks: Sequence[Any], *, message_ids: Sequence[str] | None = None, delete: bool = False
    ) -> list[RedeemedPayload]:
        """Redeem claim checks in order (the retrieval handler's operation).

        ``message_ids`` (default: the claim ids) name the records in errors. With ``delete=True``
        (default ``False``) the claims are deleted once all of them are verified; a failed delete is
        logged (logger ``cdk_claim_check.runtime.client``), not raised, and the payloads are returned.

        :raises ClaimCheckError: naming the first record that cannot be redeemed.
        """
        payloads = redeem_batch(self._store, claim_checks, message_ids=message_ids, now=int(self._clock()))
        if delete:
            try:
                self.delete(payloads)
            except Exception:
                # The payloads are in hand: raising would lose them, for the claims deleted before the
                # failure cannot be redeemed again. What is left expires by TTL (and lifecycle).
                _log.warning("redeemed claims not deleted; they expire by TTL", exc_info=True)
        return payloads

    def delete(self, payloads: Sequence[RedeemedPayload]) -> None:
        """Delete redeemed claims: items, and the objects of their own (``object`` layout).

        Packed objects are shared by a batch and expire by the bucket's lifecycle rule; objects
        named by a foreign SQS Extended Client pointer belong to their sender and are kept.
        """
        delete_redeemed(self._store, payloads)
