"""A claim file gives one process the right to compute a task; others wait for its result.

Creating the file with ``O_EXCL`` is atomic on local and network filesystems,
so this works for cluster jobs sharing a directory. A live claim is touched
every *heartbeat* seconds; a claim is stale when its process is gone on this
host, or when it has not been touched for *stale_after* seconds.

Taking a stale claim over is atomic too. Only the holder of the takeover lock
(``<claim>.lock``, created with ``O_EXCL`` as well) removes a stale claim: it
judges the claim again under the lock, renames it to a name of its own, and
checks that the renamed file is the very one it judged stale (same file, same
owner token, not touched since), putting it back otherwise. A claim is released
the same way, so no process ever removes a claim it does not hold.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from ..errors import ClaimTimeoutError, StorageFullError
from ..files import disk_full, host_name, make_dirs, pid_alive, temp_name, temp_tag

LOCK_SUFFIX = ".lock"


@dataclass(frozen=True)
class ClaimInfo:
    """A claim file as found: who wrote it (None fields when empty or unreadable), and which file it is."""

    pid: int | None
    host: str | None
    token: str | None
    #: ``(st_dev, st_ino, st_mtime_ns)``: the file itself, and when its holder last touched it.
    identity: tuple[int, int, int]
    mtime: float

    def stale(self, stale_after: float) -> bool:
        """True if no live process holds it: its process is gone from this host, or it is untouched too long."""
        if self.pid is not None and self.host == host_name() and not pid_alive(self.pid):
            return True
        return time.time() - self.mtime > stale_after

    @property
    def tag(self) -> str | None:
        """The tag its holder gives its temporary files (see :func:`smttask.files.temp_tag`)."""
        if self.pid is None or self.host is None or self.token is None:
            return None
        return temp_tag(self.pid, self.host, self.token[:16])


def inspect_claim(path: str) -> ClaimInfo | None:
    """The claim file at *path*, or None if there is none (its content and identity come from one open)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        st = os.fstat(fd)
        raw = os.read(fd, 4096)
    finally:
        os.close(fd)
    pid = host = token = None
    try:
        info = json.loads(raw)
        pid, host, token = int(info["pid"]), str(info["host"]), str(info["token"])
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        pid = host = token = None  # being written right now, or left half-written by a crash
    return ClaimInfo(pid, host, token, (st.st_dev, st.st_ino, st.st_mtime_ns), st.st_mtime)


def create_claim(path: str, token: str) -> bool:
    """Create the claim file *path* for this process; False if it exists already."""
    directory = os.path.dirname(path)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    except OSError as exc:
        if disk_full(exc, directory):
            raise StorageFullError(path) from exc
        raise
    data = json.dumps({"pid": os.getpid(), "host": host_name(), "token": token, "time": time.time()})
    try:
        try:
            view = memoryview(data.encode("utf-8"))
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(path)
        if isinstance(exc, OSError) and disk_full(exc, directory):
            raise StorageFullError(path) from exc
        raise
    return True


def remove_if_unchanged(path: str, judged: ClaimInfo, tag: str) -> bool:
    """Remove the claim file at *path* if it is still the one *judged* describes; True if removed.

    A file that changed meanwhile (its holder touched it, or it is another
    process's new claim) is put back.
    """
    return _remove_if(path, tag, lambda found: found.identity == judged.identity and found.token == judged.token)


def _remove_if(path: str, tag: str, still_it: Callable[[ClaimInfo], bool]) -> bool:
    """Rename the claim file at *path* to a name of this process's own, then read it: remove it if *still_it*
    says so, else put it back. True if removed. (Reading after the rename makes check and removal one step.)"""
    directory, name = os.path.split(path)
    moved = os.path.join(directory, temp_name(name, tag))
    try:
        os.rename(path, moved)
    except FileNotFoundError:
        return False
    found = inspect_claim(moved)
    if found is not None and still_it(found):
        with suppress(FileNotFoundError):
            os.unlink(moved)
        return True
    _put_back(moved, path)
    return False


def _put_back(moved: str, path: str) -> None:
    try:
        os.link(moved, path)  # unlike a rename, never replaces a claim made meanwhile
    except FileExistsError:
        pass
    except OSError:  # a filesystem without hard links
        if not os.path.exists(path):
            with suppress(OSError):
                os.rename(moved, path)
                return
    with suppress(FileNotFoundError):
        os.unlink(moved)


def _create_in_directory(path: str, token: str) -> bool:
    """:func:`create_claim`, creating the claim's directory first if it is missing (looked up only then)."""
    try:
        return create_claim(path, token)
    except FileNotFoundError:
        make_dirs(os.path.dirname(path))
        return create_claim(path, token)


def release_claim(path: str, token: str, tag: str) -> None:
    """Remove the claim file at *path* if the process holding *token* holds it.

    Only the token is compared, not the modification time: the holder's own
    heartbeat may touch the file at any moment, and must not keep it from
    being released. A claim of another token (taken over meanwhile) is put back.
    """
    _remove_if(path, tag, lambda found: found.token == token)


#: Seconds between the heartbeat thread's rounds at most (a new claim is first touched within this, or its beat).
_IDLE_INTERVAL = 1.0


