"""Which journal an SQLite record store keeps: write-ahead (WAL) on a local disk, rollback elsewhere.

SQLite's default rollback journal syncs the disk four times per commit (the
journal twice, its directory, the store); a record is two commits (its
``_running_`` version, then the final one), so on a disk where a sync takes
~10 ms the syncs are most of a record's cost. In WAL mode a commit appends to
``records-wal`` and, with ``synchronous=NORMAL``, syncs nothing: the store
stays consistent whatever happens, and only a power cut or an operating
system crash may lose the last commits (as it may lose results stored just
before it, which are not synced either). The store is synced at each
checkpoint (every ~1000 pages).

WAL needs every process using the store to share memory (the ``records-shm``
file), so it is wrong on a network filesystem seen by several machines, and a
store in WAL mode can no longer be read from a directory that is read-only.
Hence the ``journal_mode`` setting: ``"auto"`` (the default) takes WAL only
where the store's filesystem is known to be a local one, ``"wal"`` and
``"delete"`` (SQLite's rollback journal) choose. The mode is kept in the file
itself, so Sumatra's ``smt`` and ``smtweb`` follow it; a store switches when
smttask next writes a record into it from a writable directory.

SQLite checkpoints a WAL store (syncing it, then removing ``records-wal``)
whenever its last connection closes, and each record's sessions close
Django's: so a process keeps one idle connection to the WAL store it wrote to
last (:func:`keep_open`), and the latest records stay in ``records-wal``
until a checkpoint. And as SQLite's locks are the process's POSIX locks,
which closing *any* descriptor of the file drops, this process reads that
store's header only through the descriptor kept with it (:func:`read_start`).
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

#: The values of the ``journal_mode`` setting.
MODES = ("auto", "wal", "delete")
#: Filesystems (Linux type names) on which one machine owns the files: WAL is safe there.
LOCAL_FILESYSTEMS = frozenset(
    {
        "apfs", "bcachefs", "btrfs", "ext2", "ext3", "ext4", "f2fs", "hfs", "hfsplus", "jfs",
        "nilfs2", "overlay", "ramfs", "reiserfs", "tmpfs", "xfs", "zfs",
    }
)  # fmt: skip
#: Byte 18 of an SQLite file's header: 1 for the rollback journal, 2 for WAL.
_WRITE_VERSION_OFFSET = 18


def wanted(setting: str, path: Path) -> str:
    """The journal mode (``"wal"`` or ``"delete"``) the store at *path* should keep under *setting*."""
    if setting != "auto":
        return setting
    return "wal" if filesystem_type(path.parent) in LOCAL_FILESYSTEMS else "delete"


def file_mode(path: Path) -> str | None:
    """The journal mode the SQLite file at *path* is in, from its header; None if it cannot be read."""
    try:
        header = read_start(path, _WRITE_VERSION_OFFSET + 1)
    except OSError:
        return None
    if len(header) <= _WRITE_VERSION_OFFSET:
        return None
    return "wal" if header[_WRITE_VERSION_OFFSET] == 2 else "delete"


def writable_directory(path: Path) -> bool:
    """Whether SQLite can create files next to *path* (its journal, or WAL's ``-shm`` and ``-wal``)."""
    return os.access(path.parent, os.W_OK)


@functools.lru_cache(maxsize=64)
def filesystem_type(directory: Path) -> str | None:
    """The type of the filesystem holding *directory* (Linux's name, e.g. ``ext4``, ``nfs4``); None if unknown.

    Read from ``/proc/self/mountinfo`` (the mount with the longest mount point
    that holds the directory); other systems give None, so ``"auto"`` keeps the
    rollback journal there. Remembered per directory for the process.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        target = os.path.realpath(directory)
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    best, best_type = "", None
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, types = left.split(), right.split()
        if len(fields) < 5 or not types:
            continue
        mount_point = _unescape(fields[4])
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, types[0]
    return best_type


def _unescape(field: str) -> str:
    """A mountinfo path field with its octal escapes (``\\040`` for a space) decoded."""
    if "\\" not in field:
        return field
    return field.encode().decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")


# --- one idle connection to the WAL store written last -----------------------------------
@dataclass(frozen=True)
class _Keeper:
    path: Path
    #: (device, inode) of the file when it was opened: a store made anew is another file.
    identity: tuple[int, int]
    connection: sqlite3.Connection
    #: A plain descriptor of the store, never closed while the connection is open.
    fd: int


_keeper: _Keeper | None = None
#: Keepers inherited through a fork: the child never uses nor closes them.
_inherited: list[_Keeper] = []


def _identity(path: Path) -> tuple[int, int]:
    stat = os.stat(path)
    return (stat.st_dev, stat.st_ino)


def keep_open(path: Path) -> None:
    """Hold an idle connection to the WAL store at *path* until another WAL store is kept, or the process ends.

    It holds no write lock and no transaction, only WAL's shared lock, so
    the store's ``-wal`` file is not checkpointed away each time a session
    closes; SQLite still checkpoints it every ~1000 pages.
    """
    global _keeper
    try:
        identity = _identity(path)
    except OSError:
        return
    if _keeper is not None and (_keeper.path, _keeper.identity) == (path, identity):
        return
    close_idle_connection()
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        connection = sqlite3.connect(str(path), timeout=0, check_same_thread=False)
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # opens the WAL index
    except sqlite3.Error as exc:
        os.close(fd)
        logger.debug("No idle connection kept to %s: %s", path, exc)
        return
    _keeper = _Keeper(path, identity, connection, fd)
    _register_exit_close()


def close_idle_connection() -> None:
    """Close the idle connection kept to the WAL store written last, if any.

    SQLite then checkpoints the store (unless another process uses it) and
    removes its ``-wal`` and ``-shm`` files. It happens by itself when the
    process ends, or keeps another store; call it before unmounting the
    store's filesystem, or copying the store file alone, from a process that
    stays. Never call it while this process has the store open otherwise.
    """
    global _keeper
    keeper, _keeper = _keeper, None
    if keeper is None:
        return
    try:
        keeper.connection.close()
    except sqlite3.Error as exc:
        logger.debug("Closing the idle connection to %s failed: %s", keeper.path, exc)
    os.close(keeper.fd)  # after the connection: it would drop the connection's locks


def read_start(path: Path, size: int) -> bytes:
    """The first *size* bytes of the file at *path* (fewer if it is shorter); OSError if it cannot be read.

    The store kept open is read through its kept descriptor: opening and
    closing another would drop this process's SQLite locks on it.
    """
    keeper = _keeper
    if keeper is not None and os.path.realpath(path) == os.path.realpath(keeper.path):
        if _identity(path) == keeper.identity:
            return os.pread(keeper.fd, size, 0)
    with open(path, "rb") as f:
        return f.read(size)


def kept_checkpoint(path: Path) -> bool:
    """Checkpoint the store at *path* through the idle connection kept to it; False if none is kept.

    Its descriptors are synced already, so SQLite does not sync the
    directory again as it does on a new connection's first sync.
    """
    keeper = _keeper
    if keeper is None or os.path.realpath(path) != os.path.realpath(keeper.path):
        return False
    try:
        keeper.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error as exc:
        logger.info("Record store checkpoint left for later: %s", exc)
    return True


def forget_after_fork() -> None:
    """In a forked child, drop the parent's idle connection without using or closing it."""
    global _keeper
    if _keeper is not None:
        _inherited.append(_keeper)
        _keeper = None


@functools.cache
def _register_exit_close() -> None:
    atexit.register(close_idle_connection)
