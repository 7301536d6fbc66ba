"""Components named by plugins without importing them: a name and where the class lives.

A registration hook (storage backends, recorders, executors, visualizers) may
return a :class:`Component` instead of a class: the project then knows the
component's name at once and imports its module only when that component is
chosen. A process whose project uses the ``local`` storage never imports the
module of another plugin's backend, and so never pays for its imports.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from .errors import ComponentError


@dataclass(frozen=True)
class Component:
    """A component known by *name*, loaded from *target* (``"module:QualifiedName"``) when first used.

    ``Component("dask", "smttask_dask.executor:DaskExecutor")`` names the
    executor ``dask``; the class it loads must have that same ``name``.
    """

    name: str
    target: str

    def __post_init__(self) -> None:
        module, sep, attribute = self.target.partition(":")
        if not (sep and module.strip() and attribute.strip()):
            raise ComponentError(
                f"The component '{self.name}' names {self.target!r}; write its target as 'module:ClassName'."
            )

    def load(self) -> Any:
        """The class (or object) at :attr:`target`, imported now; its ``name`` must be :attr:`name`."""
        module_name, _, attribute = self.target.partition(":")
        try:
            found: Any = importlib.import_module(module_name.strip())
            for part in attribute.strip().split("."):
                found = getattr(found, part)
        except (ImportError, AttributeError) as exc:
            raise ComponentError(
                f"The component '{self.name}' could not be loaded from {self.target!r}: "
                f"{type(exc).__name__}: {exc}. Reinstall the plugin that provides it."
            ) from exc
        if getattr(found, "name", None) != self.name:
            raise ComponentError(
                f"The component '{self.name}' loaded from {self.target!r} is named "
                f"{getattr(found, 'name', None)!r}; a component's class must carry the name it is registered under."
            )
        return found


def resolve(component: Any) -> Any:
    """*component* itself, or the class a :class:`Component` names (imported now)."""
    return component.load() if isinstance(component, Component) else component
