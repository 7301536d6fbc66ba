"""Records that could not be written to the store wait as JSON files in a spool directory.

A record is never lost. Before a recorded task computes, :func:`reserve` sets
aside room for its record (a hidden file of :data:`RESERVE_BYTES`) in the
first spool directory that can take it: the project's ``.smt/spool/``, else a
per-user one (``$XDG_STATE_HOME/smttask/spool/<project id>/``, by default
under ``~/.local/state``), so a full or read-only ``.smt/`` still has a place
to spool to. When the store cannot take the record (locked through every
retry, corrupt, missing, read-only or full), :func:`spool_record` writes it
over that reserved room in Sumatra's own JSON record format, synced to disk,
and ``smttask project flush`` imports it later from every spool directory of
the project. A flush claims each file by renaming it first, so two flushes
never import one record twice.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smttask.errors import StorageFullError
from smttask.files import fsync_directory, host_id, pid_alive, temp_tag, write_atomic

from .errors import RecordStoreBusyError, SpoolFileError, SpoolWriteError

if TYPE_CHECKING:
    from .smtproject import SumatraProject
    from .store import RecordStore

FORMAT = "smttask-sumatra-spool"
VERSION = 1
SUFFIX = ".json"
#: Room set aside per running recorded task; records are rarely larger (output is capped by ``max_output``).
RESERVE_BYTES = 1 << 20
RESERVE_SUFFIX = ".reserve"
#: A reservation's name says which process holds it: ``.<pid>-<host id>.<random>.reserve``.
_RESERVATION = re.compile(r"^\.(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\.[0-9a-f]+\.reserve$")


# --- where ---------------------------------------------------------------------------
def project_id(smt: SumatraProject) -> str:
    """A directory name for the project, stable while it stays where it is: ``<name>-<hash of its root>``."""
    digest = hashlib.sha256(str(smt.root.resolve()).encode()).hexdigest()[:12]
    name = re.sub(r"[^\w\-]+", "-", smt.name).strip("-") or "project"
    return f"{name}-{digest}"


def user_spool_dir(smt: SumatraProject) -> Path:
    """The per-user spool directory of the project (XDG base directory rules: absolute ``$XDG_STATE_HOME`` only)."""
    state = os.environ.get("XDG_STATE_HOME", "")
    base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    return base / "smttask" / "spool" / project_id(smt)


def spool_dirs(smt: SumatraProject) -> list[Path]:
    """Every spool directory of the project, in the order records are spooled to them."""
    return [smt.spool_dir, user_spool_dir(smt)]


# --- reserving room before the run ------------------------------------------------------
@dataclass
class Reservation:
    """Room set aside in one spool directory for one record; release it when the record is saved."""

    path: Path

    @property
    def directory(self) -> Path:
        return self.path.parent

    def release(self) -> None:
        self.path.unlink(missing_ok=True)


def reserve(directories: list[Path]) -> tuple[Reservation | None, list[tuple[Path, str]]]:
    """Room in the first of *directories* that can take :data:`RESERVE_BYTES`, and why the others could not."""
    failures: list[tuple[Path, str]] = []
    for directory in directories:
        path = directory / f".{temp_tag()}{RESERVE_SUFFIX}"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                _allocate(fd, RESERVE_BYTES)
            finally:
                os.close(fd)
        except OSError as exc:
            _remove_quietly(path)
            failures.append((directory, exc.strerror or str(exc)))
            continue
        return Reservation(path), failures
    return None, failures


def _allocate(fd: int, size: int) -> None:
    """Give the file *size* bytes of real disk blocks (not a sparse hole)."""
    if hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(fd, 0, size)
            return
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise
    block = b"\0" * 65536
    for _ in range(size // len(block)):
        os.write(fd, block)


def _remove_quietly(path: Path) -> None:
    """Delete *path* if it is there; on a read-only filesystem it never was."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


