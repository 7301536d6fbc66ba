"""Why a task's result is or is not stored: ``smttask why`` and :meth:`Task.why() <smttask.task.Task.why>`.

A miss is explained against the nearest stored results of the same task: each
stored result's manifest keeps the pre-image of its key (its inputs, arrays by
hash, upstream tasks by key), so the two pre-images are compared path by path.
Where an upstream task's key differs, the comparison goes on inside it, against
the manifest of the upstream result that was used then; the dotted path names
the way through (``f.dt`` is input ``dt`` of the upstream task given as ``f``).
A hit is explained by where it is stored, the record that computed it and
whether the task's code has changed since (see :mod:`smttask.fingerprint`).

Nothing is imported, loaded or computed beyond manifests: explaining is cheap
and safe on any store.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .canonical import canonical_json
from .encoding import TYPE_TAG
from .errors import SmttaskError
from .fingerprint import CodeChange, code_fingerprint, compare
from .storage.manifest import key_preimage, manifest_record, manifest_text
from .text import one_line
from .walk import iter_tasks

if TYPE_CHECKING:
    from .project import Project
    from .task import Task

__all__ = ["Candidate", "Difference", "Explanation", "NotAResultError", "explain", "explain_result"]

#: How many of the nearest stored results an explanation lists by default.
NEAREST = 3
#: How many stored results, those whose own inputs differ least, are compared in full (through upstream tasks).
FULLY_COMPARED = 20
#: How many differences of one stored result are listed; the rest are counted.
SHOWN_DIFFERENCES = 12
#: Stands for a value a pre-image does not have (an input added or removed since).
ABSENT = "<absent>"

Status = Literal["memory", "stored", "not stored", "never stored"]


class NotAResultError(SmttaskError, ValueError):
    """A path given to :func:`explain_result` is not a stored result of the ``local`` backend."""


@dataclass(frozen=True)
class Difference:
    """One input that differs between a stored result's key and the task's."""

    #: Dotted path to the input, through upstream tasks (``f.dt``).
    path: str
    #: The value in the stored result's key pre-image (canonical JSON text), or :data:`ABSENT`.
    stored: str
    #: The value in the task's key pre-image, or :data:`ABSENT`.
    current: str
    #: The upstream tasks the path goes through, outermost first: ``(input, task name, old key, new key)``,
    #: each input's path relative to the task before it (``f``, then ``src``, for ``f.src.dt``).
    via: tuple[tuple[str, str, str, str], ...] = ()

    def describe(self) -> str:
        """``f.dt: 0.1 -> 0.2  (in upstream filt, key 90a6eec8 -> 77aa01c2, so this key changed)``."""
        text = f"{self.path}: {self.stored} -> {self.current}"
        if self.via:
            chain = " in ".join(f"upstream {name}, key {old[:8]} -> {new[:8]}" for _, name, old, new in reversed(self.via))
            text += f"  (in {chain}, so this key changed)"
        return text


@dataclass(frozen=True)
class Candidate:
    """A stored result of the same task, and how its key differs from the task's."""

    key: str
    #: Where it is stored (its manifest).
    location: str
    record: str | None
    written: str | None
    #: The first :data:`SHOWN_DIFFERENCES` differences, in path order.
    differences: tuple[Difference, ...]
    #: How many inputs differ in all.
    count: int
    #: Why the keys differ when no input does (the task's version changed).
    other: str | None = None


