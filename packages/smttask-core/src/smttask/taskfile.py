"""Task files: a task's identity, inputs, reason and key as a versioned JSON document.

Reading one imports only the module it names (and the modules of upstream
tasks it contains) and never unpickles anything.
"""

from __future__ import annotations

import importlib
import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .encoding import decode, encode
from .errors import (
    DeserializationError,
    MainModuleTaskWarning,
    MalformedTaskFileError,
    TaskFileError,
    TaskFileInputError,
    TaskFileVersionError,
    TaskInputError,
    TaskKeyMismatchError,
    UnknownTaskError,
)
from .storage.local import safe_name
from .userwarnings import warn_user

if TYPE_CHECKING:
    from .task import Task

FORMAT = "smttask-task"
FORMAT_VERSION = 1
SUFFIX = ".taskdesc.json"
_REQUIRED = ("module", "task", "inputs")


def describe(task: Task) -> dict[str, Any]:
    """The task-file document of *task*.

    Upstream tasks are described inline where they first appear; later
    occurrences of the same task are ``{"ref": <key>}``, so a graph in which
    tasks share upstream tasks (a diamond) is written in size linear in its tasks.
    """
    return _describe(task, set())


def _desc_key(task: Task) -> str:
    return task.input_digest if task.unpure else task.digest


def _describe(task: Task, seen: set[str]) -> dict[str, Any]:
    registry = task._project().serializers

    def upstream(other: Task) -> dict[str, Any]:
        key = _desc_key(other)
        if key in seen:
            return {"ref": key}
        seen.add(key)
        return _describe(other, seen)

    inputs = {
        name: encode(value, registry, "file", where=f"input '{name}' of task '{task.taskname}'", task_hook=upstream)
        for name, value in task.inputs.items()
    }
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "module": task.module_name,
        "task": task.taskname,
        "inputs": inputs,
        "reason": task.reason,
        "key": _desc_key(task),
    }


def task_filename(task: Task) -> str:
    return f"{safe_name(task.taskname)}__{_desc_key(task)}{SUFFIX}"


def save_task(task: Task, path: str | Path) -> Path:
    """Write *task*'s file into directory *path*, or to *path* itself if it ends in ``.json``."""
    if task.module_name == "__main__":
        warn_user(
            f"Task '{task.taskname}' is defined in the main script or notebook, so its task file "
            "names module '__main__' and cannot be loaded by another process. Move the task into "
            "a module and import it.",
            MainModuleTaskWarning,
        )
    path = Path(path)
    if path.suffix == ".json":
        target = path
    else:
        target = path / task_filename(task)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(describe(task), indent=2, ensure_ascii=False)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def read_document(source: str | Path | Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Return ``(label, document)``; *label* names the source in error messages."""
    if isinstance(source, Mapping):
        return "<task description>", dict(source)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        label, text = "<task description>", source
    else:
        label = str(source)
        try:
            text = Path(source).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise MalformedTaskFileError(label, "no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise MalformedTaskFileError(label, f"cannot be read: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedTaskFileError(label, f"not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise MalformedTaskFileError(label, "not a task file: the JSON document is not an object")
    return label, document


def task_from_desc(source: str | Path | Mapping[str, Any], *, verify_key: bool = True) -> Task:
    """Rebuild the task described by a task file path, its JSON text or its dict."""
    label, doc = read_document(source)
    if doc.get("format") != FORMAT:
        raise MalformedTaskFileError(label, f"not an smttask task file (no \"format\": \"{FORMAT}\" field)")
    if doc.get("version") != FORMAT_VERSION:
        raise TaskFileVersionError(
            label,
            f"task file format version {doc.get('version')!r} is not supported; this smttask reads "
            f"version {FORMAT_VERSION}. Re-create the file with a matching smttask.",
        )
    task = _Reader(label, doc, verify_key).build(doc)
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        task.task_file = Path(source).resolve()
    return task


class _Reader:
    """Rebuilds one task file's tasks, each shared upstream task once."""

    def __init__(self, label: str, doc: dict[str, Any], verify_key: bool) -> None:
        from .project import current_project

        self.label = label
        self.verify_key = verify_key
        self.registry = current_project().serializers
        self.described: dict[str, dict[str, Any]] = {}
        self.built: dict[str, Task] = {}
        self.building: set[str] = set()
        self._index(doc.get("inputs"))

    def _index(self, data: Any) -> None:
        """Find every inline upstream description, so references resolve in any order."""
        if isinstance(data, list):
            for item in data:
                self._index(item)
        elif isinstance(data, dict):
            value = data.get("value")
            if data.get("$type") == "task" and isinstance(value, dict) and "inputs" in value:
                if isinstance(value.get("key"), str):
                    self.described.setdefault(value["key"], value)
                self._index(value["inputs"])
            else:
                for item in data.values():
                    self._index(item)

    def upstream(self, value: Any) -> Task:
        if not isinstance(value, dict):
            raise MalformedTaskFileError(self.label, f"an upstream task must be described by an object, got {value!r}")
        key = value.get("key") if "ref" not in value else value["ref"]
        if key in self.built:
            return self.built[key]
        if "ref" in value:
            if key not in self.described:
                raise MalformedTaskFileError(self.label, f"refers to upstream task {key!r}, which it never describes")
            value = self.described[key]
        if key in self.building:
            raise MalformedTaskFileError(self.label, f"upstream task {key!r} depends on itself")
        self.building.add(key)
        try:
            task = self.build(value)
        except TaskFileError as exc:
            problem = exc.problem if exc.problem.startswith("in an upstream task") else f"in an upstream task: {exc.problem}"
            raise type(exc)(self.label, problem) from None
        finally:
            self.building.discard(key)
        if key is not None:
            self.built[key] = task
        return task

    def build(self, doc: dict[str, Any]) -> Task:
        label = self.label
        missing = [k for k in _REQUIRED if k not in doc]
        if missing:
            raise MalformedTaskFileError(label, f"missing field(s): {', '.join(missing)}")
        cls = _import_task_class(label, doc["module"], doc["task"])
        try:
            inputs = decode(doc["inputs"], self.registry, task_hook=self.upstream)
        except TaskFileError:
            raise
        except (DeserializationError, ValueError, TypeError, KeyError) as exc:
            raise TaskFileInputError(label, f"cannot read the inputs: {exc}") from None
        if not isinstance(inputs, dict):
            raise MalformedTaskFileError(label, "'inputs' must be a JSON object")
        try:
            task = cls(**inputs, reason=doc.get("reason"))
        except TaskInputError as exc:
            raise TaskFileInputError(label, str(exc)) from None
        stored_key = doc.get("key")
        if self.verify_key and stored_key is not None and not task.unpure and task.digest != stored_key:
            raise TaskKeyMismatchError(
                label,
                f"stored key {stored_key} but its inputs give key {task.digest}: the file was edited, or "
                f"the code of '{task.taskname}' now keys its inputs differently (signature, types or version changed).",
            )
        return task


def _import_task_class(label: str, module_name: str, qualname: str) -> type[Task]:
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UnknownTaskError(
            label, f"cannot import module '{module_name}' ({exc}); is it installed and on sys.path?"
        ) from None
    obj: Any = module
    try:
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise UnknownTaskError(label, f"module '{module_name}' has no task '{qualname}'") from None
    if not (isinstance(obj, type) and getattr(obj, "__smttask_task__", False) and hasattr(obj, "_inputs")):
        raise UnknownTaskError(label, f"'{module_name}:{qualname}' is not a task")
    return obj


__all__ = ["FORMAT", "FORMAT_VERSION", "SUFFIX", "describe", "save_task", "task_from_desc"]
