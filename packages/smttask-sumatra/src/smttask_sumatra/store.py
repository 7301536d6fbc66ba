"""Writing Sumatra records through Sumatra's own Django record store API.

:meth:`RecordStore.save` wraps ``DjangoRecordStore.save`` in one write
transaction (SQLite's ``BEGIN IMMEDIATE``, or PostgreSQL's with an advisory
lock), so a record is written whole or not at all, and a new record's label
is checked for uniqueness under the write lock (two processes can never take
the same label). A busy store, or a server that does not answer, is retried
with growing, jittered pauses; after the last attempt
:class:`RecordStoreBusyError` (:class:`RecordStoreUnreachableError`) tells
the caller to spool the record instead. A corrupt, missing or unwritable
store is not retried (see :mod:`.storecheck` and :mod:`.servercheck`).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import djangodb
from .errors import RecordNotFoundError, RecordStoreBusyError, RecordStoreError
from .location import ServerStore, StoreLocation, parse_location
from .servercheck import classify_server, has_sumatra_tables, unreachable
from .storecheck import classify

if TYPE_CHECKING:
    from smttask import Project

    from .settings import SumatraSettings
    from .smtproject import SumatraProject

logger = logging.getLogger(__name__)

#: Longest pause between two attempts, in seconds.
MAX_PAUSE = 2.0
#: The status tag of a record whose run has not closed it (yet).
RUNNING_TAG = "_running_"


class RecordStore:
    """The record store of one Sumatra project (an SQLite file, or a PostgreSQL database)."""

    def __init__(self, smt: SumatraProject, settings: SumatraSettings) -> None:
        self.smt = smt
        self.settings = settings

    @classmethod
    def of(cls, project: Project) -> RecordStore:
        """The record store of the smttask *project*: where its ``.smt/project`` and ``[sumatra]`` settings say."""
        from .settings import SumatraSettings
        from .smtproject import SumatraProject

        return cls(SumatraProject.load(project.root), SumatraSettings.from_config(project.config))

    def elsewhere(self, location: StoreLocation) -> RecordStore:
        """The same project's records in the store at *location* (a store to copy from or to)."""
        return RecordStore(
            dataclasses.replace(self.smt, store=location), dataclasses.replace(self.settings, store=None)
        )

    @property
    def location(self) -> StoreLocation:
        """Where the records are: the ``store`` setting if given, else ``.smt/project``'s store."""
        if self.settings.store is not None:
            return parse_location(self.settings.store, self.smt.root)
        return self.smt.store

    @property
    def path(self) -> Path:
        """The SQLite file of the store; :class:`UnsupportedRecordStoreError` for a server store."""
        location = self.location
        if isinstance(location, ServerStore):
            from .errors import UnsupportedRecordStoreError

            raise UnsupportedRecordStoreError(
                f"The record store {location} is a PostgreSQL database, not a file: this works only "
                "on SQLite stores."
            )
        return location

    @property
    def project_name(self) -> str:
        return self.smt.name

    def missing(self) -> bool:
        """Whether the store is not there yet (no file; on a server, no Sumatra tables)."""
        location = self.location
        if not isinstance(location, ServerStore):
            return not location.exists()
        with djangodb.database(location, timeout=self.settings.busy_timeout):
            from django.db import connections

            return not has_sumatra_tables(connections["default"])

    def create(self) -> None:
        """Create an empty record store (see :func:`.djangodb.create_store`; on a server, its tables)."""
        location = self.location
        if isinstance(location, ServerStore):
            with djangodb.database(location, timeout=self.settings.busy_timeout, create=True):
                pass
        else:
            djangodb.create_store(location)

    def classify(self, error: BaseException) -> RecordStoreError | None:
        """The smttask error for a database *error* on this store; None if retrying may help."""
        location = self.location
        if isinstance(location, ServerStore):
            return classify_server(error, location)
        return classify(error, location)

    @contextmanager
    def session(self, *, timeout: float | None = None) -> Iterator[Any]:
        """Open the store; yields Sumatra's ``DjangoRecordStore`` bound to it."""
        with djangodb.database(
            self.location, timeout=self.settings.busy_timeout if timeout is None else timeout
        ):
            yield self._sumatra_store()

    def _sumatra_store(self) -> Any:
        return sumatra_django_store(self.location, _store_class())

    def save(self, record: Any, *, new: bool) -> str:
        """Write *record* (a ``sumatra.records.Record``); return the label it was saved under.

        With *new*, the label is made unique first (``-2``, ``-3``… appended if
        taken); otherwise the record replaces the one with its label. Raises
        :class:`RecordStoreBusyError` when every attempt found the store
        locked, and at once :class:`RecordStoreCorruptError`,
        :class:`RecordStoreMissingError` or :class:`RecordStoreUnwritableError`
        when waiting cannot help.
        """
        from django.db import DatabaseError

        attempts = self.settings.save_attempts
        last_error: Exception | None = None
        for attempt in range(attempts):
            try:
                with self.session() as store, djangodb.atomic():
                    if new:
                        record.label = self._free_label(record.label)
                    store.reuse_rows = True
                    store.save(self.project_name, record)
                return record.label
            except BaseException as exc:
                _record_rows.clear()  # rows found in a transaction that did not commit may not exist
                if not isinstance(exc, DatabaseError):
                    raise
                hopeless = self.classify(exc)
                if hopeless is not None:
                    raise hopeless from None
                last_error = exc
                logger.debug(
                    "Saving record %s failed (attempt %d): %s", record.label, attempt + 1, exc
                )
                if attempt + 1 < attempts:
                    time.sleep(min(MAX_PAUSE, 0.05 * 2**attempt) * random.uniform(0.5, 1.5))
        if isinstance(self.location, ServerStore):
            raise unreachable(self.location, attempts, last_error)
        raise RecordStoreBusyError(
            f"Could not write record {record.label} to {self.location} after {attempts} attempts: {last_error}. "
            "Other processes may be holding the store; raise busy_timeout or save_attempts in "
            "[sumatra] of smttask.toml."
        )

    def replace_running(self, record: Any) -> bool:
        """Replace the stored record labelled like *record* only while it is still ``_running_``.

        Checked under the write lock, so a run that closes its own record at
        the same moment wins. Returns whether the record was replaced.
        """
        from django.db import DatabaseError
        from sumatra.recordstore.django_store import models

        try:
            with self.session() as store, djangodb.atomic():
                tags = (
                    models.Record.objects.using("default")
                    .filter(project_id=self.project_name, label=record.label)
                    .values_list("tags", flat=True)
                    .first()
                )
                if tags is None or RUNNING_TAG not in tags.replace(" ", ",").split(","):
                    return False
                store.save(self.project_name, record)
                return True
        except DatabaseError as exc:
            raise self.classify(exc) or RecordStoreBusyError(
                f"Could not update record {record.label} in {self.location}: {exc}. Try again later."
            ) from None

    def _free_label(self, label: str) -> str:
        from sumatra.recordstore.django_store import models

        taken = models.Record.objects.using("default").filter(project_id=self.project_name)
        candidate, n = label, 1
        while taken.filter(label=candidate).exists():
            n += 1
            candidate = f"{label}-{n}"
        return candidate

    def get(self, label: str) -> Any:
        """The ``sumatra.records.Record`` labelled *label*; :class:`RecordNotFoundError` if none."""
        with self.session() as store:
            try:
                return store.get(self.project_name, label)
            except KeyError:
                raise RecordNotFoundError(label, self.project_name) from None


