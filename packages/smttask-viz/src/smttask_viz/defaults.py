"""Defaults the ``smttask graph`` options show: the collapse threshold and the layout engines.

A leaf module, so that building the ``smttask`` command line, which every
``smttask`` process does, imports neither the graph model nor pydantic.
"""

from __future__ import annotations

#: Default: collapse groups of more than this many same-named tasks on one level.
DEFAULT_THRESHOLD = 24
#: The layout engines: ``dot`` where installed (``auto``), or the pure-Python layered layout.
ENGINES = ("auto", "dot", "layered")