class _Heartbeat:
    """One daemon thread per process that touches every claim the process holds.

    A thread per claim costs milliseconds per task; short tasks would pay more
    for the heartbeat than for their own work.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        """Forget the claims and the thread: at start, and in a forked child, which has no heartbeat
        thread and may have been forked while that thread held the lock."""
        self._lock = threading.Lock()
        self._claims: dict[int, Claim] = {}
        self._wake = threading.Event()
        #: The thread, once a claim was held (see :func:`is_heartbeat_thread`).
        self.thread: threading.Thread | None = None
        #: How long the thread sleeps between rounds now; a claim that needs a shorter beat wakes it.
        self._interval = _IDLE_INTERVAL

    def add(self, claim: Claim) -> None:
        with self._lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True, name="smttask-heartbeat")
                self.thread.start()
            self._claims[id(claim)] = claim
            if claim.heartbeat < self._interval:  # else the next round is soon enough: no wake-up per task
                self._wake.set()

    def remove(self, claim: Claim) -> None:
        with self._lock:
            self._claims.pop(id(claim), None)

    def _run(self) -> None:
        last: dict[int, float] = {}
        while True:
            with self._lock:
                claims = list(self._claims.items())
            now = time.monotonic()
            for ident, claim in claims:
                if now - last.setdefault(ident, now) >= claim.heartbeat:
                    last[ident] = now
                    try:
                        os.utime(claim.path)
                    except FileNotFoundError:
                        pass
            last = {ident: t for ident, t in last.items() if ident in dict(claims)}
            self._interval = min([_IDLE_INTERVAL, *(c.heartbeat for _, c in claims)])
            self._wake.wait(self._interval)
            self._wake.clear()


_heartbeat = _Heartbeat()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_heartbeat._reset)


def is_heartbeat_thread(thread: threading.Thread) -> bool:
    """Whether *thread* is this process's claim heartbeat, which forking leaves safe (a child starts its own)."""
    return thread is _heartbeat.thread


class Claim:
    """Context manager holding the claim file at *path*.

    *done* tells whether a result has appeared meanwhile; then waiting stops.
    On entering, :attr:`held` says whether this process holds the claim (and
    may compute), :attr:`waited` whether another process held it first, and
    :attr:`fresh_result` whether that process stored a result meanwhile
    (check it even when :attr:`held`: the other process may have finished
    just before this one took the claim).

    Subclasses may act on :meth:`on_acquired`, :meth:`on_released` and
    :meth:`on_taken_over` (e.g. to remove what a dead holder left behind).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        done: Callable[[], bool],
        *,
        heartbeat: float = 10.0,
        stale_after: float = 60.0,
        timeout: float | None = None,
    ) -> None:
        self._path = os.fspath(path)
        self.done = done
        self.heartbeat = heartbeat
        self.stale_after = stale_after
        self.timeout = timeout
        self.waited = False
        self.held = False
        self.fresh_result = False
        self._token = uuid.uuid4().hex
        #: Names this holder's temporary files (see :func:`smttask.files.temp_tag`).
        self.tag = temp_tag(tag=self._token[:16])

    @property
    def path(self) -> Path:
        """The claim file."""
        return Path(self._path)

    # --- hooks for subclasses ---------------------------------------------------------
    def on_acquired(self) -> None:
        """Called once this process holds the claim."""

    def on_released(self) -> None:
        """Called once this process has let the claim go."""

    def on_taken_over(self, stale: ClaimInfo) -> None:
        """Called after this process removed the stale claim *stale* (under the takeover lock)."""

    # --- the context ------------------------------------------------------------------
    def __enter__(self) -> Claim:
        start = time.monotonic()
        delay = 0.01
        while True:
            if self.try_acquire():
                self.fresh_result = self.waited and self.done()
                return self
            self.waited = True
            if self.done():
                self.fresh_result = True
                return self
            if self.timeout is not None and time.monotonic() - start > self.timeout:
                raise ClaimTimeoutError(
                    f"Waited {self.timeout:.0f} s for the process holding {self.path} to finish. "
                    "If no process is computing this task, delete that file."
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def try_acquire(self) -> bool:
        """Try once to hold the claim, taking over a stale one; True if this process holds it now."""
        if self.held:
            return True
        for _ in range(2):
            if _create_in_directory(self._path, self._token):
                self.held = True
                _heartbeat.add(self)
                try:
                    self.on_acquired()
                except BaseException:
                    self.release()
                    raise
                return True
            info = inspect_claim(self._path)
            if info is not None and not (info.stale(self.stale_after) and self._take_over()):
                return False
        return False

    def release(self) -> None:
        """Let the claim go (if held): remove the claim file, unless another process owns it by now."""
        if not self.held:
            return
        _heartbeat.remove(self)
        try:
            release_claim(self._path, self._token, self.tag)
        finally:
            self.held = False
            self.on_released()

    def _take_over(self) -> bool:
        """Remove the stale claim while holding the takeover lock; True if it is gone."""
        lock = self._path + LOCK_SUFFIX
        if not create_claim(lock, self._token):
            taker = inspect_claim(lock)
            if taker is not None and taker.stale(self.stale_after):  # a taker died holding the lock
                remove_if_unchanged(lock, taker, self.tag)
            return False
        try:
            judged = inspect_claim(self._path)  # judged again: under the lock, no one else removes it
            if judged is None:
                return True
            if not judged.stale(self.stale_after) or not remove_if_unchanged(self._path, judged, self.tag):
                return False
            self.on_taken_over(judged)
            return True
        finally:
            release_claim(lock, self._token, self.tag)