# --- writing a record -------------------------------------------------------------------
def spool_record(
    smt: SumatraProject,
    record: Any,
    *,
    label_reserved: bool,
    reservation: Reservation | None = None,
) -> Path:
    """Write *record* to a spool directory, durably and atomically; return the file.

    The reserved room is used first, then each spool directory in turn.
    *label_reserved* says whether a first version of the record
    (``_running_``) is already in the store under its label, so the import
    replaces it. :class:`SpoolWriteError` names every directory tried.
    """
    from ._imports import load_sumatra

    load_sumatra()
    from sumatra.recordstore.serialization import encode_record

    document = {
        "format": FORMAT,
        "version": VERSION,
        "project": smt.name,
        "root": str(smt.root),
        "label_reserved": label_reserved,
        "record": json.loads(encode_record(record)),
    }
    data = json.dumps(document, indent=1).encode("utf-8")
    name = f"{record.label}.{uuid.uuid4().hex[:8]}{SUFFIX}"
    failures: list[str] = []
    if reservation is not None:
        try:
            return _fill(reservation.path, data, reservation.directory / name)
        except OSError as exc:
            reservation.release()
            failures.append(f"{reservation.directory} ({exc.strerror or exc})")
    for directory in spool_dirs(smt):
        target = directory / name
        try:
            directory.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data, durable=True, mode=0o644)
            return target
        except OSError as exc:
            failures.append(f"{directory} ({_why(exc)})")
    raise SpoolWriteError(f"Record {record.label} could not be spooled to {', '.join(failures)}.")


def _fill(path: Path, data: bytes, target: Path) -> Path:
    """Overwrite *path* (in place, using its blocks) with *data*, sync it, and rename it to *target*."""
    fd = os.open(path, os.O_WRONLY)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(path, target)
    fsync_directory(target.parent)
    return target


def _why(exc: OSError) -> str:
    """The operating system's words for *exc* (a full disk's, under :class:`StorageFullError`)."""
    if isinstance(exc, StorageFullError) and isinstance(exc.__cause__, OSError):
        exc = exc.__cause__
    return exc.strerror or str(exc)


# --- reading and importing --------------------------------------------------------------
def pending(smt: SumatraProject) -> list[Path]:
    """Spooled record files waiting to be imported, from every spool directory, oldest label first."""
    found: list[Path] = []
    for directory in spool_dirs(smt):
        try:
            found.extend(
                p for p in directory.iterdir() if p.suffix == SUFFIX and not p.name.startswith(".")
            )
        except OSError:
            continue  # no such directory, or unreadable: nothing spooled there that we can import
    return sorted(found, key=lambda p: (p.name, str(p)))


def read_spooled(path: Path, *, shown_as: Path | None = None) -> tuple[Any, bool]:
    """The record in a spool file and whether its label is reserved; :class:`SpoolFileError` if unreadable.

    *shown_as* is the name used in the error (the file's name before a flush claimed it).
    """
    from ._imports import load_sumatra

    load_sumatra()
    from sumatra.recordstore.serialization import build_record

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT or document.get("version") != VERSION:
            raise ValueError(f"not a version-{VERSION} {FORMAT} file")
        return build_record(document["record"]), bool(document.get("label_reserved"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SpoolFileError(
            f"{shown_as or path} cannot be imported ({exc}). Inspect it; delete it once its record is no longer wanted."
        ) from None


@dataclass
class FlushReport:
    """What ``flush`` did."""

    imported: list[str] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    #: Labels of ``_running_`` records completed from their stored result (see :mod:`.repair`).
    repaired: list[str] = field(default_factory=list)


def flush(store: RecordStore) -> FlushReport:
    """Import every spooled record into *store*; each imported file is deleted.

    A file that cannot be read is left in place and reported. If the store is
    still busy (or corrupt), the files not yet imported stay for a later
    flush and the store's error (e.g. :class:`RecordStoreBusyError`) is
    raised. Room reserved by runs of this machine that are no longer alive is
    freed.
    """
    report = FlushReport()
    for directory in spool_dirs(store.smt):
        remove_stale_reservations(directory)
    for path in pending(store.smt):
        claimed = path.with_name(f".{path.name}.{os.getpid()}.flushing")
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            continue  # another flush took it
        try:
            record, reserved = read_spooled(claimed, shown_as=path)
            label = store.save(record, new=not reserved)
        except SpoolFileError as exc:
            os.rename(claimed, path)
            report.failed.append((path, str(exc)))
            continue
        except BaseException:
            os.rename(claimed, path)
            raise
        claimed.unlink()
        report.imported.append(label)
    return report


def remove_stale_reservations(directory: Path) -> list[Path]:
    """Delete the reserved room left by runs on this machine whose process has ended; the files deleted."""
    removed: list[Path] = []
    try:
        names = [entry.name for entry in os.scandir(directory)]
    except OSError:
        return removed
    for name in names:
        match = _RESERVATION.match(name)
        if match is None or match["host"] != host_id() or pid_alive(int(match["pid"])):
            continue
        path = directory / name
        _remove_quietly(path)
        removed.append(path)
    return removed


__all__ = [
    "FlushReport",
    "RecordStoreBusyError",
    "Reservation",
    "SpoolWriteError",
    "flush",
    "pending",
    "read_spooled",
    "reserve",
    "spool_dirs",
    "spool_record",
    "user_spool_dir",
]
