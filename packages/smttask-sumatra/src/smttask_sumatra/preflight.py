"""Before a recorded task computes: make sure its record will be kept, or refuse to run.

:func:`prepare` checks that the record store is healthy and its directory
writable (by writing a small file there) — or, for a store on a PostgreSQL
server, that the server answers and has Sumatra's tables — and reserves room for the record
in a spool directory (see :mod:`.spool`). The run goes ahead when the room is
reserved: whatever happens to the store meanwhile, the record can be spooled.
When no spool directory can take it, the task refuses to run with
:class:`RecordingUnavailableError`, before anything is computed.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import (
    RecordingUnavailableError,
    RecordStoreError,
    RecordStoreMissingError,
    RecordStoreUnwritableError,
)
from .location import ServerStore
from .servercheck import classify_server, has_sumatra_tables, unreachable
from .spool import Reservation, reserve, spool_dirs
from .storecheck import check_store

if TYPE_CHECKING:
    from .settings import SumatraSettings
    from .smtproject import SumatraProject

#: Bytes written to probe the store's directory (SQLite needs room for its journal there).
PROBE_BYTES = 4096


@dataclass
class Readiness:
    """What :func:`prepare` found: whether the store can be written, and the room reserved in a spool."""

    #: Why the store cannot take the record (None: it can, as far as can be told before the run).
    store_problem: RecordStoreError | None
    #: The room for the record in a spool directory.
    reservation: Reservation

    def release(self) -> None:
        """Give the reserved room back (the record is saved, or the run never started)."""
        self.reservation.release()


def prepare(smt: SumatraProject, settings: SumatraSettings, taskname: str) -> Readiness:
    """Check the store and reserve spool room for one record of *taskname*; see the module docstring."""
    from .store import RecordStore

    location = RecordStore(smt, settings).location
    if isinstance(location, ServerStore):
        problem = server_problem(location, settings.busy_timeout)
    else:
        problem = store_problem(location, settings.busy_timeout)
    reservation, failures = reserve(spool_dirs(smt))
    if reservation is None:
        tried = "; ".join(f"{directory} ({reason})" for directory, reason in failures)
        raise RecordingUnavailableError(
            f"Recorded task '{taskname}' was not run (nothing was computed): no spool directory "
            "can keep its record should the record store fail. Free space or allow writing in one "
            "of them, set XDG_STATE_HOME to a writable directory, or run without a lab book "
            f"(`smttask run --no-record`, task.run(record=False)). Tried: {tried}."
        )
    return Readiness(problem, reservation)


def store_problem(path: Path, timeout: float) -> RecordStoreError | None:
    """Why the store at *path* cannot take a record now, or None; nothing in the store is changed."""
    try:
        check_store(path, timeout=timeout)
    except RecordStoreError as exc:
        return exc
    directory = path.parent
    probe = directory / f".smttask-probe-{uuid.uuid4().hex[:8]}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
        finally:
            os.close(fd)
    except OSError as exc:
        return RecordStoreUnwritableError(
            f"The record store's directory {directory} cannot be written ({exc.strerror or exc})."
        )
    finally:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
    if not os.access(path, os.W_OK):
        return RecordStoreUnwritableError(f"The record store {path} is not writable.")
    return None


def server_problem(location: ServerStore, timeout: float) -> RecordStoreError | None:
    """Why the server store cannot take a record now, or None (connects and looks; writes nothing)."""
    from django.db import DatabaseError, connections

    from .djangodb import database

    try:
        with database(location, timeout=timeout):
            if not has_sumatra_tables(connections["default"]):
                return RecordStoreMissingError(
                    location, "it has no Sumatra tables: run `smttask project flush --create-store`"
                )
    except DatabaseError as exc:
        return classify_server(exc, location) or unreachable(location, 1, exc)
    return None
