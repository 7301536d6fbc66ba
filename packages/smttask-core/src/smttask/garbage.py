"""Reclaiming space: :func:`collect_garbage` deletes the stored results nobody keeps, least recently used first.

What is kept (the *roots*) comes through the ``smttask_gc_roots`` hook: the
built-in plugin returns the pinned task files (:mod:`smttask.pins`), a lab-book
plugin (smttask-sumatra) the records the user marked with a tag, or every
record with ``keep_recorded``. Each root is a task document (a task file, or a
record's parameters), so its upstream tasks are known by their keys without
importing any task module; each stored result's manifest lists the keys of its
upstream results too. A kept result keeps its upstream results.

Of the rest, results used in the last *older_than* are kept, and the others go
least recently used first (the ``last_used`` a backend keeps, see
:meth:`~smttask.storage.StorageBackend.stored_results`), until the store fits
in *max_size* (all of them without it). Never deleted: a result whose claim a
live process holds, and one written or loaded in the last ``claim_stale_after``
seconds (a process may be reading it). What interrupted runs left
(:meth:`~smttask.storage.StorageBackend.clean`) goes too.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from .errors import GarbageCollectionError
from .files import safe_name

if TYPE_CHECKING:
    from .project import Project
    from .storage import Leftover, StoredEntry

__all__ = ["GcKept", "GcReport", "GcRoot", "collect_garbage", "document_results"]

#: Why a result is kept: a root, upstream of a kept result, claimed by a live process, loaded or written
#: in the last seconds, used more recently than ``older_than``, or fitting in ``max_size``.
KeptReason = Literal["root", "upstream", "held", "in use", "recent", "fits"]


@dataclass(frozen=True)
class GcRoot:
    """A task whose stored result ``smttask store gc`` keeps, with the results of its upstream tasks.

    *document* is a task-file document (a task file's JSON, or a record's
    parameters); *why* says who keeps it, for the report (e.g. ``"pinned
    (pinned/Fit__3f2a….taskdesc.json)"``, ``"record 20261206-101500 (tag paper)"``).
    """

    why: str
    document: Mapping[str, Any]


@dataclass(frozen=True)
class GcKept:
    """A stored result that stays, and why."""

    entry: StoredEntry
    reason: KeptReason
    why: str


@dataclass
class GcReport:
    """What :func:`collect_garbage` deleted (with *dry_run*: would delete) and what it kept."""

    dry_run: bool
    #: Results deleted, least recently used first.
    deleted: list[StoredEntry] = field(default_factory=list)
    kept: list[GcKept] = field(default_factory=list)
    #: Results planned for deletion but left because a process took them meanwhile, with why.
    skipped: list[tuple[StoredEntry, str]] = field(default_factory=list)
    #: Temporary files of dead writers, output files without a manifest, stale claims.
    leftovers: list[Leftover] = field(default_factory=list)
    #: Bytes of all stored results before.
    size_before: int = 0

    @property
    def freed(self) -> int:
        """Bytes freed (with *dry_run*: that would be)."""
        return sum(e.size for e in self.deleted) + sum(left.size for left in self.leftovers)

    @property
    def size_after(self) -> int:
        """Bytes of the stored results that stay."""
        return self.size_before - sum(e.size for e in self.deleted)


def document_results(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(task directory, key)`` of the task a task document describes, then of each upstream task in it.

    Reads version 2 documents (upstream tasks in the ``"upstream"`` table) and
    version 1 (nested inline), without recursion and without importing anything.
    """
    found: dict[tuple[str, str], None] = {}
    stack: list[Any] = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            task, key = value.get("task"), value.get("key")
            if isinstance(task, str) and isinstance(key, str) and isinstance(value.get("inputs"), Mapping):
                found.setdefault((safe_name(task), key), None)
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return list(found)


def _seconds(value: float | timedelta | str | None) -> float | None:
    from .utils import parse_duration_str

    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, timedelta):
        return value.total_seconds()
    return parse_duration_str(value)


def _bytes(value: int | str | None) -> int | None:
    from .utils import parse_size

    return parse_size(value) if isinstance(value, str) else value


def collect_garbage(
    project: Project | None = None,
    *,
    dry_run: bool = False,
    keep_recorded: bool = False,
    older_than: float | timedelta | str | None = None,
    max_size: int | str | None = None,
) -> GcReport:
    """Delete the stored results of *project* that nothing keeps, least recently used first.

    *older_than* (seconds, a :class:`~datetime.timedelta` or a text such as
    ``"30d"``) keeps every result used more recently; *max_size* (bytes or a
    text such as ``"50G"``) stops once the stored results fit in it. With
    *dry_run* nothing is deleted and the report says what would be. Raises
    :class:`~smttask.errors.GarbageCollectionError` if the storage backend
    cannot list its results; an error finding the roots (an unreadable pin or
    lab book) stops it before anything is deleted.
    """
    from .project import current_project

    project = project or current_project()
    age, budget = _seconds(older_than), _bytes(max_size)
    storage = project.storage
    entries = storage.stored_results()
    if entries is None:
        raise GarbageCollectionError(
            f"the '{storage.name}' storage backend cannot list its results, so they cannot be collected; "
            "delete results with `smttask store delete` instead."
        )
    report = GcReport(dry_run, size_before=sum(e.size for e in entries))
    roots: dict[tuple[str, str], tuple[KeptReason, str]] = {}
    for batch in project.hook.smttask_gc_roots(project=project, keep_recorded=keep_recorded):
        for root in batch or ():
            own, *upstream = document_results(root.document) or [None]
            if own is not None:
                roots.setdefault(own, ("root", root.why))
            for ident in upstream:
                roots.setdefault(ident, ("upstream", f"upstream of {root.why}"))
    grace = project.config.claim_stale_after
    now = time.time()
    by_ident = {e.ident: e for e in entries}
    kept: dict[tuple[str, str], GcKept] = {}
    for entry in entries:
        reason: tuple[KeptReason, str] | None = roots.get(entry.ident)
        if reason is None and entry.held:
            reason = ("held", "a running process holds its claim")
        elif reason is None and now - entry.last_used < grace:
            reason = ("in use", f"written or loaded in the last {grace:g} s")
        elif reason is None and age is not None and now - entry.last_used < age:
            reason = ("recent", f"used in the last {older_than}")
        if reason is not None:
            kept[entry.ident] = GcKept(entry, *reason)
    stack = list(kept)
    while stack:  # a kept result keeps its upstream results
        ident = stack.pop()
        for up in by_ident[ident].upstream:
            if up in by_ident and up not in kept:
                kept[up] = GcKept(by_ident[up], "upstream", f"upstream of {ident[0]} {ident[1]}")
                stack.append(up)
    candidates = sorted((e for e in entries if e.ident not in kept), key=lambda e: (e.last_used, e.ident))
    total = report.size_before
    planned: list[StoredEntry] = []
    for entry in candidates:
        if budget is not None and total <= budget:
            kept[entry.ident] = GcKept(entry, "fits", f"the store fits in {max_size} without deleting it")
            continue
        planned.append(entry)
        total -= entry.size
    report.kept = sorted(kept.values(), key=lambda k: k.entry.ident)
    report.leftovers = storage.clean(dry_run=dry_run)
    if dry_run:
        report.deleted = planned
        return report
    for entry in planned:
        why = storage.remove_stored(entry, grace=grace)
        if why is None:
            report.deleted.append(entry)
        else:
            report.skipped.append((entry, why))
    return report
