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

from .authenticity import ClaimMacKey, KmsMacKey
from .config import ExtendedClientLocation, RuntimeConfig, StoreSettings, load_config
from .contract import DEFAULT_TTL_SECONDS, SQS_MAX_MESSAGE_BYTES, Compression, S3Layout
from .issuing import ClaimRequest, IssuedBatch, issue_batch
from .redeeming import RedeemedPayload, expire_redeemed, redeem_batch
from .storage import AwsClaimStore, ClaimStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

__all__ = ["ClaimCheckClient", "ClaimRequest", "ExtendedClientLocation", "IssuedBatch", "RedeemedPayload"]

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
    :param extended_client_buckets: the only buckets (and key prefixes) whose SQS Extended Client
        pointers are claimed and redeemed; default none (such pointers fail ``pointer_not_allowed``).
        The store's own bucket never counts.
    :param expected_bucket_owner: account sent as ``ExpectedBucketOwner`` on every S3 call to the
        store's bucket; default ``None``: the account of the credentials (STS, looked up once).
    :param max_payload_bytes: the largest payload read from an object of its own (a ranged GET);
        default 1 MiB.
    :param mac_key_id: KMS HMAC key (``HMAC_256``) for claim authenticity: claim checks issued carry
        its MAC, and claim checks redeemed must carry a valid one (else ``forged``); default ``None``,
        no MAC made or checked.
    :param timeout_seconds: bound of one AWS call with all its attempts (connect and read timeouts,
        3 attempts); default ``None``, botocore's defaults. The handlers pass the function timeout.
    :param dynamodb_client: boto3 clients to use; default: created on first use from the
        usual boto3 environment (``AWS_REGION``, ``AWS_ENDPOINT_URL``, ...).
    :param s3_client: boto3 clients to use; default: created on first use from the
        usual boto3 environment (``AWS_REGION``, ``AWS_ENDPOINT_URL``, ...).
    :param kms_client: boto3 KMS client for ``mac_key_id``; default: created on first use.
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
        extended_client_buckets: Sequence[ExtendedClientLocation] = (),
        expected_bucket_owner: str | None = None,
        max_payload_bytes: int = SQS_MAX_MESSAGE_BYTES,
        mac_key_id: str | None = None,
        timeout_seconds: float | None = None,
        dynamodb_client: DynamoDBClient | None = None,
        s3_client: S3Client | None = None,
        kms_client: Any = None,
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
            extended_client_buckets=tuple(extended_client_buckets),
            expected_bucket_owner=expected_bucket_owner,
            max_payload_bytes=max_payload_bytes,
        )
        self._store = store or AwsClaimStore(
            table_name,
            dynamodb=dynamodb_client,
            s3=s3_client,
            bucket_owner=expected_bucket_owner,
            timeout_seconds=timeout_seconds,
        )
        self._mac_key: ClaimMacKey | None = None
        if mac_key_id is not None:
            RuntimeConfig(self.settings, claim_mac_key_id=mac_key_id)  # the same check as the environment's
            self._mac_key = KmsMacKey(mac_key_id, kms=kms_client, timeout_seconds=timeout_seconds)
        self._clock = clock

    @classmethod
    def from_config(cls, config: RuntimeConfig | None = None, **kwargs: Any) -> ClaimCheckClient:
        """A client with the settings of the environment contract (``load_config()`` by default)."""
        config = config or load_config()
        settings = config.store
        return cls(
            settings.table_name,
            settings.bucket_name,
            ttl_seconds=settings.ttl_seconds,
            compression=settings.compression,
            inline_limit_bytes=settings.inline_limit_bytes,
            s3_layout=settings.s3_layout,
            keep_fields=settings.keep_fields,
            extended_client_buckets=settings.extended_client_buckets,
            expected_bucket_owner=settings.expected_bucket_owner,
            max_payload_bytes=settings.max_payload_bytes,
            mac_key_id=config.claim_mac_key_id,
            timeout_seconds=config.function_timeout_seconds,
            **kwargs,
        )

    def put(
        self,
        body: str,
        *,
        message_attributes: Mapping[str, Any] | None = None,
        message_id: str | None = None,
        source_arn: str = "",
        message_group_id: str | None = None,
    ) -> dict[str, Any]:
        """Store ``body`` and return its claim check (wire format v1).

        With ``message_id`` (default ``None``: a random id) the claim id is deterministic, so
        putting the same body again is idempotent and a different body fails with ``conflict``.
        ``message_group_id`` (default none) is carried in the claim check as ``group``.
        """
        request = ClaimRequest(body, message_id, source_arn, message_attributes, message_group_id)
        return self.issue_batch([request]).claim_checks[0]

    def issue_batch(self, requests: Sequence[ClaimRequest]) -> IssuedBatch:
        """Store a batch of bodies (the split handler's operation); claim checks come back in order.

        :raises ClaimCheckError: naming the first record (position, messageId) that cannot be stored.
        """
        return issue_batch(
            self._store, self.settings, requests, now=int(self._clock()), mac_key=self._mac_key
        )

    def redeem(self, claim_check: Any, *, expire_after_seconds: int | None = None) -> RedeemedPayload:
        """Redeem one claim check (the wire object, an EventBridge event holding it, or a JSON
        string of either); see :meth:`redeem_batch` for ``expire_after_seconds`` (default ``None``).

        :raises ClaimCheckError: ``missing``, ``expired``, ``tampered``, ``unknown_version``,
            ``malformed``, ``too_large``, ``pointer_not_allowed`` or ``forged``.
        """
        return self.redeem_batch([claim_check], expire_after_seconds=expire_after_seconds)[0]

    def redeem_batch(
        self,
        claim_checks: Sequence[Any],
        *,
        message_ids: Sequence[str] | None = None,
        expire_after_seconds: int | None = None,
    ) -> list[RedeemedPayload]:
        """Redeem claim checks in order (the retrieval handler's operation).

        ``message_ids`` (default: the claim ids) name the records in errors. With
        ``expire_after_seconds`` (default ``None``: leave the claims alone) each claim's expiry is
        shortened to that many seconds from now once all of them are verified (see :meth:`expire`);
        until then the claims redeem again. A failure to shorten is logged (logger
        ``cdk_claim_check.runtime.client``), not raised, and the payloads are returned.

        :raises ClaimCheckError: naming the first record that cannot be redeemed.
        """
        payloads = redeem_batch(
            self._store,
            self.settings,
            claim_checks,
            message_ids=message_ids,
            now=int(self._clock()),
            mac_key=self._mac_key,
        )
        if expire_after_seconds is not None:
            try:
                self.expire(payloads, expire_after_seconds)
            except Exception:
                # The payloads are in hand, and the claims are whole: they expire by their TTL instead.
                _log.warning("redeemed claims not shortened; they expire by their TTL", exc_info=True)
        return payloads

    def expire(
        self,
        payloads: Sequence[RedeemedPayload],
        after_seconds: int,
        *,
        has_time: Callable[[], bool] | None = None,
    ) -> int:
        """Shorten redeemed claims' expiry to ``after_seconds`` from now; never lengthen it, delete nothing.

        The table's TTL removes the items after that and the bucket's lifecycle rule the objects
        (packed objects are shared by a batch; objects of SQS Extended Client pointers belong to their
        sender). Until then a claim redeems again, exactly: a redelivered batch loses nothing.
        Each claim's update is one attempt; once ``has_time()`` is false the rest are left alone.

        :returns: how many claims were left alone for want of time (they expire by their TTL).
        """
        return expire_redeemed(self._store, payloads, int(self._clock()) + after_seconds, has_time)
