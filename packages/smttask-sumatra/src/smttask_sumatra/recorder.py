"""The ``sumatra`` recorder: one Sumatra record per computed run of a recorded task.

Around each run it (1) checks the code version against the project's
change policy, and that the record can be kept (a healthy, writable store,
and room reserved in a spool directory), refusing before the task starts if
needed; (2) saves the record as ``_running_``; (3) lets the task run while
capturing what it prints; (4) saves the final record (``_finished_``,
``_crashed_`` or ``_killed_``) with outcome, data keys, output and package
versions; (5) points the "latest" links at the new result. Steps (2) and (4)
are not interrupted half-way by Ctrl-C or SIGTERM. A store that is busy,
corrupt, read-only or full never loses the record: it is spooled (see
:mod:`.spool`) for ``smttask project flush``.

This module imports neither Sumatra nor Django; they load on the first record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smttask.recording import Recorder
from smttask.userwarnings import warn_user

from .errors import RecordingWarning, RecordSpooledWarning, RecordStoreError
from .settings import SumatraSettings
from .smtproject import SMT_DIR, SumatraProject, has_project, project_file

if TYPE_CHECKING:
    from smttask import Project
    from smttask.recording import RunInfo

    from .builder import RecordContext
    from .preflight import Readiness
    from .store import RecordStore

logger = logging.getLogger(__name__)


class SumatraRecorder(Recorder):
    """Writes each recorded run into the project's Sumatra record store (``.smt/records``)."""

    name = "sumatra"

    @classmethod
    def is_available(cls, project: Project) -> bool:
        """Available where ``smttask project init`` (or ``smt init``) made a Sumatra project."""
        return has_project(project.root)

    # --- per-project state, read once (again when .smt/project changes) ---------
    #: The cached properties read from ``.smt/project``.
    _FROM_PROJECT_FILE = ("smt", "store", "context", "repository", "policy", "allow_dirty")

    def _reload_if_changed(self) -> None:
        """Forget what was read from ``.smt/project`` if the file changed since (e.g. `store migrate`)."""
        try:
            stat = project_file(self.project.root).stat()
            signature: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            signature = None
        if signature != self.__dict__.get("_project_file_signature"):
            for name in self._FROM_PROJECT_FILE:
                self.__dict__.pop(name, None)
            self.__dict__["_project_file_signature"] = signature

    @cached_property
    def settings(self) -> SumatraSettings:
        return SumatraSettings.from_config(self.project.config)

    @cached_property
    def smt(self) -> SumatraProject:
        return SumatraProject.load(self.project.root)

    @cached_property
    def store(self) -> RecordStore:
        from .store import RecordStore

        return RecordStore(self.smt, self.settings)

    @cached_property
    def repository(self) -> Path:
        from .gitstate import repository_root

        return repository_root(self.smt.repository or self.project.root)

    @cached_property
    def policy(self) -> str:
        return self.settings.on_changed or self.smt.on_changed

    @cached_property
    def allow_dirty(self) -> tuple[str, ...]:
        """The configured paths, plus smttask's own directories (the store and the data)."""
        own = []
        for path in (self.project.root / SMT_DIR, self.project.data_dir):
            try:
                own.append(path.resolve().relative_to(self.repository).as_posix())
            except ValueError:
                pass
        return (*self.settings.allow_dirty, *own)

    @cached_property
    def context(self) -> RecordContext:
        from .builder import RecordContext

        return RecordContext(self.project, self.smt, self.repository, self.settings.array_inline_max)

    # --- the record ---------------------------------------------------------------
    @contextmanager
    def record(self, run: RunInfo) -> Iterator[RunInfo]:
        from . import builder
        from ._imports import load_sumatra
        from .gitstate import code_state
        from .preflight import prepare

        load_sumatra()
        self._reload_if_changed()
        code = code_state(
            self.repository,
            policy=self.policy,
            allow_dirty=self.allow_dirty,
            main_file=builder.main_file(run.task),
        )
        readiness = prepare(self.smt, self.settings, run.task.taskname)
        try:
            record = builder.new_record(self.context, run, code)
            run.record_label = record.label
            with self._running(record, run, readiness):
                yield run
        finally:
            readiness.release()

    @contextmanager
    def _running(self, record: Any, run: RunInfo, readiness: Readiness) -> Iterator[None]:
        """Save the ``_running_`` record, let the task run, then save the final record.

        Opening and closing the record are not interrupted half-way: a
        Ctrl-C or SIGTERM then takes effect right after (see
        :func:`smttask.recording.signals_deferred`).
        """
        from smttask.recording import signals_deferred

        from .capture import OutputCapture

        reserved = False
        capture = None
        status, error = "finished", None
        start = time.perf_counter()
        try:
            with signals_deferred():
                reserved = self._save_running(record, readiness)
            if self.settings.capture_output:
                capture = OutputCapture(self.settings.max_output)
            with capture if capture is not None else nullcontext():
                yield
        except (KeyboardInterrupt, SystemExit) as exc:
            if run.stored is None:  # interrupted once the result was stored: the run did finish
                status, error = "killed", exc
            raise
        except BaseException as exc:
            status, error = "crashed", exc
            raise
        finally:
            duration = time.perf_counter() - start
            with signals_deferred():
                self._finish(record, run, reserved, status, error, duration, capture, readiness)

    def _save_running(self, record: Any, readiness: Readiness) -> bool:
        """Save the ``_running_`` record; False (and carry on) if the store cannot take it now."""
        from .errors import RecordStoreBusyError

        if readiness.store_problem is not None:
            return False
        try:
            self.store.save(record, new=True)
            return True
        except RecordStoreError as exc:
            if not isinstance(exc, RecordStoreBusyError):
                readiness.store_problem = exc  # waiting cannot fix it: the record goes to the spool
            logger.warning("Record %s could not be saved as running yet: %s", record.label, exc)
            return False

    def _finish(
        self,
        record: Any,
        run: RunInfo,
        reserved: bool,
        status: str,
        error: BaseException | None,
        duration: float,
        capture: Any,
        readiness: Readiness,
    ) -> None:
        from . import builder

        try:
            builder.finish_record(
                self.context,
                record,
                run,
                status=status,
                error=error,
                duration=duration,
                output=capture.text if capture is not None else None,
            )
        except Exception as exc:  # noqa: BLE001 - a partial record beats none, and the task's error wins
            warn_user(f"Record {record.label} is incomplete: {exc!r}", RecordingWarning)
        problem: Exception | None = readiness.store_problem
        if problem is None:
            try:
                self.store.save(record, new=not reserved)
            except Exception as exc:  # noqa: BLE001 - whatever failed, the record must survive
                problem = exc
        if problem is not None:
            self._spool(record, reserved, problem, readiness)
        if status == "finished" and run.stored is not None:
            self._show_latest(run)

    def _spool(self, record: Any, reserved: bool, problem: Exception, readiness: Readiness) -> None:
        from .spool import spool_record

        try:
            path = spool_record(
                self.smt, record, label_reserved=reserved, reservation=readiness.reservation
            )
        except Exception as spool_exc:  # noqa: BLE001 - say what was lost, never hide the task's result
            warn_user(
                f"Record {record.label} was lost: the record store could not take it ({problem}) "
                f"and {spool_exc}",
                RecordingWarning,
            )
            return
        text = str(problem).rstrip()
        if "smttask project flush" not in text:
            text += " Run `smttask project flush` to import it."
        warn_user(
            f"Record {record.label} was saved to {path}, not to the record store: {text}",
            RecordSpooledWarning,
        )

    def _show_latest(self, run: RunInfo) -> None:
        from .links import show_latest

        if not self.settings.latest_dir:
            return
        try:
            show_latest(
                self.project.data_dir / self.settings.latest_dir,
                run.task.taskname,
                run.stored.key,
                run.stored.files,
            )
        except OSError as exc:  # e.g. no symlinks on this filesystem: links are a convenience
            logger.info(
                "Could not update the latest-result links for %s: %s", run.task.taskname, exc
            )
