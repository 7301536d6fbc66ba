"""The old private home of :mod:`smttask.text`, kept so code written against it still imports."""

from .text import SHOWN_LIMIT, one_line, shown  # noqa: F401
