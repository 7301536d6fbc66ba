"""Running one task: memory tier, then storage, then computing (upstream tasks first).

:func:`run_task` walks the upstream tasks a run needs with an explicit stack,
deepest first, so a chain of any depth runs without recursion: each task is
looked up in the memory tier and in storage first, and only a task that is in
neither has its upstream tasks resolved and is then computed. The results of
upstream tasks are held only until every task of this run that uses them has
been computed.
"""

from __future__ import annotations

import copy
import time
from contextlib import ExitStack, nullcontext, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from .encoding import PLAIN_TYPES
from .errors import (
    CorruptResultError,
    CorruptResultWarning,
    InvalidValueError,
    ResultNotFoundError,
    SmttaskError,
    TaskInputError,
    TaskOutputError,
    UnpureKeyChangedWarning,
)
from .memory import MemoryEntry
from .plugins import BUILTIN_PLUGIN_NAME
from .userwarnings import warn_user
from .walk import is_task, iter_tasks

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pluggy import HookCaller

    from .project import Project
    from .storage import StorageBackend, StoredResult
    from .task import Task


@dataclass
class RunReport:
    """What :func:`run_task` did for the task it was given (not for its upstream tasks).

    Executors pass one in to report what really happened instead of guessing
    beforehand. *source* is where the result came from: ``"memory"``,
    ``"storage"``, ``"waited"`` (another process computed and stored it while
    this one waited for its claim) or ``"computed"``. *stored* is the result
    stored when it was computed here, so an executor naming its files need not
    read its manifest again.
    """

    source: Literal["memory", "storage", "waited", "computed"] | None = None
    stored: StoredResult | None = None


#: The hooks a task's run calls (see :func:`warm_up`).
RUN_HOOKS: tuple[str, ...] = (
    "smttask_cache_hit", "smttask_run_task", "smttask_task_started", "smttask_task_finished", "smttask_task_failed",
)


def warm_up(project: Project, tasks: Iterable[Task]) -> None:
    """Do now, once, what the first run of each of *tasks* in a process would do on top of the task itself:
    open the storage, load the recorders and the plugins a run calls, fingerprint the tasks' code.

    A process about to fork workers calls this, so that they inherit it all
    instead of each doing it during its first task (about 10 ms).
    """
    from .fingerprint import code_fingerprint

    project.storage  # noqa: B018 (opened on first use)
    with suppress(SmttaskError):  # a recorder that cannot be loaded fails the tasks that need it, later
        project.recorders  # noqa: B018
    for name in RUN_HOOKS:
        getattr(project.hook, name)
    for function in {task.task_function for task in tasks if task.store}:
        code_fingerprint(function)


#: What :func:`_cached` returns for a task no tier holds.
_MISS: Any = object()


class _Request(NamedTuple):
    """How one task of a run is run: the options of ``run()`` for the task asked for, defaults upstream.

    (A named tuple: a frozen dataclass costs ~0.35 ms more to define, on the way to every first result.)
    """

    recompute: bool = False
    cache: bool | None = None
    record: bool | None = None
    reason: str | None = None
    mmap: bool = False


