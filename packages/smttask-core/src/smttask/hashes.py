"""The BLAKE2 hash functions that keys, fingerprints and temporary file names use.

They are ``hashlib.blake2b`` and ``hashlib.blake2s``, taken from the module
hashlib itself takes them from: importing hashlib also loads OpenSSL's
library for its other algorithms, some 2-3 ms of every short process.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b, blake2s
except ImportError:  # an interpreter that builds them otherwise
    from hashlib import blake2b, blake2s

__all__ = ["blake2b", "blake2s"]
