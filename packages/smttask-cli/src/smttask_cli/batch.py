"""Running a batch of loaded task files with an executor, and reporting each outcome.

Kept apart from the click command so the policy (what counts as failed, when
to stop, what to delete, when to debug) reads in one place.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .display import MESSAGE_LIMIT, shown
from .failure_log import FailureLog
from .loading import Entry, load_warnings
from .paths import PathProblem
from .reporting import QuietReporter

if TYPE_CHECKING:
    from smttask import Project
    from smttask.execution import Executor, TaskOutcome

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


@dataclass(frozen=True)
class BatchOptions:
    """The ``smttask run`` options that shape a batch."""

    recompute: bool = False
    record: bool | None = None
    reason: str | None = None
    fail_fast: bool = False
    clean: bool = False
    pdb: bool = False


class Batch:
    """One ``smttask run``: task files in, outcomes reported, an exit code out."""

    def __init__(
        self,
        project: Project,
        entries: Sequence[Entry],
        problems: Sequence[PathProblem],
        executor: Executor,
        reporter: QuietReporter,
        options: BatchOptions,
    ) -> None:
        self.project = project
        self.entries = list(entries)
        self.problems = list(problems)
        self.executor = executor
        self.reporter = reporter
        self.options = options
        self.log = FailureLog(project.root, warn=lambda text: self.reporter.message(f"warning: {text}"))
        #: Position in :attr:`entries` of each task given to the executor.
        self.loaded = [i for i, entry in enumerate(self.entries) if entry.task is not None]
        self.failed = False
        self.interrupted = False

    def run(self) -> int:
        """Run the batch and return the exit code: 0, 1 if anything failed, 130 if interrupted."""
        start = time.perf_counter()
        for problem in self.problems:
            kind = "error" if problem.fatal else "warning"
            self.reporter.message(f"{kind}: {shown(problem.argument)}: {shown(problem.problem, MESSAGE_LIMIT)}")
            if problem.fatal:
                self.failed = True
                self.log.add(problem.argument, problem.problem, None)
        for warning in load_warnings(self.entries):
            self.reporter.message(warning)
        for index, entry in enumerate(self.entries):
            if entry.task is None:
                self._record(_load_failure(index, entry))
        try:
            if self.failed and self.options.fail_fast:
                self.reporter.message("--fail-fast: not running anything, as some task files cannot be loaded.")
                self._skip_rest("not run: --fail-fast after a failure")
            else:
                self.reporter.begin(auto_refresh=self.executor.in_process)
                self._run_tasks()
        except KeyboardInterrupt:
            self.interrupted = True
        if self.interrupted:
            self._skip_rest("not run: interrupted")
        self.reporter.end(time.perf_counter() - start, self.interrupted, self.log.path)
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_FAILED if self.failed else EXIT_OK

    def _run_tasks(self) -> None:
        from smttask import SmttaskError

        tasks = [self.entries[i].task for i in self.loaded]
        if not tasks:
            return
        outcomes = self.executor.run(
            tasks,
            recompute=self.options.recompute,
            record=self.options.record,
            reason=self.options.reason,
            on_start=self.reporter.started,
            on_tick=self.reporter.tick,
        )
        try:
            with _sigterm_as_sigint(), self._debug_breakpoints():
                for outcome in outcomes:
                    if outcome.index is not None:
                        outcome = dataclasses.replace(outcome, index=self.loaded[outcome.index])
                    self._record(outcome)
        except SmttaskError as exc:  # the executor itself cannot go on (e.g. workers cannot start)
            self.failed = True
            self.reporter.message(f"error: {exc}")
            self._skip_rest(f"not run: {exc}")

    def _record(self, outcome: TaskOutcome) -> None:
        entry = self.entries[outcome.index] if outcome.index is not None else None
        if outcome.status == "failed":
            self.failed = True
            label = entry.label if entry is not None else self.reporter.upstream_label(outcome)
            self.log.add(label, outcome.error, outcome.traceback, task=outcome.task, key=outcome.key)
        self.reporter.finished(outcome)
        if outcome.status == "failed":
            self._debug(outcome, entry)
            if self.options.fail_fast and not self.executor.stopping:
                self.reporter.message("--fail-fast: stopping after the first failure.")
                self.executor.stop()
        if self.options.clean and entry is not None and outcome.ok:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)

    def _skip_rest(self, reason: str) -> None:
        from smttask.execution import TaskOutcome

        for index, row in enumerate(self.reporter.rows):
            if row.status == "pending":
                task = self.entries[index].task
                name = task.taskname if task is not None else ""
                self.reporter.finished(TaskOutcome(name, "", "skipped", 0.0, reason, index=index))

    # --- debugging (-n 1 only) -------------------------------------------------------
    def _debug(self, outcome: TaskOutcome, entry: Entry | None) -> None:
        exception = outcome.exception or (entry.exception if entry is not None else None)
        if not self.options.pdb or exception is None or exception.__traceback__ is None:
            return
        import pdb

        self.reporter.pause()
        print(f"--pdb: post-mortem of {entry.label if entry else outcome.task}: {outcome.error}", file=sys.stderr)
        pdb.post_mortem(exception.__traceback__)
        self.reporter.resume()

    @contextlib.contextmanager
    def _debug_breakpoints(self) -> Iterator[None]:
        """While tasks run in this process, ``breakpoint()`` first hides the progress display."""
        if not self.executor.in_process:
            yield
            return
        previous = sys.breakpointhook
        reporter = self.reporter

        def breakpointhook(*args: Any, **kwargs: Any) -> Any:
            reporter.pause()
            if os.environ.get("PYTHONBREAKPOINT") in (None, "", "pdb.set_trace"):
                import pdb

                return pdb.Pdb().set_trace(sys._getframe(1))
            return sys.__breakpointhook__(*args, **kwargs)

        sys.breakpointhook = breakpointhook
        try:
            yield
        finally:
            sys.breakpointhook = previous


def _load_failure(index: int, entry: Entry) -> TaskOutcome:
    from smttask.execution import TaskOutcome

    return TaskOutcome("", "", "failed", 0.0, entry.error, entry.traceback, index=index)


@contextlib.contextmanager
def _sigterm_as_sigint() -> Iterator[None]:
    """A SIGTERM (e.g. a cluster job being cancelled) stops the batch like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: signal.raise_signal(signal.SIGINT))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

