"""How long a stored payload is billed: what the store's TTL and the bucket's lifecycle rule keep.

- S3: the lifecycle rule expires objects ``ceil(TTL days) + LIFECYCLE_MARGIN_DAYS`` days after they
  are written, and S3 rounds every expiration up to the next midnight UTC (S3 User Guide, "Expiring
  objects"): half a day more on average for objects written at any time of day. S3 does not bill
  storage after the expiration time even when the removal itself comes later.
- DynamoDB: items are billed until TTL deletes them, which AWS says typically happens within a few
  days after expiry (DynamoDB Developer Guide, "Time to Live"); ``DYNAMODB_TTL_LAG_DAYS`` is the
  assumption used here, not a measured figure (nothing here can measure it).
"""

from __future__ import annotations

import math

from cdk_claim_check.runtime.contract import LIFECYCLE_MARGIN_DAYS

DAYS_PER_MONTH = 30
S3_MIDNIGHT_ROUNDING_DAYS = 0.5
"""Mean extra day fraction from rounding each expiration up to the next midnight UTC."""
DYNAMODB_TTL_LAG_DAYS = 2.0
"""Assumed mean delay of TTL deletion after expiry (AWS: "typically within a few days")."""


def _ttl_days() -> float:
    from .designs import construct_defaults  # starts the jsii runtime once; cached after

    return construct_defaults().ttl_days


def s3_storage_days(ttl_days: float | None = None) -> float:
    """Days an object of the store's bucket is billed: its lifecycle expiry plus midnight rounding."""
    days = _ttl_days() if ttl_days is None else ttl_days
    return math.ceil(days) + LIFECYCLE_MARGIN_DAYS + S3_MIDNIGHT_ROUNDING_DAYS


def dynamodb_storage_days(ttl_days: float | None = None) -> float:
    """Days an item is billed: its time to live plus the assumed TTL deletion lag."""
    days = _ttl_days() if ttl_days is None else ttl_days
    return days + DYNAMODB_TTL_LAG_DAYS


def s3_storage_months(ttl_days: float | None = None) -> float:
    return s3_storage_days(ttl_days) / DAYS_PER_MONTH


def dynamodb_storage_months(ttl_days: float | None = None) -> float:
    return dynamodb_storage_days(ttl_days) / DAYS_PER_MONTH
