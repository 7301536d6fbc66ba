"""Building the Sumatra ``Record`` of one run, field by field, without Sumatra's launch path.

Sumatra's ``Project.new_record`` + ``Record.register`` scan the main file's
imports and probe the network (seconds per run); here every field is filled
from what smttask already knows. The result is an ordinary
``sumatra.records.Record``, so ``smt list``, ``smt view`` and ``smtweb`` read it.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import datakeys, environment
from .settings import ARRAY_INLINE_MAX

if TYPE_CHECKING:
    from smttask import Project
    from smttask.recording import RunInfo

    from .gitstate import CodeState
    from .smtproject import SumatraProject

#: Sumatra's timestamp format for labels (``sumatra.core.TIMESTAMP_FORMAT``).
LABEL_TIME_FORMAT = "%Y%m%d-%H%M%S"
#: Hex digits of the task key appended to a label.
LABEL_KEY_DIGITS = 6
STATUSES = ("running", "finished", "crashed", "killed")


@dataclass(frozen=True)
class RecordContext:
    """What every record of a project shares."""

    project: Project
    smt: SumatraProject
    repository: Path
    #: Largest array input (bytes) the parameters hold inline (the ``array_inline_max`` setting).
    array_inline_max: int = ARRAY_INLINE_MAX


def make_label(run: RunInfo) -> str:
    """``YYYYmmdd-HHMMSS_<first key digits>``: sortable, and tied to the result files' key.

    The store makes it unique when it is saved (see :meth:`RecordStore.save`).
    """
    return f"{run.started.strftime(LABEL_TIME_FORMAT)}_{run.task.digest[:LABEL_KEY_DIGITS]}"


def task_description(project: Project, task: Any, array_inline_max: int = ARRAY_INLINE_MAX) -> dict[str, Any]:
    """The task-file document of *task* (recorded as the record's parameters).

    Array inputs of more than *array_inline_max* bytes are stored once beside
    the results and the document refers to them by hash (see
    :mod:`smttask.storedarrays`), so a record does not copy them.
    """
    from smttask.storedarrays import StoredArrays
    from smttask.taskfile import describe

    with project.activate():
        return describe(task, StoredArrays.of(project, array_inline_max))


def main_file(task: Any) -> Path | None:
    """The file of the module defining *task*, if it has one."""
    module = sys.modules.get(task.module_name)
    file = getattr(module, "__file__", None)
    return Path(file).resolve() if file else None


def new_record(ctx: RecordContext, run: RunInfo, code: CodeState) -> Any:
    """A record in the ``_running_`` state, as it is saved before the task runs."""
    from sumatra.core import STATUS_FORMAT
    from sumatra.datastore import FileSystemDataStore
    from sumatra.launch import PlatformInformation, SerialLaunchMode
    from sumatra.parameters import JSONParameterSet
    from sumatra.records import Record

    task = run.task
    document = task_description(ctx.project, task, ctx.array_inline_max)
    parameters = JSONParameterSet(json.dumps(document, ensure_ascii=False))
    record = Record(
        executable=_executable(),
        repository=_repository(str(code.repository)),
        main_file=_main_file_text(main_file(task), code.repository),
        version=code.commit,
        launch_mode=SerialLaunchMode(working_directory=os.getcwd()),
        datastore=FileSystemDataStore(str(ctx.project.data_dir)),
        parameters=parameters,
        input_data=datakeys.array_keys(ctx.project, document, ctx.smt.input_root),
        script_arguments=task.taskname,
        label=make_label(run),
        reason=run.reason or "",
        diff=code.diff,
        user=environment.user(code.repository),
        on_changed=ctx.smt.on_changed,
        input_datastore=FileSystemDataStore(str(ctx.smt.input_root)),
        stdout_stderr="",
        timestamp=run.started,
    )
    record.add_tag(STATUS_FORMAT % "running")
    record.platforms = [PlatformInformation(**environment.platform_facts())]
    return record


def finish_record(
    ctx: RecordContext,
    record: Any,
    run: RunInfo,
    *,
    status: str,
    error: BaseException | None,
    duration: float,
    output: str | None,
) -> None:
    """Fill what is known once the task ended: status, outcome, data keys, output, packages."""
    from sumatra.core import STATUS_FORMAT
    from sumatra.dependency_finder.python import Dependency

    assert status in STATUSES, status
    record.add_tag(STATUS_FORMAT % status)
    record.duration = duration
    record.outcome = outcome_text(_values(ctx.project, run), error)
    if output is not None:
        record.stdout_stderr = output
    inputs = datakeys.input_keys(
        ctx.project,
        run.task,
        run.inputs,
        [*([run.task_file] if run.task_file else []), *run.input_files],
        ctx.smt.input_root,
    )
    listed = {key.path for key in inputs}
    # The stored arrays listed when the record was opened stay first.
    record.input_data = [*(key for key in record.input_data if key.path not in listed), *inputs]
    record.output_data = datakeys.output_keys(run.stored, ctx.project.data_dir, run.task.taskname)
    record.dependencies = [
        Dependency(p.name, p.path, p.version, "", p.distribution)
        for p in environment.imported_packages()
    ]


def _values(project: Project, run: RunInfo) -> dict[str, Any] | None:
    """The run's output values; if the engine did not pass them, the stored ``outcome`` output alone."""
    if run.values is not None or run.stored is None:
        return run.values
    out = run.stored.outputs.get("outcome")
    if out is None:
        return None
    from smttask.storage.formats import read_output

    if all(fmt.name != out.format for fmt in project.output_formats):
        return None
    with project.activate():
        return {"outcome": read_output(out, project)}


def outcome_text(values: dict[str, Any] | None, error: BaseException | None) -> str:
    """The record's outcome: the task's own ``outcome`` output, then the error's repr, if any."""
    lines: list[str] = []
    own = (values or {}).get("outcome")
    if isinstance(own, str):
        lines.append(own)
    elif isinstance(own, Sequence) and all(isinstance(x, str) for x in own):
        lines.extend(own)
    if error is not None:
        lines.append(repr(error))
        cause = error.__cause__
        if cause is not None:
            lines.append(f"caused by {cause!r}")
    return "\n".join(lines)


def _main_file_text(path: Path | None, repository: Path) -> str:
    if path is None:
        return ""
    try:
        return path.relative_to(repository).as_posix()
    except ValueError:
        return str(path)


def _executable() -> Any:
    from sumatra.programs import PythonExecutable

    return PythonExecutable(sys.executable, version=environment.python_version())


@functools.cache
def _repository(path: str) -> Any:
    from ._imports import git_repository_class

    return git_repository_class()(path)
