"""The contract between the constructs and the runtime, written once: names, limits, defaults, options.

Standard library only. The constructs import it at synth time (without loading boto3), the Lambda
handlers at run time (without loading aws_cdk), and the local run and the benchmarks use the same
values, so a limit or a variable name has exactly one definition. ``docs/contract.md`` describes the
same contract for readers.
"""

from __future__ import annotations

from enum import StrEnum

# --- Environment variables the constructs set on the functions --------------------------------------

ENV_TABLE_NAME = "CLAIM_CHECK_TABLE_NAME"
ENV_BUCKET_NAME = "CLAIM_CHECK_BUCKET_NAME"
ENV_TTL_SECONDS = "CLAIM_CHECK_TTL_SECONDS"
ENV_COMPRESSION = "CLAIM_CHECK_COMPRESSION"
ENV_INLINE_LIMIT_BYTES = "CLAIM_CHECK_INLINE_LIMIT_BYTES"
ENV_S3_LAYOUT = "CLAIM_CHECK_S3_LAYOUT"
ENV_KEEP_FIELDS = "CLAIM_CHECK_KEEP_FIELDS"
ENV_REDEEMED_GRACE_SECONDS = "CLAIM_CHECK_REDEEMED_GRACE_SECONDS"
"""Retrieval: set, a redeemed claim's expiry is shortened to this many seconds from redemption."""
ENV_EXTENDED_CLIENT_BUCKETS = "CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS"
"""Both: JSON list of ``{"bucket", "prefix", "owner"}``: where SQS Extended Client pointers may point."""
ENV_EXPECTED_BUCKET_OWNER = "CLAIM_CHECK_EXPECTED_BUCKET_OWNER"
"""Both: the account that owns the store's bucket (and, by default, the Extended Client buckets)."""
ENV_MAX_PAYLOAD_BYTES = "CLAIM_CHECK_MAX_PAYLOAD_BYTES"
"""Retrieval: the largest payload read from an object of its own (a ranged GET bounds the read)."""
ENV_FUNCTION_TIMEOUT_SECONDS = "CLAIM_CHECK_FUNCTION_TIMEOUT_SECONDS"
"""Both: the function's timeout, which bounds the AWS clients' timeouts and retries."""
ENV_CLAIM_MAC_KEY_ID = "CLAIM_CHECK_MAC_KEY_ID"
"""Both: the KMS HMAC key (ARN) that the split MACs claim checks with (``GenerateMac``) and the retrieval
verifies them with (``VerifyMac``); unset, claim checks carry no MAC and none is checked."""

POWERTOOLS_SERVICE_NAME = "claim-check"
METRICS_NAMESPACE = "ClaimCheck"
"""CloudWatch namespace of the runtime's metrics (``POWERTOOLS_METRICS_NAMESPACE``)."""
METRIC_FUNCTION_DIMENSION = "FunctionName"
"""Dimension every runtime metric carries besides Powertools' ``service``: the emitting function's name,
so a dashboard shows one flow's claims and not every claim-check function's of the account."""
METRIC_REASON_DIMENSION = "Reason"
"""Dimension of the failure metrics (``SplitFailures``, ``ClaimMisses``, ``ClaimsRejected``): the
:class:`~cdk_claim_check.runtime.errors.ClaimCheckError` reason."""
POWERTOOLS_SERVICE_DIMENSION = "service"
"""The dimension Powertools Metrics adds with the service name."""


class MetricName:
    """The CloudWatch metric names the handlers emit (namespace ``METRICS_NAMESPACE``).

    Split: ``ClaimsIssued``, ``ClaimsInline``, ``ClaimsOffloaded``, ``ClaimsForeignPointer``,
    ``PayloadBytes``, ``BytesStored``, ``CompressionRatio``, ``S3PutRequests``, ``SplitFailures``
    (by ``Reason``). Retrieval: ``ClaimsRedeemed``, ``RedeemedBytes``, ``ClaimMisses`` and
    ``ClaimsRejected`` (by ``Reason``), ``ClaimsExpiryShortened``, ``ExpiryShorteningFailures``,
    ``ExpiryShorteningSkipped``.
    """

    CLAIMS_ISSUED = "ClaimsIssued"
    CLAIMS_INLINE = "ClaimsInline"
    CLAIMS_OFFLOADED = "ClaimsOffloaded"
    CLAIMS_FOREIGN = "ClaimsForeignPointer"
    PAYLOAD_BYTES = "PayloadBytes"
    BYTES_STORED = "BytesStored"
    COMPRESSION_RATIO = "CompressionRatio"
    S3_PUTS = "S3PutRequests"
    SPLIT_FAILURES = "SplitFailures"
    CLAIMS_REDEEMED = "ClaimsRedeemed"
    REDEEMED_BYTES = "RedeemedBytes"
    CLAIM_MISSES = "ClaimMisses"
    CLAIMS_REJECTED = "ClaimsRejected"
    CLAIMS_EXPIRED = "ClaimsExpiryShortened"
    EXPIRY_FAILURES = "ExpiryShorteningFailures"
    EXPIRY_SKIPPED = "ExpiryShorteningSkipped"


