"""Service limits the constructs check at synth time (see DESIGN.md, "Limits")."""

from __future__ import annotations

SQS_MAX_MESSAGE_BYTES = 1_048_576
"""SQS maximum message size (1 MiB); assumed for queues whose setting cannot be read."""

ENRICHMENT_PAYLOAD_LIMIT_BYTES = 6_291_456
"""Lambda synchronous request/response limit (6 MB), which bounds a pipe's enrichment call."""

PIPE_RECORD_OVERHEAD_BYTES = 2_048
"""Headroom per SQS record in the enrichment request: receipt handle, attributes, JSON escaping."""

STEP_FUNCTIONS_INPUT_LIMIT_BYTES = 262_144
"""Step Functions execution input limit (256 KiB)."""

PER_RECORD_TARGET_MAX_BATCH = 10
"""Pipes batch maximum for event bus, SQS and SNS targets (one target message per record)."""

SQS_SOURCE_MAX_BATCH = 10_000
"""Pipes SQS source batch maximum (above 10 it needs a batching window of at least 1 second)."""

SQS_SOURCE_MAX_UNWINDOWED_BATCH = 10
MAX_BATCHING_WINDOW_SECONDS = 300

MIN_TTL_SECONDS = 60
MAX_TTL_SECONDS = 31_536_000
MAX_INLINE_LIMIT_BYTES = 350_000
"""Largest stored body kept inside a DynamoDB item (the item limit is 400 KB, attribute names included)."""
