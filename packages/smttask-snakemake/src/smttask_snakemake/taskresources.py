"""Per-task resources: what a job asks the executor for (threads, memory, run time, partition).

They come from the task type (``@resources(...)`` on top of the task decorator)
and from a task file's ``"resources"`` field, which wins name by name. The four
common names are checked; other names pass through to Snakemake unchanged as
resources (e.g. ``slurm_account``, ``constraint``, ``gpu``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import ResourceError

T = TypeVar("T")

#: Class attribute of a task type holding what ``@resources`` gave.
ATTRIBUTE = "snakemake_resources"
#: The task-file field read for per-file resources.
FIELD = "resources"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_COUNTS = ("threads", "mem_mb", "runtime")
#: Snakemake's resource names for the names smttask users write.
_RENAMED = {"partition": "slurm_partition"}


@dataclass(frozen=True)
class Resources:
    """What one job asks for: ``threads`` apart (Snakemake's ``threads:``), the rest as ``resources:``."""

    threads: int = 1
    values: tuple[tuple[str, int | str], ...] = field(default=())

    @property
    def resources(self) -> dict[str, int | str]:
        """The ``resources:`` of the rule, in Snakemake's names (``partition`` is ``slurm_partition``)."""
        return dict(self.values)


def check(given: Mapping[str, Any], where: str) -> dict[str, int | str]:
    """*given* checked: names are identifiers, threads/mem_mb/runtime positive integers, the rest int or str."""
    if not isinstance(given, Mapping):
        raise ResourceError(f"{where}: resources must be a JSON object (name: value), got {type(given).__name__}")
    checked: dict[str, int | str] = {}
    for name, value in given.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ResourceError(f"{where}: resource name {name!r} is not a name (letters, digits, _)")
        if name in _COUNTS:
            if type(value) is not int or value < 1:
                raise ResourceError(
                    f"{where}: resource '{name}' must be a positive integer"
                    f"{' (minutes)' if name == 'runtime' else ''}, got {value!r}"
                )
        elif type(value) not in (int, str) or (isinstance(value, str) and not value.isprintable()):
            raise ResourceError(f"{where}: resource '{name}' must be an integer or a string, got {value!r}")
        checked[name] = value
    return checked


def resources(**values: int | str) -> Callable[[T], T]:
    """Give a task type the resources each of its jobs asks for, e.g. ``@resources(threads=4, mem_mb=8000)``.

    Put it on top of the task decorator. ``runtime`` is in minutes; ``partition``
    becomes Snakemake's ``slurm_partition``. A task file's ``"resources"`` field
    overrides these name by name.
    """
    checked = check(values, "@resources")

    def decorate(cls: T) -> T:
        if not isinstance(cls, type):
            raise ResourceError(f"@resources goes on a task type (on top of @RecordedTask), not on {cls!r}")
        setattr(cls, ATTRIBUTE, checked)
        return cls

    return decorate


def of_task(task: Any, document: Mapping[str, Any] | None, where: str) -> Resources:
    """The resources of *task*, its type's then its task file's (*document*) ``"resources"`` field."""
    merged: dict[str, int | str] = dict(getattr(type(task), ATTRIBUTE, None) or {})
    if document is not None and FIELD in document:
        merged.update(check(document[FIELD], f"{where}: field '{FIELD}'"))
    threads = merged.pop("threads", 1)
    values = tuple(sorted((_RENAMED.get(name, name), value) for name, value in merged.items()))
    return Resources(int(threads), values)
