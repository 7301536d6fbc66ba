"""Browsing the lab book from Python: :class:`RecordStoreView` and :class:`RecordView`.

``RecordStoreView()`` is every record of the current project, newest first.
Each filter returns a new, narrower view; nothing is read until the view is
iterated. Filters on task, tags, status, dates and text run in the database;
parameter filters (dotted paths through nested tasks) run in Python::

    from smttask_sumatra import RecordStoreView
    fits = RecordStoreView().filter(task="Fit", status="finished")
    fits.params(eq={"data.seed": 3}, lt={"lr": 0.1}).latest.get_output()
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import params as _params
from .errors import RecordNotFoundError, SumatraError
from .settings import SumatraSettings
from .smtproject import SumatraProject

if TYPE_CHECKING:
    import pandas

    from smttask import Project, Task

    from .store import RecordStore

STATUS_TAGS = {
    "_running_": "running",
    "_finished_": "finished",
    "_crashed_": "crashed",
    "_killed_": "killed",
}
#: Columns of :meth:`RecordStoreView.dataframe` unless others are asked for.
DEFAULT_FIELDS = ("timestamp", "task", "status", "duration", "reason", "outcome")


@dataclass(frozen=True)
class DataFile:
    """A data key of a record: a file the run read or wrote, and its hash."""

    path: str
    digest: str
    metadata: Mapping[str, Any]
    #: The file's full path (the key's path under its data store's root).
    full_path: Path


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
            return _params.lookup(self.inputs, path, self._view._decode)
        except KeyError:
            if default is _params._MISSING:
                raise KeyError(f"Record {self.label} has no parameter '{path}'.") from None
            return default

    @cached_property
    def stdout_stderr(self) -> str:
        """What the task printed (read from the store on first access)."""
        return self._view._column(self._db_id, "stdout_stderr")

    @cached_property
    def diff(self) -> str:
        """The uncommitted changes the run used (empty when the code was committed)."""
        return self._view._column(self._db_id, "diff")

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
        """The stored output files by output name."""
        return {str(d.metadata.get("output", d.path)): d.full_path for d in self.output_data}

    def __repr__(self) -> str:
        return f"<Record {self.label}: {self.taskname} {self.status}>"


@dataclass(frozen=True)
class _Query:
    """The database part of a view's filters."""

    task: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    after: datetime | None = None
    before: datetime | None = None
    reason: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    label: tuple[str, ...] = ()


