"""Task files: a task's identity, inputs, reason and key as a versioned JSON document.

Reading one imports only the module it names (and the modules of upstream
tasks it contains) and never unpickles anything.
"""

from __future__ import annotations

import importlib
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .encoding import decode, encode
from .errors import (
    MainModuleTaskWarning,
    MalformedTaskFileError,
    SmttaskError,
    TaskFileError,
    TaskFileInputError,
    TaskFileVersionError,
    TaskInputError,
    TaskKeyMismatchError,
    UnknownTaskError,
)
from .files import safe_name, write_atomic
from .serializers import Decode, Encode, JSONValue, Serializer, is_attribute_path, is_module_name
from .text import one_line, shown
from .userwarnings import warn_user
from .walk import iter_tasks

if TYPE_CHECKING:
    from .storedarrays import StoredArrays
    from .task import Task

FORMAT = "smttask-task"
#: Deepest nesting of lists and objects a task file may have (decoding recurses
#: through it; real inputs nest a few levels).
MAX_DEPTH = 200
FORMAT_VERSION = 2
#: Format versions this smttask reads (1: upstream tasks nested inline).
READABLE_VERSIONS = (1, 2)
SUFFIX = ".taskdesc.json"
_REQUIRED = ("module", "task", "inputs")
#: The fields every smttask 0.2 task description has.
LEGACY_FIELDS = ("taskname", "module", "inputs")


def describe(task: Task, arrays: StoredArrays | None = None) -> dict[str, Any]:
    """The task-file document of *task*.

    Every upstream task is described once, in the document's ``"upstream"``
    table (keyed by its key, each after the tasks it refers to), and an input
    that is an upstream task is ``{"$type": "task", "value": {"ref": <key>}}``.
    So a graph in which tasks share upstream tasks (a diamond) is written in
    size linear in its tasks, and a chain of any depth gives a flat document:
    it is written, read and pickled without recursion.

    With *arrays*, array inputs larger than its ``inline_max`` are stored there
    and referenced by hash (see :mod:`smttask.storedarrays`); without, every
    value is written inline, so the document stands alone.
    """
    from .project import current_project

    registry = current_project().deferred_serializers
    hook = arrays.reference if arrays is not None else None
    upstream = {other.static_key: _entry(other, registry, hook) for other in _upstream_order(task)}
    document = _entry(task, registry, hook)
    document = {"format": FORMAT, "version": FORMAT_VERSION, **document}
    if upstream:
        document["upstream"] = upstream
    return document


def _entry(task: Task, registry: Any, value_hook: Any) -> dict[str, Any]:
    """One task's part of a task file: identity, inputs (upstream tasks by reference), reason, key."""

    def ref(other: Task) -> dict[str, Any]:
        return {"ref": other.static_key}

    inputs = {
        name: encode(
            value, registry, "file", where=f"input '{name}' of task '{task.taskname}'",
            task_hook=ref, value_hook=value_hook,
        )
        for name, value in task.inputs.items()
    }
    return {
        "module": task.module_name,
        "task": task.taskname,
        "inputs": inputs,
        "reason": task.reason,
        "key": task.static_key,
    }


def _upstream_order(task: Task) -> list[Task]:
    """The upstream tasks of *task*, each once, every one after those it depends on (no recursion)."""
    order: list[Task] = []
    done: set[str] = set()
    stack: list[tuple[Task, bool]] = [(task, False)]
    while stack:
        current, expanded = stack.pop()
        key = current.static_key
        if key in done:
            continue
        if expanded:
            done.add(key)
            if current is not task:
                order.append(current)
            continue
        stack.append((current, True))
        for value in current.inputs.values():
            stack.extend((child, False) for child in iter_tasks(value) if child.static_key not in done)
    return order


def task_filename(task: Task) -> str:
    return f"{safe_name(task.taskname)}__{task.static_key}{SUFFIX}"


def save_task(task: Task, path: str | Path, *, embed: bool = False) -> Path:
    """Write *task*'s file into directory *path*, or to *path* itself if it ends in ``.json``.

    Array inputs larger than the project's ``array_inline_max`` are stored once
    under ``<data>/.arrays/`` and the file refers to them by hash; with *embed*,
    every array is written into the file, which then stands alone.
    """
    from .project import current_project
    from .storedarrays import StoredArrays

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
    arrays = None if embed else StoredArrays.of(current_project())
    text = json.dumps(describe(task, arrays), indent=2, ensure_ascii=False)
    write_atomic(target, (text + "\n").encode("utf-8"))
    return target


