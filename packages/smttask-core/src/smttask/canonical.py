"""The one canonical text of JSON data, and the 128-bit digest of that text."""

from __future__ import annotations

import json
from typing import Any

from .hashes import blake2b

_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True, check_circular=False
)


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept as is: the text every key is hashed from."""
    return _ENCODER.encode(data)


def digest_of(data: Any) -> str:
    """128-bit BLAKE2b digest (32 hex digits) of the canonical text of JSON *data*."""
    return blake2b(canonical_json(data).encode("utf-8"), digest_size=16).hexdigest()
