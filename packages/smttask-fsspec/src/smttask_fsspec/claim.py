"""Claims on remote storage: one process computes a key, on whichever machine it runs.

The protocol is core's (:mod:`smttask.storage.claim`), on a :class:`~smttask_fsspec.remote.Remote`:
a claim file ``<key>.claim`` created exclusively, holding the holder's pid, host and a
random token; a heartbeat thread moves its modification time forward every
``claim_heartbeat`` seconds; a stale claim is removed only by the holder of the
takeover lock ``<key>.claim.lock``, by renaming it to a name of its own, checking the
renamed file is the one judged stale, and putting it back (with a non-replacing
rename) otherwise.

A claim is stale when its holder's process is gone from this host, or when a waiting
process has *seen* it unchanged (same modification time, size and content) for
``claim_stale_after`` seconds of its own clock: no two machines' clocks are compared.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from smttask.errors import ClaimTimeoutError
from smttask.files import host_name, pid_alive, temp_name, temp_tag

from .remote import Remote

LOCK_SUFFIX = ".lock"


@dataclass(frozen=True)
class RemoteClaimInfo:
    """A claim file as found: its writer (None fields while being written) and what identifies this version."""

    pid: int | None
    host: str | None
    token: str | None
    identity: tuple[int, float, bytes]

    def dead_here(self) -> bool:
        """True if its holder was a process of this host that is gone."""
        return self.pid is not None and self.host == host_name() and not pid_alive(self.pid)


def inspect(remote: Remote, path: str) -> RemoteClaimInfo | None:
    """The claim file at *path*, or None if there is none."""
    found = remote.stat(path)
    if found is None:
        return None
    try:
        raw = remote.read(path)
    except FileNotFoundError:
        return None
    pid = host = token = None
    try:
        info = json.loads(raw)
        pid, host, token = int(info["pid"]), str(info["host"]), str(info["token"])
    except (ValueError, KeyError, TypeError, RecursionError):
        pid = host = token = None
    return RemoteClaimInfo(pid, host, token, (found[0], found[1], raw))


def remove_if_unchanged(remote: Remote, path: str, judged: RemoteClaimInfo, tag: str) -> bool:
    """Remove the claim at *path* if it is still the version *judged*; True if removed."""
    directory, name = path.rsplit("/", 1)
    moved = f"{directory}/{temp_name(name, tag)}"
    try:
        if not remote.publish(path, moved):
            return False
    except FileNotFoundError:
        return False
    found = inspect(remote, moved)
    if found is not None and found.token == judged.token and _same(remote, found.identity, judged.identity):
        remote.remove(moved)
        return True
    try:
        remote.publish(moved, path)  # never replaces a claim made meanwhile
    finally:
        remote.remove(moved)
    return False


def _same(remote: Remote, moved: tuple[int, float, bytes], judged: tuple[int, float, bytes]) -> bool:
    """True if the claim renamed away is the version judged (where a move makes a new object, by content)."""
    if remote.rename_keeps_mtime:
        return moved == judged
    return (moved[0], moved[2]) == (judged[0], judged[2])


class _Heartbeat:
    """One daemon thread per process moving every held claim's modification time forward."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[int, RemoteClaim] = {}
        self._wake = threading.Event()
        self._pid = -1

    def add(self, claim: RemoteClaim) -> None:
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._claims = {}
                threading.Thread(target=self._run, daemon=True, name="smttask-fsspec-heartbeat").start()
            self._claims[id(claim)] = claim
            self._wake.set()

    def remove(self, claim: RemoteClaim) -> None:
        with self._lock:
            self._claims.pop(id(claim), None)

    def _run(self) -> None:
        last: dict[int, float] = {}
        while True:
            with self._lock:
                claims = dict(self._claims)
            now = time.monotonic()
            for ident, claim in claims.items():
                if now - last.setdefault(ident, now) >= claim.heartbeat:
                    last[ident] = now
                    claim.beat()
            last = {ident: t for ident, t in last.items() if ident in claims}
            interval = min((c.heartbeat for c in claims.values()), default=60.0)
            self._wake.wait(min(interval, 1.0) if claims else None)
            self._wake.clear()


_heartbeat = _Heartbeat()