class RecordStoreView:
    """The records of a project, newest first, narrowed by filters.

    *project* defaults to the current one (found from the working directory).
    """

    def __init__(self, project: Project | None = None) -> None:
        if project is None:
            from smttask import current_project

            project = current_project()
        self.project = project
        self._query = _Query()
        self._predicates: tuple[Callable[[RecordView], bool], ...] = ()

    # --- narrowing --------------------------------------------------------------
    def _narrowed(
        self, query: _Query | None = None, predicate: Callable[[RecordView], bool] | None = None
    ) -> RecordStoreView:
        view = RecordStoreView.__new__(RecordStoreView)
        view.project = self.project
        view._query = query if query is not None else self._query
        view._predicates = self._predicates + ((predicate,) if predicate is not None else ())
        view.__dict__.update(
            {k: v for k, v in self.__dict__.items() if k in ("smt", "store", "_registry")}
        )
        return view

    def filter(
        self,
        *,
        task: str | type | None = None,
        tags: str | Sequence[str] | None = None,
        status: str | None = None,
        after: datetime | date | str | None = None,
        before: datetime | date | str | None = None,
        on: date | str | None = None,
        reason: str | None = None,
        outcome: str | None = None,
        label: str | None = None,
        where: Callable[[RecordView], bool] | None = None,
    ) -> RecordStoreView:
        """Records matching every criterion given.

        *task*: task name (or task class); *tags*: records having all these
        tags; *status*: ``finished``, ``crashed``, ``killed`` or ``running``;
        *after* (inclusive) / *before* (exclusive) / *on*: dates or datetimes
        (naive ones in local time; strings in ISO format); *reason*,
        *outcome*, *label*: substrings; *where*: any test of a :class:`RecordView`.
        """
        q = self._query
        if task is not None:
            q = replace(q, task=(*q.task, getattr(task, "taskname", task)))
        if tags is not None:
            q = replace(q, tags=(*q.tags, *([tags] if isinstance(tags, str) else tags)))
        if status is not None:
            tag = f"_{status}_"
            if tag not in STATUS_TAGS:
                raise ValueError(
                    f"Unknown status {status!r}: choose one of {', '.join(STATUS_TAGS.values())}."
                )
            q = replace(q, tags=(*q.tags, tag))
        if on is not None:
            day = _as_date(on, "on")
            after = datetime.combine(day, time()).astimezone()
            before = datetime.combine(date.fromordinal(day.toordinal() + 1), time()).astimezone()
        if after is not None:
            start = _as_datetime(after, "after")
            q = replace(q, after=start if q.after is None else max(q.after, start))
        if before is not None:
            end = _as_datetime(before, "before")
            q = replace(q, before=end if q.before is None else min(q.before, end))
        for name, text in (("reason", reason), ("outcome", outcome), ("label", label)):
            if text is not None:
                q = replace(q, **{name: (*getattr(q, name), text)})
        view = self._narrowed(q)
        return view._narrowed(predicate=where) if where is not None else view

    def params(self, **comparisons: Mapping[str, Any]) -> RecordStoreView:
        """Records whose parameters pass every comparison.

        Keywords are ``eq``, ``ne``, ``lt``, ``le``, ``gt``, ``ge`` and ``isin``,
        each a mapping from dotted path to value: ``params(eq={"a.b": 2.0})``
        keeps records whose input ``a`` is a task with input ``b`` equal to 2.0.
        A record without the path never matches.
        """
        unknown = set(comparisons) - set(_params.COMPARISONS)
        if unknown:
            raise TypeError(
                f"params() got unknown comparison(s) {', '.join(sorted(unknown))}; "
                f"use {', '.join(_params.COMPARISONS)}."
            )
        tests = [
            (test, path, value)
            for test, mapping in comparisons.items()
            for path, value in mapping.items()
        ]

        def predicate(record: RecordView) -> bool:
            return all(_params.matches(record.inputs, t, p, v, self._decode) for t, p, v in tests)

        return self._narrowed(predicate=predicate)

    # --- reading -----------------------------------------------------------------
    def __iter__(self) -> Iterator[RecordView]:
        return iter(self.list)

    @property
    def list(self) -> list[RecordView]:
        """The matching records, newest first."""
        return [r for r in self._read() if all(p(r) for p in self._predicates)]

    def __len__(self) -> int:
        if not self._predicates and not self._query.tags:  # tags are matched exactly in Python
            with self.store.session():
                return self._queryset().count()
        return len(self.list)

    def __getitem__(self, key: int | slice | str) -> Any:
        if isinstance(key, str):
            for record in self:
                if record.label == key:
                    return record
            raise RecordNotFoundError(key, self.smt.name)
        return self.list[key]

    @property
    def latest(self) -> RecordView:
        """The newest matching record; :class:`LookupError` if none."""
        records = self.list
        if not records:
            raise LookupError(f"No record in project '{self.smt.name}' matches these filters.")
        return records[0]

    @property
    def earliest(self) -> RecordView:
        """The oldest matching record; :class:`LookupError` if none."""
        records = self.list
        if not records:
            raise LookupError(f"No record in project '{self.smt.name}' matches these filters.")
        return records[-1]

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self]

    def dataframe(
        self, fields: Sequence[str] = DEFAULT_FIELDS, params: Sequence[str] | bool = ()
    ) -> pandas.DataFrame:
        """A pandas DataFrame, one row per record (indexed by label).

        *fields* are :class:`RecordView` attributes (``task`` is the task
        name); *params* adds one column per dotted parameter path, or, if
        True, one per leaf parameter found in any record.
        """
        try:
            import pandas
        except ImportError:
            raise ImportError(
                "RecordStoreView.dataframe() needs pandas: pip install 'smttask-sumatra[dataframe]'."
            ) from None
        records = self.list
        if params is True:
            paths = sorted({p for r in records for p, _ in _params.flatten(r.inputs)})
        else:
            paths = list(params or ())
        rows = []
        for r in records:
            row = {f: _field(r, f) for f in fields}
            row.update({p: r.param(p, None) for p in paths})
            rows.append(row)
        return pandas.DataFrame(
            rows,
            index=pandas.Index([r.label for r in records], name="label"),
            columns=[*fields, *paths],
        )

    def plot(self, param: str | None = None, output: str | None = None, **options: Any) -> Any:
        """Pictures of these records (needs smttask-viz): see :func:`smttask_viz.plot_records`."""
        from smttask_viz import plot_records

        return plot_records(self, param=param, output=output, **options)

    def __repr__(self) -> str:
        return f"<RecordStoreView of project '{self.smt.name}' ({self.project.root})>"

    # --- plumbing ------------------------------------------------------------------
    @cached_property
    def smt(self) -> SumatraProject:
        return SumatraProject.load(self.project.root)

    @cached_property
    def store(self) -> RecordStore:
        from .store import RecordStore

        return RecordStore(self.smt, SumatraSettings.from_config(self.project.config))

    @cached_property
    def _registry(self) -> Any:
        return self.project.serializers

    def _decode(self, data: Any) -> Any:
        from smttask.encoding import decode

        try:
            return decode(data, self._registry)
        except Exception:  # noqa: BLE001 - an undecodable value compares as its JSON form
            return data

    def _queryset(self) -> Any:
        from django.db.models import Q
        from sumatra.recordstore.django_store import models

        q = self._query
        qs = models.Record.objects.using("default").filter(project_id=self.smt.name)
        for name in q.task:
            qs = qs.filter(script_arguments=name)
        for tag in q.tags:
            qs = qs.filter(tags__contains=tag)
        if q.after is not None:
            qs = qs.filter(timestamp__gte=q.after)
        if q.before is not None:
            qs = qs.filter(timestamp__lt=q.before)
        for name in ("reason", "outcome", "label"):
            for text in getattr(q, name):
                qs = qs.filter(Q(**{f"{name}__contains": text}))
        return qs

    def _read(self) -> list[RecordView]:
        with self.store.session():
            qs = (
                self._queryset()
                .select_related("parameters", "datastore", "input_datastore")
                .prefetch_related("input_data", "output_data")
                .defer("stdout_stderr", "diff")
                .order_by("-timestamp", "-db_id")
            )
            records = [self._record(row) for row in qs]
        wanted = set(self._query.tags)
        return [r for r in records if wanted <= r.tags]

    def _record(self, row: Any) -> RecordView:
        data_root = _datastore_root(row.datastore, self.project.data_dir)
        input_root = _datastore_root(row.input_datastore, self.project.root)
        try:
            parameters = json.loads(row.parameters.content)
        except ValueError:
            parameters = {}
        tags = frozenset(t for t in (row.tags or "").replace(" ", ",").split(",") if t)
        return RecordView(
            label=row.label,
            timestamp=row.timestamp,
            taskname=row.script_arguments,
            tags=tags,
            reason=row.reason,
            outcome=row.outcome,
            duration=row.duration,
            main_file=row.main_file,
            version=row.version,
            user=row.user,
            parameters=parameters if isinstance(parameters, dict) else {},
            input_data=[_data_file(k, input_root) for k in row.input_data.all()],
            output_data=[_data_file(k, data_root) for k in row.output_data.all()],
            _view=self,
            _db_id=row.db_id,
        )

    def _column(self, db_id: int, column: str) -> str:
        with self.store.session():
            from sumatra.recordstore.django_store import models

            values = (
                models.Record.objects.using("default")
                .filter(db_id=db_id)
                .values_list(column, flat=True)
            )
            return next(iter(values), "") or ""


def _field(record: RecordView, name: str) -> Any:
    if name == "task":
        return record.taskname
    if name == "tags":
        return ",".join(sorted(record.tags))
    value = getattr(record, name)
    return value


def _datastore_root(datastore: Any, default: Path) -> Path:
    try:
        root = ast.literal_eval(datastore.parameters).get("root")
    except (ValueError, SyntaxError, AttributeError):
        root = None
    return Path(root) if isinstance(root, str) else default


def _data_file(key: Any, root: Path) -> DataFile:
    try:
        metadata = json.loads(key.metadata) if key.metadata else {}
    except ValueError:
        metadata = {}
    return DataFile(key.path, key.digest, metadata, root / key.path)


def _as_datetime(value: datetime | date | str, name: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{name}={value!r} is not an ISO date or datetime (e.g. '2024-05-21' or '2024-05-21T14:00')."
            ) from None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value if value.tzinfo is not None else value.astimezone()


def _as_date(value: date | str, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not an ISO date (e.g. '2024-05-21').") from None


__all__ = ["DataFile", "RecordStoreView", "RecordView", "SumatraError"]