def run_task(
    task: Task,
    project: Project,
    *,
    recompute: bool = False,
    cache: bool | None = None,
    record: bool | None = None,
    reason: str | None = None,
    mmap: bool = False,
    report: RunReport | None = None,
) -> Any:
    """Return *task*'s result, computing it only if no tier has it (see :meth:`Task.run`).

    *report*, if given, is told where the result came from.
    """
    # The common cases first (a memory hit, a disk hit), with nothing else to set up.
    if recompute:
        found = _MISS
    elif task.unpure:
        found = _cached_unpure(task, project, report)
    else:
        found = _cached_pure(task, project, cache, mmap, report)
    if found is not _MISS:
        return found
    asked = _Request(recompute, cache, record, reason, mmap)
    upstream_request = _Request(record=record)
    results: dict[int, Any] = {}  # id(task) -> result, for the upstream tasks of this run
    users: dict[int, int] = {}  # id(task) -> tasks of this run still to use its result
    counted: set[int] = set()
    tried = {id(task)}
    stack = [task]
    while stack:
        current = stack[-1]
        ident = id(current)
        if ident in results:
            stack.pop()
            continue
        request, current_report = (asked, report) if current is task else (upstream_request, None)
        if ident not in tried:
            tried.add(ident)
            found = _cached(current, project, request, current_report)
            if found is not _MISS:
                if current is task:
                    return found
                results[ident] = found
                stack.pop()
                continue
        children = _direct_upstream(current)
        if ident not in counted:
            counted.add(ident)
            for child in children:
                users[id(child)] = users.get(id(child), 0) + 1
        missing = [child for child in children if id(child) not in results]
        if missing:
            stack.extend(reversed(missing))
            continue
        result = _produce(current, project, request, current_report, results)
        if current is task:
            return result
        results[ident] = result
        stack.pop()
        for child in children:
            users[id(child)] -= 1
            if users[id(child)] == 0:  # a task needing it later looks it up in the tiers again
                results.pop(id(child), None)
                tried.discard(id(child))
                counted.discard(id(child))
    raise AssertionError("unreachable: the loop returns the result of the task asked for")


def _direct_upstream(task: Task) -> list[Task]:
    """The distinct upstream tasks in *task*'s inputs (not theirs), in input order."""
    found: dict[int, Task] = {}
    for name in task.deferred_inputs:
        for child in iter_tasks(task.inputs[name]):
            found.setdefault(id(child), child)
    return list(found.values())


def _cached(task: Task, project: Project, request: _Request, report: RunReport | None) -> Any:
    """*task*'s result from the memory tier or storage, or :data:`_MISS` (computes nothing)."""
    if request.recompute:
        return _MISS
    if task.unpure:
        return _cached_unpure(task, project, report)
    return _cached_pure(task, project, request.cache, request.mmap, report)


def _cached_unpure(task: Task, project: Project, report: RunReport | None) -> Any:
    """The unpure *task*'s result held by the task or kept in the memory tier, or :data:`_MISS`."""
    entry = task.held_result or project.memory.get(task.memory_key)
    if entry is None:
        return _MISS
    task.held_result = entry
    _tell(report, "memory")
    return entry.result


def _cached_pure(task: Task, project: Project, cache: bool | None, mmap: bool, report: RunReport | None) -> Any:
    """*task*'s result from the memory tier (unless *cache* is false) or storage, or :data:`_MISS`."""
    memoize = task.cache if cache is None else cache
    if memoize:
        entry = project.memory.get(task.digest)
        if entry is not None:
            _notify_cache_hit(task, project, "memory")
            _tell(report, "memory")
            return entry.result
    if not task.store:
        return _MISS
    values = _load(task, project, project.storage, mmap)
    if values is None:
        return _MISS
    _tell(report, "storage")
    return _remember(task, project, values, memoize)


def _produce(
    task: Task, project: Project, request: _Request, report: RunReport | None, upstream: dict[int, Any]
) -> Any:
    """Compute *task* (its upstream results are in *upstream*), store it and remember it."""
    _tell(report, "computed")
    if task.unpure:
        return _run_unpure(task, project, request.recompute, upstream)
    memoize = task.cache if request.cache is None else request.cache
    if not task.store:
        values = _compute(task, project, None, record=False, reason=request.reason, upstream=upstream)
        return _remember(task, project, values, memoize)
    storage = project.storage
    values = None
    while values is None:
        with storage.claim(task) as claim:
            if getattr(claim, "fresh_result", claim.waited and not request.recompute):
                # Another process stored the result while this one waited for the claim.
                values = _load(task, project, storage, request.mmap)
                _tell(report, "waited")
            if values is None and getattr(claim, "held", True):
                start_from = _resume_point(task, project, storage) if not request.recompute else {}
                values = _compute(
                    task,
                    project,
                    storage,
                    record=request.record,
                    reason=request.reason,
                    start_from=start_from,
                    upstream=upstream,
                    report=report,
                )
                _tell(report, "computed")
                if request.mmap:
                    values = _load(task, project, storage, request.mmap) or values
        # Not held and what appeared is unusable: claim again (and compute, unless another result appears).
    return _remember(task, project, values, memoize)


