"""Sumatra data keys for the files a run read and wrote, each with its XXH3-128 hash.

Output hashes come from the storage manifest (computed while writing), so no
output file is read again. Input data files are hashed once per process for a
given size and modification time.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smttask import Project
    from smttask.storage import StoredOutput, StoredResult

#: Name of the hash in every key's metadata (Sumatra's own keys use SHA-1).
HASH = "xxh3_128"
_CHUNK = 1 << 20
_file_hashes: dict[tuple[str, int, int], str] = {}


def output_keys(stored: StoredResult | None, data_root: Path, taskname: str) -> list[Any]:
    """Data keys of the stored outputs, with paths relative to *data_root*."""
    if stored is None:
        return []
    return [_stored_key(out, data_root, taskname) for out in stored.outputs.values()]


def input_keys(
    project: Project,
    task: Any,
    inputs: dict[str, Any],
    extra_files: Iterable[Path],
    input_root: Path,
) -> list[Any]:
    """Data keys of what the run read: upstream tasks' stored outputs, path inputs, and *extra_files*."""
    from smttask.signature import iter_tasks
    from smttask.storage.base import CorruptResultError

    keys: list[Any] = []
    seen: set[str] = set()
    for upstream in (t for value in task.inputs.values() for t in iter_tasks(value)):
        if not getattr(upstream, "store", False):
            continue
        try:
            stored = project.storage.locate(upstream)
        except CorruptResultError:
            stored = None
        for out in stored.outputs.values() if stored else ():
            key = _stored_key(out, input_root, upstream.taskname)
            if key.path not in seen:
                seen.add(key.path)
                keys.append(key)
    for path in [*_paths(inputs.values()), *extra_files]:
        key = file_key(Path(path), input_root)
        if key is not None and key.path not in seen:
            seen.add(key.path)
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
    digest = _hash_file(path, stat.st_size, stat.st_mtime_ns)
    return DataKey(
        _relative(path, root),
        digest,
        datetime.fromtimestamp(stat.st_mtime, UTC),
        **_metadata(path, stat.st_size),
        **metadata,
    )


def _stored_key(out: StoredOutput, root: Path, taskname: str) -> Any:
    from sumatra.datastore import DataKey

    try:
        creation = datetime.fromtimestamp(out.path.stat().st_mtime, UTC)
    except OSError:
        creation = datetime.now(UTC)
    return DataKey(
        _relative(out.path, root),
        out.xxh3_128,
        creation,
        **_metadata(out.path, out.size),
        task=taskname,
        output=out.name,
        format=out.format,
    )


def _metadata(path: Path, size: int) -> dict[str, Any]:
    mimetype, encoding = mimetypes.guess_type(path.name)
    if mimetype is None and path.suffix == ".npy":
        mimetype = "application/x-npy"
    return {"mimetype": mimetype, "encoding": encoding, "size": size, "hash": HASH}


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _hash_file(path: Path, size: int, mtime_ns: int) -> str:
    import xxhash

    cache_key = (str(path.resolve()), size, mtime_ns)
    digest = _file_hashes.get(cache_key)
    if digest is None:
        hasher = xxhash.xxh3_128()
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                hasher.update(chunk)
        digest = _file_hashes[cache_key] = hasher.hexdigest()
    return digest


def _paths(values: Iterable[Any]) -> Iterator[PurePath]:
    for value in values:
        if isinstance(value, PurePath):
            yield value
        elif isinstance(value, list | tuple | set | frozenset):
            yield from _paths(value)
        elif isinstance(value, dict):
            yield from _paths(value.values())
