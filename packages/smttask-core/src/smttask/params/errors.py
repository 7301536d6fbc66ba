"""The error raised when a parameter collection cannot be built or expanded."""

from __future__ import annotations

from ..errors import SmttaskError


class ParamCollError(SmttaskError, ValueError):
    """A parameter collection cannot be built or expanded as asked."""
