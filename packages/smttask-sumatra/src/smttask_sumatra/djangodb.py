"""Django, configured on first use to hold one Sumatra record store at a time.

Sumatra's record store is a Django app, on an SQLite file or on a PostgreSQL
server (see :mod:`.location`). Sumatra configures Django once
per process for fixed databases; smttask may use several projects in one
process (tests, notebooks), and Sumatra's tag tables only work on Django's
``default`` database. So this module owns the configuration: ``default`` points
at the store in use, and :func:`database` switches it (closing connections to
the previous file) under a process-wide lock.

Writes use ``BEGIN IMMEDIATE`` transactions on SQLite, so concurrent writers
queue on SQLite's busy timeout instead of failing on a lock upgrade; on
PostgreSQL a write transaction takes an advisory lock, so two writers never
pick the same label. Django and Sumatra are imported only when a store is
first opened.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import RecordStoreExistsError, SumatraError
from .location import ServerStore, StoreLocation
from .servercheck import has_sumatra_tables
from .storecheck import check_store

_lock = threading.RLock()
_fork_hook_installed = False
APP = "sumatra.recordstore.django_store"
#: The PostgreSQL advisory lock every write transaction of a record store takes (any 64-bit number).
WRITE_LOCK = 0x736D747461736B  # "smttask"


@contextmanager
def database(
    location: StoreLocation, *, timeout: float = 10.0, create: bool = False
) -> Iterator[None]:
    """Hold Django's ``default`` database on the record store at *location* inside the block.

    *timeout* is how long one statement waits for a lock held by another
    process (SQLite), or to connect (PostgreSQL). With *create*, a store that
    does not exist yet is created with Sumatra's tables (on a server: the
    tables, in the database, which must exist). A store file that exists is
    never replaced nor given tables: one that is empty, not SQLite, truncated
    or without Sumatra's tables raises :class:`RecordStoreCorruptError`, a
    missing one (without *create*) :class:`RecordStoreMissingError`. The
    connection is closed when the block ends.
    """
    if isinstance(location, ServerStore):
        settings, new = location.django_database(timeout), False
    else:
        path = Path(location).resolve()
        new = create and not path.exists()
        if not new:
            check_store(path, timeout=timeout)
        settings = _sqlite_database(path, timeout)
    with _lock, _sync_calls_allowed():
        _configure(settings)
        from django.db import connections

        connection = connections["default"]
        try:
            if new or (
                create and isinstance(location, ServerStore) and not has_sumatra_tables(connection)
            ):
                _create_schema()
            yield
        finally:
            connection.close()


def _sqlite_database(path: Path, timeout: float) -> dict[str, object]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "USER": "",
        "HOST": "",
        "PORT": "",
        "OPTIONS": {"timeout": timeout, "transaction_mode": "IMMEDIATE"},
    }


#: Django refuses synchronous database calls in a thread running an event loop unless this is set.
ALLOW_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@contextmanager
def _sync_calls_allowed() -> Iterator[None]:
    """Let Django run inside an event loop (a Jupyter kernel runs every cell in one) within the block.

    Django's guard protects asynchronous servers from blocking their loop; a
    notebook cell blocks anyway, and the store is only used synchronously here.
    The variable is set only while a loop runs in this thread, and put back after.
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        yield  # no event loop: Django's guard does not apply
        return
    previous = os.environ.get(ALLOW_ASYNC_UNSAFE)
    os.environ[ALLOW_ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ALLOW_ASYNC_UNSAFE, None)
        else:
            os.environ[ALLOW_ASYNC_UNSAFE] = previous


@contextmanager
def atomic() -> Iterator[None]:
    """A write transaction on the current store (``BEGIN IMMEDIATE``; on PostgreSQL, with the write lock)."""
    from django.db import connections, transaction

    with transaction.atomic(using="default"):
        connection = connections["default"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
        yield


def create_store(path: Path) -> None:
    """Create an empty SQLite record store at *path*, with Sumatra's tables.

    Refuses with :class:`RecordStoreExistsError` when a file is there: an
    existing store, however broken, is never replaced.
    """
    if Path(path).exists():
        raise RecordStoreExistsError(
            f"Not creating a record store at {path}: a file is there already. Move it aside "
            f"first (mv {path} {path}.old) if it is to be replaced."
        )
    with database(path, create=True):
        pass  # opening a new store creates Sumatra's tables


def _configure(database: dict[str, object]) -> None:
    """Point Django's ``default`` database at *database* (configuring Django on first use)."""
    import django
    from django.conf import settings

    from ._imports import load_sumatra

    load_sumatra()
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            DATABASES={"default": dict(database)},
            INSTALLED_APPS=[APP, "django.contrib.contenttypes"],
            USE_TZ=True,
            TIME_ZONE="UTC",
            SECRET_KEY="smttask-sumatra: no secrets are kept here",
            DEFAULT_AUTO_FIELD="django.db.models.AutoField",
            LOGGING_CONFIG=None,
            MIDDLEWARE_CLASSES=[],
            READ_ONLY=0,
            SERVERSIDE=0,
        )
        django.setup()
        _tell_sumatra(settings.DATABASES)
        _install_fork_hook()
        return
    if APP not in settings.INSTALLED_APPS:
        raise SumatraError(
            "Django is already configured in this process without Sumatra's record store app "
            f"('{APP}' is not in INSTALLED_APPS), so records cannot be written here. Run the "
            "tasks in a separate process (e.g. with `smttask run`)."
        )
    db = settings.DATABASES["default"]
    if any(db.get(key) != value for key, value in database.items()):
        from django.contrib.contenttypes.models import ContentType
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            connection.close()
        engine_changed = db.get("ENGINE") != database["ENGINE"]
        db.update(database)
        if engine_changed:
            del connections["default"]  # its wrapper class belongs to the other engine
        ContentType.objects.clear_cache()  # content-type ids are per database


def _create_schema() -> None:
    """Create Sumatra's tables in the current store (new and empty, or a server database without them)."""
    from django.core import management

    management.call_command(
        "migrate", run_syncdb=True, database="default", verbosity=0, interactive=False
    )


def _tell_sumatra(databases: dict) -> None:
    """Mark Sumatra's own Django configuration as done, so it never reconfigures Django."""
    from sumatra.recordstore.django_store import db_config

    db_config._settings["DATABASES"] = databases
    db_config.configured = True


def _install_fork_hook() -> None:
    global _fork_hook_installed
    if not _fork_hook_installed and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_forget_connections)
        _fork_hook_installed = True


def _forget_connections() -> None:
    """In a forked child, drop (never use or close) the parent's SQLite handles, and free the lock."""
    global _lock
    _lock = threading.RLock()  # another thread of the parent may have held it at the fork
    if "django.db" not in sys.modules:
        return
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.connection = None