def _remember(task: Task, project: Project, values: dict[str, Any], memoize: bool) -> Any:
    """The result shaped from *values*, kept in the memory tier when *memoize*."""
    entry = task.shape_result(values)
    if memoize:
        project.memory.put(task.digest, entry)
    return entry.result


def _tell(report: RunReport | None, source: Literal["memory", "storage", "waited", "computed"]) -> None:
    if report is not None:
        report.source = source


def _notify_cache_hit(task: Task, project: Project, tier: str) -> None:
    _call_if_implemented(project.hook.smttask_cache_hit, task=task, project=project, tier=tier)


def load_output(task: Task, project: Project, name: str, *, mmap: bool = False) -> Any:
    """One stored output of *task*; :class:`ResultNotFoundError` if it has no stored result."""
    if name not in task.output_names:
        known = ", ".join(repr(n) for n in task.output_names)
        raise KeyError(f"Task '{task.taskname}' has no output named {name!r}; its outputs are {known}.")
    if not task.store:
        raise ResultNotFoundError(
            f"{task!r} is a {type(task).__mro__[1].__name__}, whose results are never stored; "
            "use task.run() to get its result."
        )
    values = _load(task, project, project.storage, mmap)
    if values is None:
        raise ResultNotFoundError(f"No stored result for {task!r} (key {task.digest}); run it first.")
    return values[name]


def _load(task: Task, project: Project, storage: StorageBackend, mmap: bool) -> dict[str, Any] | None:
    try:
        values = storage.load(task, mmap=mmap)
        if values is None:
            return None
        names = task.output_names
        if tuple(values) != names and set(values) != set(names):  # the same order, mostly
            raise CorruptResultError(f"stored outputs {sorted(values)} differ from {list(names)}")
        if not mmap:
            values = task.validate_outputs(values)
    except (CorruptResultError, TaskOutputError) as exc:
        warn_user(
            f"The stored result of {task.taskname} (key {task.digest}) is unusable and will be "
            f"recomputed: {exc}",
            CorruptResultWarning,
        )
        return None
    _notify_cache_hit(task, project, "storage")
    return values


def resolve_inputs(
    task: Task, project: Project, *, record: bool | None = None, upstream: dict[int, Any] | None = None
) -> dict[str, Any]:
    """The values passed to the task's function: upstream tasks replaced by their results.

    Results already resolved are taken from *upstream* (by task identity);
    any other upstream task is run now. *record* is passed on to upstream
    tasks run now (``run(record=False)`` records nothing upstream either).
    """
    registry = project.deferred_serializers
    resolved = {}
    for name, value in task.inputs.items():
        if name in task.deferred_inputs:
            value = _substitute(value, project, record, upstream or {})
            try:
                value = task.validate_input(name, value)
            except InvalidValueError as exc:
                raise TaskInputError(
                    f"Input '{name}' of task '{task.taskname}', computed by an upstream task, is invalid: {exc}"
                ) from None
        serializer = None if type(value) in PLAIN_TYPES else registry.for_type(type(value))
        if serializer is not None and serializer.mutable:
            value = copy.deepcopy(value)
        resolved[name] = value
    return resolved


def _substitute(value: Any, project: Project, record: bool | None, upstream: dict[int, Any]) -> Any:
    if is_task(value):
        result = upstream.get(id(value), _MISS)
        return run_task(value, project, record=record) if result is _MISS else result
    t = type(value)
    if t in (list, tuple, set, frozenset):
        return t(_substitute(v, project, record, upstream) for v in value)
    if t is dict:
        return {
            _substitute(k, project, record, upstream): _substitute(v, project, record, upstream)
            for k, v in value.items()
        }
    return value


def _resume_point(task: Task, project: Project, storage: StorageBackend) -> dict[str, Any]:
    """Inputs that continue an iterative task from its most advanced stored run (or ``{}``)."""
    mapping = getattr(task, "iteration_map", None)
    if mapping is None:
        return {}
    target = task.iterations  # type: ignore[attr-defined]
    for count in sorted((n for n in storage.iterations(task) if n < target), reverse=True):
        previous = task.with_iterations(count)  # type: ignore[attr-defined]
        values = _load(previous, project, storage, mmap=False)
        if values is not None:
            return {input_name: values[output] for output, input_name in mapping.items()}
    return {}


