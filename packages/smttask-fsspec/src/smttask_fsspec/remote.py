"""The few file operations the backend needs, on one storage, with what each protocol guarantees.

Three kinds:

- :class:`SftpRemote` (``sftp://``, through fsspec's paramiko filesystem): exclusive
  create is an ``open`` with ``SSH_FXF_EXCL`` (``O_EXCL`` on the server), and a file
  is published with the SFTP ``rename``, which OpenSSH refuses when the target
  exists (it is a ``link`` then ``unlink`` on the server): nothing is overwritten.
- :class:`LocalRemote` (``file://``, a directory this machine mounts): ``O_EXCL``
  and ``link`` + ``unlink``, as atomic as the filesystem makes them.
- :class:`GenericRemote` (any other fsspec protocol, e.g. ``s3://``): a whole-object
  put is atomic, but there is no exclusive create, so claims and "never overwrite"
  are a check followed by a write: two machines can race in the gap.

All calls of one remote are serialised by a lock (the claim heartbeat thread shares
the connection), and a process forked after connecting opens its own connection.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from .errors import StorageUnreachableError
from .settings import Settings

T = TypeVar("T")
_CHUNK = 1 << 20


def join(*parts: str) -> str:
    """A remote path: *parts* joined by ``/`` (remote paths are POSIX whatever this machine is)."""
    return "/".join(p.rstrip("/") if i == 0 else p.strip("/") for i, p in enumerate(parts) if p)


class Remote:
    """File operations on one storage. Paths are remote paths (strings, ``/``-separated)."""

    #: True if :meth:`create_exclusive` and :meth:`publish` are atomic on this protocol.
    exclusive: bool = True
    #: True if :meth:`publish` keeps the file's modification time (a rename; an object store copies).
    rename_keeps_mtime: bool = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._pid = -1
        self._fs: Any = None
        self._inherited: list[Any] = []

    def _connect(self) -> Any:
        raise NotImplementedError

    @property
    def fs(self) -> Any:
        if self._pid != os.getpid() or self._fs is None:
            if self._fs is not None:
                # The parent's connection: kept, never closed here (closing it would end the parent's session).
                self._inherited.append(self._fs)
            self._fs = self._connect()
            self._pid = os.getpid()
        return self._fs

    def call(self, op: Callable[[], T]) -> T:
        if self._pid != os.getpid() and self._pid != -1:
            # A forked child: the lock may have been held by a thread that does not exist here.
            self._lock = threading.RLock()
        with self._lock:
            return op()

    # --- operations ---------------------------------------------------------------------
    def read(self, path: str) -> bytes:
        """The whole (small) file; FileNotFoundError if absent."""
        raise NotImplementedError

    def stat(self, path: str) -> tuple[int, float] | None:
        """``(size, mtime)`` of the file, or None if absent."""
        raise NotImplementedError

    def create_exclusive(self, path: str, data: bytes) -> bool:
        """Create *path* holding *data*; False if it exists."""
        raise NotImplementedError

    def upload(self, local: str, path: str) -> None:
        """Copy the local file *local* to the new remote file *path* (a temporary name nobody else uses)."""
        raise NotImplementedError

    def publish(self, tmp: str, final: str) -> bool:
        """Rename *tmp* to *final* unless *final* exists (then False, *tmp* left as it was)."""
        raise NotImplementedError

    def download(self, path: str, write: Callable[[bytes], object]) -> None:
        """Pass the remote file's bytes to *write*, a chunk at a time; FileNotFoundError if absent."""
        raise NotImplementedError

    def touch(self, path: str, mtime: float) -> None:
        """Set *path*'s modification time to *mtime* (a claim's heartbeat)."""
        raise NotImplementedError

    def remove(self, path: str) -> None:
        """Remove *path* if it exists."""
        raise NotImplementedError

    def listdir(self, path: str) -> list[str]:
        """Names in the directory *path* ([] if it does not exist)."""
        raise NotImplementedError

    def makedirs(self, path: str) -> None:
        raise NotImplementedError