class RemoteClaim:
    """Context manager holding the remote claim file *path* (same attributes as :class:`smttask.Claim`).

    On entering, :attr:`held` says whether this process may compute, :attr:`waited`
    whether another process held the claim first, and :attr:`fresh_result` whether
    that process stored a result meanwhile (*done* tells).
    """

    def __init__(
        self,
        remote: Remote,
        path: str,
        done: Callable[[], bool],
        *,
        heartbeat: float = 10.0,
        stale_after: float = 60.0,
        timeout: float | None = None,
        on_acquired: Callable[[RemoteClaim], None] | None = None,
        on_taken_over: Callable[[RemoteClaimInfo], None] | None = None,
    ) -> None:
        self.remote = remote
        self.path = path
        self.done = done
        self.heartbeat = heartbeat
        self.stale_after = stale_after
        self.timeout = timeout
        self.waited = False
        self.held = False
        self.fresh_result = False
        self._token = uuid.uuid4().hex
        self.tag = temp_tag(tag=self._token[:16])
        self._on_acquired = on_acquired
        self._on_taken_over = on_taken_over
        self._mtime = 0.0
        #: What this process has seen of others' claim files: identity and when first seen (monotonic).
        self._seen: dict[str, tuple[tuple[int, float, bytes], float]] = {}

    def __enter__(self) -> RemoteClaim:
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
                    f"Waited {self.timeout:.0f} s for the process holding {self.remote.settings.url}"
                    f"{self.path[len(self.remote.settings.root):]} to finish. "
                    "If no process is computing this task, delete that file."
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def _stale(self, path: str, info: RemoteClaimInfo) -> bool:
        if info.dead_here():
            return True
        now = time.monotonic()
        seen = self._seen.get(path)
        if seen is None or seen[0] != info.identity:
            self._seen[path] = (info.identity, now)
            return False
        return now - seen[1] > self.stale_after

    def _create(self, path: str) -> bool:
        data = json.dumps({"pid": os.getpid(), "host": host_name(), "token": self._token,
                           "time": time.time()}).encode()
        return self.remote.create_exclusive(path, data)

    def try_acquire(self) -> bool:
        """Try once to hold the claim, taking over a stale one; True if this process holds it now."""
        if self.held:
            return True
        for _ in range(2):
            self.remote.makedirs(self.path.rsplit("/", 1)[0])
            if self._create(self.path):
                self.held = True
                self._mtime = time.time()
                _heartbeat.add(self)
                try:
                    if self._on_acquired is not None:
                        self._on_acquired(self)
                except BaseException:
                    self.release()
                    raise
                return True
            info = inspect(self.remote, self.path)
            if info is not None and not (self._stale(self.path, info) and self._take_over()):
                return False
        return False

    def beat(self) -> None:
        """Move the claim's modification time forward (by a second at least: SFTP keeps whole seconds)."""
        self._mtime = max(time.time(), self._mtime + 1.0)
        try:
            self.remote.touch(self.path, self._mtime)
        except OSError:
            pass

    def release(self) -> None:
        """Let the claim go (if held), unless another process owns the file by now."""
        if not self.held:
            return
        _heartbeat.remove(self)
        try:
            info = inspect(self.remote, self.path)
            if info is not None and info.token == self._token:
                remove_if_unchanged(self.remote, self.path, info, self.tag)
        finally:
            self.held = False

    def _take_over(self) -> bool:
        lock = self.path + LOCK_SUFFIX
        if not self._create(lock):
            taker = inspect(self.remote, lock)
            if taker is not None and self._stale(lock, taker):
                remove_if_unchanged(self.remote, lock, taker, self.tag)
            return False
        try:
            judged = inspect(self.remote, self.path)
            if judged is None:
                return True
            seen = self._seen.get(self.path)
            if not (judged.dead_here() or (seen is not None and seen[0] == judged.identity)):
                return False
            if not remove_if_unchanged(self.remote, self.path, judged, self.tag):
                return False
            if self._on_taken_over is not None:
                self._on_taken_over(judged)
            return True
        finally:
            info = inspect(self.remote, lock)
            if info is not None and info.token == self._token:
                remove_if_unchanged(self.remote, lock, info, self.tag)