def _compute(
    task: Task,
    project: Project,
    storage: StorageBackend | None,
    *,
    record: bool | None,
    reason: str | None,
    start_from: dict[str, Any] | None = None,
    upstream: dict[int, Any] | None = None,
    report: RunReport | None = None,
) -> dict[str, Any]:
    # A disk hit needs neither: their module loads on the first miss.
    from .recording import RunInfo, signals_deferred

    inputs = resolve_inputs(task, project, record=record, upstream=upstream)
    for name, value in (start_from or {}).items():
        inputs[name] = task.validate_input(name, value)
    hook = project.hook
    recorder = project.recorder if task.recorded and record is not False else None
    run = RunInfo(
        task,
        reason if reason is not None else task.reason,
        inputs,
        task_file=task.task_file,
    )
    _call_if_implemented(hook.smttask_task_started, task=task, project=project)
    start = time.perf_counter()
    try:
        # Once the result is being stored, Ctrl-C and SIGTERM wait until the record is closed too
        # (the ExitStack ends after the recorder), so a stored result never has an unfinished record.
        with ExitStack() as finishing, recorder.record(run) if recorder is not None else nullcontext(run):
            run_task_hook = hook.smttask_run_task
            if _only_builtin(run_task_hook):
                result = task.execute(inputs)
            else:
                result = run_task_hook(task=task, project=project, compute=lambda: task.execute(inputs))
            values = task.parse_result(result)
            run.values = values
            run.outcome = "finished"
            if storage is not None:
                if recorder is not None and recorder.writes_records:
                    finishing.enter_context(signals_deferred())
                run.stored = storage.save(task, values, record=run.record_label)
                if report is not None:
                    report.stored = run.stored
    except BaseException as exc:
        _call_if_implemented(hook.smttask_task_failed, task=task, project=project, error=exc)
        raise
    _call_if_implemented(hook.smttask_task_finished, task=task, project=project,
                         duration=time.perf_counter() - start)
    return values


def _call_if_implemented(caller: HookCaller, **arguments: Any) -> None:
    """Call the hook *caller* if any plugin implements it (pluggy's call costs ~5 us even with none)."""
    if caller.get_hookimpls():
        caller(**arguments)


def _only_builtin(caller: HookCaller) -> bool:
    """True if core's own implementation (``compute()``) is the only one of the hook *caller*."""
    implementations = caller.get_hookimpls()
    return len(implementations) == 1 and implementations[0].plugin_name == BUILTIN_PLUGIN_NAME


def unpure_entry(
    task: Task, project: Project, recompute: bool = False, upstream: dict[int, Any] | None = None
) -> MemoryEntry:
    """The (memoized) result of an unpure task, from which its key is derived."""
    memo_key = task.memory_key
    if not recompute:
        entry = task.held_result or project.memory.get(memo_key)
        if entry is not None:
            task.held_result = entry
            return entry
    values = _compute(task, project, None, record=False, reason=None, upstream=upstream)
    entry = task.shape_result(values)
    project.memory.put(memo_key, entry)
    task.held_result = entry
    return entry


def _run_unpure(task: Task, project: Project, recompute: bool, upstream: dict[int, Any]) -> Any:
    if not recompute:
        return unpure_entry(task, project, upstream=upstream).result
    previous = task.held_result or project.memory.get(task.memory_key)
    entry = unpure_entry(task, project, recompute=True, upstream=upstream)
    new_key = task.output_digest(entry.values)
    old_key = task.adopt_key(new_key)
    if old_key is None and previous is not None:
        old_key = task.output_digest(previous.values)
    if old_key is not None and old_key != new_key:
        warn_user(
            f"Unpure task {task!r} was recomputed and its output changed (key {old_key[:12]}… → "
            f"{new_key[:12]}…). Tasks created from it before now refer to the old output; "
            "re-create them to use the new one.",
            UnpureKeyChangedWarning,
        )
    return entry.result