class SftpRemote(Remote):
    """SFTP through fsspec's ``SFTPFileSystem`` (paramiko), using the SFTP client directly for the atomic calls."""

    def _connect(self) -> Any:
        import paramiko
        from fsspec.implementations.sftp import SFTPFileSystem

        options = {"timeout": 30, **self.settings.options}
        try:
            return SFTPFileSystem(self.settings.host, skip_instance_cache=True, **options)
        except (OSError, paramiko.SSHException, EOFError) as exc:
            raise StorageUnreachableError(
                f"cannot open {self.settings.url}: {type(exc).__name__}: {exc}. Check that the jobs reach "
                "the host over SSH with a key (key_filename in [fsspec], or an agent)."
            ) from None

    @property
    def ftp(self) -> Any:
        return self.fs.ftp

    def read(self, path: str) -> bytes:
        def op() -> bytes:
            with self.ftp.open(path, "rb") as f:
                f.prefetch()
                return f.read()

        return self.call(op)

    def stat(self, path: str) -> tuple[int, float] | None:
        def op() -> tuple[int, float] | None:
            try:
                st = self.ftp.stat(path)
            except FileNotFoundError:
                return None
            return st.st_size, float(st.st_mtime)

        return self.call(op)

    def create_exclusive(self, path: str, data: bytes) -> bool:
        def op() -> bool:
            try:
                f = self.ftp.open(path, "wx")
            except FileNotFoundError:
                raise
            except OSError:
                if self.stat(path) is not None:
                    return False
                raise
            with f:
                f.write(data)
            return True

        return self.call(op)

    def upload(self, local: str, path: str) -> None:
        def op() -> None:
            with open(local, "rb") as src, self.ftp.open(path, "wx") as dst:
                dst.set_pipelined(True)
                while chunk := src.read(_CHUNK):
                    dst.write(chunk)

        self.call(op)

    def publish(self, tmp: str, final: str) -> bool:
        def op() -> bool:
            try:
                self.ftp.rename(tmp, final)
            except FileNotFoundError:
                raise
            except OSError:
                if self.stat(final) is not None:
                    return False
                raise
            return True

        return self.call(op)

    def download(self, path: str, write: Callable[[bytes], object]) -> None:
        def op() -> None:
            with self.ftp.open(path, "rb") as f:
                f.prefetch()
                while chunk := f.read(_CHUNK):
                    write(chunk)

        self.call(op)

    def touch(self, path: str, mtime: float) -> None:
        self.call(lambda: self.ftp.utime(path, (mtime, mtime)))

    def remove(self, path: str) -> None:
        def op() -> None:
            with suppress(FileNotFoundError):
                self.ftp.remove(path)

        self.call(op)

    def listdir(self, path: str) -> list[str]:
        def op() -> list[str]:
            try:
                return sorted(self.ftp.listdir(path))
            except FileNotFoundError:
                return []

        return self.call(op)

    def makedirs(self, path: str) -> None:
        """Create *path* and its parents, also while other processes create some of them.

        Each missing level is made with the SFTP client itself: fsspec's
        ``makedirs`` checks a level, then makes it, and a level another process
        made in between makes the server answer a bare ``Failure`` (SFTP has
        no "exists" status). Such a failure is no error if the level is a
        directory now.
        """

        def op() -> None:
            level = "/" if path.startswith("/") else ""
            for part in filter(None, path.split("/")):
                level = f"{level}{part}" if level in ("", "/") else f"{level}/{part}"
                if self.fs.exists(level):
                    continue
                try:
                    self.fs.ftp.mkdir(level)
                except OSError:
                    if not self.fs.isdir(level):
                        raise

        self.call(op)


