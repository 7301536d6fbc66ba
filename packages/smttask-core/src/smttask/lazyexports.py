"""A package's public names, each imported from its module on first access (PEP 562).

``import smttask`` and the plugin packages stay cheap this way: the names a
package's ``__init__`` lists load only when someone uses them. Each such
``__init__`` does ``__getattr__, __dir__ = lazy_exports(__name__, {name: module})``.
"""

from __future__ import annotations

import importlib
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see smttask/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any


def lazy_exports(package: str, modules: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of the package named *package*, whose public names *modules* maps to
    the modules defining them; a name, once imported, is kept in the package's namespace."""

    # The functions hold the package's namespace, as functions defined in the package would (their
    # __globals__). It then lives until the interpreter's last clean-up, and so do the package's submodules
    # (its attributes), which that clean-up clears one by one: what lets a `smttask run` process, whose
    # library objects are frozen out of the garbage collector's reach, still finalize what a task module
    # holds (a file it left open is flushed, see smttask-cli's test_main.py). Without it, the submodules
    # went with the package, uncleared, and their caches kept the task module's objects alive to the end.
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        try:
            module = modules[name]
        except KeyError:
            raise AttributeError(f"module '{package}' has no attribute '{name}'") from None
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *modules})

    return __getattr__, __dir__
