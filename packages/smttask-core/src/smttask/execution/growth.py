"""Whether one more worker made a batch go faster: the process pool keeps a worker added for a backlog only then.

More workers do not always finish quick jobs sooner: on a machine whose cores
are busy with other work, or when every job mostly creates files in one
directory (the kernel makes such creations take turns), a second worker only
competes with the first. So a worker added because many quick jobs wait is on
trial: the rate at which jobs finish once it is ready is compared with the rate
just before it was added, and it is kept only if the batch went at least
:attr:`GrowthTrial.gain` times faster. Otherwise it is retired and the pool
stays at the size it had. (A worker added because a running job outlasted a
worker's start-up is not on trial: the jobs are slow, and waiting costs more.)

The first worker started for quick jobs has no rate before it to beat: the
parent runs those jobs too, and alone it would have run them at once. It is on
a trial of its own (:class:`CoreTrial`): kept only if it has a core to itself,
which the kernel tells by the time the parent and the worker spend runnable but
waiting for a CPU. On a machine whose other cores are busy, the two take turns
on the one left, and the worker only adds its start-up and its messages: with
one of two cores busy, 1,000 quick jobs took 1.12x as long with ``-n 2`` as with
``-n 1`` when the worker was kept, 1.07x now.
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar

#: Where Linux keeps a process's scheduling times: nanoseconds run, nanoseconds waited for a CPU, time slices.
_SCHEDSTAT = "/proc/{}/schedstat"


class GrowthTrial:
    """The times jobs finished, and the trial of the latest worker added for a backlog (if one runs)."""

    #: Seconds of finished jobs needed before a trial, and the least a trial measures.
    min_window: ClassVar[float] = 0.1
    #: Seconds of finished jobs compared, at most.
    max_window: ClassVar[float] = 0.3
    #: Jobs finished before the rate counts: the first ones pay for first use and for queues still shallow.
    warm_up: ClassVar[int] = 16
    #: How many times faster the batch must go with the new worker to keep it.
    gain: ClassVar[float] = 1.1

    def __init__(self) -> None:
        self._finished: deque[float] = deque()
        self._count_finished = 0
        self._since = 0.0  # when the current pool size started to be measured
        self._rate_before = 0.0
        self._window = 0.0
        self._measuring_from: float | None = None  # when the worker on trial became ready
        self.running = False
        #: The most workers a trial has shown to be worth it; None while no trial has failed.
        self.ceiling: int | None = None

    def finished(self, now: float) -> None:
        """A job finished at *now*."""
        self._count_finished += 1
        if not self._since and self._count_finished >= self.warm_up:
            self._since = now
        self._finished.append(now)
        while self._finished and self._finished[0] < now - 4 * self.max_window:
            self._finished.popleft()

    def may_start(self, now: float) -> bool:
        """Whether a new trial may start: none runs, and the current size has been measured long enough."""
        return not self.running and bool(self._since) and now - self._since >= self.min_window

    def start(self, now: float) -> None:
        """A worker is added now, on trial; the rate to beat is that of the last window."""
        self._window = min(now - self._since, self.max_window)
        self._rate_before = self._count(now - self._window, now) / self._window
        self._measuring_from = None
        self.running = True

    def worker_ready(self, now: float) -> None:
        """The worker on trial is ready: measuring starts."""
        if self.running and self._measuring_from is None:
            self._measuring_from = now

    def verdict(self, now: float, workers: int) -> bool | None:
        """After a trial's window: True to keep the worker on trial, False to retire it (the pool's size
        with it, *workers*, less one becomes the ceiling); None while still measuring."""
        start = self._measuring_from
        if not self.running or start is None or now - start < self._window:
            return None
        self.running = False
        self._since = now
        keep = self._count(start, now) / (now - start) >= self.gain * self._rate_before
        if not keep:
            self.ceiling = workers - 1
        return keep

    def _count(self, start: float, end: float) -> int:
        return sum(1 for t in self._finished if start <= t <= end)


class CoreTrial:
    """Whether the first worker started for quick jobs has a core of its own (see the module docstring).

    Measured for :attr:`window` seconds from when the worker is ready: if the
    parent and the worker together spent at least :attr:`max_waiting` of that
    time waiting for a CPU, they share one, and the worker is not worth keeping.
    Where the kernel does not say (no ``/proc``), the worker is kept.
    """

    #: Seconds measured, from when the worker is ready: some dozen of the scheduler's time slices.
    window: ClassVar[float] = 0.05
    #: The share of the window the two processes may wait for a CPU, on average, for the worker to be kept.
    max_waiting: ClassVar[float] = 0.25

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self._start: tuple[float, int] | None = None
        self.running = True

    def worker_ready(self, now: float) -> None:
        """The worker is ready: measuring starts (or, where it cannot, the trial ends and the worker stays)."""
        if not self.running or self._start is not None:
            return
        waited = self._waited()
        if waited is None:
            self.running = False
            return
        self._start = (now, waited)

    def verdict(self, now: float) -> bool | None:
        """After the window: True to keep the worker, False to retire it; None while measuring, or once decided."""
        if not self.running or self._start is None or now - self._start[0] < self.window:
            return None
        self.running = False
        waited = self._waited()
        if waited is None:
            return True
        since, before = self._start
        return (waited - before) / 1e9 < self.max_waiting * 2 * (now - since)

    def _waited(self) -> int | None:
        """Nanoseconds the parent and the worker have waited for a CPU so far; None if the kernel does not say."""
        total = 0
        for pid in ("self", self.pid):
            try:
                with open(_SCHEDSTAT.format(pid), "rb") as f:
                    total += int(f.read().split()[1])
            except (OSError, ValueError, IndexError):
                return None
        return total