@dataclass(frozen=True)
class Explanation:
    """Whether *task*'s result is in memory, stored or not, and why (``str()`` gives the report)."""

    taskname: str
    key: str
    status: Status
    #: Where the stored result is (its manifest), for a stored result.
    location: str | None = None
    #: The record of the run that computed it, if the result names one.
    record: str | None = None
    written: str | None = None
    #: What changed in the code since the result was stored (falsy: nothing); None when unknown.
    code_change: CodeChange | None = None
    #: For a miss, the stored results of the same task that are nearest, nearest first.
    nearest: tuple[Candidate, ...] = ()
    #: How many stored results of the task were compared.
    compared: int = 0
    notes: tuple[str, ...] = field(default=())
    #: The project's ``on_code_change``: what a hit does when :attr:`code_change` is not empty.
    on_code_change: str = "warn"

    @property
    def hit(self) -> bool:
        """Whether running the task now would use a result rather than compute it."""
        if self.status == "stored" and self.code_change and self.on_code_change == "recompute":
            return False
        return self.status in ("memory", "stored")

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """The report, where IPython shows a value (a cell ending in ``task.why()``)."""
        printer.text(str(self))

    def _repr_html_(self) -> str:
        """The report in a notebook's HTML output, as preformatted text."""
        import html

        return f"<pre>{html.escape(str(self))}</pre>"

    def lines(self) -> Iterator[str]:
        """The report, line by line."""
        head = f"{self.taskname} (key {self.key})"
        if self.status == "memory":
            yield f"{head}: in memory in this process; a run uses it."
        elif self.status == "stored":
            yield f"{head}: stored; " + ("a run loads it." if self.hit else "a run computes it again (its code changed).")
        elif self.status == "never stored":
            yield f"{head}: not stored by design (a memoized or unpure task); a run computes it."
        else:
            yield f"{head}: not stored; a run computes it."
        if self.location:
            yield f"  result   {self.location}"
        if self.status in ("memory", "stored") or self.location:
            yield f"  record   {self.record or 'none (not recorded)'}"
        if self.written:
            yield f"  written  {self.written}"
        if self.code_change is not None:
            if self.code_change:
                yield f"  code     changed since: {self.code_change.describe()}"
                yield f"           {_CODE_CHANGE_EFFECT.get(self.on_code_change, '')}"
            else:
                yield "  code     unchanged since"
        yield from (f"  {note}" for note in self.notes)
        if self.status != "not stored":
            return
        if not self.compared:
            yield "  No stored result of this task to compare with."
            return
        plural = "s" if self.compared != 1 else ""
        yield f"  {self.compared} stored result{plural} of {self.taskname}, nearest first:"
        for candidate in self.nearest:
            count = candidate.count
            record = f", record {candidate.record}" if candidate.record else ""
            written = f", written {candidate.written}" if candidate.written else ""
            what = f"{count} difference{'s' if count != 1 else ''}" if count else candidate.other or "no input differs"
            yield f"  - key {candidate.key}{record}{written}: {what}"
            for difference in candidate.differences[:SHOWN_DIFFERENCES]:
                yield f"      {difference.describe()}"
            if count > SHOWN_DIFFERENCES:
                yield f"      ... and {count - SHOWN_DIFFERENCES} more"


_CODE_CHANGE_EFFECT = {
    "warn": 'on_code_change = "warn": a run uses it, with a warning (`smttask accept` if the change is cosmetic)',
    "recompute": 'on_code_change = "recompute": a run computes it again (`smttask accept` if the change is cosmetic)',
    "ignore": 'on_code_change = "ignore": a run uses it',
}


def explain(task: Task, project: Project | None = None, *, nearest: int = NEAREST) -> Explanation:
    """Explain *task*'s hit or miss in *project* (the current one by default).

    A hit names where the result is, its record and whether the code changed
    since; a miss lists the *nearest* stored results of the same task with the
    inputs that differ from each.
    """
    from .project import current_project

    project = project or current_project()
    with project.activate():
        return _explain(task, project, nearest)


def _explain(task: Task, project: Project, nearest: int) -> Explanation:
    from .errors import CorruptResultError
    from .storage.base import StorageBackend

    key = task.digest
    in_memory = task.cache and not task.unpure and project.memory.get(key) is not None
    if not task.store or task.unpure:
        return Explanation(task.taskname, key, "memory" if in_memory else "never stored")
    storage = project.storage
    notes: tuple[str, ...] = ()
    found = storage.manifests(task, key)  # one read of the manifest says all a hit needs
    if found:
        location, manifest = found[0]
        record = manifest_record(manifest)
    else:  # a backend that cannot list manifests, or a manifest it cannot read: ask it plainly
        location, manifest, record = None, {}, None
        try:
            stored = storage.locate(task)
        except CorruptResultError as exc:
            stored = None
            notes = (f"its stored result is unusable, so it is computed again: {one_line(str(exc), 300)}",)
        if stored is not None:
            location, record = ", ".join(map(str, stored.files)), stored.record
    if location is not None:
        return Explanation(
            task.taskname, key, "memory" if in_memory else "stored", location=location, record=record,
            written=manifest_text(manifest, "written"), code_change=_code_change(manifest, task.task_function),
            on_code_change=project.config.on_code_change,
        )
    if in_memory:
        return Explanation(task.taskname, key, "memory", notes=("not stored: computed in this process",))
    if type(storage).manifests is StorageBackend.manifests:
        notes = (*notes, f"the '{storage.name}' storage backend cannot list its results to compare with")
    comparison = _Comparison(task, project)
    stored_results = storage.manifests(task)
    closest = sorted(stored_results, key=lambda found: comparison.shallow(found[1]))[: max(nearest, FULLY_COMPARED)]
    candidates = [comparison.candidate(location, manifest) for location, manifest in closest]
    candidates.sort(key=lambda c: c.written or "", reverse=True)  # then, stably: fewest differences first
    candidates.sort(key=lambda c: c.count)
    return Explanation(task.taskname, key, "not stored", nearest=tuple(candidates[:nearest]),
                       compared=len(stored_results), notes=notes)


