"""Warnings that point at the user's line of code, not at smttask's internals."""

from __future__ import annotations

import sys
import warnings

#: Modules whose frames are skipped when looking for the user's line.
_INTERNAL = ("smttask", "pluggy", "contextlib", "concurrent.", "threading", "multiprocessing", "click")


def _internal(module: str) -> bool:
    return module.startswith(_INTERNAL)


def warn_user(message: str, category: type[Warning]) -> None:
    """Emit *message* attributed to the first calling frame outside smttask and its plugins."""
    frame = sys._getframe(1)
    level = 2
    while frame is not None and _internal(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