def is_legacy_document(document: Mapping[str, Any]) -> bool:
    """Whether *document* is a task description as smttask 0.2 wrote it (see :mod:`smttask.legacy`)."""
    return "format" not in document and all(field in document for field in LEGACY_FIELDS)


def read_document(source: str | Path | Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Return ``(label, document)``; *label* names the source in error messages."""
    label, document, _ = _read_source(source)
    return label, document


def _read_source(source: str | Path | Mapping[str, Any]) -> tuple[str, dict[str, Any], str | None]:
    """``(label, document, file)``: :func:`read_document`, and the resolved path of the file read (if any)."""
    if isinstance(source, Mapping):
        document = dict(source)
        if _depth_exceeds(document, MAX_DEPTH):
            raise MalformedTaskFileError("<task description>", f"nested deeper than {MAX_DEPTH} levels")
        return "<task description>", document, None
    file = None
    if isinstance(source, str) and source.lstrip().startswith("{"):
        label, text = "<task description>", source
    else:
        label = str(source)
        text, file = _read_regular_file(label, source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedTaskFileError(label, f"not valid JSON ({exc})") from None
    except RecursionError:
        raise MalformedTaskFileError(label, "nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise MalformedTaskFileError(label, f"not valid JSON ({one_line(str(exc), 200)})") from None
    # Each level opens a bracket: a text with no more of them than the limit cannot nest deeper.
    if text.count("{") + text.count("[") > MAX_DEPTH and _depth_exceeds(document, MAX_DEPTH):
        raise MalformedTaskFileError(label, f"nested deeper than {MAX_DEPTH} levels")
    if not isinstance(document, dict):
        raise MalformedTaskFileError(label, "not a task file: the JSON document is not an object")
    return label, document, file


def _depth_exceeds(document: Any, limit: int) -> bool:
    """True if *document* nests lists and objects deeper than *limit* (checked without recursion)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value)
    return False


