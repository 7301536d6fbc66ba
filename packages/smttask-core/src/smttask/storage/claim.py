"""A claim file gives one process the right to compute a task; others wait for its result.

Creating the file with ``O_EXCL`` is atomic on local and network filesystems,
so this works for cluster jobs sharing a directory. A live claim is touched
every *heartbeat* seconds; a claim is stale (and taken over) when its process
is gone on this host, or when it has not been touched for *stale_after* seconds.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from ..errors import ClaimTimeoutError


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Heartbeat:
    """One daemon thread per process that touches every claim the process holds.

    A thread per claim costs milliseconds per task; short tasks would pay more
    for the heartbeat than for their own work.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[int, Claim] = {}
        self._wake = threading.Event()
        self._pid = -1

    def add(self, claim: Claim) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first use, or a forked child: start a thread here
                self._pid = os.getpid()
                self._claims = {}
                threading.Thread(target=self._run, daemon=True, name="smttask-heartbeat").start()
            self._claims[id(claim)] = claim
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
            interval = min((c.heartbeat for _, c in claims), default=60.0)
            self._wake.wait(min(interval, 1.0) if claims else None)
            self._wake.clear()


_heartbeat = _Heartbeat()


class Claim:
    """Context manager holding the claim file at *path*.

    *done* tells whether the result has appeared meanwhile (then waiting stops
    and :attr:`waited` is True).
    """

    def __init__(
        self,
        path: Path,
        done: Callable[[], bool],
        *,
        heartbeat: float = 10.0,
        stale_after: float = 60.0,
        timeout: float | None = None,
    ) -> None:
        self.path = path
        self.done = done
        self.heartbeat = heartbeat
        self.stale_after = stale_after
        self.timeout = timeout
        self.waited = False
        self.held = False
        self._token = uuid.uuid4().hex

    def __enter__(self) -> Claim:
        start = time.monotonic()
        delay = 0.01
        while True:
            if self._try_create():
                self.held = True
                _heartbeat.add(self)
                return self
            self.waited = True
            if self.done():
                return self
            if self._is_stale():
                self._break_stale()
                continue
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
        if not self.held:
            return
        _heartbeat.remove(self)
        try:
            if self._owner_token() == self._token:
                self.path.unlink()
        except FileNotFoundError:
            pass
        self.held = False

    def _try_create(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        info = {"pid": os.getpid(), "host": socket.gethostname(), "token": self._token, "time": time.time()}
        with os.fdopen(fd, "w") as f:
            json.dump(info, f)
        return True

    def _read(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def _owner_token(self) -> str | None:
        info = self._read()
        return info.get("token") if info else None

    def _is_stale(self) -> bool:
        try:
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return False
        info = self._read()
        if info is None:
            # Being written right now, or left empty by a crash mid-write.
            return age > self.stale_after
        if info.get("host") == socket.gethostname() and not _pid_alive(int(info.get("pid", 0))):
            return True
        return age > self.stale_after

    def _break_stale(self) -> None:
        tomb = self.path.with_name(f"{self.path.name}.stale-{self._token}")
        try:
            os.rename(self.path, tomb)
        except FileNotFoundError:
            return
        tomb.unlink(missing_ok=True)
