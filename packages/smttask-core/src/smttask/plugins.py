"""The plugin manager factory, and selection of components by name."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from .errors import PluginConflictError, PluginLoadWarning, PluginNotFoundError
from .userwarnings import warn_user

if TYPE_CHECKING:
    import pluggy

    from .entrypoints import PluginEntry
    from .lazyplugins import LazyPluginManager

ENTRY_POINT_GROUP = "smttask"

#: The name core's own plugin module is registered under.
BUILTIN_PLUGIN_NAME = "core"
#: smttask's own components, registered by module name exactly like installed plugins
#: (so nothing in core imports the implementations but the plugin module itself).
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = ((BUILTIN_PLUGIN_NAME, "smttask.builtin_plugin"),)


def make_plugin_manager(*, load_entry_points: bool = True, plugins: Iterable[Any] = ()) -> pluggy.PluginManager:
    """A new plugin manager with smttask's hooks and built-ins registered.

    With *load_entry_points*, installed plugins (entry-point group ``smttask``)
    are registered too, each imported only when a hook it implements is first
    used (once its hooks are known, see :mod:`smttask.lazyplugins`); tests pass
    ``False`` and their own *plugins* for isolation.
    """
    import importlib

    from . import hookspecs
    from .lazyplugins import LazyPluginManager

    manager = LazyPluginManager("smttask")
    manager.add_hookspecs(hookspecs)
    for name, module in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(module), name=name)
    if load_entry_points:
        _load_entry_points(manager)
    for plugin in plugins:
        manager.register(plugin)
    return manager


def _load_entry_points(manager: LazyPluginManager) -> None:
    """Register every installed plugin, deferred when its hooks are known; one that fails is skipped.

    A plugin loaded now has its hooks learnt and remembered in the entry-point
    cache, so later processes can defer it.
    """
    from .entrypoints import installed_plugins, remember
    from .lazyplugins import implemented_hooks

    entries = installed_plugins()
    learnt = list(entries)
    for position, entry in enumerate(entries):
        if manager.get_plugin(entry.name) is not None or manager.is_blocked(entry.name):
            continue
        hooks = entry.known_hooks()
        if hooks is not None and manager.defer(entry.name, hooks, partial(_load_one, manager, entry)):
            continue
        plugin = _load_one(manager, entry)
        if plugin is not None:
            learnt[position] = entry.learnt(plugin, implemented_hooks(manager, plugin))
    if learnt != entries:
        remember(learnt)


def _load_one(manager: LazyPluginManager, entry: PluginEntry) -> object | None:
    """Import and register *entry*'s plugin; on failure warn (unless it was uninstalled since) and give None."""
    from .entrypoints import installed_plugins

    try:
        plugin = entry.load()
        manager.register(plugin, name=entry.name)
        return plugin
    except Exception as exc:
        # the cache may predate an uninstall: look again before blaming the plugin
        if any(e.name == entry.name for e in installed_plugins(fresh=True)):
            warn_user(
                f"The smttask plugin '{entry.name}' (from {entry.distribution}) failed to load and is "
                f"skipped: {type(exc).__name__}: {exc}. Reinstall or uninstall {entry.distribution}.",
                PluginLoadWarning,
            )
        return None


def components_by_name(kind: str, results: Iterable[Iterable[Any]]) -> dict[str, Any]:
    """Flatten registration-hook results into ``{name: component}``; a duplicate name is an error.

    A component is a class (or object) with a ``name``, or a
    :class:`~smttask.components.Component` naming one without importing it;
    :func:`select` loads the one chosen.
    """
    found: dict[str, Any] = {}
    for batch in results:
        for component in batch or ():
            name = component.name
            if name in found and found[name] is not component and found[name] != component:
                raise PluginConflictError(
                    f"Two plugins provide a {kind} named '{name}': {found[name]!r} and {component!r}. "
                    "Uninstall one of them."
                )
            found[name] = component
    return found


def select(kind: str, components: dict[str, Any], name: str) -> Any:
    """The component of *components* named *name*, its module imported now if it was only named."""
    from .components import Component

    try:
        component = components[name]
    except KeyError:
        raise PluginNotFoundError(kind, name, list(components)) from None
    if isinstance(component, Component):
        component = components[name] = component.load()
    return component