def _read_regular_file(label: str, path: str | Path) -> tuple[str, str]:
    """The text of *path*, which must be a regular file (a FIFO or device is refused, never waited on),
    and the file's absolute path with symbolic links resolved (see :func:`_opened_path`)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise MalformedTaskFileError(label, "no such file") from None
    except OSError as exc:
        raise MalformedTaskFileError(label, f"cannot be read: {one_line(str(exc), 300)}") from None
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise MalformedTaskFileError(label, "not a regular file")
        try:
            text = file.read().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MalformedTaskFileError(label, f"cannot be read: {one_line(str(exc), 300)}") from None
        return text, _opened_path(fd, path)


#: Where Linux names each file this process has open, by descriptor.
_FD_NAMES = "/proc/self/fd/{}"


def _opened_path(fd: int, path: str | Path) -> str:
    """The absolute path, symbolic links resolved, of the file open as *fd* (opened from *path*).

    Linux names the very file read in ``/proc/self/fd`` (one lookup, where
    ``os.path.realpath`` looks up every component of the path again, and could
    find another file if a link changed meanwhile); elsewhere, or for a file
    deleted since it was opened, it is ``os.path.realpath(path)``.
    """
    try:
        named = os.readlink(_FD_NAMES.format(fd))
    except OSError:
        return os.path.realpath(path)
    if not named.startswith("/") or named.endswith(" (deleted)"):
        return os.path.realpath(path)
    return named


def task_from_desc(source: str | Path | Mapping[str, Any], *, verify_key: bool = True) -> Task:
    """Rebuild the task described by a task file path, its JSON text or its dict."""
    label, doc, file = _read_source(source)
    if doc.get("format") != FORMAT:
        if is_legacy_document(doc):
            raise TaskFileVersionError(
                label,
                "a task file of smttask 0.2; convert it to the current format with "
                "`smttask migrate FILE... -o DIR` (keys are recomputed)",
            )
        raise MalformedTaskFileError(label, f"not an smttask task file (no \"format\": \"{FORMAT}\" field)")
    version = doc.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise TaskFileVersionError(
            label,
            f"task file format version {shown(version)} is not supported; this smttask reads "
            f"versions {', '.join(map(str, READABLE_VERSIONS))}. Re-create the file with a matching smttask.",
        )
    task = _Reader(label, doc, verify_key).read(doc)
    if file is not None:
        task.task_file = Path(file)
    return task


class _Reader:
    """Rebuilds one task file's tasks, each shared upstream task once.

    Version 2 files list upstream tasks in a flat table, each after those it
    refers to: they are built in that order, without recursion. Version 1
    files nest upstream tasks inline (and refer back to repeated ones).
    """

    def __init__(self, label: str, doc: dict[str, Any], verify_key: bool) -> None:
        from .project import current_project

        self.label = label
        self.verify_key = verify_key
        self.registry = current_project().deferred_serializers
        self.described: dict[str, dict[str, Any]] = {}
        self.built: dict[str, Task] = {}
        self.building: set[str] = set()
        #: Version 2: upstream tasks only by reference to the table (never described inline).
        self.flat = doc.get("version") != 1
        if not self.flat:
            self._index(doc.get("inputs"))

    def read(self, doc: dict[str, Any]) -> Task:
        """The task *doc* describes, its upstream table built first."""
        table = doc.get("upstream", {})
        if doc.get("version") == 1 and "upstream" in doc:
            raise MalformedTaskFileError(self.label, "a version 1 task file has no 'upstream' table")
        if not isinstance(table, dict):
            raise MalformedTaskFileError(self.label, f"'upstream' must be a JSON object, got {shown(table)}")
        for key, entry in table.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("inputs"), dict):
                raise MalformedTaskFileError(
                    self.label, f"upstream task {shown(key)} must be described by an object with inputs, got {shown(entry)}"
                )
            if entry.get("key") != key:
                raise MalformedTaskFileError(
                    self.label, f"upstream task {shown(key)} is listed with key {shown(entry.get('key'))}"
                )
        for key in self._dependency_order(table):
            try:
                self.built[key] = self.build(table[key])
            except TaskFileError as exc:
                raise self._in_upstream(exc) from None
        return self.build(doc)

    def _dependency_order(self, table: dict[str, dict[str, Any]]) -> list[str]:
        """The keys of *table*, each after the keys its inputs refer to (whatever the file's order)."""
        needs = {key: _references(entry["inputs"]) for key, entry in table.items()}
        order: list[str] = []
        state: dict[str, bool] = {}  # False: its references are being ordered; True: ordered
        for first in table:
            stack: list[tuple[str, bool]] = [(first, False)]
            while stack:
                key, expanded = stack.pop()
                if expanded:
                    state[key] = True
                    order.append(key)
                    continue
                if state.get(key) is True:
                    continue
                state[key] = False
                stack.append((key, True))
                for needed in needs[key]:
                    if needed not in table:
                        raise MalformedTaskFileError(
                            self.label, f"refers to upstream task {shown(needed)}, which it never describes"
                        )
                    if state.get(needed) is False:
                        raise MalformedTaskFileError(self.label, f"upstream task {shown(needed)} depends on itself")
                    if needed not in state:
                        stack.append((needed, False))
        return order

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
            raise MalformedTaskFileError(self.label, f"an upstream task must be described by an object, got {shown(value)}")
        key = value.get("key") if "ref" not in value else value["ref"]
        if not isinstance(key, str | None):
            raise MalformedTaskFileError(self.label, f"an upstream task's key must be a string, got {shown(key)}")
        if key in self.built:
            return self.built[key]
        if self.flat:
            raise MalformedTaskFileError(self.label, f"refers to upstream task {shown(key)}, which it never describes")
        if "ref" in value:
            if key not in self.described:
                raise MalformedTaskFileError(self.label, f"refers to upstream task {shown(key)}, which it never describes")
            value = self.described[key]
        if key in self.building:
            raise MalformedTaskFileError(self.label, f"upstream task {shown(key)} depends on itself")
        self.building.add(key)
        try:
            task = self.build(value)
        except TaskFileError as exc:
            raise self._in_upstream(exc) from None
        finally:
            self.building.discard(key)
        if key is not None:
            self.built[key] = task
        return task

    def _in_upstream(self, exc: TaskFileError) -> TaskFileError:
        """*exc* (raised while building an upstream task) saying so, once."""
        problem = exc.problem if exc.problem.startswith("in an upstream task") else f"in an upstream task: {exc.problem}"
        return type(exc)(self.label, problem)

    def build(self, doc: dict[str, Any]) -> Task:
        label = self.label
        missing = [k for k in _REQUIRED if k not in doc]
        if missing:
            raise MalformedTaskFileError(label, f"missing field(s): {', '.join(missing)}")
        if not isinstance(doc["inputs"], dict):
            raise MalformedTaskFileError(label, "'inputs' must be a JSON object")
        key = doc.get("key")
        if key is not None and not (isinstance(key, str) and len(key) <= 200 and key.isprintable()):
            raise MalformedTaskFileError(label, f"'key' must be a task key, got {shown(key, 80)}")
        reason = doc.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise MalformedTaskFileError(label, f"'reason' must be a string, got {shown(reason)}")
        cls = import_task_class(label, doc["module"], doc["task"])
        try:
            inputs = decode(doc["inputs"], self.registry, task_hook=self.upstream)
        except TaskFileError:
            raise
        except RecursionError:
            raise MalformedTaskFileError(label, "inputs nested too deeply to read") from None
        except Exception as exc:  # whatever a decoder raises on hostile data is this file's error
            raise TaskFileInputError(label, f"cannot read the inputs: {task_error_text(exc)}") from None
        try:
            task = cls(**inputs, reason=reason)
        except TaskFileError:
            raise
        except TaskInputError as exc:
            raise TaskFileInputError(label, one_line(str(exc), 500)) from None
        except Exception as exc:
            raise TaskFileInputError(label, f"the inputs cannot make a task: {task_error_text(exc)}") from None
        stored_key = doc.get("key")
        if self.verify_key and stored_key is not None and not task.unpure and task.digest != stored_key:
            raise TaskKeyMismatchError(
                label,
                f"stored key {stored_key} but its inputs give key {task.digest}: the file was edited, or "
                f"the code of '{task.taskname}' now keys its inputs differently (signature, types or version changed).",
            )
        return task


def _references(inputs: Any) -> set[str]:
    """The keys of the upstream tasks *inputs* refers to (``{"$type": "task", "value": {"ref": key}}``), found without recursion."""
    found: set[str] = set()
    stack = [inputs]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            inner = value.get("value")
            if value.get("$type") == "task" and isinstance(inner, dict) and isinstance(inner.get("ref"), str):
                found.add(inner["ref"])
            else:
                stack.extend(value.values())
    return found


def import_task_class(label: str, module_name: object, qualname: object) -> type[Task]:
    """The task class named by a file: its module is the one thing reading a file may import.

    Importing runs the module's top-level code, so any exception it raises,
    ``SystemExit`` included (``KeyboardInterrupt`` excepted), becomes this file's
    :class:`UnknownTaskError` (chained, so the traceback stays available).
    """
    if not is_module_name(module_name):
        raise MalformedTaskFileError(label, f"'module' must be a dotted module name, got {shown(module_name)}")
    if not is_attribute_path(qualname):
        raise MalformedTaskFileError(label, f"'task' must be a task's qualified name, got {shown(qualname)}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UnknownTaskError(
            label, f"cannot import module {shown(module_name)} ({one_line(str(exc), 500)}); is it installed and on sys.path?"
        ) from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        raise UnknownTaskError(
            label, f"importing module {shown(module_name)} raised {task_error_text(exc)}"
        ) from exc
    obj: Any = module
    try:
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise UnknownTaskError(label, f"module {shown(module_name)} has no task {shown(qualname)}") from None
    if not (isinstance(obj, type) and getattr(obj, "__smttask_task__", False) and hasattr(obj, "_inputs")):
        raise UnknownTaskError(label, f"'{module_name}:{qualname}' is not a task")
    return obj


def task_error_text(exc: BaseException) -> str:
    """One line for an error raised while reading: smttask's own errors speak for themselves."""
    text = str(exc) if isinstance(exc, SmttaskError) else f"{type(exc).__name__}: {exc}"
    return one_line(text, 500)


class TaskSerializer(Serializer):
    """Upstream tasks: keyed by their own key (Merkle), written as their full description."""

    name = "task"
    types = ("smttask.task.Task",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        return value.desc

    def key(self, value: Any, encode: Encode) -> JSONValue:
        return value.digest

    def decode(self, data: dict, decode: Decode) -> Any:
        return task_from_desc(data)
#: Serializers of the task-file layer, registered by smttask's built-in plugin.
TASKFILE_SERIALIZERS: tuple[Serializer, ...] = (TaskSerializer(),)


__all__ = [

"FORMAT", "FORMAT_VERSION", "SUFFIX", "describe", "save_task", "task_from_desc"]
