"""``smttask store create-surrogates TASKFILE...``: lab-book records for stored results that have none.

A result computed without recording (``--no-record``, a project without a
lab book then, files copied from elsewhere) has no record, so ``smttask
records`` and ``RecordStoreView`` do not know it. A *surrogate* record names
it: the task's description as parameters, the result's files as output data
(with their hashes), tags ``_finished_`` and ``surrogate``, version
``<unknown>`` (the code that computed it is not known) and no duration.
Nothing is computed, and a result some record already names is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .view import RecordStoreView

if TYPE_CHECKING:
    from smttask import Project, Task

#: The tag of a surrogate record.
SURROGATE_TAG = "surrogate"
#: The code version of a surrogate record.
UNKNOWN_VERSION = "<unknown>"


@dataclass
class SurrogateReport:
    """What :func:`create_surrogates` did (or would do), by task file."""

    #: ``(task file, label of its new record)`` (the label empty in a dry run).
    created: list[tuple[Path, str]] = field(default_factory=list)
    #: ``(task file, why nothing was made)``.
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def create_surrogates(
    project: Project, tasks: list[tuple[Path, Task]], *, dry_run: bool = False
) -> SurrogateReport:
    """Add a surrogate record for each ``(task file, task)`` whose stored result no record names."""
    from sumatra.core import STATUS_FORMAT

    from smttask.recording import RunInfo

    from .builder import RecordContext, new_record
    from .datakeys import output_keys
    from .gitstate import CodeState, repository_root

    view = RecordStoreView(project)
    report = SurrogateReport()
    repository = repository_root(view.smt.repository or project.root)
    ctx = RecordContext(project, view.smt, repository)
    for path, task in tasks:
        with project.activate():
            stored = project.storage.locate(task) if task.store else None
        if stored is None:
            report.skipped.append((path, "no stored result (nothing to record)"))
            continue
        named = [r.label for out in stored.outputs.values() for r in view.filter(output=out.path)]
        if named:
            report.skipped.append((path, f"already recorded by {', '.join(sorted(set(named)))}"))
            continue
        if dry_run:
            report.created.append((path, ""))
            continue
        written = min(out.path.stat().st_mtime for out in stored.outputs.values())
        run = RunInfo(task=task, reason=None, inputs={}, started=datetime.fromtimestamp(written, UTC),
                      stored=stored, task_file=path)
        record = new_record(ctx, run, CodeState(repository, UNKNOWN_VERSION, (), ""))
        record.tags = {STATUS_FORMAT % "finished", SURROGATE_TAG}
        record.output_data = output_keys(stored, project.data_dir, task.taskname)
        record.outcome = "surrogate record: the result was found in storage, its run was not recorded"
        report.created.append((path, view.store.save(record, new=True)))
    return report

