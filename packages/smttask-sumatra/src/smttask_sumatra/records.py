"""One record of the lab book as smttask reads it: :class:`RecordView` and its :class:`DataFile` keys.

:func:`load_records` reads a page of rows of Sumatra's Django store as plain
values (no Django model objects: at tens of thousands of records building them
is most of the cost) in four queries: the records, their output and input data
keys, and the data stores. A :class:`RecordView` reads its long columns
(printed output, diff) on first access and rebuilds its task through the
:class:`~.view.RecordStoreView` it came from.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import params as _params
from .errors import RecordFilterError

if TYPE_CHECKING:
    from smttask import Task

    from .view import RecordStoreView

STATUS_TAGS = {
    "_running_": "running",
    "_finished_": "finished",
    "_crashed_": "crashed",
    "_killed_": "killed",
}


@dataclass(frozen=True)
class DataFile:
    """A data key of a record: a file the run read or wrote, and its hash."""

    path: str
    digest: str
    metadata: Mapping[str, Any]
    #: The root directory of the data store the key belongs to.
    root: Path = field(repr=False)

    @property
    def full_path(self) -> Path:
        """The file's full path (the key's path under its data store's root)."""
        return self.root / self.path


@dataclass(eq=False)
class RecordView:
    """One record of the lab book (read-only)."""

    label: str
    timestamp: datetime
    taskname: str
    tags: frozenset[str]
    reason: str
    outcome: str
    duration: float | None
    main_file: str
    version: str
    user: str
    #: The task file document of the run (what ``record.task`` is rebuilt from).
    parameters: dict[str, Any]
    input_data: list[DataFile]
    output_data: list[DataFile]
    _view: RecordStoreView = field(repr=False)
    _db_id: int = field(repr=False)

    @property
    def status(self) -> str:
        """``running``, ``finished``, ``crashed`` or ``killed`` (from the status tag)."""
        for tag in self.tags:
            if tag in STATUS_TAGS:
                return STATUS_TAGS[tag]
        return "unknown"

    @property
    def inputs(self) -> dict[str, Any]:
        """The task's inputs as recorded (JSON; upstream tasks as nested documents)."""
        return self.parameters.get("inputs", {})

    @property
    def key(self) -> str | None:
        """The task's key (as its result files are named)."""
        return self.parameters.get("key")

    def param(self, path: str, default: Any = _params._MISSING) -> Any:
        """The input at dotted *path* (``"a.b"``: input ``b`` of upstream task ``a``)."""
        try:
            return _params.lookup(self.parameters, path, self._view.decode)
        except KeyError:
            if default is _params._MISSING:
                raise KeyError(f"Record {self.label} has no parameter '{path}'.") from None
            return default

    def get_param(self, name: str | list[str], default: Any = _params._MISSING) -> Any:
        """smttask 0.2's name for :meth:`param` (*name* may also be a list of alternatives: the first found)."""
        return get_task_param(self, name, default)

    @property
    def task_name(self) -> str:
        """smttask 0.2's name for :attr:`taskname`."""
        return self.taskname

    def add_tag(self, tag: str) -> None:
        """Add *tag* to this record in the store (and to :attr:`tags`)."""
        self._edit_tags(add=(tag,), remove=())

    def remove_tag(self, tag: str) -> None:
        """Remove *tag* from this record in the store (and from :attr:`tags`)."""
        self._edit_tags(add=(), remove=(tag,))

    def _edit_tags(self, *, add: tuple[str, ...], remove: tuple[str, ...]) -> None:
        self._view._retag([self.label], add=checked_tags(add), remove=checked_tags(remove))
        self.tags = (self.tags | frozenset(add)) - frozenset(remove)

    @cached_property
    def stdout_stderr(self) -> str:
        """What the task printed (read from the store on first access)."""
        return self._view.read_column(self._db_id, "stdout_stderr")

    @cached_property
    def diff(self) -> str:
        """The uncommitted changes the run used (empty when the code was committed)."""
        return self._view.read_column(self._db_id, "diff")

    @property
    def task(self) -> Task:
        """The recorded task, rebuilt from its description (imports its module)."""
        return self.get_task()

    def get_task(self, *, verify_key: bool = True) -> Task:
        """The recorded task; with ``verify_key=False`` even if its code now computes another key."""
        from smttask.taskfile import task_from_desc

        with self._view.project.activate():
            return task_from_desc(self.parameters, verify_key=verify_key)

    def get_output(self, name: str = "", *, mmap: bool = False) -> Any:
        """One stored output of the recorded task, loaded (and hash-checked) through storage."""
        task = self.get_task()
        with self._view.project.activate():
            return task.get_output(name, mmap=mmap)

    @property
    def output_files(self) -> dict[str, Path]:
        """The stored output files by output name (outputs kept in the result's manifest map to the manifest)."""
        return {
            str(name): d.full_path
            for d in self.output_data
            for name in d.metadata.get("outputs") or [d.metadata.get("output", d.path)]
        }

    def _repr_html_(self) -> str:
        from .tables import record_html

        return record_html(self)

    def __repr__(self) -> str:
        return f"<Record {self.label}: {self.taskname} {self.status}>"


#: The columns of a record row read for a :class:`RecordView` (long text columns are read on demand).
RECORD_COLUMNS = (
    "db_id",
    "label",
    "timestamp",
    "script_arguments",
    "tags",
    "reason",
    "outcome",
    "duration",
    "main_file",
    "version",
    "user",
    "parameters__content",
    "datastore_id",
    "input_datastore_id",
)


#: The most record ids sent to the database as a list (SQLite allows 32,766 parameters; stay well below).
ID_LIST_MAX = 900


