"""The plugin manager factory, and selection of components by name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .errors import PluginConflictError, PluginLoadWarning, PluginNotFoundError
from .userwarnings import warn_user

if TYPE_CHECKING:
    import pluggy

ENTRY_POINT_GROUP = "smttask"

#: smttask's own components, registered by module name exactly like installed plugins
#: (so nothing in core imports the implementations but the plugin module itself).
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (("core", "smttask.builtin_plugin"),)


def make_plugin_manager(*, load_entry_points: bool = True, plugins: Iterable[Any] = ()) -> pluggy.PluginManager:
    """A new plugin manager with smttask's hooks and built-ins registered.

    With *load_entry_points*, installed plugins (entry-point group ``smttask``)
    are loaded too; tests pass ``False`` and their own *plugins* for isolation.
    """
    import importlib

    import pluggy

    from . import hookspecs

    manager = pluggy.PluginManager("smttask")
    manager.add_hookspecs(hookspecs)
    for name, module in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(module), name=name)
    if load_entry_points:
        _load_entry_points(manager)
    for plugin in plugins:
        manager.register(plugin)
    return manager


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    """Register every installed plugin; one that fails to load is skipped with a warning."""
    from .entrypoints import installed_plugins

    entries = installed_plugins()
    failed = _register(manager, entries)
    if failed:  # the cache may predate an uninstall: look again before blaming the plugin
        names = {entry.name for entry in failed}
        for entry, exc in _register(manager, [e for e in installed_plugins(fresh=True) if e.name in names]).items():
            warn_user(
                f"The smttask plugin '{entry.name}' (from {entry.distribution}) failed to load and is "
                f"skipped: {type(exc).__name__}: {exc}. Reinstall or uninstall {entry.distribution}.",
                PluginLoadWarning,
            )


def _register(manager: pluggy.PluginManager, entries: Iterable[Any]) -> dict[Any, Exception]:
    """Register the plugins of *entries* not registered or blocked yet; the ones that failed, with why."""
    failed = {}
    for entry in entries:
        if manager.get_plugin(entry.name) is not None or manager.is_blocked(entry.name):
            continue
        try:
            manager.register(entry.load(), name=entry.name)
        except Exception as exc:
            failed[entry] = exc
    return failed


def components_by_name(kind: str, results: Iterable[Iterable[Any]]) -> dict[str, Any]:
    """Flatten registration-hook results into ``{name: component}``; a duplicate name is an error."""
    found: dict[str, Any] = {}
    for batch in results:
        for component in batch or ():
            name = component.name
            if name in found and found[name] is not component:
                raise PluginConflictError(
                    f"Two plugins provide a {kind} named '{name}': {found[name]!r} and {component!r}. "
                    "Uninstall one of them."
                )
            found[name] = component
    return found


def select(kind: str, components: dict[str, Any], name: str) -> Any:
    try:
        return components[name]
    except KeyError:
        raise PluginNotFoundError(kind, name, list(components)) from None
