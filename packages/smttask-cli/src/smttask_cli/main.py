"""The ``smttask`` console script: a click group whose commands come from plugins.

Every command, the built-in ``run``, ``show`` and ``plugins`` included, is added
through the ``smttask_cli_commands`` hook (see :mod:`smttask_cli.plugin`), so a
package such as smttask-sumatra adds ``smttask project init`` the same way.
A plugin that fails to load or to add its commands costs a warning, never the
whole command line.
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .lazycommands import LazyCommands, Loader
from .state import CliState

if TYPE_CHECKING:
    import pluggy

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


#: Commands other distributions add, so that a missing one names what to install.
PLUGIN_COMMANDS = {
    "project": "smttask-sumatra",
    "records": "smttask-sumatra",
    "store": "smttask-sumatra",
    "smt": "smttask-sumatra",
    "graph": "smttask-viz",
    "snakemake": "smttask-snakemake",
}


class SmttaskGroup(click.Group):
    """The command group; a second command under an existing name is refused with a warning.

    A command may be added by name and a function that imports it
    (:meth:`add_lazy_command`), so that a start imports only the command it runs
    (see :mod:`smttask_cli.lazycommands`). A command that a distribution which
    is not installed would add is an error naming that distribution, rather
    than click's bare "No such command".
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: LazyCommands = LazyCommands(self.commands, report=warn)

    def add_lazy_command(self, name: str, load: Loader) -> None:
        """Add command *name*, which *load* imports and returns when it is first looked up."""
        if name in self.commands:
            warn(f"two plugins add a command named '{name}'; keeping the first. Uninstall one of them.")
            return
        self.commands.add_lazy(name, load)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        package = PLUGIN_COMMANDS.get(name)
        if package is not None and name not in self.commands:
            ctx.fail(
                f"'smttask {name}' comes with {package}, which is not installed here; "
                f"install it (`pip install {package}`, or from a clone `pip install ./packages/{package}`)."
            )
        return super().resolve_command(ctx, args)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        existing = self.commands.get(name or "")
        if existing is not None and existing is not cmd:
            warn(
                f"two plugins add a command named '{name}' ({_origin(existing)} and {_origin(cmd)}); "
                "keeping the first. Uninstall one of them."
            )
            return
        super().add_command(cmd, name)


def _origin(cmd: click.Command) -> str:
    return getattr(cmd.callback, "__module__", None) or "unknown module"


_PYTHON_SHOWWARNING = warnings.showwarning


def warn(message: str) -> None:
    """Print a warning of the command line itself to stderr."""
    click.echo(f"smttask: warning: {message}", err=True)


def load_plugin_manager() -> pluggy.PluginManager:
    """The plugin manager with every installed plugin that loads; core skips a broken
    plugin with a warning, which is shown here as a warning of the command line."""
    from smttask import make_plugin_manager
    from smttask.errors import PluginLoadWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PluginLoadWarning)
        manager = make_plugin_manager()
    for warning in caught:
        if issubclass(warning.category, PluginLoadWarning):
            warn(str(warning.message))
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return manager


def add_plugin_commands(cli: click.Group, manager: pluggy.PluginManager) -> None:
    """Call each plugin's ``smttask_cli_commands`` in hook order; one that raises is reported and skipped."""
    from . import plugin as builtin

    if not manager.is_registered(builtin):
        manager.register(builtin, name="cli")
    for impl in reversed(manager.hook.smttask_cli_commands.get_hookimpls()):
        arguments = {"cli": cli}
        try:
            impl.function(*(arguments[name] for name in impl.argnames))
        except Exception as exc:
            warn(f"plugin '{_plugin_label(impl)}' failed to add its commands: {type(exc).__name__}: {exc}")


def _plugin_label(impl: Any) -> str:
    """A plugin's registered name, or its module or class name when it was registered without one."""
    if not impl.plugin_name.isdigit():
        return impl.plugin_name
    plugin = impl.plugin
    return getattr(plugin, "__name__", None) or type(plugin).__name__


def _version_message() -> str:
    import platform

    import smttask

    return (
        f"smttask {__version__} (smttask-core {smttask.__version__}, "
        f"Python {platform.python_version()})"
    )


def build_cli(plugin_manager: pluggy.PluginManager | None = None, *, console: bool = False) -> click.Group:
    """The ``smttask`` command group with the commands of every plugin of *plugin_manager*.

    Tests pass a manager built with ``make_plugin_manager(load_entry_points=False)``.
    *console* says the group runs as the ``smttask`` program (see :attr:`CliState.console`).
    """
    manager = plugin_manager if plugin_manager is not None else load_plugin_manager()

    def show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            click.echo(_version_message())
            ctx.exit()

    @click.group(cls=SmttaskGroup, context_settings=CONTEXT_SETTINGS)
    @click.option(
        "--version", is_flag=True, expose_value=False, is_eager=True, callback=show_version,
        help="Show the versions of smttask, smttask-core and Python, and exit.",
    )
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        """smttask: run task files at scale, inspect tasks, list plugins.

        Tasks are saved as task files with task.save(directory); 'smttask run'
        runs them, many at a time with -n N. The project (its data directory and
        configuration) is found from the working directory, as git finds its
        repository.

        Shell completion (bash; zsh and fish alike): add
        eval "$(_SMTTASK_COMPLETE=bash_source smttask)" to ~/.bashrc.
        """
        ctx.obj = CliState(manager, console=console)

    add_plugin_commands(cli, manager)
    return cli


def main(argv: list[str] | None = None, *, console: bool = False) -> Any:
    """Run ``smttask`` with *argv* (default: the command line) in this process; *console*: as its own program."""
    warnings.showwarning = _show_warning
    return build_cli(console=console).main(args=argv, prog_name="smttask", complete_var="_SMTTASK_COMPLETE")


def console_script() -> Any:
    """Entry point of the ``smttask`` console script: :func:`main`, in a process of its own."""
    return main(console=True)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """smttask's own warnings as one line, ``warning: CodeChangedWarning: MESSAGE``: the line of code
    Python would name is the console script's, which tells a user of the command nothing."""
    from smttask.errors import SmttaskWarning

    if issubclass(category, SmttaskWarning):
        stream = sys.stderr if file is None else file
        stream.write(f"warning: {category.__name__}: {message}\n")
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)


if __name__ == "__main__":  # pragma: no cover - `python -m smttask_cli.main`
    sys.exit(console_script())
