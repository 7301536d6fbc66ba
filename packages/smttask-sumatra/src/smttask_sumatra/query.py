"""The database part of a :class:`~.view.RecordStoreView`'s filters, and the Django query it becomes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from .errors import RecordFilterError


@dataclass(frozen=True)
class RecordQuery:
    """Filters run in the database; every field narrows (all must match)."""

    task: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    after: datetime | None = None
    before: datetime | None = None
    reason: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    label: tuple[str, ...] = ()
    #: A label the record must have exactly.
    exact_label: str | None = None
    #: Each entry: the ways one output file may be named in a data key (any matches).
    outputs: tuple[tuple[str, ...], ...] = ()


def queryset(query: RecordQuery, project_name: str) -> Any:
    """The Django queryset of the records of *project_name* matching *query* (not evaluated)."""
    from django.db.models import Q
    from sumatra.recordstore.django_store import models

    qs = models.Record.objects.using("default").filter(project_id=project_name)
    for name in query.task:
        qs = qs.filter(script_arguments=name)
    for tag in query.tags:
        qs = qs.filter(tags__regex=tag_pattern(tag))
    if query.exact_label is not None:
        qs = qs.filter(label=query.exact_label)
    if query.after is not None:
        qs = qs.filter(timestamp__gte=query.after)
    if query.before is not None:
        qs = qs.filter(timestamp__lt=query.before)
    for name in ("reason", "outcome", "label"):
        for text in getattr(query, name):
            qs = qs.filter(Q(**{f"{name}__contains": text}))
    for names in query.outputs:
        qs = qs.filter(output_data__path__in=names)
    return qs.distinct() if query.outputs else qs


def tag_pattern(tag: str) -> str:
    """A regular expression matching *tag* as a whole tag of Sumatra's tag column (separated by commas or spaces)."""
    return rf"(^|[ ,]){re.escape(tag)}([ ,]|$)"


def as_datetime(value: datetime | date | str, name: str) -> datetime:
    """*value* as an aware datetime (naive ones and dates in local time); :class:`RecordFilterError` names *name*."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise RecordFilterError(
                f"{name}={value!r} is not an ISO date or datetime (e.g. '2024-05-21' or '2024-05-21T14:00')."
            ) from None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value if value.tzinfo is not None else value.astimezone()


def as_date(value: date | str, name: str) -> date:
    """*value* as a date; :class:`RecordFilterError` names *name*."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RecordFilterError(f"{name}={value!r} is not an ISO date (e.g. '2024-05-21').") from None
