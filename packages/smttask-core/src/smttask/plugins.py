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
    from importlib.metadata import entry_points

    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if manager.get_plugin(entry_point.name) is not None or manager.is_blocked(entry_point.name):
            continue
        try:
            plugin = entry_point.load()
            manager.register(plugin, name=entry_point.name)
        except Exception as exc:
            dist = entry_point.dist.name if entry_point.dist else "?"
            warn_user(
                f"The smttask plugin '{entry_point.name}' (from {dist}) failed to load and is "
                f"skipped: {type(exc).__name__}: {exc}. Reinstall or uninstall {dist}.",
                PluginLoadWarning,
            )


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