class _Comparison:
    """Compares stored key pre-images with *task*'s, following upstream tasks through their manifests."""

    def __init__(self, task: Task, project: Project) -> None:
        self.task = task
        self.project = project
        self.preimage = key_preimage(task, project)
        self.upstream: dict[str, Task] = {}
        stack = [t for value in task.inputs.values() for t in iter_tasks(value)]
        while stack:
            current = stack.pop()
            if current.digest not in self.upstream:
                self.upstream[current.digest] = current
                stack.extend(t for value in current.inputs.values() for t in iter_tasks(value))
        self._preimages: dict[str, Any] = {}
        self._stored: dict[tuple[str, str], dict[str, Any] | None] = {}

    def candidate(self, location: str, manifest: dict[str, Any]) -> Candidate:
        differences, count = self.differences(manifest.get("inputs"), self.preimage)
        other = None
        if not count and manifest.get("version") != self.task.version:
            other = f"the task's version changed ({manifest.get('version')!r} -> {self.task.version!r})"
        return Candidate(str(manifest.get("key")), location, manifest_record(manifest),
                         manifest_text(manifest, "written"), tuple(differences), count, other)

    def shallow(self, manifest: dict[str, Any]) -> int:
        """How many of the task's inputs differ from the stored result's, not looking inside them: a cheap rank."""
        stored = manifest.get("inputs")
        if not isinstance(stored, dict):
            return len(self.preimage) + 1
        return sum(stored.get(name, ABSENT) != self.preimage.get(name, ABSENT) for name in {*stored, *self.preimage})

    def differences(self, stored: Any, current: Any) -> tuple[list[Difference], int]:
        """The first :data:`SHOWN_DIFFERENCES` leaves where the pre-images *stored* and *current* differ, and how many differ.

        Walked with a stack, not recursion (a chain of upstream tasks may be
        deeper than Python's recursion limit); paths and upstream steps are kept
        as linked pairs, so a step costs the same at any depth.
        """
        found: list[Difference] = []
        count = 0
        # (path, path since the last upstream task, upstream steps, stored value, current value)
        stack: list[tuple[_Link, _Link, _Link, Any, Any]] = [(None, None, None, stored, current)]
        while stack:
            path, relative, via, old, new = stack.pop()
            if old == new:
                continue
            old_key, new_key = _task_key(old), _task_key(new)
            if old_key is not None and new_key is not None:
                upstream = self.upstream.get(new_key)
                old_inputs = self._stored_inputs(upstream, old_key) if upstream is not None else None
                if upstream is not None and old_inputs is not None:
                    step = (_dotted(relative), upstream.taskname, old_key, new_key)
                    stack.append((path, None, (via, step), old_inputs, self._preimage(upstream)))
                    continue
                old, new = f"task {old_key}", f"task {new_key}"
            elif _is_plain_dict(old) and _is_plain_dict(new):
                for name in sorted({*old, *new}, reverse=True):
                    part = str(name)
                    stack.append(((path, part), (relative, part), via, old.get(name, ABSENT), new.get(name, ABSENT)))
                continue
            elif _same_type(old, new):
                stack.append((path, relative, via, old["value"], new["value"]))
                continue
            elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
                for index in reversed(range(len(old))):
                    part = str(index)
                    stack.append(((path, part), (relative, part), via, old[index], new[index]))
                continue
            else:
                old, new = _shown(old), _shown(new)
            count += 1
            if len(found) < SHOWN_DIFFERENCES:
                found.append(Difference(_dotted(path) or "(inputs)", old, new, tuple(_unlinked(via))))
        return found, count

    def _preimage(self, task: Task) -> Any:
        found = self._preimages.get(task.digest)
        if found is None:
            found = self._preimages[task.digest] = key_preimage(task, self.project)
        return found

    def _stored_inputs(self, upstream: Task, key: str) -> Any:
        """The key pre-image of *upstream*'s type's stored result *key*, or None when it is not stored."""
        ident = (upstream.taskname, key)
        if ident not in self._stored:
            found = self.project.storage.manifests(upstream, key) if upstream.store else []
            self._stored[ident] = found[0][1] if found else None
        manifest = self._stored[ident]
        return None if manifest is None else manifest.get("inputs")


