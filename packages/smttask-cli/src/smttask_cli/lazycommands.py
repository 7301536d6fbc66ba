"""A command group's table of commands, where a command may be known by name before it is imported.

Every ``smttask`` start builds the whole command line, yet runs one command:
importing the modules of all the others cost each ``smttask run`` job (every
Snakemake job, every worker of a cluster) some 5 ms. A plugin can instead add
a command by name and a function that imports and returns it
(:meth:`smttask_cli.main.SmttaskGroup.add_lazy_command`); the command is then
imported when first looked up, as ``smttask NAME`` or ``cli.commands[NAME]``
does. Its name is known at once, so ``NAME in cli.commands`` and listing the
names import nothing; ``smttask --help``, which shows each command's help,
imports them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping

import click

#: Imports a command and returns it.
Loader = Callable[[], click.Command]


class CommandLoadError(click.ClickException):
    """A command known by name could not be imported; the message names it and the cause."""


class LazyCommands(MutableMapping[str, click.Command]):
    """Commands by name; one added with :meth:`add_lazy` is imported on first lookup, then kept.

    A name is in one of the two tables, never both: adding it again replaces it.
    """

    def __init__(
        self, commands: MutableMapping[str, click.Command] | None = None, *, report: Callable[[str], None] | None = None
    ) -> None:
        """*report*, if given, is told of an extension that failed (and the command is kept without it)."""
        self._report = report
        self._loaded: dict[str, click.Command] = dict(commands or {})
        self._lazy: dict[str, Loader] = {}
        self._on_load: dict[str, list[Callable[[], None]]] = {}

    def on_load(self, name: str, extend: Callable[[], None]) -> None:
        """Call *extend* once command *name* is imported; now if it is, or if there is no such command.

        A plugin extending another's command (an option for ``run``, a subcommand
        for ``store``) waits this way instead of importing it.
        """
        if name in self._lazy:
            self._on_load.setdefault(name, []).append(extend)
        else:
            extend()

    def add_lazy(self, name: str, load: Loader) -> None:
        """Know command *name*, which *load* imports and returns when it is first looked up."""
        self._loaded.pop(name, None)
        self._lazy[name] = load

    def __getitem__(self, name: str) -> click.Command:
        try:
            return self._loaded[name]
        except KeyError:
            load = self._lazy[name]
        try:
            command = load()
        except Exception as exc:
            raise CommandLoadError(
                f"the command '{name}' could not be loaded: {type(exc).__name__}: {exc}. "
                "Reinstall the package that provides it."
            ) from exc
        del self._lazy[name]
        self._loaded[name] = command
        for extend in self._on_load.pop(name, ()):
            try:
                extend()  # may put an extended copy in its place
            except Exception as exc:
                if self._report is None:
                    raise
                origin = getattr(getattr(extend, "func", extend), "__module__", None) or "a plugin"
                self._report(f"{origin} failed to extend the command '{name}': {type(exc).__name__}: {exc}")
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._lazy.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if self._lazy.pop(name, None) is None:
            del self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        # A copy of the names: looking one up while iterating (``items()`` does) moves it to the loaded.
        return iter([*self._loaded, *self._lazy])

    def __len__(self) -> int:
        return len(self._loaded) + len(self._lazy)

    @property
    def unloaded(self) -> list[str]:
        """The names of the commands not imported yet."""
        return list(self._lazy)
