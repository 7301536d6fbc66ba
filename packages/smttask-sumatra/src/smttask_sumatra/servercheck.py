"""Telling an unreachable PostgreSQL record store from one that refuses us, and what to do about each.

A server that is down, restarting or unreachable may come back: writes are
retried, then the record is spooled, as for a busy SQLite store. A refused
login, a missing database or missing tables do not fix themselves: they are
reported at once, saying what to do, and the record is spooled meanwhile.
"""

from __future__ import annotations

from typing import Any

from .errors import (
    RecordStoreError,
    RecordStoreMissingError,
    RecordStoreUnreachableError,
    RecordStoreUnwritableError,
)
from .location import ServerStore

#: The table every Sumatra record store has.
RECORD_TABLE = "django_store_record"
# PostgreSQL error codes (SQLSTATE): login refused, no such database, no such table, no permission.
_LOGIN = ("28000", "28P01")
_NO_DATABASE = "3D000"
_NO_TABLE = "42P01"
_NO_PERMISSION = "42501"


def has_sumatra_tables(connection: Any) -> bool:
    """Whether the database behind the Django *connection* has Sumatra's record table."""
    return RECORD_TABLE in connection.introspection.table_names()


def classify_server(error: BaseException, location: ServerStore) -> RecordStoreError | None:
    """The smttask error for a database *error* on the server store; None if retrying may help."""
    state, text = _state(error), _first_line(error)
    if (
        state in _LOGIN
        or "password authentication failed" in text
        or "no password supplied" in text
    ):
        return RecordStoreUnwritableError(
            f"The record store {location} refused user {location.user!r} ({text}). Give the password "
            f"in PGPASSWORD or in ~/.pgpass ({location.host}:{location.port or 5432}:"
            f"{location.database}:{location.user}:PASSWORD, mode 600); records are spooled meanwhile."
        )
    if state == _NO_DATABASE or f'database "{location.database}" does not exist' in text:
        return RecordStoreMissingError(
            location,
            f"the database does not exist: create it (createdb -h {location.host} -U {location.user} "
            f"{location.database}), then run `smttask project flush --create-store`",
        )
    if state == _NO_TABLE:
        return RecordStoreMissingError(
            location, "it has no Sumatra tables: run `smttask project flush --create-store`"
        )
    if state == _NO_PERMISSION:
        return RecordStoreUnwritableError(
            f"The record store {location} does not let {location.user!r} write ({text}). Grant the "
            "role rights on Sumatra's tables; records are spooled meanwhile."
        )
    return None


def unreachable(
    location: ServerStore, attempts: int, error: BaseException | None
) -> RecordStoreUnreachableError:
    """The error for a server store that did not answer through every attempt."""
    return RecordStoreUnreachableError(
        f"The record store {location} did not answer after {attempts} attempt(s)"
        f"{f' ({_first_line(error)})' if error is not None else ''}: is the server up and reachable "
        "from this machine? Records are spooled meanwhile; run `smttask project flush` once it is back."
    )


def _state(error: BaseException) -> str | None:
    for exc in (error, error.__cause__, error.__context__):
        state = getattr(exc, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
