"""What the commands of one ``smttask`` invocation share: the plugin manager and the project."""

from __future__ import annotations

import dataclasses
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
    #: True when ``smttask`` runs as its own program (the console script), not called inside another
    #: one (a test, a notebook): then it may change what is process-wide, e.g. the garbage collector's.
    console: bool = False
    _project: Project | None = field(default=None, init=False, repr=False)
    #: Settings given on the command line, by plugin name, over the project's (see :meth:`set_plugin_setting`).
    plugin_settings: dict[str, dict[str, object]] = field(default_factory=dict, init=False)

    def set_plugin_setting(self, plugin: str, key: str, value: object) -> None:
        """Give the project's ``[plugin]`` setting *key* this *value* for this invocation (workers get it too).

        A plugin's option on a command (``smttask run --record-store``) calls it
        while the command line is read, before the project is built.
        """
        if self._project is not None:
            raise RuntimeError("set_plugin_setting() after the project was built has no effect")
        self.plugin_settings.setdefault(plugin, {})[key] = value

    def project(self) -> Project:
        """The project found from the working directory, with this invocation's plugin manager.

        The working directory and the project root go first on ``sys.path``, so
        task modules kept beside the task files import without installing them.
        """
        if self._project is None:
            from smttask import Project, SmttaskError

            try:
                project = Project(plugin_manager=self.plugin_manager)
                if self.plugin_settings:
                    plugins = dict(project.config.plugins)
                    for plugin, values in self.plugin_settings.items():
                        plugins[plugin] = {**plugins.get(plugin, {}), **values}
                    config = dataclasses.replace(project.config, plugins=plugins)
                    project = Project(project.root, config=config, plugin_manager=self.plugin_manager)
                self._project = project
            except SmttaskError as exc:
                raise click.ClickException(str(exc)) from None
            for directory in (str(self._project.root), os.getcwd()):
                if directory not in sys.path:
                    sys.path.insert(0, directory)
        return self._project