POWERTOOLS_ENVIRONMENT: dict[str, str] = {
    "POWERTOOLS_SERVICE_NAME": POWERTOOLS_SERVICE_NAME,
    "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    "POWERTOOLS_LOG_LEVEL": "INFO",
}
"""The Powertools settings both functions get besides the contract's own variables."""

# --- The store's table -----------------------------------------------------------------------------

PARTITION_KEY = "id"
"""The table's partition key (string): the claim id."""
TTL_ATTRIBUTE = "expires_at"
"""The table's TTL attribute (epoch seconds); the retrieval also checks it itself."""

# --- The store's bucket: the prefixes the runtime writes (the functions' S3 grants are confined to them)

PACKED_PREFIX = "packed/"
"""A split batch's offloaded bodies, concatenated into one object (the ``packed`` layout)."""
OBJECT_PREFIX = "objects/"
"""One object per offloaded body (the ``object`` layout): ``objects/<claim id>/<sha256>``."""
STORE_BUCKET_PREFIXES = (PACKED_PREFIX, OBJECT_PREFIX)

# --- Time to live and inline storage ---------------------------------------------------------------

DEFAULT_TTL_SECONDS = 7 * 24 * 3600
MIN_TTL_SECONDS = 60
MAX_TTL_SECONDS = 365 * 24 * 3600
LIFECYCLE_MARGIN_DAYS = 1
"""Days the bucket keeps objects past the time to live, so an item that DynamoDB has not yet expired
(TTL deletion runs late) never points at an object that S3 already removed."""

DEFAULT_INLINE_LIMIT_WITH_BUCKET = 8192
"""Below about 8 KB (after compression) a payload is cheaper as a DynamoDB item (1 KB write units at
$0.625/M) than as an S3 object ($5/M PUTs); above it S3 wins."""
MAX_INLINE_LIMIT_BYTES = 350_000
"""Largest stored body kept inside a DynamoDB item (the item limit is 400 KB, attribute names included)."""
DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024

MAX_KEEP_FIELDS_JSON_CHARS = 2_048
"""``keep_fields`` as JSON stays this short, so it does not crowd the 4 KB Lambda environment."""

# --- Redemption and SQS Extended Client pointers --------------------------------------------------------

DEFAULT_REDEEMED_GRACE_SECONDS = 3600
"""How long a redeemed claim stays redeemable when expiry after retrieval is on. Pipes redelivers a
batch whose target delivery failed after the source queue's visibility timeout, up to its
maxReceiveCount (5 x 30 s .. 5 x 12 min for usual settings): an hour covers those retries and leaves
time to redrive a DLQ'd batch that failed for a transient reason."""
MIN_REDEEMED_GRACE_SECONDS = 60
MAX_REDEEMED_GRACE_SECONDS = 14 * 24 * 3600
"""The SQS maximum retention (14 days): no redelivery comes later than that."""
MAX_EXTENDED_CLIENT_BUCKETS = 10
"""Buckets named for SQS Extended Client pointers per pipe (each entry takes room in the 4 KB environment)."""
AWS_CLIENT_MAX_ATTEMPTS = 3
"""Attempts per AWS call (botocore standard retry mode) inside the functions."""
AWS_CLIENT_MAX_CONNECT_SECONDS = 2
"""Upper bound of the AWS clients' connect timeout; both timeouts shrink with a short function timeout."""

# --- Claim authenticity -----------------------------------------------------------------------------

CLAIM_MAC_ALGORITHM = "HMAC_SHA_256"
"""The KMS MAC algorithm of claim checks; the key must be an HMAC key of spec ``HMAC_256``."""
CLAIM_MAC_KEY_SPEC = "HMAC_256"
"""The KMS key spec the claim signing key must have (key usage ``GENERATE_VERIFY_MAC``)."""
CLAIM_MAC_BYTES = 32
"""Length of an ``HMAC_SHA_256`` MAC (carried base64-encoded, 44 characters)."""

# --- Service limits -----------------------------------------------------------------------------------

