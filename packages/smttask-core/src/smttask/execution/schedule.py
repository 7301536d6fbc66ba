"""Scheduling the jobs of a plan: which may start now, and which can no longer run.

Every executor runs a plan's jobs in dependency order and skips the rest when
the batch stops; this bookkeeping is the same whether jobs run in this process
or in workers.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from .outcomes import TaskOutcome
from .planning import BatchPlan, Job


class Schedule:
    """Tracks which jobs may start: those whose dependencies all succeeded."""

    def __init__(self, plan: BatchPlan) -> None:
        self.jobs = {job.id: job for job in plan.jobs}
        self.waiting = {job.id: set(job.deps) for job in plan.jobs}
        self.dependents: dict[int, list[int]] = {}
        for job in plan.jobs:
            for dep in job.deps:
                self.dependents.setdefault(dep, []).append(job.id)
        self.ready = [job.id for job in plan.jobs if not job.deps]  # a heap: plan order first
        heapq.heapify(self.ready)
        self.unfinished = set(self.jobs)

    def next_ready(self) -> Job | None:
        return self.jobs[heapq.heappop(self.ready)] if self.ready else None

    @property
    def ready_count(self) -> int:
        """How many jobs may start now."""
        return len(self.ready)

    def peek(self) -> Job | None:
        """The job :meth:`next_ready` would return, left ready."""
        return self.jobs[self.ready[0]] if self.ready else None

    def retry(self, job: Job) -> None:
        """Make *job* ready again (it never started)."""
        heapq.heappush(self.ready, job.id)

    def finish(self, job: Job, outcome: TaskOutcome) -> Iterator[tuple[Job, TaskOutcome]]:
        """Record *job*'s outcome; yield failed outcomes of the jobs that now cannot run."""
        self.unfinished.discard(job.id)
        if outcome.ok:
            for other in self.dependents.get(job.id, ()):
                waiting = self.waiting[other]
                waiting.discard(job.id)
                if not waiting and other in self.unfinished:
                    heapq.heappush(self.ready, other)
            return
        if outcome.status != "failed":
            return  # interrupted or skipped: the batch is stopping, dependents are skipped
        error = f"upstream task {job.task.taskname} (key {job.key[:12]}…) failed: {outcome.error}"
        for other in self._dependents_of(job.id):
            if other in self.unfinished:
                self.unfinished.discard(other)
                dependent = self.jobs[other]
                yield dependent, TaskOutcome(dependent.task.taskname, dependent.key, "failed", 0.0, error)

    def _dependents_of(self, job_id: int) -> list[int]:
        found: list[int] = []
        stack = [job_id]
        while stack:
            for other in self.dependents.get(stack.pop(), ()):
                if other not in found:
                    found.append(other)
                    stack.append(other)
        return found

    def skip_rest(self, reason: str) -> Iterator[tuple[Job, TaskOutcome]]:
        for job_id in sorted(self.unfinished):
            job = self.jobs[job_id]
            yield job, TaskOutcome(job.task.taskname, job.key, "skipped", 0.0, reason)
        self.unfinished.clear()
        self.ready.clear()


SKIPPED = "not run: the batch was stopped"
