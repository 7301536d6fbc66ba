"""The ``.npy`` header, written and read with NumPy's own format functions, and checked strictly.

A stored array is trusted only when its header parses, the file is exactly as
long as the header says (header + itemsize x number of items), and dtype,
shape and order are the ones recorded in the manifest when it was written
(:func:`facts`). The last check is what protects a memory-mapped read, which
does not hash the data: one flipped bit can turn ``<f8`` into ``>f8`` or
``<F8`` (same size, other numbers). Whatever NumPy's parser raises on damaged
bytes (``ValueError``, ``SyntaxError``, tokenizer errors) becomes one
:class:`CorruptResultError`.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import CorruptResultError

if TYPE_CHECKING:
    import numpy as np

#: Bytes read to find the header: NumPy refuses headers over 10,000 characters anyway.
MAX_HEADER = 1 << 16
_KINDS = frozenset("biufcmMSUV")


@dataclass(frozen=True)
class Layout:
    """Where the data of a checked ``.npy`` file is, and how to view it."""

    shape: tuple[int, ...]
    fortran: bool
    dtype: np.dtype
    offset: int
    count: int


def storable(dtype: np.dtype) -> bool:
    """True if arrays of *dtype* are written as ``.npy`` (no objects; a header NumPy 1.0/2.0 can say)."""
    if dtype.kind not in _KINDS or dtype.hasobject:
        return False
    if dtype.names is None:
        return True
    import numpy as np

    try:
        str(np.lib.format.dtype_to_descr(dtype)).encode("latin-1")
    except (UnicodeEncodeError, ValueError, TypeError):
        return False
    return True


def header(arr: np.ndarray) -> bytes:
    """The ``.npy`` header of *arr* (C-contiguous), in the oldest format version that can hold it."""
    import numpy as np

    fmt = np.lib.format
    fields = fmt.header_data_from_array_1_0(arr)
    stream = io.BytesIO()
    try:
        fmt.write_array_header_1_0(stream, fields)
    except ValueError:  # too long for version 1.0
        stream = io.BytesIO()
        fmt.write_array_header_2_0(stream, fields)
    return stream.getvalue()


def _jsonable(descr: Any) -> Any:
    return descr if isinstance(descr, str) else json.loads(json.dumps(descr))


def facts(arr: np.ndarray) -> dict[str, Any]:
    """What the manifest records about an array stored as ``.npy``: dtype, shape, order."""
    import numpy as np

    contiguous = np.asarray(arr, order="C")
    return {
        "dtype": _jsonable(np.lib.format.dtype_to_descr(contiguous.dtype)),
        "shape": list(contiguous.shape),
        "fortran_order": False,
    }


def _brief(exc: BaseException, limit: int = 200) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_layout(head: bytes | memoryview, path: str, size: int, expected: dict[str, Any] | None) -> Layout:
    """Check the ``.npy`` file at *path* from its first bytes *head* and its *size*.

    *expected* holds the facts recorded in the manifest (see :func:`facts`);
    only those it has are compared. Raises :class:`CorruptResultError` for any
    header NumPy cannot read, a size other than header + data, or a fact that
    differs.
    """
    import numpy as np

    fmt = np.lib.format
    stream = io.BytesIO(head)
    try:
        version = fmt.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(stream)
        else:
            raise ValueError(f"format version {version[0]}.{version[1]} is not one smttask writes")
    except Exception as exc:  # damaged bytes make NumPy's parser raise almost anything
        raise CorruptResultError(f"{path} has no valid .npy header ({_brief(exc)})") from None
    offset = stream.tell()
    if dtype.hasobject:
        raise CorruptResultError(f"{path} claims to hold Python objects, which smttask never stores")
    count = 1
    for n in shape:
        if n < 0:
            raise CorruptResultError(f"{path} has a negative length in its shape {shape}")
        count *= n
    described = offset + count * dtype.itemsize
    if size != described:
        raise CorruptResultError(
            f"{path} has {size} bytes, but its header describes {described} "
            f"(an array of shape {shape} and dtype {dtype})"
        )
    if expected:
        found = {"dtype": _jsonable(fmt.dtype_to_descr(dtype)), "shape": list(shape), "fortran_order": fortran}
        for name, value in expected.items():
            if found.get(name) != value:
                raise CorruptResultError(
                    f"{path} holds an array of {name} {found.get(name)!r}, not the {value!r} recorded "
                    "when it was written"
                )
    return Layout(tuple(shape), bool(fortran), dtype, offset, count)
