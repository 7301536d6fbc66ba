"""Telling a corrupt record store from a busy one, without Django and without writing a byte.

A store file that exists is never replaced: :func:`check_store` reads its
SQLite header and table list (through a read-only connection) and raises
:class:`RecordStoreCorruptError` when it is empty, not SQLite, shorter than
its header says, malformed, or without Sumatra's tables. A store that is only
locked by another writer passes: the write is retried. :func:`classify`
turns an error SQLite raised while writing into the matching smttask error.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import (
    RecordStoreCorruptError,
    RecordStoreError,
    RecordStoreMissingError,
    RecordStoreUnwritableError,
)

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
#: Sumatra 0.8's record store tables (``smt init`` and ``smttask project init`` create them all).
SUMATRA_TABLES = frozenset(
    {
        "django_store_datakey",
        "django_store_datastore",
        "django_store_dependency",
        "django_store_executable",
        "django_store_launchmode",
        "django_store_parameterset",
        "django_store_platforminformation",
        "django_store_project",
        "django_store_record",
        "django_store_record_dependencies",
        "django_store_record_input_data",
        "django_store_record_platforms",
        "django_store_repository",
    }
)

# Primary SQLite result codes (the low byte of an extended code).
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = (
    3, 5, 6, 8, 10, 11, 13, 14, 26,
)  # fmt: skip


def check_store(path: Path, *, timeout: float = 10.0) -> None:
    """Raise :class:`RecordStoreCorruptError` (or :class:`RecordStoreMissingError`) unless *path* is a Sumatra store.

    Reads only: the file is left byte-for-byte as it was. A store locked by
    another process for longer than *timeout* seconds is taken as healthy.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(HEADER_SIZE)
    except FileNotFoundError:
        raise RecordStoreMissingError(path) from None
    except OSError as exc:
        raise RecordStoreUnwritableError(
            f"The record store {path} cannot be read ({exc.strerror or exc}); records are spooled "
            "meanwhile. Check the file's permissions and the filesystem it is on."
        ) from None
    detail = _header_problem(header, size)
    if detail is None:
        detail = _table_problem(path, timeout)
    if detail is not None:
        raise RecordStoreCorruptError(path, detail)


def _header_problem(header: bytes, size: int) -> str | None:
    if size == 0:
        return "it is empty: 0 bytes"
    if len(header) < HEADER_SIZE or not header.startswith(SQLITE_MAGIC):
        return f"it is not a SQLite database: its {size} bytes do not start with SQLite's header"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]  # the page count is only current then
    if page_size and header_valid and pages and size < page_size * pages:
        return f"it is truncated: {size} bytes where its header says {page_size * pages}"
    return None


def _table_problem(path: Path, timeout: float) -> str | None:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
    except sqlite3.Error:
        return None  # cannot even open it read-only: the write will say why
    try:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        code = _primary_code(exc)
        if code in (_CORRUPT, _NOTADB):
            return f"SQLite says: {exc}"
        return None  # busy, or a hot journal only a writer can roll back
    finally:
        connection.close()
    missing = sorted(SUMATRA_TABLES - names)
    if missing:
        return f"Sumatra's tables are missing: {', '.join(missing[:3])}{' …' if len(missing) > 3 else ''}"
    return None


def classify(error: BaseException, path: Path) -> RecordStoreError | None:
    """The smttask error for a database *error* met while writing *path*; None if it may be a lock.

    Corrupt and unwritable stores are not retried: waiting cannot fix them.
    """
    code = _primary_code(error)
    if code in (_CORRUPT, _NOTADB):
        return RecordStoreCorruptError(path, f"SQLite says: {_sqlite_message(error)}")
    if code in (_READONLY, _FULL, _CANTOPEN, _IOERR, _PERM):
        return RecordStoreUnwritableError(
            f"The record store {path} cannot be written ({_sqlite_message(error)}): the filesystem "
            "is read-only or full, or the file is not writable. Free space or fix the permissions, "
            "then run `smttask project flush` to import the spooled records."
        )
    return None


def _primary_code(error: BaseException) -> int | None:
    for exc in (error, error.__cause__, error.__context__):
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF
    return None


def _sqlite_message(error: BaseException) -> str:
    cause = error.__cause__ if isinstance(error.__cause__, sqlite3.Error) else error
    return str(cause)
