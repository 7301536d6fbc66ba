"""Optional dependencies, imported by the function that needs them, with one error naming the extra to install.

``import smttask`` never imports NumPy; the value types, legacy task files,
parameter sweeps and seeds that work on arrays call :func:`require_numpy`
when they first touch one.
"""

from __future__ import annotations

from types import ModuleType

from .errors import OptionalDependencyError


def require_numpy() -> ModuleType:
    """The ``numpy`` module; :class:`OptionalDependencyError` naming ``smttask-core[numpy]`` if it is missing."""
    try:
        import numpy
    except ImportError:
        raise OptionalDependencyError(
            "This type needs NumPy; install it with `pip install 'smttask-core[numpy]'`."
        ) from None
    return numpy