SQS_MAX_MESSAGE_BYTES = 1_048_576
"""SQS maximum message size (1 MiB); assumed for queues whose setting cannot be read."""
SQS_MAX_RETENTION_SECONDS = 14 * 24 * 3600
"""The longest SQS keeps a message (14 days): the retention of a dead-letter queue the constructs create."""
SOURCE_MAX_RECEIVE_COUNT = 5
"""Receives before a created source queue moves a message to its DLQ (the Pipes docs advise at least 5)."""
SOURCE_VISIBILITY_TIMEOUT_FACTOR = 6
"""A created source queue's visibility timeout in enrichment function timeouts (room for the target too)."""
MAX_MESSAGE_GROUP_ID_CHARS = 128
"""SQS FIFO ``MessageGroupId``: 1..128 characters (letters, digits and ASCII punctuation)."""
FIFO_FIXED_MESSAGE_GROUP_ID = "claim-check"
"""The one message group a FIFO target gets when no source group can be carried."""
SQS_RECEIVE_MAX_MESSAGES = 10
"""ReceiveMessage returns at most 10 messages per call."""
LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES = 6_291_456
"""Lambda's synchronous request and response limit (6 MB), which bounds a pipe's enrichment call and
a pipe's delivery to a Lambda target."""
PIPE_RECORD_OVERHEAD_BYTES = 2_048
"""Headroom per SQS record in the enrichment request: ids, receipt handle, attributes, JSON escaping."""
STEP_FUNCTIONS_INPUT_LIMIT_BYTES = 262_144
"""Step Functions execution input limit (256 KiB)."""
PER_RECORD_TARGET_MAX_BATCH = 10
"""Pipes batch maximum for event bus, SQS and SNS targets (one target message per record); also the
number of entries one PutEvents or SendMessageBatch call takes."""
SQS_SOURCE_MAX_BATCH = 10_000
"""Pipes SQS source batch maximum (above 10 it needs a batching window of at least 1 second)."""
SQS_SOURCE_MAX_UNWINDOWED_BATCH = 10
MAX_BATCHING_WINDOW_SECONDS = 300
PIPE_S3_LOG_OUTPUT_FORMAT = "json"
"""Format of the pipe's log objects in S3 (Pipes also offers ``plain`` and ``w3c``)."""
MAX_PIPE_FILTERS = 5
"""Pipes takes at most 5 filter patterns per pipe (FilterCriteria)."""
MAX_PIPE_NAME_CHARS = 64
MAX_PIPE_DESCRIPTION_CHARS = 512
LAMBDA_MIN_MEMORY_MB = 128
LAMBDA_MAX_MEMORY_MB = 10_240
LAMBDA_MAX_TIMEOUT_SECONDS = 900
DEFAULT_FUNCTION_TIMEOUT_SECONDS = 30
DEFAULT_FUNCTION_MEMORY_MB = 512


def max_batch_for_enrichment(record_bytes: int) -> int:
    """Largest batch whose records of up to ``record_bytes`` fit the 6 MB enrichment request (or response)."""
    return max(1, LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES // (record_bytes + PIPE_RECORD_OVERHEAD_BYTES))


# --- Options (public enums, exported from the package root) --------------------------------------


class Compression(StrEnum):
    """Compression of stored payloads (``CLAIM_CHECK_COMPRESSION``)."""

    AUTO = "auto"
    """zlib when it makes the stored bytes smaller, otherwise the body as is."""
    NONE = "none"
    """Always store the body as is."""


class S3Layout(StrEnum):
    """How payloads above the inline limit are laid out in the overflow bucket (``CLAIM_CHECK_S3_LAYOUT``)."""

    PACKED = "packed"
    """One S3 object per batch; each claim is redeemed with a ranged GET (fewest PUTs)."""
    OBJECT = "object"
    """One S3 object per payload, referenced in the SQS Extended Client pointer form."""


class PipeLogLevel(StrEnum):
    """How much the pipe writes to its CloudWatch log group (``LogConfiguration.Level``)."""

    OFF = "OFF"
    """No pipe logs (and no pipe log group)."""
    ERROR = "ERROR"
    """Failed executions only."""
    INFO = "INFO"
    """Errors plus the start and end of each execution stage."""
    TRACE = "TRACE"
    """Every step of every execution (verbose; for debugging)."""


class StateMachineInvocation(StrEnum):
    """How a pipe starts a Step Functions target (``StepFunctionStateMachineParameters.InvocationType``)."""

    FIRE_AND_FORGET = "FIRE_AND_FORGET"
    """Start an execution and move on (any workflow type)."""
    REQUEST_RESPONSE = "REQUEST_RESPONSE"
    """Wait for the result (EXPRESS workflows only)."""


class PipeDesiredState(StrEnum):
    """Whether the pipe polls its source once deployed (``DesiredState``)."""

    RUNNING = "RUNNING"
    """Poll the source and deliver (the default)."""
    STOPPED = "STOPPED"
    """Deploy the pipe stopped: messages wait in the source queue until it is started."""
