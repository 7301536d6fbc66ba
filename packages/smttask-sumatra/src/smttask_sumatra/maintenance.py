"""Store maintenance from the records: rebuild the "latest" links, recreate a run's task file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from smttask.errors import SmttaskError
from smttask.files import safe_name, write_atomic
from smttask.taskfile import FORMAT, SUFFIX

from .links import LinkReport, show_latest
from .settings import SumatraSettings
from .view import RecordStoreView

if TYPE_CHECKING:
    from smttask import Project


class TaskFileExistsError(SmttaskError, FileExistsError):
    """``store recreate`` would overwrite a different task file."""


def rebuild_latest(project: Project) -> LinkReport:
    """Point ``<data>/<latest_dir>/<Task>/`` at the newest finished record of each task whose files exist.

    Existing links are updated in place (or left if already right); a regular
    file where a link belongs is left alone and reported in ``blocked``.
    """
    settings = SumatraSettings.from_config(project.config)
    report = LinkReport()
    if not settings.latest_dir:
        return report
    latest_root = project.data_dir / settings.latest_dir
    done: set[str] = set()
    for record in RecordStoreView(project).filter(status="finished"):
        if record.taskname in done or not record.output_data or record.key is None:
            continue
        files = [d.full_path for d in record.output_data]
        if all(f.is_file() for f in files):
            show_latest(latest_root, record.taskname, record.key, files, report)
            done.add(record.taskname)
    return report


def recreate_task_file(project: Project, label: str, out: Path, *, force: bool = False) -> Path:
    """Write the task file of record *label* into directory *out* (or to *out* itself if it ends in ``.json``).

    The task file is the recorded description (the document ``task.save()``
    writes, with its keys sorted), so no module is imported. An existing
    different file is an error unless *force*.
    """
    record = RecordStoreView(project)[label]
    document = record.parameters
    if document.get("format") != FORMAT or "task" not in document or "key" not in document:
        raise SmttaskError(
            f"Record {label} was not written by smttask (its parameters are not a task description), "
            "so it has no task file to recreate."
        )
    out = Path(out)
    target = (
        out
        if out.suffix == ".json"
        else out / f"{safe_name(document['task'])}__{document['key']}{SUFFIX}"
    )
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if target.exists() and not force and target.read_text(encoding="utf-8") != text:
        raise TaskFileExistsError(
            f"{target} exists with different content. Pass --force to overwrite it."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, text.encode("utf-8"))
    return target