def explain_result(path: str | Path, project: Project | None = None) -> Explanation:
    """Explain a stored result of the ``local`` backend from one of its files (an output or the manifest).

    Says which task and record it came from and whether the task's code has
    changed since (importing the task's module, as reading its task file would).
    """
    from .project import current_project
    from .storage.formats import parse_json, read_bytes
    from .storage.manifest import MANIFEST_VERSION

    project = project or current_project()
    manifest_path = _manifest_of(Path(path))
    try:
        manifest = parse_json(read_bytes(os.fspath(manifest_path)))
    except FileNotFoundError:
        raise NotAResultError(f"{path} is not a stored result: {manifest_path.name} is missing beside it") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise NotAResultError(f"{manifest_path} is not a readable result manifest: {one_line(str(exc), 200)}") from None
    if not isinstance(manifest, dict) or manifest.get("smttask_result") != MANIFEST_VERSION:
        raise NotAResultError(f"{manifest_path} is not an smttask result manifest")
    identity = manifest_text(manifest, "task") or "?"
    key = manifest_text(manifest, "key") or "?"
    code_change, notes = None, ()
    with project.activate():
        try:
            task_class = _task_class(identity, str(manifest_path))
        except SmttaskError as exc:
            notes = (f"code     cannot be compared: {one_line(str(exc), 300)}",)
        else:
            code_change = _code_change(manifest, task_class.task_function)
            identity = task_class.taskname
    return Explanation(identity, key, "stored", location=os.fspath(manifest_path), record=manifest_record(manifest),
                       written=manifest_text(manifest, "written"), code_change=code_change, notes=notes,
                       on_code_change=project.config.on_code_change)


def _manifest_of(path: Path) -> Path:
    from .storage.layout import MANIFEST_SUFFIX

    if path.name.endswith(MANIFEST_SUFFIX):
        return path
    key = path.name[:32]
    if len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
        raise NotAResultError(f"{path} is not a stored result: its name does not start with a 32-digit key")
    return path.with_name(f"{key}{MANIFEST_SUFFIX}")


def _task_class(identity: str, label: str) -> Any:
    from .taskfile import import_task_class

    module, _, qualname = identity.partition(":")
    return import_task_class(label, module, qualname)


def _code_change(manifest: dict[str, Any], function: Any) -> CodeChange | None:
    if "code" not in manifest:
        return None
    return compare(manifest["code"], code_fingerprint(function))


def _task_key(value: Any) -> str | None:
    if isinstance(value, dict) and value.get(TYPE_TAG) == "task" and isinstance(value.get("value"), str):
        return value["value"]
    return None


def _is_plain_dict(value: Any) -> bool:
    return isinstance(value, dict) and TYPE_TAG not in value


def _same_type(old: Any, new: Any) -> bool:
    return (isinstance(old, dict) and isinstance(new, dict) and TYPE_TAG in old
            and old.get(TYPE_TAG) == new.get(TYPE_TAG) and "value" in old and "value" in new)


#: A path or a chain of upstream steps as linked pairs ``(parent, last)``, None when empty.
_Link = tuple[Any, Any] | None


def _unlinked(link: _Link) -> list[Any]:
    items = []
    while link is not None:
        link, last = link
        items.append(last)
    items.reverse()
    return items


def _dotted(path: _Link) -> str:
    return ".".join(_unlinked(path))




def _shown(value: Any, limit: int = 60) -> str:
    if value is ABSENT:
        return ABSENT
    return one_line(canonical_json(value), limit)
