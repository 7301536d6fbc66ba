"""The arithmetic of expansion: expanded fields (leaves), lengths and positions.

:meth:`ParamColl.inner` and :meth:`ParamColl.outer` find a collection's
expanded fields as :class:`Leaf` tuples, check the requested range of
positions, and map each position to one index per expanded sequence.
"""

from __future__ import annotations

import math
import typing
from typing import TYPE_CHECKING, Any

from ..errors import ExpansionArgumentError, ParamCollError
from .expandable import Expandable, ExpandableRV, ExpandableSequence

if TYPE_CHECKING:
    from .collection import ParamColl


class Leaf(typing.NamedTuple):
    """One expanded field of a collection (nested ones included), with the seed that governs its draws."""

    path: tuple[str, ...]
    value: Expandable
    seed: Any  # the paramseed that governs this field's draws
    seed_path: tuple[str, ...]  # path relative to the collection that owns that seed


class Positions:
    """Map a position of inner()/outer() to one index per expanded sequence."""

    @staticmethod
    def inner(i: int, shape: list[int]) -> list[int]:
        return [0 if length == 1 else i for length in shape]

    @staticmethod
    def outer(j: int, shape: list[int]) -> list[int]:
        index = []
        for length in reversed(shape):
            j, r = divmod(j, length)
            index.append(r)
        return index[::-1]


def common_length(leaves: list[Leaf]) -> int | float | None:
    """How many items ``inner()`` of these fields yields: their one length (ignoring length 1),
    ``math.inf`` for distributions only, or None if the lengths disagree."""
    finite = {leaf.value.length for leaf in leaves if isinstance(leaf.value, ExpandableSequence)}
    random = any(isinstance(leaf.value, ExpandableRV) for leaf in leaves)
    distinct = finite - {1}
    if len(distinct) > 1:
        return None
    if distinct:
        return next(iter(distinct))
    if random:
        return math.inf
    return 1


def expansion_range(coll: ParamColl, args: tuple[int | None, ...], n: int | float, method: str) -> range:
    """The positions ``inner(*args)``/``outer(*args)`` of *coll* visits out of *n*; the arguments are a slice's."""
    if len(args) > 3:
        raise ExpansionArgumentError(
            f"{method}() takes at most 3 arguments (start, stop, step), got {len(args)}"
        )
    for a in args:
        if a is not None and (not isinstance(a, int) or isinstance(a, bool)):
            raise ExpansionArgumentError(f"{method}() arguments must be integers or None, got {a!r}")
    window = slice(*args) if args else slice(None)
    if n != math.inf:
        return range(int(n))[window]
    if window.stop is None:
        fields = ", ".join(coll.expanded)
        raise ParamCollError(
            f"{type(coll).__qualname__}.{method}(): only distributions are expanded ({fields}), so the "
            f"number of draws is unbounded; give a count, e.g. {method}(10)."
        )
    if any(a is not None and a < 0 for a in (window.start, window.stop, window.step)):
        raise ParamCollError(
            f"{method}(): negative positions need a finite length; only distributions are expanded."
        )
    return range(window.start or 0, window.stop, window.step or 1)
