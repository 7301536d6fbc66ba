"""Pinned task files: their results, and their upstream tasks' results, survive ``smttask store gc``.

A pin is a task file in the project's pin directory (the ``pinned`` setting,
default ``pinned/`` under the project root; subdirectories count too).
:func:`pin` copies a task file there (``smttask store pin TASKFILE...``), and
:func:`unpin` removes the pins of a task; saving a task there
(``task.save("pinned")``) or copying its file in by hand pins it as well.
Reading pins reads JSON only: no task module is imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import MalformedTaskFileError
from .files import make_dirs, safe_name, write_atomic
from .garbage import GcRoot
from .taskfile import FORMAT, SUFFIX, read_document

if TYPE_CHECKING:
    from .project import Project

__all__ = ["pin", "pin_directory", "pinned", "pinned_roots", "unpin"]


def pin_directory(project: Project) -> Path:
    """The directory of *project*'s pinned task files."""
    return project.root / project.config.pinned


def _task_document(source: str | Path) -> tuple[str, dict[str, Any]]:
    """``(label, document)`` of the task file *source*, which must name its task and key."""
    label, document = read_document(Path(source))
    if document.get("format") != FORMAT or not isinstance(document.get("task"), str) or not isinstance(
        document.get("key"), str
    ):
        raise MalformedTaskFileError(
            label, "not an smttask task file with a task and a key (write one with task.save() or `smttask run`)"
        )
    return label, document


def pinned(project: Project) -> list[tuple[Path, dict[str, Any]]]:
    """Every pin of *project*: ``(path, document)``, by path. An unreadable pin raises its :class:`TaskFileError`."""
    directory = pin_directory(project)
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.rglob("*.json")):
        if path.name.startswith(".") or not path.is_file():
            continue
        found.append((path, _task_document(path)[1]))
    return found


def pinned_roots(project: Project) -> list[GcRoot]:
    """The pins of *project* as roots of ``smttask store gc``."""
    return [GcRoot(f"pinned ({path.relative_to(project.root)})", document) for path, document in pinned(project)]


def pin(project: Project, taskfile: str | Path) -> Path:
    """Copy the task file *taskfile* into the pin directory (as ``<Task>__<key>.taskdesc.json``); its path there."""
    _, document = _task_document(taskfile)
    directory = pin_directory(project)
    make_dirs(directory)
    target = directory / f"{safe_name(document['task'])}__{safe_name(document['key'])}{SUFFIX}"
    write_atomic(target, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return target


def unpin(project: Project, taskfile: str | Path) -> list[Path]:
    """Remove every pin of the task *taskfile* describes (it may be a pin itself); the pins removed."""
    _, document = _task_document(taskfile)
    ident = (document["task"], document["key"])
    removed = []
    for path, pinned_document in pinned(project):
        if (pinned_document["task"], pinned_document["key"]) == ident:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
