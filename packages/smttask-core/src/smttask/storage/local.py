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
from .formats import OutputFormat

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

    @property
    def root(self) -> Path:
        return self.project.data_dir

    def directory(self, task: Task) -> Path:
        return self.root / safe_name(task.taskname)

    def _manifest_path(self, task: Task) -> Path:
        return self.directory(task) / f"{task.digest}.manifest.json"

    def locate(self, task: Task) -> StoredResult | None:
        path = self._manifest_path(task)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            manifest = json.loads(raw)
            if manifest.get("key") != task.digest:
                raise CorruptResultError(
                    f"{path} belongs to key {manifest.get('key')!r}, not {task.digest!r}"
                )
            outputs = {
                name: StoredOutput(
                    name, path.parent / entry["file"], entry["format"], entry["size"], entry["xxh3_128"]
                )
                for name, entry in manifest["outputs"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CorruptResultError(f"{path} is not a valid result manifest: {exc}") from exc
        return StoredResult(task.digest, outputs)

    def load(self, task: Task, *, mmap: bool = False) -> dict[str, Any] | None:
        stored = self.locate(task)
        if stored is None:
            return None
        formats = {fmt.name: fmt for fmt in self.project.output_formats}
        values = {}
        for name, out in stored.outputs.items():
            fmt = formats.get(out.format)
            if fmt is None:
                raise CorruptResultError(f"{out.path} was written in format '{out.format}', which no installed plugin reads")
            try:
                size = out.path.stat().st_size
            except FileNotFoundError:
                raise CorruptResultError(f"{out.path} is missing") from None
            if size != out.size:
                raise CorruptResultError(f"{out.path} has {size} bytes, {out.size} were written")
            values[name] = fmt.read(out.path, self.project, expected_hash=out.xxh3_128, mmap=mmap)
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
        for name, value in values.items():
            fmt = self._format_for(value)
            final = directory / output_filename(key, name, fmt.extension)
            tmp = directory / f".{final.name}.{uuid.uuid4().hex}.tmp"
            try:
                digest = fmt.write(value, tmp, self.project)
                size = tmp.stat().st_size
                os.replace(tmp, final)
            finally:
                tmp.unlink(missing_ok=True)
            outputs[name] = StoredOutput(name, final, fmt.name, size, digest)
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
            tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
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