def sumatra_django_store(location: StoreLocation | str, cls: type) -> Any:
    """Sumatra's record store object (*cls*: ``DjangoRecordStore`` or a subclass) for the store at *location*.

    It is built without its ``__init__``, which would register a database with
    Sumatra's own Django set-up: it works on the connection ``default`` that
    :func:`.djangodb.database` opens, and names *location* when Sumatra writes
    it into ``.smt/project``.
    """
    store = cls.__new__(cls)
    store._db_label = "default"
    store._db_file = str(location)
    return store


#: Rows Sumatra looked up or created for the parts of the record saved last (see :func:`_store_class`).
_record_rows: dict[tuple[str, str, str, str, int], tuple[Any, Any]] = {}
#: The parts of a record that stay the same from its ``_running_`` save to its final one.
_UNCHANGED_PARTS = frozenset(
    {"Executable", "Repository", "LaunchMode", "Datastore", "ParameterSet", "PlatformInformation"}
)


def _unchanged(row: Any) -> bool:
    """Whether the store still holds *row* (a Django model instance) as it was read: not deleted,
    nor replaced by another row with its id. One plain SELECT by primary key, no ORM query."""
    from django.db import connections

    connection = connections["default"]
    fields = row._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(row._meta.db_table)} "
        f"WHERE {quote(row._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [row.pk])
        stored = cursor.fetchone()
    expected = [f.get_db_prep_value(getattr(row, f.attname), connection) for f in fields]

    return stored is not None and list(stored) == expected


