"""File formats for stored outputs: JSON for plain values, ``.npy`` for NumPy arrays.

A format writes a complete file and returns the XXH3-128 hash of its bytes; on
reading it checks that hash, so a truncated or altered file is detected. A
format that can give a value's bytes before writing them (:meth:`OutputFormat.serialize`,
JSON) lets a backend keep small values inside the result's manifest instead of
a file of their own. The ``.npy`` header is read by :mod:`smttask.storage.npyfile`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any, ClassVar

import xxhash

from ..encoding import decode, encode
from ..errors import CorruptResultError

if TYPE_CHECKING:
    from ..project import Project
    from .base import StoredOutput


class OutputFormat:
    """Writes and reads one output value to and from a file."""

    #: Recorded in the result manifest; keep it stable.
    name: ClassVar[str]
    #: File extension, without the dot.
    extension: ClassVar[str]

    def handles(self, value: Any) -> bool:
        """True if this format should store *value*."""
        raise NotImplementedError

    def write(self, value: Any, path: str, project: Project) -> str:
        """Write *value* to the new file *path*; return the XXH3-128 hex digest of its bytes.

        Paths are plain strings: building a ``pathlib.Path`` costs more than a
        small read on the hot path of a cache hit.
        """
        raise NotImplementedError

    def read(self, path: str, project: Project, *, expected_hash: str | None, mmap: bool = False) -> Any:
        """Read the value back from *path*; raise :class:`CorruptResultError` if the bytes
        do not hash to *expected_hash*.

        A format whose :meth:`describe` records facts also takes them back as the
        keyword argument ``expected`` (only given when the manifest has them).
        """
        raise NotImplementedError

    def serialize(self, value: Any, project: Project) -> bytes | None:
        """The bytes a file of *value* would hold, if this format can give them before writing (None: it
        cannot, and :meth:`write` writes the file). A backend may keep small ones inside the manifest, and
        reads them back with :meth:`deserialize`."""
        return None

    def deserialize(self, data: bytes, project: Project, where: str) -> Any:
        """The value of bytes :meth:`serialize` gave (already checked against their hash); *where* names
        them in errors."""
        raise CorruptResultError(f"{where}: the format '{self.name}' keeps no values inside a manifest")

    def describe(self, value: Any) -> dict[str, Any]:
        """Facts about *value* to record in the result manifest (JSON-able), checked again on reading.

        The default records nothing. A format that records facts receives them
        back as ``read(..., expected=facts)``: e.g. ``.npy`` records dtype and
        shape, so a memory-mapped read (which does not hash the data) still
        refuses a file whose header was altered.
        """
        return {}


def read_bytes(path: str) -> bytes:
    """The whole file; a small one costs one open, one read and one close."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunk = os.read(fd, 1 << 16)
        if len(chunk) < 1 << 16:  # a short read of a regular file is its end
            return chunk
        chunks = [chunk]
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


_DECODER = json.JSONDecoder()


def parse_json(data: bytes) -> Any:
    """Parse UTF-8 JSON bytes written by smttask.

    Once pydantic is loaded (wherever a task type exists), with pydantic_core's parser: it reads
    a result manifest in half the time json does, and gives the same values (ints of any size,
    floats to the last bit, the last of repeated names). It refuses a few documents json reads
    (nesting deeper than 200, escaped lone surrogates): those, and every error, go to json's
    parser, so the values and the errors are json's alike. pydantic_core is not imported for
    parsing alone (that costs more than it saves). ``json.loads`` itself spends as long sniffing
    the encoding of bytes and matching whitespace as parsing a small document: not used.
    """
    from_json = getattr(sys.modules.get("pydantic_core"), "from_json", None)
    if from_json is not None:
        try:
            return from_json(data)
        except ValueError:
            pass  # json's parser reads it, or says what is wrong
    text = data.decode("utf-8")
    value, end = _DECODER.raw_decode(text)
    if end != len(text) and text[end:].strip():
        raise ValueError(f"extra data after the JSON document at character {end}")
    return value


def check_hash(where: str, data: bytes | bytearray | memoryview, expected_hash: str | None) -> None:
    """Raise :class:`CorruptResultError` unless *data* hashes to *expected_hash* (None: not checked)."""
    if expected_hash is not None and xxhash.xxh3_128_hexdigest(data) != expected_hash:
        raise CorruptResultError(f"{where} does not match the hash recorded when it was written")


def write_new_file(data: bytes, path: str) -> str:
    """Write *data* to the new file *path*; the XXH3-128 hex digest of *data*."""
    with open(path, "xb") as f:
        f.write(data)
    return xxhash.xxh3_128_hexdigest(data)


