"""The human-browsable "latest result" layout: ``<data>/<latest_dir>/<TaskName>/<output>.<ext>``.

Results are stored under their key (``<data>/<TaskName>/<key>_<output>.<ext>``),
which is exact but hard to browse. Each finished recorded run also points
symbolic links, one per file (an output's own, or the manifest holding the
small outputs), at its files, so ``data/latest/Fit/`` always
shows the newest finished run of ``Fit``. ``smttask store rebuild`` recreates
the links from the records.

A link is replaced atomically (new link, then rename), so readers never see
it missing, and existing links are updated in place rather than tripping over
them. A regular file where a link (or a task's directory of links) should go
is never touched: it is reported.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from smttask.files import atomic_path, safe_name
from smttask.storage.layout import MANIFEST_SUFFIX

#: Link name of a task's single, unnamed output.
BARE_OUTPUT_NAME = "result"


def link_name(filename: str, key: str) -> str:
    """The key-free name of a stored file: ``<key>_fit.npy`` → ``fit.npy``, ``<key>.json`` → ``result.json``,
    and the manifest (which holds the small outputs) ``<key>.manifest.json`` → ``manifest.json``."""
    if filename == key + MANIFEST_SUFFIX:
        return MANIFEST_SUFFIX[1:]
    if filename.startswith(key + "_"):
        return filename[len(key) + 1 :]
    if filename.startswith(key + "."):
        return BARE_OUTPUT_NAME + filename[len(key) :]
    return filename


def point_link(link: Path, target: Path) -> str:
    """Make *link* a relative symlink to *target*: ``created``, ``updated``, ``unchanged`` or ``blocked``."""
    relative = os.path.relpath(target, link.parent)
    if link.is_symlink():
        if os.readlink(link) == relative:
            return "unchanged"
        outcome = "updated"
    elif link.exists():
        return "blocked"
    else:
        outcome = "created"
    link.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(link) as tmp:
        os.symlink(relative, tmp)
    return outcome


@dataclass
class LinkReport:
    """How many links each outcome of :func:`point_link` had, and the paths that were blocked."""

    counts: Counter = field(default_factory=Counter)
    blocked: list[Path] = field(default_factory=list)
    removed: int = 0

    def add(self, outcome: str, link: Path) -> None:
        self.counts[outcome] += 1
        if outcome == "blocked":
            self.blocked.append(link)


def show_latest(
    latest_root: Path,
    taskname: str,
    key: str,
    files: Iterable[Path],
    report: LinkReport | None = None,
) -> LinkReport:
    """Point ``latest_root/<taskname>/`` at *files* (one result of key *key*); drop links to other results."""
    report = report if report is not None else LinkReport()
    directory = latest_root / safe_name(taskname)
    if not directory.is_dir() and (directory.exists() or directory.is_symlink()):
        report.add("blocked", directory)  # a file (or a link to one) where the task's directory belongs
        return report
    wanted = set()
    for file in files:
        link = directory / link_name(file.name, key)
        wanted.add(link.name)
        report.add(point_link(link, file), link)
    if directory.is_dir():
        for entry in directory.iterdir():
            if entry.is_symlink() and entry.name not in wanted and not entry.name.startswith("."):
                entry.unlink(missing_ok=True)
                report.removed += 1
    return report
