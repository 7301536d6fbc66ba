"""The records whose results ``smttask store gc`` keeps: the ``smttask_gc_roots`` hook of smttask-sumatra.

By default a record keeps its result (and its upstream tasks' results) when
the user gave it a tag of their own (``smttask records tag LABEL paper``, or
``record.add_tag("paper")``): the status tags Sumatra sets (``_finished_``...)
and ``surrogate`` do not count. With ``keep_recorded`` (``--keep-recorded``)
every record keeps its result. A record's parameters are its task's document,
upstream tasks included by key, so no task module is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .records import STATUS_TAGS
from .smtproject import has_project
from .surrogates import SURROGATE_TAG
from .view import RecordStoreView

if TYPE_CHECKING:
    from smttask import Project
    from smttask.garbage import GcRoot

#: Tags smttask and Sumatra set themselves; any other tag is the user's and keeps the record's result.
SYSTEM_TAGS = frozenset({*STATUS_TAGS, SURROGATE_TAG})


def record_roots(project: Project, keep_recorded: bool) -> list[GcRoot]:
    """A root for each record with a tag of the user's (every record with *keep_recorded*); none without a lab book."""
    from smttask.garbage import GcRoot

    if not has_project(project.root):
        return []
    roots = []
    for record in RecordStoreView(project):
        tags = sorted(record.tags - SYSTEM_TAGS)
        if tags or keep_recorded:
            why = f"record {record.label}" + (f" (tag {', '.join(tags)})" if tags else "")
            roots.append(GcRoot(why, record.parameters))
    return roots
