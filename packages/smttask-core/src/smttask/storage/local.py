"""The built-in ``local`` backend: results under the project's data directory.

Layout, browsable by a person::

    <data>/<TaskName>/<key>.<ext>              a task's single (bare) output
    <data>/<TaskName>/<key>_<output>.<ext>     one file per named output
    <data>/<TaskName>/<key>.manifest.json      written last: the result is complete; holds small JSON outputs
    <data>/<TaskName>/<key>.used               empty; touched by each load (last used, for gc)

A JSON output of at most ``result_inline_max`` bytes (4 KiB) has no file of its
own: its text is kept in the manifest, so a small result is one file to write
and one to read. Every file is written to a temporary name and renamed into place
(:func:`smttask.files.atomic_path`), and the manifest (which records the full
key and each file's size, modification time and hash) is renamed last, so a
reader never sees half a result. A failed save removes what it wrote.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xxhash

from ..errors import CorruptResultError
from ..files import atomic_path, make_dirs, safe_name, temp_name, write_atomic
from ..fingerprint import code_fingerprint
from .base import StorageBackend, StoredOutput, StoredResult
from .formats import (
    OutputFormat,
    check_hash,
    inline_where,
    parse_json,
    read_bytes,
    read_inline,
    write_new_file,
)
from .layout import CLAIM_SUFFIX, MANIFEST_SUFFIX, USED_SUFFIX
from .manifest import MANIFEST_VERSION as MANIFEST_VERSION
from .manifest import (
    code_valid,
    entry_fields,
    entry_files,
    manifest_entry,
    manifest_record,
    output_filename,
    parse_manifest,
    result_manifest,
)
from .manifest import key_preimage as key_preimage
from .manifest import stored_upstream as stored_upstream

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..task import Task
    from .claim import Claim, ClaimInfo
    from .inventory import Leftover, StoredEntry

_HASH_CHUNK = 1 << 20


def _identity(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _hashes_to(path: str, digest: str) -> bool:
    hasher = xxhash.xxh3_128()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest() == digest


def touch_used(directory: str, key: str, *, create: bool = False) -> bool:
    """Mark the result *key* in *directory* as used now (its ``.used`` file); True if marked.

    Only with *create* is a missing ``.used`` file made (call it once the
    result is known to exist). A read-only or full disk marks nothing: the
    result is still usable, only its last use is not kept.
    """
    path = f"{directory}{os.sep}{key}{USED_SUFFIX}"
    try:
        os.utime(path)
        return True
    except FileNotFoundError:
        if not create:
            return False
        try:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
            return True
        except OSError:
            return False
    except OSError:
        return False


def last_used(directory: str, key: str, manifest: str) -> float:
    """When the result was last written (its *manifest*'s time) or loaded (its ``.used`` file's)."""
    times = []
    for path in (manifest, f"{directory}{os.sep}{key}{USED_SUFFIX}"):
        try:
            times.append(os.stat(path).st_mtime)
        except FileNotFoundError:
            pass
    return max(times, default=0.0)


def _entry(out: StoredOutput, facts: dict[str, Any] | None) -> dict[str, Any]:
    """*out*'s entry in the manifest: its text if kept there, else its file, with the file's size, time and hash."""
    where = {"inline": out.inline} if out.inline is not None else {"file": out.path.name, "mtime_ns": out.mtime_ns}
    return {**where, "format": out.format, "size": out.size, "xxh3_128": out.xxh3_128,
            **({"facts": facts} if facts else {})}


def _read_manifest_in(directory: str, key: str) -> tuple[str, dict[str, Any]] | None:
    """``(manifest path, manifest)`` of the result *key* in *directory*, checked; None when nothing is stored."""
    path = f"{directory}{os.sep}{key}{MANIFEST_SUFFIX}"
    try:
        raw = read_bytes(path)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise CorruptResultError(f"{path} is a directory, not a result manifest") from None
    return path, parse_manifest(raw, key, path)


class LocalStorage(StorageBackend):
    """Results as plain files under the project's data directory."""

    name = "local"

    def __init__(self, project: Any) -> None:
        super().__init__(project)
        self._dirs: dict[tuple[str, str], tuple[Path, str]] = {}
        self._formats: dict[str, OutputFormat] | None = None
        #: Temporary-file tag of the claim this process holds, by (directory, key).
        self._tags: dict[tuple[str, str], str] = {}
        #: When this process last touched a result's ``.used`` file (monotonic), by (directory, key).
        self._touched: dict[tuple[str, str], float] = {}

    @property
    def root(self) -> Path:
        return self.project.data_dir

    def _dir(self, task: Task) -> tuple[Path, str]:
        """The task type's directory as a Path and as a str, computed once per task type."""
        cache_key = (self.project.config.data, task.taskname)
        found = self._dirs.get(cache_key)
        if found is None:
            path = self.root / safe_name(task.taskname)
            found = self._dirs[cache_key] = (path, os.fspath(path))
        return found

    def directory(self, task: Task) -> Path:
        return self._dir(task)[0]

    def _read_manifest(self, task: Task) -> tuple[str, str, dict[str, Any]] | None:
        """``(directory, manifest path, manifest)``, or None when nothing is stored."""
        directory = self._dir(task)[1]
        found = _read_manifest_in(directory, task.digest)
        return None if found is None else (directory, *found)

    def _manifest_path(self, task: Task) -> Path:
        return self.directory(task) / f"{task.digest}{MANIFEST_SUFFIX}"

    def marker(self, task: Task) -> Path:
        """The result's manifest: renamed into place last, so it exists exactly when the result is complete."""
        return self._manifest_path(task)

    def locate(self, task: Task) -> StoredResult | None:
        found = self._read_manifest(task)
        return None if found is None else self._stored_result(task, *found)

    @staticmethod
    def _stored_result(task: Task, directory: str, manifest_path: str, manifest: dict[str, Any]) -> StoredResult:
        outputs = {}
        for name, entry in manifest["outputs"].items():
            found = manifest_entry(manifest_path, entry)
            path = Path(manifest_path) if found.file is None else Path(directory) / found.file
            outputs[name] = StoredOutput(
                name, path, found.format, found.size, found.xxh3_128, found.mtime_ns, found.inline
            )
        return StoredResult(task.digest, outputs, manifest_record(manifest))

    def check(self, task: Task) -> StoredResult | None:
        """The stored result, if its manifest is valid and every file has the size it was written with.

        A file whose modification time differs from the one recorded (it was
        rewritten, or copied without its times) is hashed: it passes only if its
        bytes are the ones written. Costs one ``stat`` per output file otherwise (an
        output kept in the manifest is checked against its hash). The
        project's ``on_code_change`` applies as on :meth:`load`: a result of
        changed code warns, or with ``"recompute"`` is not found.
        """
        directory, key = self._dir(task)[1], task.digest
        touched = self._mark_used(directory, key)
        found = _read_manifest_in(directory, key)
        if found is None:
            return None
        manifest_path, manifest = found
        if not touched:
            self._mark_used(directory, key, create=True)
        if not code_valid(task, self.project, manifest, manifest_path):
            return None
        stored = self._stored_result(task, directory, manifest_path, manifest)
        for out in stored.outputs.values():
            if out.inline is not None:
                check_hash(inline_where(manifest_path, out.name), out.inline.encode("utf-8"), out.xxh3_128)
                continue
            try:
                st = os.stat(out.path)
            except FileNotFoundError:
                raise CorruptResultError(f"{out.path} is missing") from None
            if st.st_size != out.size:
                raise CorruptResultError(
                    f"{out.path} has {st.st_size} bytes, not the {out.size} it was written with"
                )
            if out.mtime_ns is not None and st.st_mtime_ns != out.mtime_ns and not _hashes_to(
                os.fspath(out.path), out.xxh3_128
            ):
                raise CorruptResultError(f"{out.path} does not match the hash recorded when it was written")
        return stored

    def load(self, task: Task, *, mmap: bool = False) -> dict[str, Any] | None:
        # The hot path of every disk hit: string paths and one read per file. No separate size
        # check: the formats verify the XXH3-128 hash, which catches truncation too.
        directory, key = self._dir(task)[1], task.digest
        touched = self._mark_used(directory, key)
        found = _read_manifest_in(directory, key)
        if found is None:
            return None
        manifest_path, manifest = found
        if not touched:
            self._mark_used(directory, key, create=True)
        if not code_valid(task, self.project, manifest, manifest_path):
            return None
        formats = self._formats
        if formats is None:
            formats = self._formats = {fmt.name: fmt for fmt in self.project.output_formats}
        values = {}
        for name, entry in manifest["outputs"].items():
            file, format_name, _, expected_hash, _, facts, inline = entry_fields(manifest_path, entry)
            fmt = formats.get(format_name)
            if inline is not None:
                where = inline_where(manifest_path, name)
                if fmt is None:
                    raise CorruptResultError(f"{where} is in format '{format_name}', which no installed plugin reads")
                values[name] = read_inline(fmt, inline, self.project, where, expected_hash)
                continue
            path = f"{directory}{os.sep}{file}"
            if fmt is None:
                raise CorruptResultError(f"{path} was written in format '{format_name}', which no installed plugin reads")
            try:
                if facts:
                    values[name] = fmt.read(path, self.project, expected_hash=expected_hash, mmap=mmap, expected=facts)
                else:
                    values[name] = fmt.read(path, self.project, expected_hash=expected_hash, mmap=mmap)
            except FileNotFoundError:
                raise CorruptResultError(f"{path} is missing") from None
            except IsADirectoryError:
                raise CorruptResultError(f"{path} is a directory, not a stored output") from None
        return values

    def _mark_used(self, directory: str, key: str, *, create: bool = False) -> bool:
        """Touch the ``.used`` file of the result *key* in *directory*, before reading it (gc keeps what was used
        in the last ``claim_stale_after`` seconds); at most once per half of that per process, which is still
        within it."""
        ident = (directory, key)
        now = time.monotonic()
        last = self._touched.get(ident)
        if last is not None and now - last < self.project.config.claim_stale_after / 2:
            return True
        if not touch_used(directory, key, create=create):
            return False
        if len(self._touched) > 100_000:
            self._touched.clear()
        self._touched[ident] = now
        return True

    def _format_for(self, value: Any) -> OutputFormat:
        for fmt in self.project.output_formats:
            if fmt.handles(value):
                return fmt
        raise AssertionError("the JSON format handles every value")

    def save(self, task: Task, values: dict[str, Any], *, record: str | None = None) -> StoredResult:
        directory = self.directory(task)
        key = task.digest
        tag = self._tags.get((self._dir(task)[1], key))  # the claim's, so a taker can find our leftovers
        manifest_path = self._manifest_path(task)
        inline_max = self.project.config.result_inline_max
        outputs: dict[str, StoredOutput] = {}
        facts: dict[str, dict[str, Any]] = {}
        try:
            if tag is None:  # else this process holds the key's claim, whose file is in that directory
                make_dirs(directory)
            for name, value in values.items():
                fmt = self._format_for(value)
                data = fmt.serialize(value, self.project)
                if data is not None and len(data) <= inline_max:
                    outputs[name] = StoredOutput(
                        name, manifest_path, fmt.name, len(data), xxhash.xxh3_128_hexdigest(data), None, data.decode("utf-8")
                    )
                    continue
                final = directory / output_filename(key, name, fmt.extension)
                with atomic_path(final, tag) as tmp:
                    digest = fmt.write(value, tmp, self.project) if data is None else write_new_file(data, tmp)
                    st = os.stat(tmp)
                outputs[name] = StoredOutput(name, final, fmt.name, st.st_size, digest, st.st_mtime_ns)
                described = fmt.describe(value)
                if described:
                    facts[name] = described
            manifest = result_manifest(task, self.project, {
                name: _entry(o, facts.get(name)) for name, o in outputs.items()
            }, record)
            write_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False).encode("utf-8"), tag)
        except BaseException:
            # No manifest vouches for the files written: do not leave them behind. If they replaced
            # the files of an earlier result, its manifest no longer matches them either.
            for out in outputs.values():
                if out.inline is None:
                    out.path.unlink(missing_ok=True)
            if any(out.inline is None for out in outputs.values()):
                manifest_path.unlink(missing_ok=True)
            raise
        return StoredResult(key, outputs, record)

    def manifests(self, task: Task, key: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """The manifests in *task*'s directory (only *key*'s, if given); unreadable ones are left out."""
        directory = self._dir(task)[1]
        if key is not None:
            names = [f"{key}{MANIFEST_SUFFIX}"]
        else:
            try:
                names = sorted(n for n in os.listdir(directory) if n.endswith(MANIFEST_SUFFIX) and n[0] != ".")
            except (FileNotFoundError, NotADirectoryError):
                return []
        found = []
        for name in names:
            path = f"{directory}{os.sep}{name}"
            try:
                _, manifest = self._manifest_files(path, name[: -len(MANIFEST_SUFFIX)])
            except (OSError, ValueError, TypeError, AttributeError, RecursionError, CorruptResultError):
                continue
            found.append((path, manifest))
        return found

    def accept_code(self, task: Task) -> bool:
        """Store the current code fingerprint in *task*'s manifest (its code change is cosmetic); True if stored."""
        found = self._read_manifest(task)
        if found is None:
            return False
        _, path, manifest = found
        manifest["code"] = code_fingerprint(task.task_function)
        write_atomic(Path(path), json.dumps(manifest, ensure_ascii=False).encode("utf-8"), None)
        return True

    def claim(self, task: Task) -> Claim:
        config = self.project.config
        directory = self._dir(task)[1]
        key = task.digest
        manifest = f"{directory}{os.sep}{key}{MANIFEST_SUFFIX}"
        before = _identity(manifest)

        def done() -> bool:
            """A result was stored since the claim was asked for (a new manifest, not the one found then)."""
            now = _identity(manifest)
            return now is not None and now != before

        extensions = {fmt.extension for fmt in self.project.output_formats}
        files = [output_filename(key, name, ext) for name in task.output_names for ext in sorted(extensions)]
        from .result_claim import ResultClaim  # a process that only loads results needs no claim

        return ResultClaim(
            self, directory, key, files, done,
            heartbeat=config.claim_heartbeat,
            stale_after=config.claim_stale_after,
            timeout=config.claim_timeout or None,
        )

    def iterations(self, task: Task) -> list[int]:
        prefix = f"{task.family_digest}__{task.iteration_parameter}_"  # type: ignore[attr-defined]
        found = []
        for path in self.directory(task).glob(f"{prefix}*{MANIFEST_SUFFIX}"):
            count = path.name[len(prefix) : -len(MANIFEST_SUFFIX)]
            if count.isdigit():
                found.append(int(count))
        return sorted(found)

    def delete(self, task: Task) -> bool:
        try:
            stored = self.locate(task)
        except CorruptResultError:
            stored = None
        manifest = self._manifest_path(task)
        existed = manifest.exists()
        manifest.unlink(missing_ok=True)
        for out in (stored.outputs.values() if stored else ()):
            if out.inline is None:
                out.path.unlink(missing_ok=True)
        manifest.with_name(f"{task.digest}{USED_SUFFIX}").unlink(missing_ok=True)
        self._touched.pop((self._dir(task)[1], task.digest), None)
        return existed

    def note_claim(self, directory: str, key: str, tag: str | None) -> None:
        """Note that this process now holds the claim on *key* in *directory* under *tag* (None: no longer):
        a result saved under its own claim is written with the claim's tag, so a taker finds its leftovers."""
        if tag is None:
            self._tags.pop((directory, key), None)
        else:
            self._tags[(directory, key)] = tag

    def clean(self, *, dry_run: bool = False) -> list[Leftover]:
        """Remove what interrupted runs left in the data directory (see :mod:`smttask.storage.cleanup`)."""
        from .cleanup import find_leftovers

        return find_leftovers(self.root, self.project.config.claim_stale_after, dry_run=dry_run)

    def stored_results(self) -> list[StoredEntry]:
        """Every result with a readable manifest, by task directory and key (unreadable ones are left alone)."""
        # Imported here, not at the top: a process that only loads results needs neither module.
        from .claim import inspect_claim
        from .cleanup import file_size

        found: list[StoredEntry] = []
        try:
            directories = sorted(e.path for e in os.scandir(self.root) if e.is_dir() and not e.name.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            return found
        for directory in directories:
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                continue
            task = os.path.basename(directory)
            for name in names:
                if name.startswith(".") or not name.endswith(MANIFEST_SUFFIX):
                    continue
                entry = self._stored_entry(directory, task, name[: -len(MANIFEST_SUFFIX)], inspect_claim, file_size)
                if entry is not None:
                    found.append(entry)
        return found

    def _stored_entry(
        self,
        directory: str,
        task: str,
        key: str,
        inspect_claim: Callable[[str], ClaimInfo | None],
        file_size: Callable[[str], int],
    ) -> StoredEntry | None:
        from .inventory import (
            StoredEntry,  # a listing's records: a process that only loads results needs none
        )

        manifest_path = f"{directory}{os.sep}{key}{MANIFEST_SUFFIX}"
        try:
            files, manifest = self._manifest_files(manifest_path, key)
            upstream = tuple((str(t), str(k)) for t, k in manifest.get("upstream") or ())
        except (OSError, ValueError, TypeError, AttributeError, RecursionError, CorruptResultError):
            return None
        size = file_size(manifest_path) + sum(file_size(f"{directory}{os.sep}{file}") for file in files)
        claim = inspect_claim(f"{directory}{os.sep}{key}{CLAIM_SUFFIX}")
        held = claim is not None and not claim.stale(self.project.config.claim_stale_after)
        return StoredEntry(task, key, size, last_used(directory, key, manifest_path), upstream, directory, held)

    @staticmethod
    def _manifest_files(manifest_path: str, key: str) -> tuple[list[str], dict[str, Any]]:
        """The output file names the manifest at *manifest_path* lists, and the manifest.

        Checked: it is *key*'s, and its file names are plain names in its directory.
        """
        manifest = parse_json(read_bytes(manifest_path))
        if manifest.get("key") != key or not isinstance(manifest.get("outputs"), dict):
            raise CorruptResultError(f"{manifest_path} is not the manifest of key {key}")
        return entry_files(manifest_path, manifest), manifest

    def remove_stored(self, entry: StoredEntry, *, grace: float) -> str | None:
        """Remove *entry* holding its claim; its manifest goes first (renamed aside), so no reader sees half of it."""
        from .claim import Claim

        directory = os.fspath(self.root / entry.task)
        key = entry.key
        claim = Claim(Path(directory, f"{key}{CLAIM_SUFFIX}"), lambda: False,
                      stale_after=self.project.config.claim_stale_after)
        if not claim.try_acquire():
            return "a running process holds its claim"
        try:
            manifest = f"{directory}{os.sep}{key}{MANIFEST_SUFFIX}"
            aside = os.path.join(directory, temp_name(f"{key}{MANIFEST_SUFFIX}", claim.tag))
            try:
                os.rename(manifest, aside)
            except FileNotFoundError:
                return "it is gone already"
            used = last_used(directory, key, aside)
            if used > entry.last_used or time.time() - used < grace:
                os.rename(aside, manifest)
                return "it was used just now"
            try:
                files = self._manifest_files(aside, key)[0]
            except (OSError, ValueError, TypeError, AttributeError, RecursionError, CorruptResultError):
                os.rename(aside, manifest)
                return "its manifest cannot be read"
            for name in [*files, f"{key}{USED_SUFFIX}"]:
                with suppress(FileNotFoundError):
                    os.unlink(f"{directory}{os.sep}{name}")
            os.unlink(aside)
            self._touched.pop((directory, key), None)
            return None
        finally:
            claim.release()
