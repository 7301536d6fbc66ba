"""The ``fsspec`` storage backend: results under ``storage_url``, in the ``local`` backend's layout.

::

    <storage_url>/<TaskName>/<key>.<ext>, <key>_<output>.<ext>    the outputs
    <storage_url>/<TaskName>/<key>.manifest.json                  written last: the result is complete
    <storage_url>/<TaskName>/<key>.claim                          held while a process computes the key

The manifest is core's (same fields, same XXH3-128 hashes), so a result directory
copied between a ``local`` data directory and a remote store reads the same. Every
file is uploaded under a temporary name and published with a rename that never
replaces an existing file (see :mod:`smttask_fsspec.remote` for each protocol), the
manifest last. A result is never changed in place: storing a key again removes its
manifest first (the result is then absent, not half-new), then its files.

Outputs are written and read by core's output formats on local files: a result is
written into the local read cache and uploaded from there, and a remote result is
downloaded into the cache (hashed on the way) and read from there.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xxhash

from smttask.errors import CorruptResultError
from smttask.files import host_id, parse_temp_name, pid_alive, safe_name, temp_name, temp_tag
from smttask.fingerprint import code_fingerprint
from smttask.storage import (
    Leftover,
    OutputFormat,
    StorageBackend,
    StoredOutput,
    StoredResult,
)
from smttask.storage.cleanup import CLAIM_SUFFIX, MANIFEST_SUFFIX, candidate_keys
from smttask.storage.formats import parse_json
from smttask.storage.manifest import (
    ManifestEntry,
    code_valid,
    manifest_entry,
    manifest_record,
    output_filename,
    parse_manifest,
    result_manifest,
)

from .cache import ReadCache
from .claim import LOCK_SUFFIX, RemoteClaim, RemoteClaimInfo, inspect, remove_if_unchanged
from .errors import FsspecStorageError
from .remote import join, open_remote
from .settings import parse_settings

if TYPE_CHECKING:
    from smttask.project import Project
    from smttask.task import Task

class FsspecStorage(StorageBackend):
    """Results on any storage fsspec reaches (``storage_url``), with a bounded local read cache."""

    name = "fsspec"

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        config = project.config
        self.settings = parse_settings(config.storage_url, config.plugins.get("fsspec", {}), project.root)
        self.remote = open_remote(self.settings)
        self.cache = ReadCache(self.settings.cache_dir, self.settings.cache_bytes)
        self._formats: dict[str, OutputFormat] | None = None
        #: Temporary-file tag of the claim this process holds, by (directory, key).
        self._tags: dict[tuple[str, str], str] = {}

    # --- paths ------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        """The URL of the remote *path*, for messages (never holding a secret)."""
        return self.settings.url.rstrip("/") + path[len(self.settings.root.rstrip("/")):]

    def directory(self, task: Task) -> str:
        return join(self.settings.root, safe_name(task.taskname))

    def _manifest_path(self, task: Task) -> str:
        return join(self.directory(task), f"{task.digest}{MANIFEST_SUFFIX}")

    def marker(self, task: Task) -> Path | None:
        """The manifest, for ``file://`` storage (a file this machine sees); None for remote storage."""
        return Path(self._manifest_path(task)) if self.settings.protocol == "file" else None

    # --- reading ----------------------------------------------------------------------------
    def _read_manifest(
        self, task: Task, key: str | None = None
    ) -> tuple[str, str, list[tuple[str, ManifestEntry]], dict[str, Any]] | None:
        """``(directory, manifest path, [(output, entry)], manifest)`` of *task*'s result (or of its type's
        result *key*), or None when nothing is stored."""
        directory = self.directory(task)
        key = task.digest if key is None else key
        path = join(directory, f"{key}{MANIFEST_SUFFIX}")
        try:
            raw = self.remote.read(path)
        except FileNotFoundError:
            return None
        where = self.url(path)
        manifest = parse_manifest(raw, key, where)
        entries = [(name, manifest_entry(where, e)) for name, e in manifest["outputs"].items()]
        if any(entry.file is None for _, entry in entries):  # only the local backend keeps outputs in a manifest
            raise CorruptResultError(f"{where} is not a valid result manifest here: an output without a file")
        return directory, path, entries, manifest

    def locate(self, task: Task) -> StoredResult | None:
        found = self._read_manifest(task)
        return None if found is None else self._stored_result(task, found)

    @staticmethod
    def _stored_result(task: Task, found: tuple[str, str, list[tuple[str, ManifestEntry]], dict[str, Any]]) -> StoredResult:
        directory, _, entries, manifest = found
        return StoredResult(task.digest, {
            name: StoredOutput(name, Path(join(directory, file)), fmt, size, digest, mtime_ns)
            for name, (file, fmt, size, digest, mtime_ns, _, _) in entries
        }, manifest_record(manifest))

    def manifests(self, task: Task, key: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """The manifests of *task*'s type's stored results (only *key*'s, if given), by URL; unreadable ones left out."""
        if key is not None:
            keys = [key]
        else:
            directory = self.directory(task)
            keys = sorted(
                name[: -len(MANIFEST_SUFFIX)] for name in self.remote.listdir(directory)
                if name.endswith(MANIFEST_SUFFIX) and not name.startswith(".")
            )
        found = []
        for one in keys:
            try:
                read = self._read_manifest(task, one)
            except CorruptResultError:
                continue
            if read is not None:
                found.append((self.url(read[1]), read[3]))
        return found

    def check(self, task: Task) -> StoredResult | None:
        """The stored result, if every file has its recorded size and modification time, or hashes right.

        A file whose modification time differs is fetched (into the read cache) and hashed. The
        project's ``on_code_change`` applies to a result of changed code, as on :meth:`load`.
        """
        found = self._read_manifest(task)
        if found is None or not code_valid(task, self.project, found[3], self.url(found[1])):
            return None
        stored = self._stored_result(task, found)
        formats = self._known_formats()
        for out in stored.outputs.values():
            path = out.path.as_posix()
            found = self.remote.stat(path)
            if found is None:
                raise CorruptResultError(f"{self.url(path)} is missing")
            if found[0] != out.size:
                raise CorruptResultError(
                    f"{self.url(path)} has {found[0]} bytes, not the {out.size} it was written with"
                )
            fmt = formats.get(out.format)
            if out.mtime_ns is not None and int(found[1] * 1e9) != out.mtime_ns and fmt is not None:
                self._fetch(path, out.xxh3_128, fmt.extension, set())
        return stored

    def _known_formats(self) -> dict[str, OutputFormat]:
        if self._formats is None:
            self._formats = {fmt.name: fmt for fmt in self.project.output_formats}
        return self._formats

    def _fetch(self, path: str, digest: str, extension: str, keep: set[str]) -> str:
        """Download the remote file *path* into the read cache, checking it hashes to *digest*; its cache path."""
        tmp = self.cache.temp()
        hasher = xxhash.xxh3_128()
        try:
            with open(tmp, "xb") as f:
                def write(chunk: bytes) -> None:
                    f.write(chunk)
                    hasher.update(chunk)

                try:
                    self.remote.download(path, write)
                except FileNotFoundError:
                    raise CorruptResultError(f"{self.url(path)} is missing") from None
                size = f.tell()
            if hasher.hexdigest() != digest:
                raise CorruptResultError(f"{self.url(path)} does not match the hash recorded when it was written")
            self.cache.make_room(size, keep)
            return self.cache.add(tmp, digest, extension)
        finally:
            self.cache.drop(tmp)

    def load(self, task: Task, *, mmap: bool = False) -> dict[str, Any] | None:
        found = self._read_manifest(task)
        if found is None or not code_valid(task, self.project, found[3], self.url(found[1])):
            return None
        directory, _, entries, _ = found
        formats = self._known_formats()
        keep: set[str] = set()
        values = {}
        for name, (file, format_name, _, digest, _, facts, _) in entries:
            remote_path = join(directory, file)
            fmt = formats.get(format_name)
            if fmt is None:
                raise CorruptResultError(
                    f"{self.url(remote_path)} was written in format '{format_name}', which no installed plugin reads"
                )
            extra = {"expected": facts} if facts else {}
            cached = self.cache.hit(digest, fmt.extension)
            if cached is not None:
                try:
                    values[name] = fmt.read(cached, self.project, expected_hash=digest, mmap=mmap, **extra)
                    keep.add(cached)
                    continue
                except CorruptResultError:  # the local copy is damaged: fetch it again
                    self.cache.drop(cached)
            cached = self._fetch(remote_path, digest, fmt.extension, keep)
            keep.add(cached)
            values[name] = fmt.read(cached, self.project, expected_hash=digest, mmap=mmap, **extra)
        return values

    # --- writing ----------------------------------------------------------------------------
    def _format_for(self, value: Any) -> OutputFormat:
        for fmt in self.project.output_formats:
            if fmt.handles(value):
                return fmt
        raise AssertionError("the JSON format handles every value")

    def _put(self, local: str, directory: str, name: str, tag: str, *, replacing: bool = False) -> None:
        """Upload *local* as *directory*/*name*: a temporary name, then a rename that replaces nothing.

        With *replacing* (only while holding the key's claim) the file there is removed just
        before the rename: a reader in between finds none, never half of one.
        """
        final = join(directory, name)
        rtmp = join(directory, temp_name(name, tag))
        try:
            self.remote.upload(local, rtmp)
            if replacing:
                self.remote.remove(final)
            if not self.remote.publish(rtmp, final):
                # A file no manifest vouches for (this process holds the key's claim): removed, never overwritten.
                self.remote.remove(final)
                if not self.remote.publish(rtmp, final):
                    raise FsspecStorageError(
                        f"{self.url(final)} was created by another process while this one stored it: "
                        "two processes compute this key without a claim; nothing was stored."
                    )
        finally:
            self.remote.remove(rtmp)

    def _remove_result(self, task: Task) -> bool:
        """Remove *task*'s manifest (first: the result is then absent), then its files; True if it had one."""
        try:
            found = self._read_manifest(task)
        except CorruptResultError:
            found = None
        manifest = self._manifest_path(task)
        existed = self.remote.stat(manifest) is not None
        self.remote.remove(manifest)
        if found is not None:
            directory, _, entries, _ = found
            for _, (file, *_rest) in entries:
                self.remote.remove(join(directory, file))
        return existed

    def save(self, task: Task, values: dict[str, Any], *, record: str | None = None) -> StoredResult:
        directory = self.directory(task)
        key = task.digest
        tag = self._tags.get((directory, key)) or temp_tag()
        self.remote.makedirs(directory)
        self._remove_result(task)
        staged: list[tuple[str, str, OutputFormat]] = []  # (local file, output name, format)
        published: list[str] = []
        entries: dict[str, dict[str, Any]] = {}
        try:
            for name, value in values.items():
                fmt = self._format_for(value)
                local = self.cache.temp()
                staged.append((local, name, fmt))
                digest = fmt.write(value, local, self.project)
                file = output_filename(key, name, fmt.extension)
                self._put(local, directory, file, tag)
                published.append(join(directory, file))
                found = self.remote.stat(join(directory, file))
                described = fmt.describe(value)
                entries[name] = {
                    "file": file, "format": fmt.name, "size": os.stat(local).st_size, "xxh3_128": digest,
                    "mtime_ns": int(found[1] * 1e9) if found else None,
                    **({"facts": described} if described else {}),
                }
            manifest = result_manifest(task, self.project, entries, record)
            local = self.cache.temp()
            staged.append((local, "", None))  # type: ignore[arg-type]
            with open(local, "xb") as f:
                f.write(json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
            self._put(local, directory, f"{key}{MANIFEST_SUFFIX}", tag)
        except BaseException:
            # Nothing vouches for the files uploaded: do not leave them behind.
            for path in published:
                self.remote.remove(path)
            for local, _, _ in staged:
                self.cache.drop(local)
            raise
        # The files just written become the read cache's most recent entries.
        outputs = {}
        kept: set[str] = set()
        self.cache.make_room(sum(e["size"] for e in entries.values()), set())
        for local, name, fmt in staged:
            if fmt is None:
                self.cache.drop(local)
                continue
            entry = entries[name]
            path = self.cache.add(local, entry["xxh3_128"], fmt.extension)
            kept.add(path)
            outputs[name] = StoredOutput(name, Path(path), fmt.name, entry["size"], entry["xxh3_128"],
                                         entry["mtime_ns"])
        return StoredResult(key, outputs, record)

    def delete(self, task: Task) -> bool:
        return self._remove_result(task)

    def accept_code(self, task: Task) -> bool:
        """Store the current code fingerprint in *task*'s manifest (``smttask accept``); True if stored.

        A published file is never overwritten where it is (not every remote can replace a
        file atomically), so this holds the key's claim while it swaps the manifest: the new
        one is uploaded under a temporary name, the old one removed, the new one renamed in.
        A reader in between finds no result, claims the key, waits, and then loads it.
        """
        with self.claim(task) as claim:
            found = self._read_manifest(task)
            if found is None:
                return False
            if not claim.held:
                raise FsspecStorageError(
                    f"{self.url(found[1])}: another process holds this result's claim; run `smttask accept` "
                    "again once it has finished."
                )
            directory, _, _, manifest = found
            manifest["code"] = code_fingerprint(task.task_function)
            local = self.cache.temp()
            try:
                with open(local, "xb") as f:
                    f.write(json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
                self._put(local, directory, f"{task.digest}{MANIFEST_SUFFIX}", claim.tag, replacing=True)
            finally:
                self.cache.drop(local)
        return True

    # --- claims -----------------------------------------------------------------------------
    def _candidate_files(self, task: Task) -> list[str]:
        extensions = {fmt.extension for fmt in self.project.output_formats}
        return [output_filename(task.digest, name, ext) for name in task.output_names for ext in sorted(extensions)]

    def claim(self, task: Task) -> RemoteClaim:
        config = self.project.config
        directory = self.directory(task)
        key = task.digest
        manifest = join(directory, f"{key}{MANIFEST_SUFFIX}")
        before = self.remote.stat(manifest)
        files = self._candidate_files(task)

        def done() -> bool:
            """A result was stored since the claim was asked for (a manifest, not the one found then)."""
            now = self.remote.stat(manifest)
            return now is not None and now != before

        def acquired(claim: RemoteClaim) -> None:
            self._tags[(directory, key)] = claim.tag

        def taken_over(stale: RemoteClaimInfo) -> None:
            if stale.pid is None or stale.host is None or stale.token is None:
                return
            dead_tag = temp_tag(stale.pid, stale.host, stale.token[:16])
            for name in [*files, f"{key}{MANIFEST_SUFFIX}"]:
                self.remote.remove(join(directory, temp_name(name, dead_tag)))

        return RemoteClaim(
            self.remote, join(directory, f"{key}{CLAIM_SUFFIX}"), done,
            heartbeat=config.claim_heartbeat, stale_after=config.claim_stale_after,
            timeout=config.claim_timeout or None, on_acquired=acquired, on_taken_over=taken_over,
        )

    def iterations(self, task: Task) -> list[int]:
        prefix = f"{task.family_digest}__{task.iteration_parameter}_"  # type: ignore[attr-defined]
        found = []
        for name in self.remote.listdir(self.directory(task)):
            if name.startswith(prefix) and name.endswith(MANIFEST_SUFFIX):
                count = name[len(prefix) : -len(MANIFEST_SUFFIX)]
                if count.isdigit():
                    found.append(int(count))
        return sorted(found)

    # --- cleaning ---------------------------------------------------------------------------
    def clean(self, *, dry_run: bool = False) -> list[Leftover]:
        """Remove what interrupted runs left: dead writers' temporary files, stale claims, unvouched outputs.

        A writer on this host is dead when its process is gone; elsewhere, when its file is
        older than ``claim_stale_after`` by this machine's clock.
        """
        stale_after = self.project.config.claim_stale_after
        found: list[Leftover] = []
        root = self.settings.root
        for task_dir in self.remote.listdir(root):
            directory = join(root, task_dir)
            names = self.remote.listdir(directory)
            listed = set(names)

            def old(path: str) -> tuple[bool, int]:  # (older than stale_after, size)
                st = self.remote.stat(path)
                return (st is not None and time.time() - st[1] > stale_after), (st[0] if st else 0)

            def remove(name: str, size: int, why: str, directory: str = directory) -> None:
                if not dry_run:
                    self.remote.remove(join(directory, name))
                found.append(Leftover(Path(join(directory, name)), size, why))

            for name in names:
                path = join(directory, name)
                if name.startswith(".") and name.endswith(".tmp"):
                    writer = parse_temp_name(name)
                    is_old, size = old(path)
                    if writer is not None and writer.host == host_id():
                        if not pid_alive(writer.pid):
                            remove(name, size, f"temporary file of process {writer.pid}, which is gone")
                    elif is_old:
                        remove(name, size, f"temporary file untouched for over {stale_after:g} s")
                elif name.endswith((CLAIM_SUFFIX, CLAIM_SUFFIX + LOCK_SUFFIX)):
                    info = inspect(self.remote, path)
                    is_old, size = old(path)
                    if info is not None and (info.dead_here() or is_old):
                        if dry_run or remove_if_unchanged(self.remote, path, info, temp_tag()):
                            found.append(Leftover(Path(path), size, "claim of a process that is gone"))
            vouched: set[str] = set()
            for name in names:
                if name.endswith(MANIFEST_SUFFIX):
                    try:
                        manifest = parse_json(self.remote.read(join(directory, name)))
                        vouched |= {str(e["file"]) for e in manifest["outputs"].values()}
                    except (OSError, ValueError, KeyError, TypeError, AttributeError):
                        vouched.add("*")  # unreadable: keep every file of this directory
            if "*" in vouched:
                continue
            for name in names:
                if name.startswith(".") or name in vouched or name.endswith(
                    (MANIFEST_SUFFIX, CLAIM_SUFFIX, LOCK_SUFFIX)
                ):
                    continue
                keys = candidate_keys(name)
                if len(keys) != 1 or f"{keys[0]}{CLAIM_SUFFIX}" in listed:
                    continue  # several readings, or a key someone claims: left alone
                size = (self.remote.stat(join(directory, name)) or (0, 0))[0]
                if dry_run:
                    found.append(Leftover(Path(join(directory, name)), size, "output file that no manifest lists"))
                    continue
                claim = RemoteClaim(self.remote, join(directory, f"{keys[0]}{CLAIM_SUFFIX}"), lambda: False,
                                    stale_after=stale_after)
                if not claim.try_acquire():
                    continue
                try:
                    if self.remote.stat(join(directory, f"{keys[0]}{MANIFEST_SUFFIX}")) is None:
                        remove(name, size, "output file that no manifest lists")
                finally:
                    claim.release()
        return found
