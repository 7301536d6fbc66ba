"""Large array inputs stored once, content-addressed, beside the results, and referenced by hash.

An array input of more than ``array_inline_max`` bytes (a project setting, 1 MiB
by default) is written once as ``<data>/.arrays/<xxh3>.npy``, named by the
XXH3-128 hash of its raw bytes (the hash its task key already uses), and a task
file or record holds only a reference::

    {"$type": "ndarray.stored", "value": {"dtype": "<f8", "shape": [2000000], "xxh3_128": "…"}}

So a task's key is the same whether its array is written inline or referenced.
A file that is already there is not written again (the same hash is the same
bytes), and every file is written atomically.

Reading a reference is reading data: the file name is built from the hash (32
hex digits, checked), never taken from the task file; the ``.npy`` header is
checked by :mod:`smttask.storage.npyfile` (no pickle, no object dtype, exactly
the declared size), and dtype, shape and hash must be the reference's. A missing
array is one :class:`~smttask.errors.MissingArrayError` line naming the file and
what to do.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._optional import require_numpy
from .errors import CorruptResultError, DeserializationError, MissingArrayError
from .files import atomic_path, make_dirs
from .serializers import Decode, JSONValue, Serializer
from .storage import npyfile
from .storage.formats import NpyFormat
from .text import shown
from .typing import ArraySerializer, plain_dtype

if TYPE_CHECKING:
    from .project import Project

#: The directory under the project's data directory holding stored arrays (a dot name: no task has it).
ARRAYS_DIR = ".arrays"
#: The ``$type`` tag of a reference to a stored array.
TAG = "ndarray.stored"
_FIELDS = frozenset(("dtype", "shape", "xxh3_128"))
_DIGEST = re.compile(r"[0-9a-f]{32}")
#: Most dimensions a reference may declare (NumPy's own limit is 64).
MAX_NDIM = 64
_KEYS = ArraySerializer()
_NPY = NpyFormat()


class StoredArrays:
    """The stored arrays of one project: ``<data>/.arrays/<xxh3>.npy``.

    *inline_max* is the largest array (in bytes) :meth:`reference` leaves inline.
    """

    def __init__(self, directory: Path, inline_max: int) -> None:
        self.directory = directory
        self.inline_max = inline_max

    @classmethod
    def of(cls, project: Project, inline_max: int | None = None) -> StoredArrays:
        """The stored arrays of *project*; *inline_max* defaults to its ``array_inline_max`` setting."""
        limit = project.config.array_inline_max if inline_max is None else inline_max
        return cls(project.data_dir / ARRAYS_DIR, limit)

    def path(self, digest: str) -> Path:
        """The file of the array whose raw bytes hash to *digest*."""
        return self.directory / f"{digest}.npy"

    def reference(self, value: Any) -> JSONValue | None:
        """A reference to *value*, stored now if it is a large array not stored yet; None to write it inline.

        Used as the ``value_hook`` of :func:`smttask.encoding.encode` when a task
        file or record is written.
        """
        t = type(value)
        if not (t.__module__ == "numpy" and t.__name__ == "ndarray") or value.nbytes <= self.inline_max:
            return None
        if not npyfile.storable(value.dtype):
            return None
        data = _KEYS.key(value, None)
        target = self.path(data["xxh3_128"])
        if not target.is_file():
            make_dirs(self.directory)
            with atomic_path(target) as tmp:
                _NPY.write(value, tmp, None)
        return {"$type": TAG, "value": data}

    def load(self, data: Any) -> Any:
        """The array a reference read from a file names, checked against it (see the module docstring)."""
        np = require_numpy()
        if not isinstance(data, dict) or set(data) != _FIELDS:
            raise DeserializationError(
                f"a stored-array reference must have exactly the fields dtype, shape and xxh3_128, got {shown(data)}"
            )
        digest, shape = data["xxh3_128"], data["shape"]
        if not (isinstance(digest, str) and _DIGEST.fullmatch(digest)):
            raise DeserializationError(f"a stored array's xxh3_128 must be 32 lowercase hex digits, got {shown(digest)}")
        if not (isinstance(shape, list) and len(shape) <= MAX_NDIM and all(type(n) is int and n >= 0 for n in shape)):
            raise DeserializationError(
                f"a stored array's shape must be a list of at most {MAX_NDIM} non-negative integers, got {shown(shape)}"
            )
        descr = data["dtype"]
        try:
            dtype = plain_dtype(np.lib.format.descr_to_dtype([tuple(f) for f in descr] if isinstance(descr, list) else descr))
        except DeserializationError:
            raise
        except Exception as exc:
            raise DeserializationError(f"{shown(descr)} is not a NumPy dtype description ({type(exc).__name__})") from None
        path = self.path(digest)
        if not path.is_file():
            raise MissingArrayError(
                f"the array input {digest} (dtype {dtype}, shape {tuple(shape)}) is not stored here: {path} is missing. "
                f"Copy the directory {self.directory.name}/ of the project that saved the task file into "
                f"{self.directory.parent}, or save the task there again with embed=True"
            )
        expected = {**npyfile.facts(np.empty(0, dtype=dtype)), "shape": shape}
        try:
            array = _NPY.read(os.fspath(path), None, expected_hash=None, expected=expected)
        except CorruptResultError as exc:
            raise DeserializationError(f"the stored array does not match its reference: {exc}") from None
        except OSError as exc:
            raise MissingArrayError(f"the stored array {path} cannot be read: {exc.strerror or exc}") from None
        found = _KEYS.key(array, None)["xxh3_128"]
        if found != digest:
            raise DeserializationError(
                f"the stored array {path} holds other data than its name says (its bytes hash to {found}): "
                "it was altered; delete it and save the task again"
            )
        return array


def references(document: Any) -> Iterator[dict[str, Any]]:
    """The stored-array references in a task-file document (or a record's parameters), found without recursion."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if value.get("$type") == TAG and isinstance(value.get("value"), dict):
                yield value["value"]
            else:
                stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


class StoredArraySerializer(Serializer):
    """Reads references to stored arrays; never chosen to write a value (:meth:`StoredArrays.reference` does)."""

    name = TAG
    types = ()

    def decode(self, data: Any, decode: Decode) -> Any:
        from .project import current_project

        return StoredArrays.of(current_project()).load(data)


#: Serializers of stored arrays, registered by smttask's built-in plugin.
STORED_ARRAY_SERIALIZERS: tuple[Serializer, ...] = (StoredArraySerializer(),)
