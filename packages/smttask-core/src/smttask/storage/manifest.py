"""What a stored result's manifest says, written and read alike by every backend.

A manifest (``<key>.manifest.json`` for ``local``) is written last, once every
output file is in place: it names the task and its full key, the run's record,
the stored upstream results (what ``smttask store gc`` follows), the task's
code fingerprint, the pre-image of the key, and for each output its file,
format, size, modification time and hash; a small JSON output's text may be
kept in its entry (``"inline"``) instead of in a file.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CorruptResultError
from ..files import safe_name
from ..fingerprint import code_fingerprint, code_still_valid
from .formats import parse_json

if TYPE_CHECKING:
    from ..task import Task

MANIFEST_VERSION = 1


def output_filename(key: str, output: str, extension: str) -> str:
    """The file name of output *output* of the result *key*: ``<key>.<ext>`` for a bare output, else ``<key>_<output>.<ext>``."""
    return f"{key}.{extension}" if output == "" else f"{key}_{output}.{extension}"


def bad_file_name(file: object) -> bool:
    """True unless *file* is a plain file name: a manifest must not point outside its directory."""
    return type(file) is not str or not file or file[0] == "." or "/" in file or os.sep in file or "\0" in file


class ManifestEntry(NamedTuple):
    """One output as a manifest lists it, checked: its file, or its JSON text kept inline (then *file* is None)."""

    file: str | None
    format: str
    size: int
    xxh3_128: str
    mtime_ns: int | None
    facts: dict[str, Any] | None
    inline: str | None


def parse_manifest(raw: bytes, key: str, where: str) -> dict[str, Any]:
    """The result manifest of *key* read as *raw* from *where*, checked to be one; else a :class:`CorruptResultError`
    naming *where*."""
    try:
        manifest = parse_json(raw)
        if manifest.get("key") != key:
            raise CorruptResultError(f"{where} belongs to key {str(manifest.get('key'))[:80]!r}, not {key!r}")
        if not isinstance(manifest["outputs"], dict):
            raise TypeError("'outputs' is not an object")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise CorruptResultError(f"{where} is not a valid result manifest: {str(exc)[:200]}") from None
    return manifest


def manifest_entry(manifest_path: str, entry: Any) -> ManifestEntry:
    """The manifest entry *entry* of an output, checked (*manifest_path* names the manifest in errors)."""
    return ManifestEntry._make(entry_fields(manifest_path, entry))


def entry_fields(
    manifest_path: str, entry: Any
) -> tuple[str | None, str, int, str, int | None, dict[str, Any] | None, str | None]:
    """:func:`manifest_entry`'s fields as a plain tuple, in its order: for a load, which unpacks them at once."""
    try:
        inline = entry.get("inline")
        file = None if inline is not None else entry["file"]
        format_name, size, digest = entry["format"], entry["size"], entry["xxh3_128"]
        mtime_ns, facts = entry.get("mtime_ns"), entry.get("facts")
    except (KeyError, TypeError, AttributeError) as exc:
        raise CorruptResultError(f"{manifest_path} is not a valid result manifest: {exc!r} missing") from None
    if (
        (bad_file_name(file) if inline is None else type(inline) is not str or "file" in entry)
        or type(format_name) is not str
        or type(size) is not int
        or type(digest) is not str
        or not (mtime_ns is None or type(mtime_ns) is int)
        or not (facts is None or type(facts) is dict)
    ):
        raise CorruptResultError(f"{manifest_path} is not a valid result manifest: bad entry {str(entry)[:200]}")
    return file, format_name, size, digest, mtime_ns, facts, inline


def entry_files(manifest_path: str, manifest: dict[str, Any]) -> list[str]:
    """The names of the files *manifest*'s outputs live in (inline outputs have none), checked."""
    entries = (manifest_entry(manifest_path, entry) for entry in manifest["outputs"].values())
    return [entry.file for entry in entries if entry.file is not None]


def stored_upstream(task: Task) -> list[list[str]]:
    """``[task directory, key]`` of the stored upstream tasks of *task*, through upstream tasks never stored."""
    from ..walk import iter_tasks

    found: dict[str, list[str]] = {}
    seen: set[int] = set()
    stack = [t for value in task.inputs.values() for t in iter_tasks(value)]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.store:
            found.setdefault(current.digest, [safe_name(current.taskname), current.digest])
        else:
            stack.extend(t for value in current.inputs.values() for t in iter_tasks(value))
    return list(found.values())


def result_manifest(task: Task, project: Any, outputs: dict[str, dict[str, Any]], record: str | None) -> dict[str, Any]:
    """The manifest of *task*'s result: what it is, what it came from, and its *outputs*' file entries.

    Every backend writes this one shape, so what reads a manifest (loading,
    ``smttask why``, gc, export) reads any backend's.
    """
    return {
        "smttask_result": MANIFEST_VERSION,
        "task": task.identity,
        **({"version": task.version} if task.version is not None else {}),
        "key": task.digest,
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **({"record": record} if record is not None else {}),
        "upstream": stored_upstream(task),
        "code": code_fingerprint(task.task_function),
        "inputs": key_preimage(task, project),
        "outputs": outputs,
    }


def manifest_text(manifest: dict[str, Any], field: str) -> str | None:
    """The text a manifest holds under *field*, if it is plausible (a string, one line, bounded): manifests are
    read from disk, and what they say is shown to people."""
    text = manifest.get(field)
    if isinstance(text, str) and 0 < len(text) <= 200 and text.isprintable():
        return text
    return None


def manifest_record(manifest: dict[str, Any]) -> str | None:
    """The record label a manifest names, if it names a plausible one."""
    return manifest_text(manifest, "record")


def code_valid(task: Task, project: Any, manifest: dict[str, Any], where: str) -> bool:
    """Whether the stored result *manifest* (read at *where*) may be used under the project's ``on_code_change``;
    a manifest without a code fingerprint (written before they existed) may."""
    return "code" not in manifest or code_still_valid(task, project, manifest["code"], where)


def key_preimage(task: Task, project: Any) -> dict[str, Any]:
    """*task*'s inputs as they enter its key (upstream tasks by key, arrays by hash), for ``smttask why``."""
    from ..encoding import PLAIN_TYPES, encode

    inputs = task.inputs
    if all(type(value) in PLAIN_TYPES for value in inputs.values()):
        return dict(inputs)  # plain scalars enter the key as themselves (see Task.input_digest)
    registry = project.deferred_serializers
    return {name: encode(value, registry, "key") for name, value in inputs.items()}