@functools.cache
def _store_class() -> type:
    """Sumatra's ``DjangoRecordStore``, saving a record's package list in two queries, and a
    record's unchanged parts once.

    Sumatra's ``save`` looks up and links each dependency one by one (about
    three queries each, so ~150 for a typical scientific session). This
    subclass lets Sumatra save everything else, then looks the dependencies up
    in one query and links them in one ``add``. And a record is saved twice
    (``_running_``, then final) with the very same executable, repository,
    launch mode, data stores, parameters and platform: the final save reuses
    the rows the first one found or made (for the same record, in the same
    store, while it is the last one saved), each checked by one plain SELECT
    (a store flushed meanwhile gets new rows), instead of Sumatra's ORM
    look-up. The rows written are the same.
    """
    from sumatra.recordstore.django_store import DjangoRecordStore

    class SmttaskDjangoRecordStore(DjangoRecordStore):
        #: Set by :meth:`RecordStore.save`, which forgets the rows if its transaction fails.
        reuse_rows = False
        _saving: tuple[str, str, str] | None = None

        def save(self, project_name: str, record: Any) -> None:
            owner = (self._db_file, project_name, record.label)
            if next(iter(_record_rows), owner)[:3] != owner:
                _record_rows.clear()  # another record: its rows are not this one's
            self._saving = owner if self.reuse_rows else None
            dependencies = record.dependencies
            record.dependencies = []
            try:
                super().save(project_name, record)
            finally:
                record.dependencies = dependencies
                self._saving = None
            if dependencies:
                db_record = self._manager.get(label=record.label, project__id=project_name)
                db_record.dependencies.add(*self._dependency_rows(dependencies))

        def _get_db_obj(self, db_class: str, obj: Any) -> Any:
            owner = self._saving
            if owner is None or db_class not in _UNCHANGED_PARTS:
                return super()._get_db_obj(db_class, obj)
            key = (*owner, db_class, id(obj))
            found = _record_rows.get(key)
            if found is not None and found[0] is obj and _unchanged(found[1]):
                return found[1]
            row = super()._get_db_obj(db_class, obj)
            _record_rows[key] = (obj, row)  # the object is kept, so its id names it while it is here
            return row

        def _dependency_rows(self, dependencies: list[Any]) -> list[Any]:
            models = self._get_models()
            fields = ("name", "path", "version", "diff", "source", "module")
            names = sorted({d.name for d in dependencies})
            existing = {
                tuple(getattr(row, f) for f in fields): row
                for row in models.Dependency.objects.using(self._db_label).filter(name__in=names)
            }
            rows = []
            for dep in dependencies:
                row = existing.get(tuple(getattr(dep, f) for f in fields))
                rows.append(row if row is not None else self._get_db_obj("Dependency", dep))
            return rows

    return SmttaskDjangoRecordStore
