"""The inline executor: runs a batch's jobs one after the other in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .base import Executor
from .outcomes import RunOptions, TaskOutcome, TaskStarted
from .planning import BatchPlan, Job
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
            self.history.depths.record(job.task.identity, outcome.duration)
            yield job, outcome
            yield from schedule.finish(job, outcome)
        yield from schedule.skip_rest(SKIPPED)
