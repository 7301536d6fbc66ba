"""The built-in ``local`` backend: results under the project's data directory.

Layout, browsable by a person::

    <data>/<TaskName>/<key>.<ext>              a task's single (bare) output
    <data>/<TaskName>/<key>_<output>.<ext>     one file per named output
    <data>/<TaskName>/<key>.manifest.json      written last: the result is complete

Every file is written to a temporary name and renamed into place, and the
manifest (which records the full key and each file's size and hash) is
renamed last, so a reader never sees half a result.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import CorruptResultError, StorageBackend, StoredOutput, StoredResult
from .claim import Claim
from .formats import OutputFormat, parse_json, read_bytes

if TYPE_CHECKING:
    from ..task import Task

MANIFEST_VERSION = 1
_UNSAFE = re.compile(r"[^\w.\-]+")


def safe_name(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("_") or "task"


def output_filename(key: str, output: str, extension: str) -> str:
    return f"{key}.{extension}" if output == "" else f"{key}_{output}.{extension}"


class LocalStorage(StorageBackend):
    """Results as plain files under the project's data directory."""

    name = "local"

    def __init__(self, project: Any) -> None:
        super().__init__(project)
        self._dirs: dict[tuple[str, str], tuple[Path, str]] = {}
        self._formats: dict[str, OutputFormat] | None = None

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
        key = task.digest
        path = f"{directory}{os.sep}{key}.manifest.json"
        try:
            raw = read_bytes(path)
        except FileNotFoundError:
            return None
        try:
            manifest = parse_json(raw)
            if manifest.get("key") != key:
                raise CorruptResultError(f"{path} belongs to key {manifest.get('key')!r}, not {key!r}")
            if not isinstance(manifest["outputs"], dict):
                raise TypeError("'outputs' is not an object")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CorruptResultError(f"{path} is not a valid result manifest: {exc}") from exc
        return directory, path, manifest

    def _manifest_path(self, task: Task) -> Path:
        return self.directory(task) / f"{task.digest}.manifest.json"

    def locate(self, task: Task) -> StoredResult | None:
        found = self._read_manifest(task)
        if found is None:
            return None
        directory, manifest_path, manifest = found
        try:
            outputs = {
                name: StoredOutput(
                    name, Path(directory) / entry["file"], entry["format"], entry["size"], entry["xxh3_128"]
                )
                for name, entry in manifest["outputs"].items()
            }
        except (KeyError, TypeError) as exc:
            raise CorruptResultError(f"{manifest_path} is not a valid result manifest: {exc}") from exc
        return StoredResult(task.digest, outputs)

    def load(self, task: Task, *, mmap: bool = False) -> dict[str, Any] | None:
        # The hot path of every disk hit: string paths and one read per file. No separate size
        # check: the formats verify the XXH3-128 hash, which catches truncation too.
        found = self._read_manifest(task)
        if found is None:
            return None
        directory, manifest_path, manifest = found
        formats = self._formats
        if formats is None:
            formats = self._formats = {fmt.name: fmt for fmt in self.project.output_formats}
        values = {}
        for name, entry in manifest["outputs"].items():
            try:
                file, format_name, expected_hash = entry["file"], entry["format"], entry["xxh3_128"]
            except (KeyError, TypeError) as exc:
                raise CorruptResultError(f"{manifest_path} is not a valid result manifest: {exc}") from exc
            path = f"{directory}{os.sep}{file}"
            fmt = formats.get(format_name)
            if fmt is None:
                raise CorruptResultError(f"{path} was written in format '{format_name}', which no installed plugin reads")
            try:
                values[name] = fmt.read(path, self.project, expected_hash=expected_hash, mmap=mmap)
            except FileNotFoundError:
                raise CorruptResultError(f"{path} is missing") from None
        return values

    def _format_for(self, value: Any) -> OutputFormat:
        for fmt in self.project.output_formats:
            if fmt.handles(value):
                return fmt
        raise AssertionError("the JSON format handles every value")

    def save(self, task: Task, values: dict[str, Any]) -> StoredResult:
        directory = self.directory(task)
        directory.mkdir(parents=True, exist_ok=True)
        key = task.digest
        outputs: dict[str, StoredOutput] = {}
        try:
            for name, value in values.items():
                fmt = self._format_for(value)
                final = directory / output_filename(key, name, fmt.extension)
                tmp = directory / f".{final.name}.{uuid.uuid4().hex}.tmp"
                try:
                    digest = fmt.write(value, os.fspath(tmp), self.project)
                    size = tmp.stat().st_size
                    os.replace(tmp, final)
                finally:
                    tmp.unlink(missing_ok=True)
                outputs[name] = StoredOutput(name, final, fmt.name, size, digest)
        except BaseException:
            # No manifest will vouch for these files: do not leave them behind.
            for out in outputs.values():
                out.path.unlink(missing_ok=True)
            raise
        manifest = {
            "smttask_result": MANIFEST_VERSION,
            "task": task.identity,
            "key": key,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "outputs": {
                name: {"file": o.path.name, "format": o.format, "size": o.size, "xxh3_128": o.xxh3_128}
                for name, o in outputs.items()
            },
        }
        path = self._manifest_path(task)
        tmp = directory / f".{path.name}.{uuid.uuid4().hex}.tmp"
        try:
            tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return StoredResult(key, outputs)

    def claim(self, task: Task) -> Claim:
        config = self.project.config
        manifest = self._manifest_path(task)
        return Claim(
            self.directory(task) / f"{task.digest}.claim",
            done=manifest.exists,
            heartbeat=config.claim_heartbeat,
            stale_after=config.claim_stale_after,
            timeout=config.claim_timeout or None,
        )

    def iterations(self, task: Task) -> list[int]:
        prefix = f"{task.family_digest}__{task.iteration_parameter}_"  # type: ignore[attr-defined]
        suffix = ".manifest.json"
        found = []
        for path in self.directory(task).glob(f"{prefix}*{suffix}"):
            count = path.name[len(prefix) : -len(suffix)]
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
            out.path.unlink(missing_ok=True)
        return existed