def load_records(rows: Any, view: RecordStoreView) -> list[RecordView]:
    """The :class:`RecordView` of each row of the record queryset *rows*, in its order (four queries)."""
    from sumatra.recordstore.django_store import models

    values = list(rows.values(*RECORD_COLUMNS))
    if not values:
        return []
    db = "default"
    # A page's ids are sent as a list; a longer read joins the records' own query instead.
    ids: Any = (
        [row["db_id"] for row in values] if len(values) <= ID_LIST_MAX else rows.values("db_id")
    )
    outputs: dict[int, list[Any]] = {}
    for key in (
        models.DataKey.objects.using(db)
        .filter(output_from_record__in=ids)
        .values("output_from_record_id", "path", "digest", "metadata")
    ):
        outputs.setdefault(key["output_from_record_id"], []).append(key)
    inputs: dict[int, list[Any]] = {}
    through = models.Record.input_data.through
    for record_id, path, digest, metadata in (
        through.objects.using(db)
        .filter(record__in=ids)
        .values_list("record_id", "datakey__path", "datakey__digest", "datakey__metadata")
    ):
        inputs.setdefault(record_id, []).append(
            {"path": path, "digest": digest, "metadata": metadata}
        )
    stores = dict(models.Datastore.objects.using(db).values_list("id", "parameters"))
    data_dir, project_root = view.project.data_dir, view.project.root
    return [
        _record(
            row,
            inputs.get(row["db_id"], []),
            outputs.get(row["db_id"], []),
            _datastore_root(stores.get(row["datastore_id"]), data_dir),
            _datastore_root(stores.get(row["input_datastore_id"]), project_root),
            view,
        )
        for row in values
    ]


def _record(
    row: Mapping[str, Any],
    input_keys: list[Mapping[str, Any]],
    output_keys: list[Mapping[str, Any]],
    data_root: Path,
    input_root: Path,
    view: RecordStoreView,
) -> RecordView:
    try:
        parameters = json.loads(row["parameters__content"])
    except (TypeError, ValueError):
        parameters = {}
    return RecordView(
        label=row["label"],
        timestamp=row["timestamp"],
        taskname=row["script_arguments"],
        tags=parse_tags(row["tags"]),
        reason=row["reason"],
        outcome=row["outcome"],
        duration=row["duration"],
        main_file=row["main_file"],
        version=row["version"],
        user=row["user"],
        parameters=parameters if isinstance(parameters, dict) else {},
        input_data=[_data_file(k, input_root) for k in sorted(input_keys, key=_path)],
        output_data=[_data_file(k, data_root) for k in sorted(output_keys, key=_path)],
        _view=view,
        _db_id=row["db_id"],
    )


def parse_tags(text: str | None) -> frozenset[str]:
    """The tags of Sumatra's tag column (separated by commas or spaces)."""
    return frozenset(t for t in (text or "").replace(" ", ",").split(",") if t)


@lru_cache(maxsize=64)
def _datastore_root(parameters: str | None, default: Path) -> Path:
    try:
        root = ast.literal_eval(parameters).get("root") if parameters else None
    except (ValueError, SyntaxError, AttributeError):
        root = None
    return Path(root) if isinstance(root, str) else default


def _path(key: Mapping[str, Any]) -> str:
    return key["path"]


def _data_file(key: Mapping[str, Any], root: Path) -> DataFile:
    try:
        metadata = json.loads(key["metadata"]) if key["metadata"] else {}
    except ValueError:
        metadata = {}
    return DataFile(key["path"], key["digest"], metadata, root)


def get_task_param(obj: Any, name: str | Sequence[str], default: Any = _params._MISSING) -> Any:
    """The value at dotted path *name* in *obj*: a record, a task, a task description, a dict, or any object.

    smttask 0.2's helper. The path goes through upstream tasks (``"a.b"`` is
    input ``b`` of the task given as input ``a``) and nested dicts. On a
    :class:`RecordView`, a name that is no parameter is looked up as an
    attribute (``"task"`` is the task name). *name* may be a list of
    alternatives, the first found wins. A missing value returns *default*,
    or without one raises :class:`KeyError` naming the path.
    """
    alternatives = [name] if isinstance(name, str) else list(name)
    for path in alternatives:
        try:
            return _lookup(obj, path)
        except (KeyError, AttributeError, IndexError, TypeError):
            continue
    if default is not _params._MISSING:
        return default
    raise KeyError(f"{type(obj).__name__} has no parameter {' or '.join(map(repr, alternatives))}.")


def _lookup(obj: Any, path: str) -> Any:
    if isinstance(obj, RecordView):
        try:
            return obj.param(path)
        except KeyError:
            attribute = {"task": "taskname", "task_name": "taskname"}.get(path, path)
            if "." in attribute or attribute.startswith("_"):
                raise
            return getattr(obj, attribute)
    if isinstance(obj, Mapping) and isinstance(obj.get("inputs"), Mapping) and "task" in obj:
        return _params.lookup(obj, path)  # a task description (task file document)
    node = obj
    for part in path.split("."):
        if getattr(type(node), "__smttask_task__", False):
            node = node.inputs[part]
        elif isinstance(node, Mapping):
            node = node[part]
        elif isinstance(node, list | tuple) and part.lstrip("-").isdigit():
            node = node[int(part)]
        else:
            node = getattr(node, part)
    return node


def checked_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """*tags* as a tuple; a tag Sumatra cannot store (empty, or with a comma or space) is an error."""
    found = (tags,) if isinstance(tags, str) else tuple(tags)
    for tag in found:
        if not isinstance(tag, str) or not tag or any(c in tag for c in ", "):
            raise RecordFilterError(
                f"{tag!r} is not a tag Sumatra can store: give a non-empty text without commas or spaces."
            )
    return found
