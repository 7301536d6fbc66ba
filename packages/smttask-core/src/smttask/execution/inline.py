"""The inline executor: runs a batch's jobs one after the other in this process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from .base import Executor
from .outcomes import RunOptions, TaskOutcome, TaskStarted
from .planning import BatchPlan, Job
from .running import run_one
from .schedule import SKIPPED, Schedule


class InlineExecutor(Executor):
    """Runs tasks one after the other in this process (``breakpoint()`` and ``pdb`` work)."""

    name = "inline"
    in_process = True

    def run_jobs(
        self, plan: BatchPlan, options: RunOptions, on_start: Callable[[TaskStarted], None] | None
    ) -> Iterator[tuple[Job, TaskOutcome]]:
        schedule = Schedule(plan)
        while (job := schedule.next_ready()) is not None:
            if self.stopping:
                break
            if on_start is not None:
                on_start(TaskStarted(job.task.taskname, job.key, tuple(job.indices)))
            outcome = self._run_here(job, options)
            yield job, outcome
            yield from schedule.finish(job, outcome)
        yield from schedule.skip_rest(SKIPPED)

    def _run_here(self, job: Job, options: RunOptions) -> TaskOutcome:
        start = time.perf_counter()
        try:
            self._in_task = True
            if self.stopping:
                raise KeyboardInterrupt
            return run_one(job.task, self.project, job.recompute, record=options.record, reason=options.reason)
        except KeyboardInterrupt:
            self.stop()
            return TaskOutcome(
                job.task.taskname, job.key, "interrupted", time.perf_counter() - start, "interrupted"
            )
        finally:
            self._in_task = False
