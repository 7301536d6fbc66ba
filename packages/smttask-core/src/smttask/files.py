"""Writing a file atomically, and telling a dead writer's leftovers from a live writer's file.

Every file smttask and its plugins write goes through :func:`atomic_path` (or
:func:`write_atomic`, which fills it with bytes): the content goes to
a temporary file beside the target, which is renamed onto the target only once
it is complete (a rename within a directory is atomic), and removed if anything
goes wrong, so a reader never sees half a file. A full disk becomes one
:class:`~smttask.errors.StorageFullError` naming the target.

A temporary file is named ``.<target name>.<pid>-<host>.<tag>.tmp``: the
writer's process id and a short hash of its host name say whether the writer
is still alive (:func:`abandoned`), so a cleaner removes only what dead
writers left behind.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from .errors import StorageFullError
from .hashes import blake2s

TEMP_SUFFIX = ".tmp"
_TEMP = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\.(?P<tag>[0-9a-f]+)\.tmp$")
_FULL = {errno.ENOSPC, errno.EDQUOT}
_UNSAFE = re.compile(r"[^\w.\-]+")


def safe_name(name: str) -> str:
    """*name* (a task's name, a key read from a record) as one file name: never empty, no separator or dot-dot.

    Every run of characters other than letters, digits, ``.``, ``-`` and ``_`` becomes
    one ``_``, and leading or trailing ``_`` go. Stored results, task files, pins and the
    "latest" links all name a task's files this way, so they agree.
    """
    return _UNSAFE.sub("_", name).strip("_") or "task"


@functools.cache
def host_name() -> str:
    """This machine's name, as ``socket.gethostname()`` gives it: claims and temporary files name it.

    Where ``os.uname`` exists its node name is that same name (gethostname reads
    it), without importing socket, some 2 ms of every job that computes.
    """
    uname = getattr(os, "uname", None)
    if uname is not None:
        return uname().nodename
    import socket

    return socket.gethostname()


@functools.cache
def host_id(host: str | None = None) -> str:
    """Eight hex digits naming *host* (default: this machine) in temporary file names."""
    if host is None:
        host = host_name()
    return blake2s(host.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def pid_alive(pid: int) -> bool:
    """True if a process *pid* exists on this machine (or may: one owned by another user counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def temp_tag(pid: int | None = None, host: str | None = None, tag: str | None = None) -> str:
    """The part of a temporary name after the target's: ``<pid>-<host id>.<tag>``.

    Defaults: this process, this host, a random tag. Storage passes the token of
    the claim it holds as *tag*, so whoever takes over a dead writer's claim can
    name every temporary file it left.
    """
    return (
        f"{os.getpid() if pid is None else pid}-{host_id(host)}."
        f"{os.urandom(8).hex() if tag is None else tag}"
    )


def temp_name(target_name: str, tag: str) -> str:
    """The temporary file name for *target_name* written under *tag* (see :func:`temp_tag`)."""
    return f".{target_name}.{tag}{TEMP_SUFFIX}"


class TempFile(NamedTuple):
    """What the name of a temporary file says: the file it becomes, and who writes it."""

    target: str
    pid: int
    host: str  # the host id, not the host name


def parse_temp_name(name: str) -> TempFile | None:
    """The writer of the temporary file *name*, or None if it is not named by :func:`temp_name`."""
    match = _TEMP.match(name)
    if match is None:
        return None
    return TempFile(match["target"], int(match["pid"]), match["host"])


def abandoned(path: str | os.PathLike[str], stale_after: float) -> bool:
    """True if the temporary file at *path* has no live writer.

    Its writer is known from its name: on this host, it is gone when its
    process is; on another host (or for a name that does not say), when the
    file has not changed for *stale_after* seconds (a writer that is alive
    keeps writing until it renames the file, which takes milliseconds).
    """
    info = parse_temp_name(os.path.basename(os.fspath(path)))
    if info is not None and info.host == host_id():
        return not pid_alive(info.pid)
    try:
        age = time.time() - os.stat(path).st_mtime
    except FileNotFoundError:
        return False
    return age > stale_after


def disk_full(exc: OSError, directory: str) -> bool:
    """True if *exc*, raised while writing in *directory*, means the disk or quota is full.

    Some writers (NumPy's ``tofile``) report a short write without an errno;
    then a filesystem with no block left says it.
    """
    if exc.errno in _FULL:
        return True
    if exc.errno is None:
        try:
            return os.statvfs(directory or ".").f_bavail == 0
        except (OSError, AttributeError):
            return False
    return False


def fsync_directory(directory: str | os.PathLike[str]) -> None:
    """Flush *directory*'s entries (a rename just made in it) to disk, where the filesystem can.

    Some filesystems cannot sync a directory; the files in it are synced on their own.
    """
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(target: str | os.PathLike[str], tag: str | None = None) -> Iterator[str]:
    """Yield a temporary path beside *target*; on success rename it onto *target*.

    The caller creates and writes the file at the yielded path. Whatever goes
    wrong (an exception, Ctrl-C), the temporary file is removed and *target* is
    left as it was; a full disk raises :class:`StorageFullError` naming *target*.
    *tag* names the writer (see :func:`temp_tag`; default: this process).
    """
    target = os.fspath(target)
    directory, name = os.path.split(target)
    tmp = os.path.join(directory, temp_name(name, tag or temp_tag()))
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as exc:
        full = isinstance(exc, OSError) and not isinstance(exc, StorageFullError) and disk_full(exc, directory)
        try:
            os.unlink(tmp)
        except OSError:  # never created, or already gone: nothing to remove
            pass
        if full:
            raise StorageFullError(target) from exc
        raise


def write_atomic(
    target: str | os.PathLike[str],
    data: bytes,
    tag: str | None = None,
    *,
    durable: bool = False,
    mode: int = 0o666,
) -> None:
    """Write *data* to *target* atomically (see :func:`atomic_path`).

    The new file gets permissions *mode* less the process umask (the default is
    what :func:`open` gives). With *durable*, the file is synced to disk before
    the rename and its directory after, so the write survives a power cut
    (slower: for what must never be lost, such as a spooled record).
    """
    with atomic_path(target, tag) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with open(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
    if durable:
        fsync_directory(os.path.dirname(os.fspath(target)) or ".")


def make_dirs(path: str | os.PathLike[str]) -> None:
    """Create the directory *path* and its parents if missing; a full disk is a :class:`StorageFullError`.

    An existing directory is only looked up: creating one that exists locks its parent
    directory, which every task writing in that parent would otherwise wait for.
    """
    if os.path.isdir(path):
        return
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        if disk_full(exc, os.path.dirname(os.fspath(path))):
            raise StorageFullError(path) from exc
        raise


#: Where smttask keeps a project's local state (task durations, failure logs, generated workflows).
STATE_DIR = ".smttask"
_STATE_GITIGNORE = b"# smttask's local state (task durations, failure logs): never committed.\n*\n"


def make_state_dir(root: str | os.PathLike[str]) -> str:
    """The project's :data:`STATE_DIR` under *root*, created if missing with a ``.gitignore`` of ``*``.

    So ``git status`` never lists what smttask keeps there, whether or not the
    project's own ``.gitignore`` names it (pytest and ruff mark their caches
    the same way). A directory that exists is left as it is; anything else
    there is a :class:`NotADirectoryError` naming it.
    """
    path = os.path.join(root, STATE_DIR)
    if not os.path.isdir(path):
        if os.path.lexists(path):  # a file where the directory belongs
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
        make_dirs(path)
        write_atomic(os.path.join(path, ".gitignore"), _STATE_GITIGNORE)
    return path
