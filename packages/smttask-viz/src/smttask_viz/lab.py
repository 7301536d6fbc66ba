"""What is known about a task's runs without running it: memory, storage, the lab book, failure logs.

:class:`LabBook` reads the Sumatra lab book (when smttask-sumatra is installed
and the project has one) and the failure logs ``smttask run`` writes under
``.smttask/logs/``, each once and only when first needed. :func:`task_state`
combines them with the memory tier and storage into a node's state.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .states import MEMORY, NOT_COMPUTED, RECORDED, STORED

if TYPE_CHECKING:
    from smttask import Project, Task

#: Failure logs read (the newest ones): enough for recent history, bounded for old projects.
MAX_LOGS = 50
_LOG_ENTRY = re.compile(r"^=== (?P<label>.*) \(task (?P<task>.*), key (?P<key>[^\s)]+)\)$")


@dataclass(frozen=True)
class RunEvent:
    """One thing that happened to a key: a record, a failure log entry, a stored result."""

    time: float  # seconds since the epoch
    ok: bool
    text: str
    label: str | None = None
    status: str | None = None


class LabBook:
    """The lab book's records and the failure logs of *project*, indexed by task key."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.notes: list[str] = []

    @cached_property
    def records(self) -> dict[str, RunEvent]:
        """The latest record of each key (empty without smttask-sumatra or without a lab book)."""
        try:
            from smttask_sumatra.errors import NoSumatraProjectError
            from smttask_sumatra.view import RecordStoreView
        except ImportError:
            return {}
        found: dict[str, RunEvent] = {}
        try:
            records = RecordStoreView(self.project).list
        except NoSumatraProjectError:
            return {}
        except Exception as exc:  # noqa: BLE001 - an unreadable lab book leaves the picture without records
            self.notes.append(f"the lab book could not be read ({type(exc).__name__}: {exc}); records not shown")
            return {}
        for record in records:  # newest first
            key = record.key
            if not isinstance(key, str) or key in found:
                continue
            ok = record.status in ("finished", "running")
            text = f"record {record.label}: {record.status}" + (f", {record.outcome}" if record.outcome else "")
            found[key] = RunEvent(record.timestamp.timestamp(), ok, text, record.label, record.status)
        return found

    @cached_property
    def failures(self) -> dict[str, RunEvent]:
        """The latest failure of each key in ``smttask run``'s failure logs."""
        directory = self.project.root / ".smttask" / "logs"
        try:
            logs = sorted(
                (entry for entry in os.scandir(directory) if entry.name.endswith(".log") and entry.is_file()),
                key=lambda entry: entry.stat().st_mtime,
            )[-MAX_LOGS:]
        except OSError:
            return {}
        found: dict[str, RunEvent] = {}
        for entry in logs:  # oldest first: later logs overwrite
            try:
                text = Path(entry.path).read_text(encoding="utf-8", errors="replace")
                mtime = entry.stat().st_mtime
            except OSError:
                continue
            error = ""
            lines = text.splitlines()
            for i, line in enumerate(lines):
                match = _LOG_ENTRY.match(line)
                if match:
                    if i + 1 < len(lines) and lines[i + 1].startswith("error: "):
                        error = lines[i + 1][len("error: "):][:300]
                    found[match["key"]] = RunEvent(mtime, False, f"failed in `smttask run` ({entry.name}): {error}")
        return found


def task_state(task: Task, project: Project, lab: LabBook) -> dict[str, Any]:
    """The :class:`~smttask_viz.model.Node` fields saying what is known of *task*'s result and runs."""
    from smttask.errors import CorruptResultError

    key = task.static_key
    in_memory = task.memory_key in project.memory
    outputs: dict[str, str] = {}
    stored_at: float | None = None
    problem: str | None = None
    if task.store and not task.unpure:
        try:
            stored = project.storage.locate(task)
        except CorruptResultError as exc:
            stored, problem = None, f"stored result unusable: {exc}"
        if stored is not None:
            outputs = {name: str(out.path) for name, out in stored.outputs.items()}
            times = [out.mtime_ns for out in stored.outputs.values() if out.mtime_ns]
            stored_at = max(times) / 1e9 if times else _written(stored)
    record = lab.records.get(key) if task.recorded else None
    events = [e for e in (record, lab.failures.get(key)) if e is not None]
    if stored_at is not None:
        events.append(RunEvent(stored_at, True, "stored"))
    last = max(events, key=lambda e: e.time) if events else None
    failed = last is not None and not last.ok
    if stored_at is not None:
        state = RECORDED if record is not None and record.ok else STORED
    elif in_memory:
        state = MEMORY
    else:
        state = NOT_COMPUTED
    return {
        "state": state,
        "record": record.label if record is not None else None,
        "failed": failed,
        "failure": last.text if failed else problem,
        "in_memory": in_memory,
        "outputs": outputs,
    }


def _written(stored: Any) -> float:
    """When *stored* was written, by its files' times (its outputs kept in the manifest have no time of
    their own); 0.0 if none can be read."""
    times = []
    for file in stored.files:
        try:
            times.append(os.stat(file).st_mtime)
        except OSError:
            pass
    return max(times, default=0.0)