def inline_where(manifest: str | os.PathLike[str], output: str) -> str:
    """How errors name the output *output* kept in the manifest at *manifest*."""
    return f"{os.fspath(manifest)} (output '{output}')"


def read_inline(fmt: OutputFormat, text: str, project: Project, where: str, expected_hash: str | None) -> Any:
    """The value of an output whose manifest keeps its *text*, checked against *expected_hash* first."""
    data = text.encode("utf-8")
    check_hash(where, data, expected_hash)
    return fmt.deserialize(data, project, where)


def read_output(out: StoredOutput, project: Project) -> Any:
    """The value of the stored output *out*: from its file, or from the text its manifest keeps."""
    fmt = next((f for f in project.output_formats if f.name == out.format), None)
    if fmt is None:
        raise CorruptResultError(f"{out.path} was written in format '{out.format}', which no installed plugin reads")
    if out.inline is None:
        return fmt.read(os.fspath(out.path), project, expected_hash=out.xxh3_128)
    return read_inline(fmt, out.inline, project, inline_where(out.path, out.name), out.xxh3_128)


class JsonFormat(OutputFormat):
    """Any serializable value, as typed canonical JSON (readable by a person)."""

    name = "json"
    extension = "json"

    def handles(self, value: Any) -> bool:
        return True

    def serialize(self, value: Any, project: Project) -> bytes:
        return json.dumps(encode(value, project.deferred_serializers, "file"), ensure_ascii=False).encode("utf-8")

    def deserialize(self, data: bytes, project: Project, where: str) -> Any:
        try:
            return decode(parse_json(data), project.deferred_serializers)
        except (ValueError, RecursionError) as exc:
            raise CorruptResultError(f"{where} is not valid JSON: {str(exc)[:200]}") from None

    def write(self, value: Any, path: str, project: Project) -> str:
        return write_new_file(self.serialize(value, project), path)

    def read(self, path: str, project: Project, *, expected_hash: str | None, mmap: bool = False) -> Any:
        data = read_bytes(path)
        check_hash(path, data, expected_hash)
        return self.deserialize(data, project, path)


_CHUNK = 1 << 20
_PAGE = 4096


def _reserve(fd: int, size: int) -> None:
    """Allocate *size* bytes for the new file *fd* before writing it, as ``ndarray.tofile`` does.

    Writing into blocks the file system allocated at once is a third faster
    than letting each write grow the file (80 MB: 13 ms against 19 ms here,
    ``np.save`` 11 ms). A file system that cannot allocate ahead is simply
    written without it.
    """
    try:
        os.posix_fallocate(fd, 0, size)
    except (OSError, AttributeError):  # not supported there, or not on this platform
        pass


def _write_all(fd: int, parts: tuple[Any, ...]) -> None:
    """Write all of *parts* (buffers) at *fd*'s position with as few system calls as the kernel allows.

    ``os.writev`` may write less than asked; the rest is written again. A write
    of nothing (the disk had no room, without saying so) is an ``OSError``
    without an errno, which the atomic write turns into a full-disk error when
    the file system is full.
    """
    views = [memoryview(part).cast("B") for part in parts if len(part)]
    while views:
        written = os.writev(fd, views)
        if written == 0:
            raise OSError(f"the system wrote none of the {sum(len(v) for v in views)} bytes asked for")
        while views and written >= len(views[0]):
            written -= len(views[0])
            views.pop(0)
        if written:
            views[0] = views[0][written:]


#: Arrays of at least this many bytes are hashed while another thread writes them.
_HASH_BESIDE = 8 * _CHUNK


def _write_while_hashing(fd: int, parts: list[tuple[Any, ...]], hasher: Any, data: Any) -> None:
    """Write *parts* at *fd* from a thread of their own while this thread hashes *data* with *hasher*.

    The writes release the GIL and the hash does not, so the hash (about a
    fifth of writing 80 MB to the page cache) is done meanwhile instead of
    after. The writer's error (a full disk) is raised here, once it ended.
    """
    import threading

    failure: list[BaseException] = []

    def write() -> None:
        try:
            for part in parts:
                _write_all(fd, part)
        except BaseException as exc:  # raised in the caller's thread below
            failure.append(exc)

    writer = threading.Thread(target=write, name="smttask-npy-writer", daemon=True)
    writer.start()
    try:
        hasher.update(data)
    finally:
        writer.join()
    if failure:
        raise failure[0]


