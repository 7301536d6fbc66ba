"""Browsing the lab book from Python: :class:`RecordStoreView` and :class:`RecordView`.

``RecordStoreView()`` is every record of the current project, newest first.
Each filter returns a new, narrower view; nothing is read until the view is
iterated. Filters on task, tags, status, dates, text and output files run in
the database; parameter filters (dotted paths through nested tasks) are tested
on each candidate's parameters alone, before anything else of it is read; and
only the records asked for are loaded (``head(50)``, ``latest``, ``[i]``), in
pages, whatever the size of the lab book::

    from smttask_sumatra import RecordStoreView
    fits = RecordStoreView().filter(task="Fit", status="finished")
    fits.params(eq={"data.seed": 3}, lt={"lr": 0.1}).latest.get_output()
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import params as _params
from .errors import (
    FilterArgumentError,
    RecordEditError,
    RecordFilterError,
    RecordNotFoundError,
    SumatraError,
)
from .filters import RecordFilter, record_filter
from .query import RecordQuery, as_date, as_datetime, queryset
from .records import (
    STATUS_TAGS,
    DataFile,
    RecordView,
    checked_tags,
    get_task_param,
    load_records,
    parse_tags,
)
from .settings import SumatraSettings
from .smtproject import SumatraProject
from .tables import DEFAULT_FIELDS

if TYPE_CHECKING:
    import pandas

    from smttask import Project

    from .store import RecordStore

#: Records shown in a notebook's table of a view (the rest are counted).
NOTEBOOK_ROWS = 50
#: Records loaded in full per database round trip.
PAGE_SIZE = 200
#: Candidates whose parameters are read per database round trip when screening.
SCREEN_CHUNK = 2000

#: A test of a candidate record from its tags and parameters alone (no other column read).
Screen = Callable[[frozenset[str], dict[str, Any]], bool]


class RecordStoreView:
    """The records of a project, newest first, narrowed by filters.

    *project* defaults to the current one (found from the working directory).
    """

    def __init__(self, project: Project | None = None) -> None:
        if project is None:
            from smttask import current_project

            project = current_project()
        self.project = project
        self._query = RecordQuery()
        self._screens: tuple[Screen, ...] = ()
        self._predicates: tuple[Callable[[RecordView], bool], ...] = ()

    # --- narrowing --------------------------------------------------------------
    def _narrowed(
        self,
        query: RecordQuery | None = None,
        predicate: Callable[[RecordView], bool] | None = None,
        screen: Screen | None = None,
    ) -> RecordStoreView:
        view = RecordStoreView.__new__(RecordStoreView)
        view.project = self.project
        view._query = query if query is not None else self._query
        view._screens = self._screens + ((screen,) if screen is not None else ())
        view._predicates = self._predicates + ((predicate,) if predicate is not None else ())
        view.__dict__.update(
            {k: v for k, v in self.__dict__.items() if k in ("smt", "store", "_registry")}
        )
        return view

    @property
    def filter(self) -> RecordFilter:
        """Narrow the view: ``view.filter(task="Fit", status="finished")`` (see :meth:`_select`).

        Also smttask 0.2's named filters, ``view.filter.task("Fit")``,
        ``.tags("good")``, ``.after(20240501)``, ``.params(eq={"a": 1})``,
        ``view.filter(test)``, and filters added with :func:`record_filter`:
        see :class:`~smttask_sumatra.filters.RecordFilter`.
        """
        return RecordFilter(self)

    def _select(
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
        output: str | Path | None = None,
        where: Callable[[RecordView], bool] | None = None,
    ) -> RecordStoreView:
        """Records matching every criterion given (what ``view.filter(...)`` calls).

        *task*: task name (or task class); *tags*: records having all these
        tags; *status*: ``finished``, ``crashed``, ``killed`` or ``running``;
        *after* (inclusive) / *before* (exclusive) / *on*: dates or datetimes
        (naive ones in local time; strings in ISO format); *reason*,
        *outcome*, *label*: substrings; *output*: records that wrote this
        file (a stored result, or a "latest" link to one); *where*: any test
        of a :class:`RecordView`.
        """
        q = self._query
        if task is not None:
            q = replace(q, task=(*q.task, getattr(task, "taskname", task)))
        if tags is not None:
            q = replace(q, tags=(*q.tags, *([tags] if isinstance(tags, str) else tags)))
        if status is not None:
            tag = f"_{status}_"
            if tag not in STATUS_TAGS:
                raise RecordFilterError(
                    f"Unknown status {status!r}: choose one of {', '.join(STATUS_TAGS.values())}."
                )
            q = replace(q, tags=(*q.tags, tag))
        if on is not None:
            day = as_date(on, "on")
            after = datetime.combine(day, time()).astimezone()
            before = datetime.combine(date.fromordinal(day.toordinal() + 1), time()).astimezone()
        if after is not None:
            start = as_datetime(after, "after")
            q = replace(q, after=start if q.after is None else max(q.after, start))
        if before is not None:
            end = as_datetime(before, "before")
            q = replace(q, before=end if q.before is None else min(q.before, end))
        for name, text in (("reason", reason), ("outcome", outcome), ("label", label)):
            if text is not None:
                q = replace(q, **{name: (*getattr(q, name), text)})
        if output is not None:
            q = replace(q, outputs=(*q.outputs, self._key_paths(Path(output))))
        view = self._narrowed(q)
        return view._narrowed(predicate=where) if where is not None else view

    def params(self, **comparisons: Mapping[str, Any]) -> RecordStoreView:
        """Records whose parameters pass every comparison.

        Keywords are ``eq``, ``ne``, ``lt``, ``le``, ``gt``, ``ge``, ``isin`` and
        ``isclose`` (within NumPy's default tolerances),
        each a mapping from dotted path to value: ``params(eq={"a.b": 2.0})``
        keeps records whose input ``a`` is a task with input ``b`` equal to 2.0.
        A record without the path never matches.
        """
        unknown = set(comparisons) - set(_params.COMPARISONS)
        if unknown:
            raise FilterArgumentError(
                f"params() got unknown comparison(s) {', '.join(sorted(unknown))}; "
                f"use {', '.join(_params.COMPARISONS)}."
            )
        tests = [
            (test, path, value)
            for test, mapping in comparisons.items()
            for path, value in mapping.items()
        ]

        def screen(tags: frozenset[str], parameters: dict[str, Any]) -> bool:
            return all(_params.matches(parameters, t, p, v, self.decode) for t, p, v in tests)

        return self._narrowed(screen=screen)

    # --- reading -----------------------------------------------------------------
    def __iter__(self) -> Iterator[RecordView]:
        return iter(self.list)

    @property
    def list(self) -> list[RecordView]:
        """The matching records, newest first."""
        return self._records()

    def head(self, n: int) -> list[RecordView]:
        """The *n* newest matching records (fewer if fewer match); only they are loaded."""
        return self._records(limit=n) if n > 0 else []

    def __len__(self) -> int:
        if self._predicates:
            return len(self._records())
        with self.store.session():
            if self._screens:
                return len(self._screened_ids(self._ordered()))
            return self._queryset().count()

    def __getitem__(self, key: int | slice | str) -> Any:
        if isinstance(key, str):
            found = self._narrowed(replace(self._query, exact_label=key))._records(limit=1)
            if not found:
                raise RecordNotFoundError(key, self.smt.name)
            return found[0]
        if isinstance(key, int) and key >= 0:
            records = self._records(limit=key + 1)
            if key >= len(records):
                raise IndexError(
                    f"record index {key} out of range: {len(records)} record(s) match."
                )
            return records[key]
        if (
            isinstance(key, slice)
            and key.step in (None, 1)
            and (key.start or 0) >= 0
            and (key.stop or -1) >= 0
        ):
            return self._records(limit=key.stop)[key]
        return self.list[key]

    @property
    def latest(self) -> RecordView:
        """The newest matching record; :class:`LookupError` if none."""
        return self._first(newest=True)

    @property
    def earliest(self) -> RecordView:
        """The oldest matching record; :class:`LookupError` if none."""
        return self._first(newest=False)

    def _first(self, *, newest: bool) -> RecordView:
        records = self._records(limit=1, newest_first=newest)
        if not records:
            raise LookupError(f"No record in project '{self.smt.name}' matches these filters.")
        return records[0]

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self]

    # --- smttask 0.2's names for the above ------------------------------------------
    @property
    def last(self) -> RecordView:
        """smttask 0.2's name for :attr:`latest` (the newest matching record)."""
        return self.latest

    def get(self, label: str | Sequence[str]) -> RecordView | list[RecordView]:
        """The record labelled *label* (``view[label]``), or for a list of labels the list of their records."""
        if isinstance(label, str):
            return self[label]
        return [self[one] for one in label]

    def dframe(
        self, include: Sequence[str] | None = None, exclude: Sequence[str] = (), params: Sequence[str] | bool = ()
    ) -> pandas.DataFrame:
        """smttask 0.2's name for :meth:`dataframe`: the columns *include* (default: the usual ones) but *exclude*."""
        fields = [f for f in (include if include is not None else DEFAULT_FIELDS) if f not in exclude]
        return self.dataframe(fields, params)

    def splitby(
        self, split_fields: str | Sequence[str], split_names: Sequence[str] | None = None
    ) -> dict[tuple[Any, ...], RecordStoreView]:
        """The records grouped by the values of *split_fields*, newest group first: ``{key: view}``.

        A field is a dotted parameter path (``"a.b"``) or a record attribute
        (``"task"`` for the task name, ``"status"``, ``"version"``…); a record
        without the field has None there. Each key is a named tuple, its names
        *split_names* (default: the fields, dots made underscores); each view
        narrows this one by the key's values, so it can be filtered further.
        """
        fields = [split_fields] if isinstance(split_fields, str) else list(split_fields)
        if not fields:
            raise FilterArgumentError("splitby() needs at least one field, e.g. splitby('task').")
        names = list(split_names) if split_names is not None else [f.replace(".", "_") for f in fields]
        if len(names) != len(fields):
            raise FilterArgumentError(
                f"splitby(): {len(names)} split_names for {len(fields)} fields; give one name per field."
            )
        SplitKey = namedtuple("SplitKey", names, rename=True)
        groups: dict[tuple[Any, ...], RecordStoreView] = {}
        for record in self:
            values = tuple(_hashable(get_task_param(record, f, None)) for f in fields)
            key = SplitKey(*values)
            if key not in groups:
                groups[key] = self._narrowed(
                    predicate=lambda r, v=values: tuple(
                        _hashable(get_task_param(r, f, None)) for f in fields
                    ) == v
                )
        return groups

    # --- editing tags -------------------------------------------------------------------
    def add_tag(self, tag: str) -> None:
        """Add *tag* to every matching record (one write per record)."""
        self.add_tags([tag])

    def add_tags(self, tags: Iterable[str]) -> None:
        """Add each of *tags* to every matching record."""
        self._retag(self.labels, add=checked_tags(tags), remove=())

    def remove_tag(self, tag: str) -> None:
        """Remove *tag* from every matching record that has it."""
        self.remove_tags([tag])

    def remove_tags(self, tags: Iterable[str]) -> None:
        """Remove each of *tags* from every matching record that has it."""
        self._retag(self.labels, add=(), remove=checked_tags(tags))

    def _retag(self, labels: Sequence[str], *, add: Sequence[str], remove: Sequence[str]) -> list[str]:
        """Change the tags of the records *labels*, one record (read and written whole) at a time.

        Returns the labels changed. A failure stops at that record and says
        which records were already changed; none is half-changed.
        """
        changed: list[str] = []
        for label in labels:
            try:
                record = self.store.get(label)
                tags = (set(record.tags) | set(add)) - set(remove)
                if tags == set(record.tags):
                    continue
                record.tags = tags
                self.store.save(record, new=False)
            except SumatraError as exc:
                raise RecordEditError(
                    f"Could not change the tags of record {label}: {exc} "
                    f"Already changed: {', '.join(changed) or 'none'}."
                ) from exc
            changed.append(label)
        return changed

    def dataframe(
        self, fields: Sequence[str] = DEFAULT_FIELDS, params: Sequence[str] | bool = ()
    ) -> pandas.DataFrame:
        """A pandas DataFrame, one row per record (indexed by label).

        *fields* are :class:`RecordView` attributes (``task`` is the task
        name); *params* adds one column per dotted parameter path, or, if
        True, one per leaf parameter found in any record.
        """
        from .tables import dataframe

        return dataframe(self.list, fields, params)

    def plot(self, param: str | None = None, output: str | None = None, **options: Any) -> Any:
        """Pictures of these records (needs smttask-viz): see :func:`smttask_viz.plot_records`."""
        from smttask_viz import plot_records

        return plot_records(self, param=param, output=output, **options)

    def _repr_html_(self) -> str:
        from .tables import records_html

        shown = self.head(NOTEBOOK_ROWS)
        total = len(self) if len(shown) == NOTEBOOK_ROWS else len(shown)
        title = f"{total} record(s) of project '{self.smt.name}'"
        return records_html(shown, title=title, more=total - len(shown))

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

    def decode(self, data: Any) -> Any:
        """A recorded JSON value decoded with the project's serializers (as JSON if it cannot be)."""
        from smttask.encoding import decode

        try:
            return decode(data, self._registry)
        except Exception:  # noqa: BLE001 - an undecodable value compares as its JSON form
            return data

    def _queryset(self) -> Any:
        return queryset(self._query, self.smt.name)

    def _key_paths(self, path: Path) -> tuple[str, ...]:
        """How a data key may name the file *path*: relative to the data directory, or absolute."""
        names = {str(path.absolute()), str(path.resolve())}
        for candidate in (path.absolute(), path.resolve()):
            try:
                names.add(candidate.relative_to(self.project.data_dir.resolve()).as_posix())
            except ValueError:
                pass
        return tuple(sorted(names))

    def _ordered(self, newest_first: bool = True) -> Any:
        sign = "-" if newest_first else ""
        return self._queryset().order_by(f"{sign}timestamp", f"{sign}db_id")

    def _records(self, limit: int | None = None, *, newest_first: bool = True) -> list[RecordView]:
        """The first *limit* matching records (all when None) in time order.

        Without screens or predicates this is one page query with SQL's LIMIT.
        Screens read only the candidates' tags and parameters, and stop as soon
        as *limit* candidates pass (when no predicate needs the full record);
        the records that pass are then loaded a page at a time.
        """
        with self.store.session():
            ordered = self._ordered(newest_first)
            if not self._screens and not self._predicates:
                return load_records(ordered[:limit] if limit is not None else ordered, self)
            if self._screens:
                ids: Iterator[int] | list[int] = self._screened_ids(
                    ordered, None if self._predicates else limit
                )
            else:
                ids = ordered.values_list("db_id", flat=True).iterator(chunk_size=SCREEN_CHUNK)
            found: list[RecordView] = []
            page: list[int] = []
            for db_id in (*ids, None):
                if db_id is not None:
                    page.append(db_id)
                    if len(page) < PAGE_SIZE:
                        continue
                if not page:
                    break
                by_id = {
                    r._db_id: r for r in load_records(self._queryset().filter(db_id__in=page), self)
                }
                found.extend(
                    r
                    for r in (by_id[i] for i in page if i in by_id)
                    if all(p(r) for p in self._predicates)
                )
                page = []
                if limit is not None and len(found) >= limit:
                    break
            return found[:limit] if limit is not None else found

    def _screened_ids(self, ordered: Any, limit: int | None = None) -> list[int]:
        """Database ids of the candidates in *ordered* that pass every screen (the first *limit*)."""
        ids = []
        rows = ordered.values_list("db_id", "tags", "parameters__content").iterator(
            chunk_size=SCREEN_CHUNK
        )
        for db_id, tags, content in rows:
            try:
                parameters = json.loads(content)
            except ValueError:
                parameters = {}
            if not isinstance(parameters, dict):
                parameters = {}
            tagset = parse_tags(tags)
            if all(screen(tagset, parameters) for screen in self._screens):
                ids.append(db_id)
                if limit is not None and len(ids) >= limit:
                    break
        return ids

    def read_column(self, db_id: int, column: str) -> str:
        """One long column (``stdout_stderr``, ``diff``) of the record with database id *db_id*."""
        with self.store.session():
            from sumatra.recordstore.django_store import models

            values = (
                models.Record.objects.using("default")
                .filter(db_id=db_id)
                .values_list(column, flat=True)
            )
            return next(iter(values), "") or ""


def _hashable(value: Any) -> Any:
    """*value* usable in a dict key (lists become tuples, dicts sorted tuples of items)."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


__all__ = [
    "DEFAULT_FIELDS",
    "STATUS_TAGS",
    "DataFile",
    "RecordStoreView",
    "RecordView",
    "SumatraError",
    "get_task_param",
    "record_filter",
]