class LocalRemote(Remote):
    """A directory this machine mounts (``file://``): plain system calls."""

    def _connect(self) -> Any:
        return None

    @property
    def fs(self) -> Any:
        return None

    def read(self, path: str) -> bytes:
        with open(path, "rb") as f:
            return f.read()

    def stat(self, path: str) -> tuple[int, float] | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return st.st_size, st.st_mtime

    def create_exclusive(self, path: str, data: bytes) -> bool:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return True

    def upload(self, local: str, path: str) -> None:
        with open(local, "rb") as src, open(path, "xb") as dst:
            while chunk := src.read(_CHUNK):
                dst.write(chunk)

    def publish(self, tmp: str, final: str) -> bool:
        try:
            os.link(tmp, final)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
                raise
            if os.path.exists(final):  # a filesystem without hard links: check, then rename
                return False
            os.rename(tmp, final)
            return True
        os.unlink(tmp)
        return True

    def download(self, path: str, write: Callable[[bytes], object]) -> None:
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                write(chunk)

    def touch(self, path: str, mtime: float) -> None:
        os.utime(path, (mtime, mtime))

    def remove(self, path: str) -> None:
        with suppress(FileNotFoundError):
            os.unlink(path)

    def listdir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(path))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def makedirs(self, path: str) -> None:
        os.makedirs(path, exist_ok=True)


class GenericRemote(Remote):
    """Any other fsspec filesystem: whole-object writes, but no exclusive create (check, then write)."""

    exclusive = False
    rename_keeps_mtime = False

    def _connect(self) -> Any:
        import fsspec

        try:
            return fsspec.filesystem(self.settings.protocol, skip_instance_cache=True, **self.settings.options)
        except Exception as exc:  # each fsspec implementation raises its own errors
            raise StorageUnreachableError(f"cannot open {self.settings.url}: {type(exc).__name__}: {exc}") from None

    def read(self, path: str) -> bytes:
        return self.call(lambda: self.fs.cat_file(path))

    def stat(self, path: str) -> tuple[int, float] | None:
        def op() -> tuple[int, float] | None:
            try:
                info = self.fs.info(path)
            except FileNotFoundError:
                return None
            mtime = info.get("mtime") or info.get("LastModified") or info.get("created") or 0
            return int(info.get("size") or 0), float(mtime.timestamp() if hasattr(mtime, "timestamp") else mtime)

        return self.call(op)

    def create_exclusive(self, path: str, data: bytes) -> bool:
        def op() -> bool:
            if self.fs.exists(path):
                return False
            self.fs.pipe_file(path, data)
            return True

        return self.call(op)

    def upload(self, local: str, path: str) -> None:
        self.call(lambda: self.fs.put_file(local, path))

    def publish(self, tmp: str, final: str) -> bool:
        def op() -> bool:
            if self.fs.exists(final):
                return False
            self.fs.mv(tmp, final)
            return True

        return self.call(op)

    def download(self, path: str, write: Callable[[bytes], object]) -> None:
        def op() -> None:
            with self.fs.open(path, "rb") as f:
                while chunk := f.read(_CHUNK):
                    write(chunk)

        self.call(op)

    def touch(self, path: str, mtime: float) -> None:
        def op() -> None:
            data = self.fs.cat_file(path)
            self.fs.pipe_file(path, data.rstrip(b" ") + b" ")  # a new object: a new modification time

        self.call(op)

    def remove(self, path: str) -> None:
        def op() -> None:
            with suppress(FileNotFoundError):
                self.fs.rm_file(path)

        self.call(op)

    def listdir(self, path: str) -> list[str]:
        def op() -> list[str]:
            try:
                return sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(path, detail=False))
            except FileNotFoundError:
                return []

        return self.call(op)

    def makedirs(self, path: str) -> None:
        self.call(lambda: self.fs.makedirs(path, exist_ok=True))


def open_remote(settings: Settings) -> Remote:
    """The remote for *settings*' protocol (nothing is connected until the first call)."""
    if settings.protocol == "sftp":
        return SftpRemote(settings)
    if settings.protocol == "file":
        return LocalRemote(settings)
    return GenericRemote(settings)
