"""Values marked for expansion: :func:`expand` and the :class:`Expandable` classes.

:func:`expand` wraps a sequence in an :class:`ExpandableSequence`, or a frozen
distribution in an :class:`ExpandableRV`, whose values are drawn in blocks of
:data:`DRAW_BLOCK` (NumPy is imported only to draw).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .._optional import require_numpy
from ..errors import ExpansionArgumentError
from ..seeds import stable_entropy
from .values import (
    dist_signature,
    hashable_form,
    is_distribution_family,
    is_ndarray,
    py_scalar,
    values_equal,
)

#: Draws of a random field are made in blocks of this size, each from its own
#: generator seeded by (paramseed, field path, block number): the i-th draw
#: depends on nothing else, so slicing or counting never changes a value.
DRAW_BLOCK = 256


class Expandable:
    """A field value marked by :func:`expand`; :attr:`length` is ``math.inf`` for distributions."""

    __slots__ = ()
    length: int | float

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")


class ExpandableSequence(Expandable, Sequence):
    """Values to expand over, in order."""

    __slots__ = ("values",)
    values: tuple[Any, ...]

    def __init__(self, values: Any) -> None:
        if is_ndarray(values):
            values = values.tolist() if values.ndim == 1 else [row.copy() for row in values]
        object.__setattr__(self, "values", tuple(values))

    @property
    def length(self) -> int:  # type: ignore[override]
        return len(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index: Any) -> Any:
        return self.values[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ExpandableSequence):
            return values_equal(self.values, other.values)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("expand", hashable_form(self.values, "expand")))

    def __repr__(self) -> str:
        return f"expand({list(self.values)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ExpandableSequence, (self.values,))


class ExpandableRV(Expandable):
    """A frozen distribution (anything with ``rvs(size=..., random_state=...)``) to draw values from."""

    __slots__ = ("dist",)
    length = math.inf
    dist: Any

    def __init__(self, dist: Any) -> None:
        object.__setattr__(self, "dist", dist)

    def _signature(self) -> Any:
        signature = dist_signature(self.dist)
        return id(self.dist) if signature is None else signature

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ExpandableRV):
            return self.dist is other.dist or self._signature() == other._signature()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("expand-rv", self._signature()))

    def __repr__(self) -> str:
        dist = self.dist
        inner = getattr(dist, "dist", None)
        if inner is not None and hasattr(dist, "args"):
            args = [repr(py_scalar(a)) for a in dist.args]
            args += [f"{k}={py_scalar(v)!r}" for k, v in dist.kwds.items()]
            return f"expand({inner.name}({', '.join(args)}))"
        return f"expand({dist!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ExpandableRV, (self.dist,))

    def block(self, entropy_parts: Any, block: int) -> list[Any]:
        """Draws ``block * DRAW_BLOCK`` to ``(block + 1) * DRAW_BLOCK - 1``; Python scalars or arrays."""
        np = require_numpy()
        seed = np.random.SeedSequence(
            stable_entropy(("smttask.ParamColl.draw", entropy_parts, block))
        )
        rng = np.random.Generator(np.random.PCG64(seed))
        sample = np.asarray(self.dist.rvs(size=DRAW_BLOCK, random_state=rng))
        if sample.ndim <= 1:
            return sample.reshape(-1).tolist()
        return [row.copy() for row in sample]


def expand(values: Any) -> Expandable:
    """Mark a :class:`ParamColl` field value for expansion.

    *values* is a sequence (list, tuple, range, NumPy array along its first
    axis) or a frozen distribution such as ``scipy.stats.norm(0, 1)`` (anything
    with an ``rvs(size=..., random_state=...)`` method), whose values are drawn
    reproducibly from the collection's ``paramseed``.
    """
    if isinstance(values, Expandable):
        return values
    if isinstance(values, str | bytes):
        raise ExpansionArgumentError(
            f"expand() got the string {values!r}; expand a list of values instead, e.g. expand([{values!r}])."
        )
    if is_ndarray(values):
        if values.ndim == 0:
            raise ExpansionArgumentError(
                "expand() got a 0-dimensional array; wrap it in a list: expand([value])."
            )
        return ExpandableSequence(values)
    if isinstance(values, Sequence):
        return ExpandableSequence(values)
    if is_distribution_family(values):
        raise ExpansionArgumentError(
            f"expand() got the distribution family {getattr(values, 'name', values)!r}, not a frozen "
            "distribution: give its parameters, e.g. expand(scipy.stats.norm(0, 1))."
        )
    if callable(getattr(values, "rvs", None)) and not isinstance(values, type):
        return ExpandableRV(values)
    if isinstance(values, set | frozenset | Mapping):
        hint = (
            "expand(sorted(values))"
            if isinstance(values, set | frozenset)
            else "expand(list(values))"
        )
        raise ExpansionArgumentError(
            f"expand() needs an ordered sequence, not a {type(values).__name__}; use {hint}."
        )
    if hasattr(values, "__next__") or hasattr(values, "__iter__"):
        raise ExpansionArgumentError(
            f"expand() needs a sequence that can be read many times, not a {type(values).__name__} "
            "(an iterator is consumed once); use expand(list(values))."
        )
    raise ExpansionArgumentError(
        f"expand() takes a sequence (list, tuple, range, array) or a frozen scipy.stats distribution, "
        f"not {type(values).__name__}."
    )
