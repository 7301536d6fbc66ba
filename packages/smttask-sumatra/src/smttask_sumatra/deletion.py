"""``smttask store delete record LABEL | since AGE``: remove runs from the lab book, with the results they wrote.

Nothing the user did not name goes: a stored result that another, kept record
also wrote is kept (and said so), a run still going is left alone, and
``--dry-run`` lists what would go. The real run removes one record at a time
(each in one store transaction), then that record's result (through the
storage backend when the task can be rebuilt, so its manifest goes too; else
the recorded files), and reports every step, so an interruption leaves a
report of what is gone and nothing half-removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RecordEditError, SumatraError
from .links import LinkReport
from .maintenance import rebuild_latest
from .view import RecordStoreView

if TYPE_CHECKING:
    from smttask import Project

    from .records import RecordView


@dataclass
class DeletionPlan:
    """What a deletion would remove, and what it keeps and why."""

    records: list[RecordView] = field(default_factory=list)
    #: Output files to remove, by the label of the record that wrote them.
    files: dict[str, list[Path]] = field(default_factory=dict)
    #: ``(what, why)`` of everything named but kept.
    kept: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DeletionReport:
    """What :func:`delete` removed."""

    records: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    links: LinkReport | None = None


def plan_labels(project: Project, labels: list[str]) -> DeletionPlan:
    """The plan removing the records *labels* (each must exist)."""
    view = RecordStoreView(project)
    return _plan(view, [view[label] for label in labels])


def plan_since(project: Project, age: timedelta) -> DeletionPlan:
    """The plan removing every record started in the last *age*."""
    view = RecordStoreView(project)
    return _plan(view, view.filter(after=datetime.now().astimezone() - age).list)


def _plan(view: RecordStoreView, records: list[RecordView]) -> DeletionPlan:
    plan = DeletionPlan()
    going = {r.label for r in records if r.status != "running"}
    for record in records:
        if record.status == "running":
            plan.kept.append((f"record {record.label}", "its run is still going (status running)"))
            continue
        plan.records.append(record)
        files = []
        for data in record.output_data:
            path = data.full_path
            others = sorted(set(view.filter(output=path).labels) - going)
            if others:
                plan.kept.append((str(path), f"also the result of record {', '.join(others)}, which is kept"))
            elif path.exists():
                files.append(path)
        plan.files[record.label] = files
    return plan


def delete(project: Project, plan: DeletionPlan) -> DeletionReport:
    """Carry out *plan*: record by record, then its files; then repoint the "latest" links.

    A failure raises :class:`RecordEditError` saying what was already removed.
    """
    view = RecordStoreView(project)
    report = DeletionReport()
    for record in plan.records:
        try:
            with view.store.session() as store:
                from . import djangodb

                with djangodb.atomic():
                    store.delete(view.smt.name, record.label)
            report.records.append(record.label)
            report.files.extend(_remove_result(project, record, plan.files.get(record.label, [])))
        except (SumatraError, OSError) as exc:
            raise RecordEditError(
                f"Stopped at record {record.label}: {exc} Removed before it: records "
                f"{', '.join(report.records) or 'none'}; files {len(report.files)}."
            ) from exc
    if report.records:
        report.links = rebuild_latest(project)
    return report


def _remove_result(project: Project, record: RecordView, files: list[Path]) -> list[Path]:
    """Remove the stored *files* of *record*: its whole result when its task rebuilds to the recorded key."""
    if not files:
        return []
    try:
        task = record.get_task()
    except Exception:  # noqa: BLE001 - the module is gone or changed: remove the recorded files themselves
        task = None
    whole = set(files) == {d.full_path for d in record.output_data}
    if task is not None and whole and task.digest == record.key:
        with project.activate():
            project.storage.delete(task)
    for path in files:
        path.unlink(missing_ok=True)
    return files
