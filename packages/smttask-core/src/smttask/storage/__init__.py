"""Disk tier: storage backends, output file formats and the compute claim."""

from .base import (
    CorruptResultError,
    Leftover,
    StorageBackend,
    StoredEntry,
    StoredOutput,
    StoredResult,
)
from .claim import Claim
from .formats import JsonFormat, NpyFormat, OutputFormat
from .local import LocalStorage

__all__ = [
    "Claim",
    "CorruptResultError",
    "JsonFormat",
    "Leftover",
    "LocalStorage",
    "NpyFormat",
    "OutputFormat",
    "StorageBackend",
    "StoredEntry",
    "StoredOutput",
    "StoredResult",
]
