"""ClaimCheckStore: the DynamoDB table and the optional S3 overflow bucket that hold payloads."""

from __future__ import annotations

import math
from typing import Protocol, runtime_checkable

from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ._claim_signing import GENERATE_MAC, VERIFY_MAC, check_claim_signing_key, claim_signing_statement
from ._nag import (
    BUCKET_FINDINGS,
    SSE_S3_REASON,
    TABLE_FINDINGS,
    UNLOGGED_BUCKET_REASON,
    acknowledge,
    acknowledge_compliance_findings,
)
from ._prop_types import checked_props, real_key
from .runtime.contract import (
    DEFAULT_TTL_SECONDS,
    LIFECYCLE_MARGIN_DAYS,
    MAX_TTL_SECONDS,
    MIN_TTL_SECONDS,
    PARTITION_KEY,
    TTL_ATTRIBUTE,
)

DEFAULT_TIME_TO_LIVE = Duration.seconds(DEFAULT_TTL_SECONDS)
_REMOVAL_POLICIES = (RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, RemovalPolicy.DESTROY)


def validate_time_to_live(time_to_live: Duration, prop: str = "time_to_live") -> int:
    """Seconds of ``time_to_live``; ValueError naming ``prop`` when outside 60 s .. 365 days."""
    seconds = int(time_to_live.to_seconds())
    if not MIN_TTL_SECONDS <= seconds <= MAX_TTL_SECONDS:
        raise ValueError(
            f"{prop}={seconds} seconds is outside 60 seconds .. 365 days; "
            "pass a Duration in that range, e.g. Duration.days(7)"
        )
    return seconds


@runtime_checkable
class IClaimCheckStore(Protocol):
    """What a pipe needs of a store: a :class:`ClaimCheckStore`, or :meth:`ClaimCheckStore.from_table`."""

    @property
    def table(self) -> dynamodb.ITable:
        """The DynamoDB table (partition key ``id``, TTL attribute ``expires_at``)."""
        ...

    @property
    def bucket(self) -> s3.IBucket | None:
        """The S3 overflow bucket, or None when the store has none."""
        ...

    @property
    def time_to_live(self) -> Duration:
        """How long stored payloads can be redeemed (the bucket expires objects a day after it)."""
        ...

    @property
    def encryption_key(self) -> kms.IKey | None:
        """The customer managed key of the table and bucket, if any."""
        ...


def check_table_schema(table: dynamodb.ITable) -> None:
    """For a table defined in the app: partition key ``id`` (string), no sort key, TTL on ``expires_at``.

    ValueError naming the ``table`` prop and the fix; an imported table cannot be read and is trusted.
    """
    cfn = table.node.default_child if isinstance(table, (dynamodb.Table, dynamodb.TableV2)) else None
    if not isinstance(cfn, (dynamodb.CfnTable, dynamodb.CfnGlobalTable)):
        return
    resolve = Stack.of(table).resolve
    keys = {key["keyType"]: key["attributeName"] for key in resolve(cfn.key_schema) or []}
    types = {
        item["attributeName"]: item["attributeType"] for item in resolve(cfn.attribute_definitions) or []
    }
    ttl = resolve(cfn.time_to_live_specification) or {}
    fix = (
        f"create it with partition_key=dynamodb.Attribute(name={PARTITION_KEY!r}, "
        f"type=dynamodb.AttributeType.STRING), no sort key and time_to_live_attribute={TTL_ATTRIBUTE!r}, "
        "or let ClaimCheckStore create the table"
    )
    partition = keys.get("HASH")
    if partition != PARTITION_KEY or types.get(partition) != "S":
        raise ValueError(
            f"table: partition key is {partition!r} ({types.get(partition)}), but claims are stored under "
            f"{PARTITION_KEY!r} (S); {fix}"
        )
    if "RANGE" in keys:
        raise ValueError(
            f"table: has sort key {keys['RANGE']!r}, but claims are read by {PARTITION_KEY!r} alone; {fix}"
        )
    if ttl.get("attributeName") != TTL_ATTRIBUTE or ttl.get("enabled") is not True:
        raise ValueError(
            f"table: TTL is not enabled on {TTL_ATTRIBUTE!r} (found {ttl.get('attributeName')!r}), so "
            f"expired claims would never be removed; {fix}"
        )


