"""Closing records left ``_running_`` although their run stored its result.

A run stores its result, then closes its record; Ctrl-C and SIGTERM wait
until both are done. Only a run killed outright in between (``kill -9``, a
power cut) leaves a stored result whose record still says ``_running_``.
:func:`repair_running` (part of ``smttask project flush``) finds those
records and finishes them from the stored result: status ``_finished_``, the
output files with their hashes, and a note in the outcome. A ``_running_``
record without a stored result is left alone: its run is still going, or
never finished.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smttask.errors import SmttaskError

from . import datakeys
from .view import RecordStoreView

if TYPE_CHECKING:
    from smttask import Project
    from smttask.storage import StoredResult

    from .store import RecordStore
    from .view import RecordView

#: Appended to the outcome of a record finished by :func:`repair_running`.
NOTE = (
    "Record completed by `smttask project flush`: the run stored its result but was stopped "
    "before closing its record (its printed output and package list were not recorded)."
)
#: Seconds of file-time granularity allowed when telling this run's result from an older one.
MTIME_SLACK = 1.0


@dataclass
class RepairReport:
    """What :func:`repair_running` did."""

    #: Labels of the records finished from their stored result.
    repaired: list[str] = field(default_factory=list)
    #: ``(label, why)`` of running records whose task could not be rebuilt to look for its result.
    unchecked: list[tuple[str, str]] = field(default_factory=list)


def repair_running(project: Project, store: RecordStore) -> RepairReport:
    """Finish every ``_running_`` record whose run's result is stored; see the module docstring."""
    report = RepairReport()
    for view in RecordStoreView(project).filter(status="running"):
        try:
            stored = stored_by_run(project, view)
        except (SmttaskError, ImportError, ValueError, TypeError) as exc:
            report.unchecked.append((view.label, f"{type(exc).__name__}: {exc}"))
            continue
        if stored is None:
            continue
        record = store.get(view.label)
        _finish_from(record, stored, project, view)
        if store.replace_running(record):
            report.repaired.append(view.label)
    return report


def stored_by_run(project: Project, view: RecordView) -> StoredResult | None:
    """The stored result of the run *view* records, if that run stored it (not an older run of the task)."""
    from smttask.errors import CorruptResultError

    task = view.get_task()
    if task.digest != view.key:
        return None
    try:
        with project.activate():
            stored = project.storage.locate(task)
    except CorruptResultError:
        return None
    if stored is None or not stored.outputs:
        return None
    started = view.timestamp.timestamp() - MTIME_SLACK
    try:
        written = [out.path.stat().st_mtime for out in stored.outputs.values()]
    except OSError:
        return None
    return stored if min(written) >= started else None


def _finish_from(record: Any, stored: StoredResult, project: Project, view: RecordView) -> None:
    from sumatra.core import STATUS_FORMAT

    record.add_tag(STATUS_FORMAT % "finished")
    record.output_data = datakeys.output_keys(stored, project.data_dir, view.taskname)
    newest = max(out.path.stat().st_mtime for out in stored.outputs.values())
    record.duration = max(0.0, newest - view.timestamp.timestamp())
    record.outcome = f"{record.outcome}\n{NOTE}" if record.outcome else NOTE
