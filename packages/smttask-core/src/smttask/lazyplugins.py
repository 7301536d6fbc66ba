"""A pluggy plugin manager that imports an installed plugin when a hook it implements is first used.

Importing every installed plugin (its package, its plugin module and what
those import) costs every process, although a short script uses one or two
hooks. The entry-point cache remembers which hooks each plugin implements
(:mod:`smttask.entrypoints`), so a plugin can wait, *deferred*: the hooks it
implements are held back from ``manager.hook`` until one of them is first
looked up there; then every deferred plugin implementing that hook is imported
and registered, and the hook is called as if they had all been registered from
the start. Whatever lists plugins (``list_name_plugin``, ``get_plugins``,
``get_hookcallers``, ``is_registered``) loads them all first, so ``smttask
plugins`` shows every one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import pluggy


def implemented_hooks(manager: pluggy.PluginManager, plugin: object) -> tuple[str, ...]:
    """The names of the hooks *plugin* implements, found as pluggy's ``register`` finds them."""
    names = set()
    for attribute in dir(plugin):
        options = manager.parse_hookimpl_opts(plugin, attribute)
        if options is not None:
            names.add(options.get("specname") or attribute)
    return tuple(sorted(names))


class _Deferred(NamedTuple):
    hooks: frozenset[str]
    load: Callable[[], None]  # imports the plugin and registers it (or warns that it failed)


class _Relay(pluggy.HookRelay):
    """``manager.hook``: a hook held back for deferred plugins is not an attribute until they are loaded.

    The manager sits in a slot, out of ``__dict__``, which pluggy reads as the list of hooks.
    """

    __slots__ = ("_manager",)

    def __init__(self, manager: LazyPluginManager) -> None:
        self._manager = manager

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._manager._release(name)


class LazyPluginManager(pluggy.PluginManager):
    """pluggy's plugin manager, where an installed plugin may wait until a hook it implements is used."""

    def __init__(self, project_name: str) -> None:
        super().__init__(project_name)
        self.__dict__["hook"] = _Relay(self)
        self._deferred: dict[str, _Deferred] = {}
        self._held: dict[str, Any] = {}  # hook name -> its HookCaller, out of ``hook`` while deferred plugins wait
        self._lock = threading.RLock()
        self._loader: int | None = None  # the thread registering deferred plugins

    def defer(self, name: str, hooks: Iterable[str], load: Callable[[], None]) -> bool:
        """Let plugin *name*, implementing *hooks*, be loaded by *load* when one of them is first used.

        False (nothing deferred) when a hook has no specification here: the
        plugin must then be loaded now, as pluggy makes hooks without a
        specification only while registering a plugin.
        """
        hooks = frozenset(hooks)
        with self._lock:
            known = self.hook.__dict__
            if any(hook not in known and hook not in self._held for hook in hooks):
                return False
            for hook in hooks:
                if hook in known:
                    self._held[hook] = known.pop(hook)
            self._deferred[name] = _Deferred(hooks, load)
        return True

    @property
    def deferred(self) -> list[str]:
        """The names of the plugins not imported yet."""
        return list(self._deferred)

    def _release(self, hook: str) -> Any:
        """The caller of *hook*, after loading every deferred plugin that implements it."""
        with self._lock:
            caller = self._held.get(hook)
            if caller is None:
                try:
                    return self.hook.__dict__[hook]  # released meanwhile by another thread
                except KeyError:
                    raise AttributeError(hook) from None
            if self._loader == threading.get_ident():
                return caller  # a deferred plugin being registered adds its implementation here
            self._load([name for name, deferred in self._deferred.items() if hook in deferred.hooks])
            self.hook.__dict__[hook] = self._held.pop(hook)
            return caller

    def _load(self, names: Iterable[str]) -> None:
        with self._lock:
            previous, self._loader = self._loader, threading.get_ident()
            try:
                for name in list(names):
                    deferred = self._deferred.pop(name, None)
                    if deferred is not None:
                        deferred.load()
            finally:
                self._loader = previous

    def load_all(self) -> None:
        """Import and register every deferred plugin now."""
        with self._lock:
            self._load(list(self._deferred))
            self.hook.__dict__.update(self._held)
            self._held.clear()

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        with self._lock:
            if name is not None and self._loader != threading.get_ident():
                self._deferred.pop(name, None)  # registered explicitly: it no longer waits
            return super().register(plugin, name)

    def set_blocked(self, name: str) -> None:
        with self._lock:
            self._deferred.pop(name, None)
            super().set_blocked(name)

    def get_plugin(self, name: str) -> Any | None:
        if name in self._deferred:
            self._load([name])
        return super().get_plugin(name)

    def unregister(self, plugin: Any | None = None, name: str | None = None) -> Any | None:
        self.load_all()
        return super().unregister(plugin, name)

    def is_registered(self, plugin: Any) -> bool:
        if not super().is_registered(plugin) and self._deferred:
            self.load_all()
        return super().is_registered(plugin)

    def get_plugins(self) -> set[Any]:
        self.load_all()
        return super().get_plugins()

    def list_name_plugin(self) -> list[tuple[str, Any]]:
        self.load_all()
        return super().list_name_plugin()

    def list_plugin_distinfo(self) -> list[tuple[Any, Any]]:
        self.load_all()
        return super().list_plugin_distinfo()

    def get_hookcallers(self, plugin: Any) -> list[Any] | None:
        self.load_all()
        return super().get_hookcallers(plugin)

    def check_pending(self) -> None:
        self.load_all()
        super().check_pending()
