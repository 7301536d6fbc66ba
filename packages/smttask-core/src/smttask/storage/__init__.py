"""Disk tier: storage backends, output file formats and the compute claim."""

from ..errors import CorruptResultError
from .base import (
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