class NpyFormat(OutputFormat):
    """NumPy arrays as ``.npy`` files (never pickled), loadable memory-mapped.

    Reading checks the file completely before returning data: the header must
    parse (with NumPy's own reader), the file must be exactly as long as the
    header says, dtype and shape must be the ones recorded in the manifest, and
    (unless memory-mapped) the bytes must hash to the recorded digest. Anything
    else is a :class:`CorruptResultError`.
    """

    name = "npy"
    extension = "npy"

    def handles(self, value: Any) -> bool:
        t = type(value)
        if not (t.__module__ == "numpy" and t.__name__ == "ndarray"):
            return False
        from . import npyfile  # here, not at import: a process storing no array never needs it

        return npyfile.storable(value.dtype)

    def describe(self, value: Any) -> dict[str, Any]:
        from . import npyfile

        return npyfile.facts(value)

    def write(self, value: Any, path: str, project: Project) -> str:
        import numpy as np

        from . import npyfile

        arr = np.asarray(value, order="C")  # not ascontiguousarray: it makes 0-d arrays 1-d
        header = npyfile.header(arr)
        hasher = xxhash.xxh3_128(header)
        data = arr.reshape(-1).view(np.uint8)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            if len(data) >= _CHUNK:
                _reserve(fd, len(header) + len(data))
            # The header goes out with just enough data to end on a chunk boundary, so that every
            # later write starts on a page of the file: writes starting mid-page cost 2 ms more over
            # 80 MB here (16.4 ms against 14.6 ms, np.save 12.7 ms).
            end = min(len(data), -len(header) % _CHUNK)
            parts = [(header, data[:end])] + [(data[i : i + _CHUNK],) for i in range(end, len(data), _CHUNK)]
            if len(data) >= _HASH_BESIDE:
                _write_while_hashing(fd, parts, hasher, data)
            else:  # each chunk hashed right after it is written, while it is still in the CPU cache
                for part in parts:
                    _write_all(fd, part)
                    hasher.update(part[-1])
        finally:
            os.close(fd)
        return hasher.hexdigest()

    def read(
        self,
        path: str,
        project: Project,
        *,
        expected_hash: str | None,
        mmap: bool = False,
        expected: dict[str, Any] | None = None,
    ) -> Any:
        if mmap:
            return self._map(path, expected)
        import numpy as np

        from . import npyfile

        with open(path, "rb", buffering=0) as f:
            size = os.fstat(f.fileno()).st_size
            # Not bytearray(size): that zero-fills and faults in every 4 KiB page (~38 ms for 80 MB,
            # twice np.load); numpy's allocator skips the zeroing and asks for huge pages. The buffer
            # starts on a page, as the file does in the page cache: the kernel copies 2.5x slower
            # into a buffer 8 or 16 bytes past a page boundary (where malloc puts it) than into an
            # aligned one. Each chunk is hashed right after it is read, while it is still in the CPU
            # cache.
            raw = np.empty(size + _PAGE, dtype=np.uint8)
            start = -raw.__array_interface__["data"][0] % _PAGE
            buf = raw[start : start + size]
            view = memoryview(buf)
            hasher = xxhash.xxh3_128() if expected_hash is not None else None
            pos = 0
            while pos < size:
                n = f.readinto(view[pos : pos + _CHUNK])
                if not n:
                    break
                if hasher is not None:
                    hasher.update(view[pos : pos + n])
                pos += n
            if pos != size or f.read(1):
                raise CorruptResultError(f"{path} changed size while being read")
        if hasher is not None and hasher.hexdigest() != expected_hash:
            raise CorruptResultError(f"{path} does not match the hash recorded when it was written")
        layout = npyfile.read_layout(view[: min(size, npyfile.MAX_HEADER)], path, size, expected)
        if layout.count == 0:
            arr = np.empty(layout.shape, dtype=layout.dtype)
        else:
            arr = np.frombuffer(buf, dtype=layout.dtype, count=layout.count, offset=layout.offset)
        return arr.reshape(layout.shape, order="F" if layout.fortran else "C")

    def _map(self, path: str, expected: dict[str, Any] | None) -> Any:
        import numpy as np

        from . import npyfile

        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            layout = npyfile.read_layout(f.read(npyfile.MAX_HEADER), path, size, expected)
            if layout.count == 0:  # nothing to map
                arr = np.empty(layout.shape, dtype=layout.dtype)
                arr.flags.writeable = False
                return arr
            try:
                # The open file, not the path: the very file whose size and header were checked.
                return np.memmap(
                    f, dtype=layout.dtype, mode="r", offset=layout.offset, shape=layout.shape,
                    order="F" if layout.fortran else "C",
                )
            except (ValueError, OSError) as exc:
                raise CorruptResultError(f"{path} cannot be memory-mapped: {exc}") from exc
