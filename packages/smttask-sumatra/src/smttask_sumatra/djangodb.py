"""Django, configured on first use to hold one Sumatra record store at a time.

Sumatra's SQLite record store is a Django app. Sumatra configures Django once
per process for fixed databases; smttask may use several projects in one
process (tests, notebooks), and Sumatra's tag tables only work on Django's
``default`` database. So this module owns the configuration: ``default`` points
at the store in use, and :func:`database` switches it (closing connections to
the previous file) under a process-wide lock.

Writes use ``BEGIN IMMEDIATE`` transactions, so concurrent writers queue on
SQLite's busy timeout instead of failing on a lock upgrade. Django and Sumatra
are imported only when a store is first opened.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import RecordStoreExistsError, SumatraError
from .storecheck import check_store

_lock = threading.RLock()
_fork_hook_installed = False
APP = "sumatra.recordstore.django_store"


@contextmanager
def database(path: Path, *, timeout: float = 10.0, create: bool = False) -> Iterator[None]:
    """Hold Django's ``default`` database on the SQLite store *path* inside the block.

    *timeout* is how long one statement waits for a lock held by another
    process. With *create*, a store that does not exist yet is created with
    Sumatra's tables. A store file that exists is never replaced nor given
    tables: one that is empty, not SQLite, truncated or without Sumatra's
    tables raises :class:`RecordStoreCorruptError`, a missing one (without
    *create*) :class:`RecordStoreMissingError`. The connection is closed when
    the block ends.
    """
    path = Path(path).resolve()
    new = create and not path.exists()
    if not new:
        check_store(path, timeout=timeout)
    with _lock, _sync_calls_allowed():
        _configure(path, timeout)
        from django.db import connections

        connection = connections["default"]
        try:
            if new:
                _create_schema(path)
            yield
        finally:
            connection.close()


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


def atomic() -> object:
    """A write transaction on the current store (``BEGIN IMMEDIATE``)."""
    from django.db import transaction

    return transaction.atomic(using="default")


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


def _configure(path: Path, timeout: float) -> None:
    import django
    from django.conf import settings

    from ._imports import load_sumatra

    load_sumatra()
    name = str(path)
    options = {"timeout": timeout, "transaction_mode": "IMMEDIATE"}
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            DATABASES={
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": name,
                    "OPTIONS": options,
                }
            },
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
    if db.get("NAME") != name or db.get("OPTIONS") != options:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            connection.close()
        db["ENGINE"] = "django.db.backends.sqlite3"
        db["NAME"] = name
        db["OPTIONS"] = options
        ContentType.objects.clear_cache()  # content-type ids are per database file


def _create_schema(path: Path) -> None:
    """Create Sumatra's tables in the new, empty store *path*."""
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
