"""Sumatra data keys for the files a run read and wrote, as Sumatra's own tools expect them.

A key's digest is the file's SHA-1, as Sumatra computes it, so ``smt`` and
``smtweb`` verify, preview and download the file; its creation time is in
whole seconds, as Sumatra's own keys are (``smtweb`` links fail on
microseconds). The metadata also holds the file's XXH3-128 hash under
:data:`XXH3`, the hash smttask's storage manifests use, which ties a record to
the stored result. Each file is read once per process for a given size and
modification time, both hashes computed in the same pass.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smttask import Project
    from smttask.storage import StoredOutput, StoredResult

#: The metadata entry holding a file's XXH3-128 hash (the digest is Sumatra's SHA-1).
XXH3 = "xxh3_128"
#: The metadata entry holding a stored array's content hash (of its raw bytes, as in its reference).
ARRAY_XXH3 = "array_xxh3_128"
_CHUNK = 1 << 20
_file_hashes: dict[tuple[str, int, int], FileHashes] = {}


@dataclass(frozen=True)
class FileHashes:
    """The two hashes of one file's content."""

    sha1: str
    xxh3_128: str


def output_keys(stored: StoredResult | None, data_root: Path, taskname: str) -> list[Any]:
    """Data keys of the stored outputs' files, with paths relative to *data_root*: one key per file, as
    Sumatra finds a record's data file by path and digest (outputs kept in the result's manifest share the
    manifest's key, whose ``outputs`` metadata names them all)."""
    if stored is None:
        return []
    return [_stored_key(outs, data_root, taskname) for outs in _by_file(stored.outputs.values())]


def _by_file(outputs: Iterable[StoredOutput]) -> list[list[StoredOutput]]:
    """*outputs* grouped by the file they are in, in order."""
    groups: dict[Path, list[StoredOutput]] = {}
    for out in outputs:
        groups.setdefault(out.path, []).append(out)
    return list(groups.values())


def input_keys(
    project: Project,
    task: Any,
    inputs: dict[str, Any],
    extra_files: Iterable[Path],
    input_root: Path,
) -> list[Any]:
    """Data keys of what the run read: upstream tasks' stored outputs, path inputs, and *extra_files*."""
    from smttask.errors import CorruptResultError
    from smttask.signature import iter_tasks

    keys: list[Any] = []
    seen: set[str] = set()
    for upstream in (t for value in task.inputs.values() for t in iter_tasks(value)):
        if not getattr(upstream, "store", False):
            continue
        try:
            stored = project.storage.locate(upstream)
        except CorruptResultError:
            stored = None
        for outs in _by_file(stored.outputs.values()) if stored else ():
            key = _stored_key(outs, input_root, upstream.taskname)
            if key.path not in seen:
                seen.add(key.path)
                keys.append(key)
    for path in [*_paths(inputs.values()), *extra_files]:
        key = file_key(Path(path), input_root)
        if key is not None and key.path not in seen:
            seen.add(key.path)
            keys.append(key)
    return keys


def array_keys(project: Project, document: Any, input_root: Path) -> list[Any]:
    """Data keys of the stored arrays a task document refers to, each once.

    Besides the file's hashes, the metadata holds the array's dtype, shape and
    the XXH3-128 hash of its raw bytes under :data:`ARRAY_XXH3` (the hash in the
    reference and in the task's key).
    """
    from smttask.storedarrays import StoredArrays, references

    arrays = StoredArrays.of(project)
    keys: list[Any] = []
    seen: set[str] = set()
    for ref in references(document):
        digest = ref["xxh3_128"]
        if digest in seen:
            continue
        seen.add(digest)
        key = file_key(arrays.path(digest), input_root, dtype=ref["dtype"], shape=ref["shape"], **{ARRAY_XXH3: digest})
        if key is not None:
            keys.append(key)
    return keys


def file_key(path: Path, root: Path, **metadata: Any) -> Any:
    """A data key for an existing file (hashed now), or None if *path* is not a file."""
    from sumatra.datastore import DataKey

    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    hashes = file_hashes(path, stat.st_size, stat.st_mtime_ns)
    return DataKey(
        _relative(path, root),
        hashes.sha1,
        creation_time(stat.st_mtime),
        **_metadata(path, stat.st_size, hashes.xxh3_128),
        **metadata,
    )


def creation_time(mtime: float) -> datetime:
    """A file's modification time as a key's creation time: UTC, whole seconds (as Sumatra's own keys)."""
    return datetime.fromtimestamp(mtime, UTC).replace(microsecond=0)


def _stored_key(outs: list[StoredOutput], root: Path, taskname: str) -> Any:
    """The data key of the file holding *outs*: one output's own file, or the manifest keeping small outputs
    (then its size and hashes are the manifest's, and ``outputs`` lists the outputs it holds)."""
    from sumatra.datastore import DataKey
    from sumatra.datastore.base import IGNORE_DIGEST

    out = outs[0]
    size, xxh3 = out.size, out.xxh3_128
    try:
        stat = out.path.stat()
        hashes = file_hashes(out.path, stat.st_size, stat.st_mtime_ns)
        sha1, creation = hashes.sha1, creation_time(stat.st_mtime)
        if out.inline is not None:
            size, xxh3 = stat.st_size, hashes.xxh3_128
    except OSError:  # gone since it was stored: keep what the manifest says
        sha1, creation = IGNORE_DIGEST, datetime.now(UTC).replace(microsecond=0)
    names = [o.name for o in outs]
    return DataKey(
        _relative(out.path, root),
        sha1,
        creation,
        **_metadata(out.path, size, xxh3),
        task=taskname,
        output=", ".join(names),
        **({"outputs": names} if out.inline is not None else {}),
        format=out.format,
    )


def _metadata(path: Path, size: int, xxh3: str) -> dict[str, Any]:
    mimetype, encoding = mimetypes.guess_type(path.name)
    if mimetype is None and path.suffix == ".npy":
        mimetype = "application/x-npy"
    return {"mimetype": mimetype, "encoding": encoding, "size": size, XXH3: xxh3}


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def file_hashes(path: Path, size: int, mtime_ns: int) -> FileHashes:
    """SHA-1 and XXH3-128 of the file *path*, read once (cached for this size and modification time)."""
    import hashlib

    import xxhash

    cache_key = (str(path.resolve()), size, mtime_ns)
    hashes = _file_hashes.get(cache_key)
    if hashes is None:
        sha1, xxh3 = hashlib.sha1(usedforsecurity=False), xxhash.xxh3_128()
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                sha1.update(chunk)
                xxh3.update(chunk)
        hashes = _file_hashes[cache_key] = FileHashes(sha1.hexdigest(), xxh3.hexdigest())
    return hashes


def _paths(values: Iterable[Any]) -> Iterator[PurePath]:
    for value in values:
        if isinstance(value, PurePath):
            yield value
        elif isinstance(value, list | tuple | set | frozenset):
            yield from _paths(value)
        elif isinstance(value, dict):
            yield from _paths(value.values())
