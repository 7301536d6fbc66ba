"""What the commands of one ``smttask`` invocation share: the plugin manager and the project."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import pluggy

    from smttask import Project


@dataclass
class CliState:
    """Built once per invocation; commands get it with ``@click.pass_obj``."""

    plugin_manager: pluggy.PluginManager
    _project: Project | None = field(default=None, init=False, repr=False)

    def project(self) -> Project:
        """The project found from the working directory, with this invocation's plugin manager.

        The working directory and the project root go first on ``sys.path``, so
        task modules kept beside the task files import without installing them.
        """
        if self._project is None:
            from smttask import Project, SmttaskError

            try:
                self._project = Project(plugin_manager=self.plugin_manager)
            except SmttaskError as exc:
                raise click.ClickException(str(exc)) from None
            for directory in (str(self._project.root), os.getcwd()):
                if directory not in sys.path:
                    sys.path.insert(0, directory)
        return self._project
