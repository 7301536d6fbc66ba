"""The project: the explicit context every task runs in.

A project bundles a root directory, its configuration, a plugin manager, the
storage backend, the recorder and the in-memory cache. The current project is
found from the working directory (like git finds its repository) unless one is
activated explicitly with ``with Project(path).activate(): ...``.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config, find_project_root, load_config
from .errors import ConfigError
from .memory import MemoryCache
from .plugins import components_by_name, make_plugin_manager, select
from .serializers import DeferredRegistry, SerializerRegistry, user_registry

if TYPE_CHECKING:
    import pluggy

    from .components import Component
    from .execution import Executor
    from .recording import Recorder
    from .storage import OutputFormat, StorageBackend

_current: contextvars.ContextVar[Project | None] = contextvars.ContextVar("smttask_project", default=None)
_discovered: dict[Path, Project] = {}
_by_cwd: dict[str, Project] = {}
_discovered_lock = threading.Lock()


class Project:
    """A root directory with its configuration, plugins, storage, recorder and memory cache."""

    def __init__(
        self,
        root: str | Path | None = None,
        *,
        config: Config | None = None,
        plugin_manager: pluggy.PluginManager | None = None,
    ) -> None:
        if root is None:
            root = find_project_root(Path.cwd()) or Path.cwd()
        self.root = Path(root).resolve()
        self.config = config if config is not None else load_config(self.root)
        self._plugin_manager = plugin_manager
        self.memory = MemoryCache(self.config.memory_cache_size, self.config.memory_cache_bytes)

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    @property
    def data_dir(self) -> Path:
        """Where the storage backend keeps results."""
        return self.root / self.config.data

    @cached_property
    def plugin_manager(self) -> pluggy.PluginManager:
        return self._plugin_manager or make_plugin_manager()

    @property
    def hook(self) -> Any:
        return self.plugin_manager.hook

    @cached_property
    def serializers(self) -> SerializerRegistry:
        found = [s for batch in self.hook.smttask_value_serializers() for s in batch]
        return SerializerRegistry(found, parent=user_registry)

    @cached_property
    def deferred_serializers(self) -> DeferredRegistry:
        """:attr:`serializers`, built only when a value needs one (plain values do not)."""
        return DeferredRegistry(lambda: self.serializers)

    @cached_property
    def output_formats(self) -> list[OutputFormat]:
        return [fmt for batch in self.hook.smttask_output_formats() for fmt in batch]

    @cached_property
    def storage_backends(self) -> dict[str, type[StorageBackend] | Component]:
        return components_by_name("storage backend", self.hook.smttask_storage_backends())

    @cached_property
    def recorders(self) -> dict[str, type[Recorder] | Component]:
        return components_by_name("recorder", self.hook.smttask_recorders())

    @cached_property
    def executors(self) -> dict[str, type[Executor] | Component]:
        return components_by_name("executor", self.hook.smttask_executors())

    @cached_property
    def storage(self) -> StorageBackend:
        return select("storage backend", self.storage_backends, self.config.storage)(self)

    @cached_property
    def recorder(self) -> Recorder:
        name = self.config.recorder
        if name == "auto":
            named = [select("recorder", self.recorders, n) for n in list(self.recorders) if n != "none"]
            candidates = [cls for cls in named if cls.is_available(self)]
            if len(candidates) > 1:
                names = ", ".join(sorted(c.name for c in candidates))
                raise ConfigError(
                    f"Several recorders are available ({names}); choose one with the 'recorder' "
                    f"setting in {self.root / 'smttask.toml'}."
                )
            return (candidates[0] if candidates else select("recorder", self.recorders, "none"))(self)
        return select("recorder", self.recorders, name)(self)

    def executor(self, name: str | None = None, **options: Any) -> Executor:
        """A new executor (the configured one unless *name* is given)."""
        return select("executor", self.executors, name or self.config.executor)(self, **options)

    @contextmanager
    def activate(self) -> Iterator[Project]:
        """Make this the current project inside the ``with`` block."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)


def current_project() -> Project:
    """The activated project, or else the one found from the working directory."""
    project = _current.get()
    if project is not None:
        return project
    cwd = os.getcwd()
    project = _by_cwd.get(cwd)
    if project is None:
        root = find_project_root(Path(cwd)) or Path(cwd)
        with _discovered_lock:
            project = _discovered.setdefault(root, Project(root))
            _by_cwd[cwd] = project
    return project
