"""Where the Dask executor finds its scheduler: the call, ``--scheduler``, or ``[dask]`` in ``smttask.toml``.

``--scheduler`` is parsed by the ``smttask run`` command (see :mod:`smttask_dask.cli`) and handed to the
executor through :data:`CLI_SCHEDULER`, because executors are built by name with the options every executor
takes (``workers``, ``imports``); the project's ``[dask]`` table holds the same setting for every run.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import DaskSettingsError

if TYPE_CHECKING:
    from smttask import Project

#: The ``--scheduler`` address of the ``smttask run`` being executed (None outside one, or when not given).
CLI_SCHEDULER: ContextVar[str | None] = ContextVar("smttask_dask_cli_scheduler", default=None)

_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://\S+$")


@dataclass(frozen=True)
class DaskSettings:
    """The ``[dask]`` table of a project's configuration."""

    #: Address of a running scheduler (``tcp://host:8786``); empty: start a local cluster for each run.
    scheduler: str = ""

    @classmethod
    def of(cls, project: Project) -> DaskSettings:
        """The settings of *project*; unknown keys and wrong types are errors naming the file's table."""
        table: dict[str, Any] = dict(project.config.plugins.get("dask", {}))
        unknown = sorted(set(table) - {"scheduler"})
        if unknown:
            raise DaskSettingsError(
                f"unknown setting(s) {', '.join(unknown)} in the [dask] table of {project.root}'s configuration; "
                "the only one is 'scheduler' (e.g. scheduler = \"tcp://host:8786\")."
            )
        scheduler = table.get("scheduler", "")
        if not isinstance(scheduler, str):
            raise DaskSettingsError(
                f"[dask] scheduler in {project.root}'s configuration must be a string such as "
                f"\"tcp://host:8786\", got {scheduler!r}."
            )
        return cls(scheduler=check_address(scheduler, "[dask] scheduler") if scheduler else "")


def check_address(address: str, source: str | None = None) -> str:
    """*address* if it looks like a scheduler address (``tcp://host:port``), else a :class:`DaskSettingsError`.

    *source* (e.g. ``[dask] scheduler``) starts the message, when the caller does not say it already.
    """
    if not _ADDRESS.match(address):
        where = f"{source}: " if source else ""
        raise DaskSettingsError(
            f"{where}{address!r} is not a Dask scheduler address; give it as the scheduler prints it, "
            "e.g. tcp://10.0.0.5:8786."
        )
    return address
