"""Disk tier: storage backends, output file formats and the compute claim.

Every name is loaded on first access (PEP 562): a process that loads results
from the ``local`` backend imports neither the claim nor the cleaners.
"""

from __future__ import annotations

from ..lazyexports import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING, as in smttask/__init__.py

_EXPORTS = {
    "smttask.errors": ["CorruptResultError"],
    "smttask.storage.base": ["StorageBackend", "StoredOutput", "StoredResult"],
    "smttask.storage.inventory": ["Leftover", "StoredEntry"],
    "smttask.storage.claim": ["Claim"],
    "smttask.storage.formats": ["JsonFormat", "NpyFormat", "OutputFormat"],
    "smttask.storage.local": ["LocalStorage"],
}
_LAZY = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)


if TYPE_CHECKING:
    from ..errors import CorruptResultError
    from .base import StorageBackend, StoredOutput, StoredResult
    from .claim import Claim
    from .formats import JsonFormat, NpyFormat, OutputFormat
    from .inventory import Leftover, StoredEntry
    from .local import LocalStorage
