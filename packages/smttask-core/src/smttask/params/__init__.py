"""Parameter collections for sweeps: :class:`ParamColl` and :func:`expand`.

A :class:`ParamColl` subclass is a frozen dataclass (no decorator needed) that
is also a read-only mapping, so ``f(**params)`` passes its fields as keyword
arguments. Wrapping a field value in :func:`expand` marks it for expansion:

- ``expand([1, 2, 3])`` (any sequence, or a NumPy array along its first axis);
- ``expand(scipy.stats.norm(0, 1))`` (a frozen distribution: values are drawn,
  reproducibly, from the collection's ``paramseed``).

:meth:`ParamColl.outer` yields one collection per combination of expanded
values (a cartesian product), :meth:`ParamColl.inner` one per position (a zip).
Both accept ``range``-like slice arguments: ``inner(10)``, ``outer(2, 8, 2)``.
Collections nested as field values expand too.

Neither NumPy nor SciPy is imported here; they are needed only to draw from
distributions.

Modules: :mod:`.errors` (:class:`ParamCollError`), :mod:`.values` (inspecting,
comparing and hashing field values), :mod:`.expandable` (:func:`expand` and the
:class:`Expandable` classes), :mod:`.paramseed` (:data:`NOSEED` and seed
checks), :mod:`.expansion` (expanded fields, lengths and positions),
:mod:`.collection` (:class:`ParamColl`) and :mod:`.serializers`
(:data:`PARAMS_SERIALIZERS`).
"""

from __future__ import annotations

from ..errors import ParamCollError
from .collection import ParamColl
from .expandable import DRAW_BLOCK as DRAW_BLOCK
from .expandable import Expandable, ExpandableRV, ExpandableSequence, expand
from .paramseed import NOSEED

# Pickles of NOSEED, expand([...]) and expand(distribution) made before params.py became a
# package name smttask.params._NoSeed, .ExpandableSequence and .ExpandableRV: keep them here.
from .paramseed import _NoSeed as _NoSeed
from .serializers import PARAMS_SERIALIZERS as PARAMS_SERIALIZERS

__all__ = [
    "NOSEED",
    "Expandable",
    "ExpandableRV",
    "ExpandableSequence",
    "ParamColl",
    "ParamCollError",
    "expand",
]
