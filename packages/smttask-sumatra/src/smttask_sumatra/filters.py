"""``view.filter``: the keyword filters of :class:`~.view.RecordStoreView`, and smttask 0.2's named filters.

``view.filter(task="Fit", after="2024-05-01")`` is the one implementation;
smttask 0.2's spellings call it: ``view.filter.task("Fit")``,
``view.filter.after(20240501)``, ``view.filter.tags("good")``,
``view.filter.params(eq={"a.b": 2})``, ``view.filter(lambda r: ...)``. So
they run in the database exactly as the keywords do. :func:`record_filter`
registers a filter of one's own, in smttask 0.2's form (a function of the
filter's arguments returning a test of one record), which then reads
``view.filter.<name>(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .errors import FilterArgumentError, RecordFilterError

if TYPE_CHECKING:
    from .records import RecordView
    from .view import RecordStoreView

#: A filter in smttask 0.2's form: called with the filter's arguments, it returns a test of one record.
FilterFactory = Callable[..., Callable[["RecordView"], bool]]

#: Filters added with :func:`record_filter`, by name.
_REGISTERED: dict[str, FilterFactory] = {}


def record_filter(factory: FilterFactory) -> FilterFactory:
    """Register *factory* as ``view.filter.<its name>(...)`` (a decorator, as in smttask 0.2).

    *factory* takes the filter's arguments and returns a test of one
    :class:`~.records.RecordView`; a test raising :class:`AttributeError` or
    :class:`KeyError` (the record lacks what it looks at) does not match::

        @record_filter
        def slow(seconds):
            return lambda record: (record.duration or 0) > seconds

        RecordStoreView().filter.slow(60)

    Such a test sees whole records, so it runs after the database filters,
    a page of records at a time. Registering again under the same name
    replaces the earlier filter (re-running a notebook cell); the names of
    the built-in filters are refused.
    """
    name = getattr(factory, "__name__", None)
    if not callable(factory) or not isinstance(name, str) or not name.isidentifier():
        raise FilterArgumentError(
            f"record_filter() takes a named function returning a test of one record, got {factory!r}."
        )
    if name in BUILTIN_FILTERS or name.startswith("_"):
        raise FilterArgumentError(
            f"record_filter(): '{name}' is the name of a built-in filter of view.filter; give yours another name."
        )
    _REGISTERED[name] = factory
    return factory


class RecordFilter:
    """What ``view.filter`` is: callable with criteria, and a namespace of named filters.

    ``view.filter(task=..., tags=..., status=..., after=..., before=...,
    on=..., reason=..., outcome=..., label=..., output=..., where=...)``: see
    :meth:`RecordStoreView.filter <smttask_sumatra.view.RecordStoreView._select>`.
    A function given alone, ``view.filter(test)``, is ``where=test``.
    """

    def __init__(self, view: RecordStoreView) -> None:
        self._view = view

    def __call__(
        self, where: Callable[[RecordView], bool] | None = None, /, **criteria: Any
    ) -> RecordStoreView:
        if where is not None:
            if "where" in criteria:
                raise FilterArgumentError(
                    "view.filter() got a test both as its argument and as where=; give one."
                )
            criteria["where"] = where
        return self._view._select(**criteria)

    # --- smttask 0.2's named filters: each is one keyword of view.filter() ------------
    def task(self, taskname: str | type) -> RecordStoreView:
        """Records of the task *taskname* (its name, or the task class)."""
        return self._view._select(task=taskname)

    def tags(self, *tags: str | Iterable[str]) -> RecordStoreView:
        """Records having every tag given (strings, or sets/lists of them)."""
        return self._view._select(tags=_tag_list(tags))

    tags_and = tags

    def tags_or(self, *tags: str | Iterable[str]) -> RecordStoreView:
        """Records having at least one of the tags given."""
        wanted = frozenset(_tag_list(tags))
        return self._view._select(where=lambda r: bool(wanted & r.tags))

    def tags_not(self, *tags: str | Iterable[str]) -> RecordStoreView:
        """Records having none of the tags given."""
        unwanted = frozenset(_tag_list(tags))
        return self._view._select(where=lambda r: not (unwanted & r.tags))

    def status(self, status: str) -> RecordStoreView:
        """Records of this status: ``finished``, ``crashed``, ``killed`` or ``running``."""
        return self._view._select(status=status)

    def label(self, text: str) -> RecordStoreView:
        """Records whose label contains *text*."""
        return self._view._select(label=text)

    def reason(self, text: str) -> RecordStoreView:
        """Records whose reason contains *text*."""
        return self._view._select(reason=text)

    def outcome(self, text: str) -> RecordStoreView:
        """Records whose outcome contains *text*."""
        return self._view._select(outcome=text)

    def before(self, when: Any, *more: int) -> RecordStoreView:
        """Records started before *when* (exclusive). See :func:`as_moment` for the forms it takes."""
        return self._view._select(before=as_moment(when, more, "before"))

    def after(self, when: Any, *more: int) -> RecordStoreView:
        """Records started on or after *when* (inclusive). See :func:`as_moment`."""
        return self._view._select(after=as_moment(when, more, "after"))

    def on(self, when: Any, *more: int) -> RecordStoreView:
        """Records started on the day *when* (local time). See :func:`as_moment`."""
        moment = as_moment(when, more, "on")
        return self._view._select(on=moment.date() if isinstance(moment, datetime) else moment)

    def params(self, eq: dict[str, Any] | None = None, **comparisons: dict[str, Any]) -> RecordStoreView:
        """Records whose parameters pass the comparisons: :meth:`RecordStoreView.params` (*eq* may be positional)."""
        if eq is not None:
            comparisons["eq"] = eq
        return self._view.params(**{k: v for k, v in comparisons.items() if v is not None})

    # --- filters of one's own -------------------------------------------------------
    def __getattr__(self, name: str) -> Callable[..., RecordStoreView]:
        factory = _REGISTERED.get(name)
        if factory is None:
            known = ", ".join(sorted(BUILTIN_FILTERS | set(_REGISTERED)))
            raise AttributeError(
                f"view.filter has no filter '{name}'. Known filters: {known}; add one with "
                "@smttask_sumatra.record_filter."
            )

        def narrowed(*args: Any, **kwargs: Any) -> RecordStoreView:
            test = factory(*args, **kwargs)
            return self._view._select(where=_lenient(test))

        narrowed.__name__ = name
        narrowed.__doc__ = factory.__doc__
        return narrowed

    def __dir__(self) -> list[str]:
        return sorted(BUILTIN_FILTERS | set(_REGISTERED))


#: The named filters RecordFilter itself provides.
BUILTIN_FILTERS = frozenset(
    name for name in vars(RecordFilter) if not name.startswith("_")
)


def _lenient(test: Callable[[RecordView], bool]) -> Callable[[RecordView], bool]:
    """*test*, with a record lacking what it looks at (AttributeError, KeyError) not matching, as in smttask 0.2."""

    def lenient(record: RecordView) -> bool:
        try:
            return bool(test(record))
        except (AttributeError, KeyError):
            return False

    return lenient


def _tag_list(tags: tuple[str | Iterable[str], ...]) -> list[str]:
    found: list[str] = []
    for item in tags:
        found.extend([item] if isinstance(item, str) else item)
    if not found:
        raise FilterArgumentError("a tags filter needs at least one tag, e.g. view.filter.tags('good').")
    return found


def as_moment(when: Any, more: tuple[int, ...], name: str) -> datetime | date | str:
    """A date filter's argument in any form smttask 0.2 accepted, as a date or datetime (or ISO text).

    A :class:`~datetime.datetime` or :class:`~datetime.date`; ISO text
    (``"2024-04-05"``); the numbers of ``datetime()`` as separate arguments
    (``2024, 4, 5``) or as a tuple; or one integer of 4 to 8 digits,
    completed with the earliest date (``2024`` is 2024-01-01, ``202404`` is
    2024-04-01, ``20240405`` is 2024-04-05).
    """
    if isinstance(when, datetime | date | str):
        if more:
            raise RecordFilterError(f"filter.{name}({when!r}, ...) takes no further arguments after a date.")
        return when
    if isinstance(when, tuple):
        return _from_numbers((*when, *more), name)
    if isinstance(when, int) and not isinstance(when, bool):
        if more:
            return _from_numbers((when, *more), name)
        digits = str(when)
        if not 4 <= len(digits) <= 8:
            raise RecordFilterError(
                f"filter.{name}({when}): a date as one number has 4 to 8 digits (YYYY[MM[DD]]), e.g. 20240405."
            )
        digits += "0101"[len(digits) - 4 :] if len(digits) < 8 else ""
        return _from_numbers((int(digits[:4]), int(digits[4:6]), int(digits[6:8])), name)
    raise RecordFilterError(
        f"filter.{name}({when!r}): give a date, a datetime, ISO text ('2024-04-05') or numbers (2024, 4, 5)."
    )


def _from_numbers(numbers: tuple[Any, ...], name: str) -> datetime:
    try:
        return datetime(*numbers)
    except (TypeError, ValueError) as exc:
        raise RecordFilterError(f"filter.{name}{numbers}: not a date ({exc}).") from None

