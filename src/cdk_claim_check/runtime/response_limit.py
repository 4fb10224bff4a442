"""The 6 MB bound on an enrichment response: the retrieval's payloads must fit what Pipes accepts (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .contract import LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES
from .errors import ClaimCheckError

# For ``compact_json_size_bound``: every digit becomes "0" and "e"/"E" becomes "\x01" (a byte that
# JSON text never holds raw), so that plain substring counts find exponents and long digit runs.
_NUMBER_SHAPES = bytes.maketrans(b"0123456789eE", b"0000000000\x01\x01")
_CONTROL_CHARACTERS = bytes(range(0x20))


def compact_json_size_bound(body: str, value: Any) -> int | None:
    """An upper bound on the compact UTF-8 JSON size of ``value``, the retrieval result of ``body``
    (the string itself, or the JSON object or array it parsed to), or ``None`` when no cheap bound
    is known. Costs a few C-speed scans of the body instead of serialising the value.

    - A string: its UTF-8 bytes and two quotes, plus one byte per ``"`` or ``\\`` and at most five
      per control character (``\\u001f``); nothing else is escaped with ``ensure_ascii=False``.
    - Parsed JSON, written back compactly: whitespace goes, strings and keys come back no longer
      (an escape decodes to at most the bytes it took; ``\\uXXXX`` of a control character stays
      six bytes), integers keep their digits. Only floats can grow: one with an exponent by at most
      14 bytes (``1e15`` is written ``1000000000000000.0``), one without by at most 3 and only with
      17 or more integer digits (``12345678901234567.5`` is ``1.2345678901234568e+16``). Every
      exponent is a digit followed by ``e``/``E`` and every such float holds a run of 17 digits, so
      counting those (in strings too) bounds the growth. An escaped surrogate (``\\ud800``) gets
      no bound: a lone one cannot be written as UTF-8, which the exact count reports.
    """
    try:
        raw = body.encode("utf-8")
    except UnicodeEncodeError:  # a raw lone surrogate: no bound, the exact count reports it
        return None
    if isinstance(value, str):
        controls = len(raw) - len(raw.translate(None, _CONTROL_CHARACTERS))
        return len(raw) + 2 + raw.count(b'"') + raw.count(b"\\") + 5 * controls
    if b"\\" in raw and (b"\\ud" in raw or b"\\uD" in raw):
        return None
    shapes = raw.translate(_NUMBER_SHAPES)
    return len(raw) + 14 * shapes.count(b"0\x01") + 3 * shapes.count(b"0" * 17)


def check_enrichment_response(
    values: Sequence[Any], message_ids: Sequence[str], bodies: Sequence[str] | None = None
) -> None:
    """Fail naming the first record that the response cannot hold: ``too_large`` for the one whose
    payload takes it past 6 MB, ``malformed`` for one that cannot be written as UTF-8 JSON (a lone
    surrogate, escaped in a JSON body).

    Counts the compact UTF-8 JSON of the values: the least the response can weigh, so a batch is
    never refused for a size Pipes would have taken. With ``bodies`` (the bodies the values were
    restored from), a batch whose size bound (``compact_json_size_bound``) is within the limit is
    accepted without serialising the values; otherwise they are counted exactly.
    """
    if bodies is not None:
        bound = 1 + len(values)  # the brackets and the commas, over-counted by one
        for body, value in zip(bodies, values, strict=True):
            size = compact_json_size_bound(body, value)
            if size is None:
                break
            bound += size
        else:
            if bound <= LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
                return
    total = 2  # the brackets of the array
    for position, (value, message_id) in enumerate(zip(values, message_ids, strict=True)):
        try:
            total += len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()) + 1
        except UnicodeEncodeError:
            raise ClaimCheckError(
                message_id,
                "malformed",
                "the payload holds a lone surrogate (an escaped \\ud800-\\udfff without its pair), "
                "so it cannot be written as the UTF-8 JSON of an enrichment response",
                position,
            ) from None
        if total > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
            raise ClaimCheckError(
                message_id,
                "too_large",
                f"the payloads up to this record weigh {total} bytes, over the 6 MB enrichment response "
                "limit; lower the retrieval pipe's batch size",
                position,
            )