def check_store(store: object) -> IClaimCheckStore:
    """``store`` as a pipe takes it; TypeError with the fix for a plain table or anything else."""
    if isinstance(store, IClaimCheckStore):
        return store
    if isinstance(getattr(store, "table_arn", None), str):
        raise TypeError(
            "store: got a DynamoDB table; wrap an existing table (and bucket) as a store: "
            "store=ClaimCheckStore.from_table(self, 'Store', table=my_table, bucket=my_bucket)"
        )
    raise TypeError(
        f"store: got {type(store).__name__}; pass a ClaimCheckStore, or ClaimCheckStore.from_table(...) "
        "for a table you already have"
    )


def check_table_home(scope: Construct, table: dynamodb.ITable) -> None:
    """ValueError when ``table`` is known to live in another region or account than ``scope``'s stack:
    the functions address the table by name, which finds a table of their own region and account."""
    stack = Stack.of(scope)
    region, account = table.env.region, table.env.account
    if not Token.is_unresolved(table.table_arn):  # imported by ARN: its env is the stack's, its ARN says
        _, _, _, region, account, _ = table.table_arn.split(":", 5)
    for what, theirs, ours in (("region", region, stack.region), ("account", account, stack.account)):
        if not Token.is_unresolved(theirs) and not Token.is_unresolved(ours) and theirs != ours:
            raise ValueError(
                f"store: the table is in {what} {theirs}, but this pipe deploys to {what} {ours}; the "
                f"functions find the table by name in their own {what}: use a table there (a global table "
                "replica, say), or put the pipe in the table's region and account"
            )


class _StoreAttributes(Construct):
    """The attributes every store has (:class:`IClaimCheckStore`), however it was made."""

    _table: dynamodb.ITable
    _bucket: s3.IBucket | None
    _time_to_live: Duration
    _encryption_key: kms.IKey | None

    @property
    def table(self) -> dynamodb.ITable:
        """The DynamoDB table (partition key ``id``, TTL attribute ``expires_at``)."""
        return self._table

    @property
    def bucket(self) -> s3.IBucket | None:
        """The S3 overflow bucket, or None when the store has none."""
        return self._bucket

    @property
    def time_to_live(self) -> Duration:
        """How long stored payloads can be redeemed."""
        return self._time_to_live

    @property
    def encryption_key(self) -> kms.IKey | None:
        """The customer managed key of the table and bucket, if any."""
        return self._encryption_key

    @checked_props
    def grant_issue(self, grantee: iam.IGrantable, *, claim_signing_key: kms.IKey | None = None) -> None:
        """Let ``grantee`` (your own function using ``ClaimCheckClient.put``) issue claims: exactly the
        split function's calls (PutItem, PutObject, and the keys' actions behind them), no reads.

        :param grantee: the principal, e.g. a ``lambda_.Function``.
        :param claim_signing_key: the pipes' HMAC key, when claim checks are MACed (pass its ARN as
            ``ClaimCheckClient(mac_key_id=...)``): adds ``kms:GenerateMac`` on it. Default: None.
        """
        from ._store_grants import writer_statements  # imports this module

        statements = writer_statements(_grant_scope(self, grantee), self)
        for statement in statements + _signing_statements(claim_signing_key, GENERATE_MAC):
            grantee.grant_principal.add_to_principal_policy(statement)

    @checked_props
    def grant_redeem(self, grantee: iam.IGrantable, *, claim_signing_key: kms.IKey | None = None) -> None:
        """Let ``grantee`` (your own function using ``ClaimCheckClient.redeem``) redeem claims: exactly
        the retrieval function's reads (BatchGetItem, GetObject, and kms:Decrypt), no writes.

        :param grantee: the principal, e.g. a ``lambda_.Function``.
        :param claim_signing_key: the pipes' HMAC key, when claim checks are MACed (pass its ARN as
            ``ClaimCheckClient(mac_key_id=...)``): adds ``kms:VerifyMac`` on it. Default: None.
        """
        from ._store_grants import reader_statements  # imports this module

        statements = reader_statements(
            _grant_scope(self, grantee), self, expire_after_retrieval=False, extended_client_buckets=()
        )
        for statement in statements + _signing_statements(claim_signing_key, VERIFY_MAC):
            grantee.grant_principal.add_to_principal_policy(statement)


