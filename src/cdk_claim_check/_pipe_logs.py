"""Where a pipe's log records go (CloudWatch Logs, S3, Firehose) and what its role needs for each.

The grants follow what the CDK's own ``aws-pipes-alpha`` log destinations give a pipe role: write on
the log group, ``s3:PutObject`` on the bucket's objects, ``firehose:PutRecord(Batch)`` on the stream.
Those grants cannot be checked here against AWS (nothing is deployed); they are the documented shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_s3 as s3

from ._kms_grants import bucket_key_statement
from ._nag import acknowledge_wildcard_resource
from ._pipe_options import PipeOptions
from ._resource_identity import same_bucket
from .extended_client import ExtendedClientBucket
from .runtime.contract import PIPE_S3_LOG_OUTPUT_FORMAT, PipeLogLevel

_S3_LOG_OBJECTS_REASON = (
    "Pipes names its log objects itself; the pipe role may put objects only under pipe_log_bucket_prefix "
    "of the pipe_log_bucket (the whole bucket when no prefix is given)."
)


@dataclass(frozen=True)
class PipeLogs:
    """A pipe's log configuration and the log group it writes to (None: no CloudWatch destination)."""

    configuration: pipes.CfnPipe.PipeLogConfigurationProperty | None
    log_group: logs.ILogGroup | None


def check_log_destinations(options: PipeOptions, store_bucket: s3.IBucket | None) -> None:
    """Refuse destination props that contradict each other, naming them and the fix (their kinds are
    checked with every prop's, by :func:`~._prop_types.check_props`)."""
    given = [
        prop
        for prop, value in (
            ("pipe_log_group", options["pipe_log_group"]),
            ("pipe_log_bucket", options["pipe_log_bucket"]),
            ("pipe_log_bucket_prefix", options["pipe_log_bucket_prefix"]),
            ("pipe_log_delivery_stream", options["pipe_log_delivery_stream"]),
            ("pipe_log_include_execution_data", options["pipe_log_include_execution_data"] or None),
        )
        if value is not None
    ]
    if options["pipe_log_level"] is PipeLogLevel.OFF:
        if given:
            raise ValueError(
                f"pipe_log_level is OFF, so {', '.join(given)} would never be used; drop "
                f"{'it' if len(given) == 1 else 'them'}, or set pipe_log_level to ERROR, INFO or TRACE"
            )
        return
    if options["pipe_log_bucket_prefix"] is not None and options["pipe_log_bucket"] is None:
        raise ValueError(
            "pipe_log_bucket_prefix is set without pipe_log_bucket; pass the bucket or drop the prefix"
        )
    _check_prefix(options["pipe_log_bucket_prefix"])
    if not options["pipe_log_to_cloudwatch"]:
        if options["pipe_log_group"] is not None:
            raise ValueError("pipe_log_group is set but pipe_log_to_cloudwatch=False; drop one of them")
        if options["pipe_log_bucket"] is None and options["pipe_log_delivery_stream"] is None:
            raise ValueError(
                "pipe_log_to_cloudwatch=False leaves the pipe no log destination; pass pipe_log_bucket or "
                "pipe_log_delivery_stream, or pipe_log_level=PipeLogLevel.OFF to write no pipe logs"
            )
    bucket = options["pipe_log_bucket"]
    if bucket is None:
        return
    if store_bucket is not None and same_bucket(bucket, store_bucket):
        raise ValueError(
            "pipe_log_bucket is the store's own bucket, whose lifecycle rule deletes objects after the "
            "time to live and which the retrieval role reads; pass a bucket of its own for the pipe's logs"
        )
    for entry in options["extended_client_buckets"]:
        if same_bucket(bucket, entry.bucket if isinstance(entry, ExtendedClientBucket) else entry):
            raise ValueError(
                "pipe_log_bucket is also in extended_client_buckets: the retrieval would honour pointers "
                "to the pipe's own log objects (which may hold payloads); give the logs a bucket of their own"
            )


def _check_prefix(prefix: object) -> None:
    if prefix is None or (isinstance(prefix, str) and Token.is_unresolved(prefix)):
        return
    if not isinstance(prefix, str) or not prefix or prefix.startswith("/") or "*" in prefix:
        raise ValueError(
            f"pipe_log_bucket_prefix={prefix!r} is not a key prefix; pass one like 'pipes/orders/' "
            "(not empty, no leading '/', no '*')"
        )


def build_pipe_logs(
    options: PipeOptions, role: iam.Role, make_log_group: Callable[[], logs.LogGroup]
) -> PipeLogs:
    """The log configuration of ``options`` (already checked), with the grants ``role`` needs."""
    level = options["pipe_log_level"]
    if level is PipeLogLevel.OFF:
        return PipeLogs(configuration=None, log_group=None)
    log_group: logs.ILogGroup | None = None
    cloudwatch = None
    if options["pipe_log_to_cloudwatch"]:
        log_group = options["pipe_log_group"] or make_log_group()
        log_group.grant_write(role)
        cloudwatch = pipes.CfnPipe.CloudwatchLogsLogDestinationProperty(log_group_arn=log_group.log_group_arn)
    stream = options["pipe_log_delivery_stream"]
    firehose = None
    if stream is not None:
        stream.grant_put_records(role)
        firehose = pipes.CfnPipe.FirehoseLogDestinationProperty(
            delivery_stream_arn=stream.delivery_stream_arn
        )
    configuration = pipes.CfnPipe.PipeLogConfigurationProperty(
        level=level.value,
        include_execution_data=["ALL"] if options["pipe_log_include_execution_data"] else None,
        cloudwatch_logs_log_destination=cloudwatch,
        firehose_log_destination=firehose,
        s3_log_destination=_s3_destination(options, role),
    )
    return PipeLogs(configuration=configuration, log_group=log_group)


def _s3_destination(options: PipeOptions, role: iam.Role) -> pipes.CfnPipe.S3LogDestinationProperty | None:
    bucket = options["pipe_log_bucket"]
    if bucket is None:
        return None
    prefix = options["pipe_log_bucket_prefix"]
    objects = bucket.arn_for_objects(f"{prefix or ''}*")
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=[objects]))
    if bucket.encryption_key is not None:
        role.add_to_principal_policy(
            bucket_key_statement(
                role, bucket.encryption_key, bucket, "kms:GenerateDataKey", f"{prefix or ''}*"
            )
        )
    acknowledge_wildcard_resource(role, objects, _S3_LOG_OBJECTS_REASON)
    return pipes.CfnPipe.S3LogDestinationProperty(
        bucket_name=bucket.bucket_name,
        bucket_owner=bucket.env.account,
        output_format=PIPE_S3_LOG_OUTPUT_FORMAT,
        prefix=prefix,
    )
