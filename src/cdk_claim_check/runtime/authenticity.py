"""Claim authenticity: a KMS HMAC over each claim check, made by the split and checked at redemption.

Anyone who may put events on a shared bus can send a claim check. Without a MAC a forged or altered
claim check is caught only by what the store holds (an unknown id is ``missing``, a changed ``bytes``
or ``sha256`` is ``tampered``), and ``metadata``, which bus rules route on, is not checked at all.
With a claim signing key the split asks KMS for ``GenerateMac`` over the whole wire object and the
retrieval asks for ``VerifyMac`` before it reads anything, so only claim checks issued by a holder of
``kms:GenerateMac`` on that key are redeemed.

What the MAC covers (:func:`mac_message`): every field of the wire object except the MAC itself
(``claimCheck``'s ``v``, ``id``, ``bytes``, ``sha256`` and any field a later version adds, and
``metadata``), as canonical JSON (sorted keys, no spaces, ASCII escapes, integral floats written as
integers), hashed with SHA-256 behind a domain prefix; KMS takes messages of at most 4096 bytes, and
the digest keeps every claim check within that. The key id is never read from the claim check.

A MAC does not stop replay: a genuine claim check sent again redeems again (it is meant to, for
redelivery and fan-out) until it expires.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from botocore.exceptions import ClientError

from .contract import CLAIM_MAC_ALGORITHM, CLAIM_MAC_BYTES
from .errors import ClaimCheckError
from .storage import default_kms_client, run_concurrently
from .wire import CLAIM_CHECK_KEY, MAC_KEY, ClaimCheck

MAC_DOMAIN = b"cdk-claim-check/claim-mac/v1\n"
"""Prefix of every MAC message, so a MAC made for a claim check means nothing anywhere else."""


class ClaimMacKey(Protocol):
    """What claim authenticity needs from a key: make a MAC, check one."""

    def generate(self, message: bytes) -> bytes:
        """The MAC of ``message``."""

    def verify(self, message: bytes, mac: bytes) -> bool:
        """True if ``mac`` is the MAC of ``message`` under this key."""


class KmsMacKey:
    """:class:`ClaimMacKey` on a KMS HMAC key (``GenerateMac`` / ``VerifyMac``, ``HMAC_SHA_256``).

    :param key_id: the key's ARN (or id or alias ARN) as the constructs pass it.
    :param kms: a boto3 KMS client; default: the process-wide one, created on first use.
    :param timeout_seconds: bound of one call with its attempts; default ``None``, botocore's defaults.
    """

    def __init__(self, key_id: str, *, kms: Any = None, timeout_seconds: float | None = None) -> None:
        self.key_id = key_id
        self._kms = kms
        self._timeout_seconds = timeout_seconds

    @property
    def kms(self) -> Any:
        if self._kms is None:
            self._kms = default_kms_client(self._timeout_seconds)
        return self._kms

    def generate(self, message: bytes) -> bytes:
        reply = self.kms.generate_mac(KeyId=self.key_id, Message=message, MacAlgorithm=CLAIM_MAC_ALGORITHM)
        return bytes(reply["Mac"])

    def verify(self, message: bytes, mac: bytes) -> bool:
        try:
            reply = self.kms.verify_mac(
                KeyId=self.key_id, Message=message, Mac=mac, MacAlgorithm=CLAIM_MAC_ALGORITHM
            )
        except ClientError as error:
            # KMS answers a wrong MAC with an error, not with MacValid false; anything else (throttling,
            # access denied, an unavailable key) is not a verdict on the claim and is raised.
            if error.response.get("Error", {}).get("Code") == "KMSInvalidMacException":
                return False
            raise
        return bool(reply.get("MacValid"))


def mac_message(wire: Mapping[str, Any]) -> bytes:
    """What the MAC of a wire object is computed over: the domain prefix and the SHA-256 of the
    canonical JSON of the wire object without ``claimCheck.mac``."""
    check = {key: value for key, value in wire.get(CLAIM_CHECK_KEY, {}).items() if key != MAC_KEY}
    unsigned = {**wire, CLAIM_CHECK_KEY: check}
    canonical = json.dumps(
        _canonical(unsigned), sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=True
    )
    return MAC_DOMAIN + hashlib.sha256(canonical.encode()).digest()


def _canonical(value: Any) -> Any:
    # A JSON number may come back through a bus as 1 or 1.0; both sides must hash the same text.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def sign_wires(key: ClaimMacKey, wires: Sequence[dict[str, Any]]) -> None:
    """Add the MAC to each wire object, in place (one KMS call per claim check, side by side)."""
    macs = run_concurrently(lambda wire: key.generate(mac_message(wire)), list(wires))
    for wire, mac in zip(wires, macs, strict=True):
        wire[CLAIM_CHECK_KEY][MAC_KEY] = base64.b64encode(mac).decode("ascii")


def verify_claims(
    key: ClaimMacKey,
    claims: Sequence[tuple[ClaimCheck, Mapping[str, Any]]],
    names: Sequence[str],
) -> None:
    """Check the MAC of every claim check (one KMS call each, side by side) before anything is read.

    :raises ClaimCheckError: ``forged`` naming the first record, in order, without a valid MAC.
    """
    for position, ((check, _), name) in enumerate(zip(claims, names, strict=True)):
        if check.mac is None:
            detail = f"claim {check.id} carries no MAC, and this retrieval requires one"
            raise ClaimCheckError(name, "forged", detail, position)

    def verdict(claim: tuple[ClaimCheck, Mapping[str, Any]]) -> bool:
        check, wire = claim
        assert check.mac is not None  # checked above
        try:
            mac = base64.b64decode(check.mac, validate=True)
        except binascii.Error:
            return False
        # A MAC of the wrong length can never be valid: no KMS call is spent on it.
        return len(mac) == CLAIM_MAC_BYTES and key.verify(mac_message(wire), mac)

    for position, (valid, (check, _), name) in enumerate(
        zip(run_concurrently(verdict, list(claims)), claims, names, strict=True)
    ):
        if not valid:
            detail = f"claim {check.id}: its MAC does not match its contents under the claim signing key"
            raise ClaimCheckError(name, "forged", detail, position)
