"""Planning a batch: which tasks are cached, which become jobs, and in what order.

A task whose result is already stored, and passes the storage's cheap check
(:meth:`~smttask.storage.StorageBackend.check`: for the local backend, every
file present with the size and modification time it was written with, or else
hashing to the recorded digest), is reported as cached without running;
every stored upstream task without a result becomes a job of its own, computed
once before the tasks that need it; every other task becomes a job, in
dependency order. The same plan drives ``smttask run --dry-run``, so a dry run
predicts exactly what runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..walk import iter_tasks
from .outcomes import TaskOutcome, current_traceback, describe_error

if TYPE_CHECKING:
    from ..project import Project
    from ..storage import StoredResult
    from ..task import Task


#: Why a job runs (shown by ``smttask run --dry-run``).
WHY_RECOMPUTE = "recompute requested"
WHY_MISSING = "no stored result"
WHY_CODE_CHANGED = 'its stored result is of code changed since (on_code_change = "recompute")'
WHY_NOT_STORED = "not stored: computed on every run"
WHY_UNPURE = "unpure: computed on every run"


@dataclass
class Job:
    """One task to run; jobs in :attr:`deps` must succeed first."""

    id: int
    task: Task
    key: str
    why: str
    indices: list[int] = field(default_factory=list)
    deps: set[int] = field(default_factory=set)
    recompute: bool = False

    @property
    def upstream(self) -> bool:
        """True if no task of the batch is this job: it is only needed by them."""
        return not self.indices


@dataclass(frozen=True)
class Cached:
    """A task of the batch whose result exists: in storage (*stored*) or, if None, in memory."""

    stored: StoredResult | None


@dataclass
class BatchPlan:
    """What running a batch will do: which tasks are cached, which jobs run, in what order."""

    size: int
    jobs: list[Job] = field(default_factory=list)
    cached: dict[int, Cached] = field(default_factory=dict)
    failed: dict[int, TaskOutcome] = field(default_factory=dict)

    def job_for(self, index: int) -> Job | None:
        """The job that computes the task at *index* of the batch (None if cached or failed)."""
        for job in self.jobs:
            if index in job.indices:
                return job
        return None

    def needed_by(self, job: Job) -> list[int]:
        """Batch positions of the tasks that (directly or not) need *job*."""
        dependents: dict[int, list[Job]] = {}
        for other in self.jobs:
            for dep in other.deps:
                dependents.setdefault(dep, []).append(other)
        found: set[int] = set()
        stack = [job]
        while stack:
            for other in dependents.get(stack.pop().id, ()):
                found.update(other.indices)
                stack.append(other)
        return sorted(found)


def upstream_tasks(task: Task) -> Iterator[Task]:
    """The tasks *task* takes as inputs (direct inputs only)."""
    for value in task.inputs.values():
        yield from iter_tasks(value)


def job_key(task: Task) -> str:
    """The key identifying *task* without running it (an unpure task's input key)."""
    return task.input_digest if task.unpure else task.digest


def plan_batch(
    tasks: Sequence[Task], project: Project, *, recompute: bool = False, in_process: bool = True
) -> BatchPlan:
    """Plan running *tasks* in *project* (call with the project activated).

    *in_process* says whether jobs run in this process, where results already
    in the memory tier count for upstream tasks too. A task that cannot even be
    planned (its key or storage lookup raises) is in :attr:`BatchPlan.failed`.
    """
    from ..errors import CorruptResultError

    plan = BatchPlan(len(tasks))
    jobs: dict[str, Job] = {}
    settled: dict[str, set[int]] = {}  # key -> jobs a memory-only or stored upstream task brings in
    cached: dict[str, Cached] = {}

    def stored_result(task: Task) -> tuple[StoredResult | None, str]:
        """The stored result if it passes the storage's cheap check (as ``task.run()`` would load it)."""
        try:
            stored = project.storage.check(task)
            if stored is not None and set(stored.outputs) != set(task.output_names):
                raise CorruptResultError(
                    f"stored outputs {sorted(stored.outputs)} differ from {sorted(task.output_names)}"
                )
            if stored is None and project.config.on_code_change == "recompute" and project.storage.locate(task):
                return None, WHY_CODE_CHANGED  # check() turned down a result that is there
            return stored, WHY_MISSING
        except CorruptResultError as exc:
            return None, f"stored result unusable, recomputed: {exc}"

    def add_job(task: Task, key: str, why: str, deps: set[int]) -> Job:
        job = Job(len(plan.jobs), task, key, why, deps=deps)
        plan.jobs.append(job)
        jobs[key] = job
        return job

    def deps_of(task: Task) -> set[int]:
        deps: set[int] = set()
        for upstream in upstream_tasks(task):
            deps |= requirement(upstream)
        return deps

    def requirement(task: Task) -> set[int]:
        """The jobs that must run before a task needing *task* as an input."""
        key = job_key(task)
        if key in jobs:
            return {jobs[key].id}
        if key in settled:
            return settled[key]
        if in_process and not task.unpure and key in project.memory:
            settled[key] = set()
        elif task.unpure or not task.store:
            settled[key] = deps_of(task)  # computed inside the job that needs it
        else:
            stored, why = stored_result(task)
            if stored is not None:
                settled[key] = set()
            else:
                return {add_job(task, key, why, deps_of(task)).id}
        return settled[key]

    for index, task in enumerate(tasks):
        try:
            key = job_key(task)
            if key in cached:  # the same task twice in the batch
                plan.cached[index] = cached[key]
                continue
            job = jobs.get(key)
            if job is None:
                if task.unpure:
                    why = WHY_UNPURE
                elif not task.store:
                    why = WHY_NOT_STORED
                    if not recompute and key in project.memory:
                        plan.cached[index] = cached[key] = Cached(None)
                        continue
                else:
                    stored, why = stored_result(task)
                    if stored is not None and not recompute:
                        plan.cached[index] = cached[key] = Cached(stored)
                        continue
                    if recompute:
                        why = WHY_RECOMPUTE
                job = add_job(task, key, why, deps_of(task))
            job.indices.append(index)
            job.recompute = job.recompute or recompute
        except Exception as exc:
            plan.failed[index] = TaskOutcome(
                getattr(task, "taskname", type(task).__name__),
                "",
                "failed",
                0.0,
                describe_error(exc),
                current_traceback(),
                index=index,
            )
    return plan