def _signing_statements(key: kms.IKey | None, action: str) -> list[iam.PolicyStatement]:
    checked = check_claim_signing_key(key)
    return [] if checked is None else [claim_signing_statement(checked, action)]


class ClaimCheckStore(_StoreAttributes):
    """Where the claim-check payloads live: a DynamoDB table and, by default, an S3 overflow bucket.

    The table is on-demand, keyed by ``id`` (string), expires items through the TTL attribute
    ``expires_at``, has point-in-time recovery and is encrypted (AWS-managed key unless
    ``encryption_key`` is given). The bucket blocks public access, refuses non-TLS requests, is
    encrypted, and expires objects one day after the time to live. Both are retained when the
    stack is deleted unless ``removal_policy`` says otherwise (they hold data).

    Use :meth:`from_table` to wrap a table (and bucket) that already exist.
    """

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        overflow_bucket: bool = True,
        time_to_live: Duration = DEFAULT_TIME_TO_LIVE,
        encryption_key: kms.IKey | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        point_in_time_recovery: bool = True,
        server_access_logs_bucket: s3.IBucket | None = None,
    ) -> None:
        """Create the table and, unless turned off, the overflow bucket.

        :param scope: parent construct.
        :param id: construct id.
        :param overflow_bucket: create the S3 bucket for payloads that are cheaper in S3 or do not fit in
            a DynamoDB item. Default: True. Without it every payload must fit in an item (350,000 bytes
            after compression), and the split pipes' ``inline_limit_bytes`` and ``s3_layout`` cannot be set.
        :param time_to_live: how long a stored payload can be redeemed; the table's TTL and the bucket's
            lifecycle expiry (plus one day) follow it, and split pipes use it as their default.
            Default: 7 days. Range: 60 seconds to 365 days.
        :param encryption_key: customer managed KMS key for the table and the bucket. Default: None, the
            table uses the AWS-managed DynamoDB key and the bucket SSE-S3.
        :param removal_policy: what happens to the table and the bucket when they leave the stack.
            Default: RemovalPolicy.RETAIN (they hold data). DESTROY fails on a bucket that is not empty.
        :param point_in_time_recovery: continuous backups of the table. Default: True.
        :param server_access_logs_bucket: bucket that receives the overflow bucket's S3 access logs.
            Default: None (no access logs; use CloudTrail data events to audit object access).
            Conflicts with ``overflow_bucket=False``.
        """
        super().__init__(scope, id)
        ttl_seconds = validate_time_to_live(time_to_live)
        if removal_policy not in _REMOVAL_POLICIES:
            raise ValueError(
                f"removal_policy={removal_policy!r} is not supported by DynamoDB tables and S3 buckets (no "
                "snapshots); pass RemovalPolicy.RETAIN, RETAIN_ON_UPDATE_OR_DELETE or DESTROY"
            )
        if server_access_logs_bucket is not None and not overflow_bucket:
            raise ValueError(
                "server_access_logs_bucket is set but overflow_bucket=False: there is no bucket to log; "
                "drop server_access_logs_bucket or set overflow_bucket=True"
            )
        encryption_key = real_key("ClaimCheckStore", "encryption_key", encryption_key)
        self._time_to_live = time_to_live
        self._encryption_key = encryption_key
        self._table: dynamodb.ITable = self._create_table(
            encryption_key, removal_policy, point_in_time_recovery
        )
        acknowledge_compliance_findings(self, TABLE_FINDINGS)
        self._bucket: s3.IBucket | None = None
        if overflow_bucket:
            self._bucket = self._create_bucket(
                ttl_seconds, encryption_key, removal_policy, server_access_logs_bucket
            )

    def _create_table(
        self, encryption_key: kms.IKey | None, removal_policy: RemovalPolicy, point_in_time_recovery: bool
    ) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=point_in_time_recovery
            ),
            encryption=(
                dynamodb.TableEncryption.AWS_MANAGED
                if encryption_key is None
                else dynamodb.TableEncryption.CUSTOMER_MANAGED
            ),
            encryption_key=encryption_key,
            removal_policy=removal_policy,
        )

    def _create_bucket(
        self,
        ttl_seconds: int,
        encryption_key: kms.IKey | None,
        removal_policy: RemovalPolicy,
        server_access_logs_bucket: s3.IBucket | None,
    ) -> s3.Bucket:
        expiry_days = math.ceil(ttl_seconds / 86_400) + LIFECYCLE_MARGIN_DAYS
        bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            encryption=s3.BucketEncryption.S3_MANAGED if encryption_key is None else s3.BucketEncryption.KMS,
            encryption_key=encryption_key,
            bucket_key_enabled=encryption_key is not None,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireClaimCheckPayloads",
                    expiration=Duration.days(expiry_days),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            server_access_logs_bucket=server_access_logs_bucket,
            removal_policy=removal_policy,
        )
        findings = dict(BUCKET_FINDINGS)
        if server_access_logs_bucket is not None:
            del findings["S3BucketLoggingEnabled"]
        if encryption_key is None:
            findings["S3DefaultEncryptionKMS"] = SSE_S3_REASON
        acknowledge_compliance_findings(self, findings)
        if server_access_logs_bucket is None:
            acknowledge(bucket, "AwsSolutions-S1", UNLOGGED_BUCKET_REASON)
        return bucket

    @classmethod
    @checked_props
    def from_table(
        cls,
        scope: Construct,
        id: str,
        *,
        table: dynamodb.ITable,
        bucket: s3.IBucket | None = None,
        time_to_live: Duration = DEFAULT_TIME_TO_LIVE,
    ) -> IClaimCheckStore:
        """Use a table (and optionally a bucket) you already have as the store; nothing is created.

        The pipes treat it as a created store: the same grants, and the same checks of
        ``time_to_live`` against the split's and the source queues' retention.

        :param table: table with partition key ``id`` (string), no sort key, and TTL on the attribute
            ``expires_at`` (checked for a table defined in the app; an imported table must have them).
            Pass its ``encryption_key`` through ``Table.from_table_attributes`` when it
            uses a customer managed key, so the functions get kms permissions.
        :param bucket: existing overflow bucket. Default: None (payloads must fit in items). Its
            lifecycle rule should expire objects no sooner than a day after ``time_to_live``.
        :param time_to_live: how long payloads are kept; split pipes use it by default and may not
            exceed it. Default: 7 days. Range: 60 seconds to 365 days.
        """
        return _ExistingStore(scope, id, table=table, bucket=bucket, time_to_live=time_to_live)


class _ExistingStore(_StoreAttributes):
    """A store made of a table (and bucket) that exist already (see :meth:`ClaimCheckStore.from_table`)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        table: dynamodb.ITable,
        bucket: s3.IBucket | None,
        time_to_live: Duration,
    ) -> None:
        super().__init__(scope, id)
        validate_time_to_live(time_to_live)
        check_table_schema(table)
        self._table = table
        self._bucket = bucket
        self._time_to_live = time_to_live
        self._encryption_key = table.encryption_key


def _grant_scope(store: Construct, grantee: iam.IGrantable) -> Construct:
    """Where a grant's cdk-nag acknowledgements go: on the grantee when it is a construct (its role's
    policy holds the statements), else on the store."""
    return grantee if isinstance(grantee, Construct) else store
