"""Inspecting field values without importing NumPy or SciPy.

Recognizes NumPy arrays and scalars and ``scipy.stats`` distributions by their
type names, and compares and hashes values structurally (arrays by content,
frozen distributions by family and parameters), as :class:`ParamColl` equality
and hashing need.
"""

from __future__ import annotations

from typing import Any

from ..errors import SerializationError


def _type_names(obj: Any) -> set[str]:
    return {f"{c.__module__}.{c.__qualname__}" for c in type(obj).__mro__}


def is_ndarray(value: Any) -> bool:
    """True if *value* is a NumPy array (told without importing NumPy)."""
    t = type(value)
    return t.__name__ == "ndarray" and t.__module__ == "numpy"


def py_scalar(value: Any) -> Any:
    """NumPy scalars (and 0-d arrays) as Python scalars; anything else unchanged."""
    if (
        type(value).__module__ == "numpy"
        and getattr(value, "ndim", None) == 0
        and hasattr(value, "item")
    ):
        return value.item()
    return value


def is_distribution_family(obj: Any) -> bool:
    """True if *obj* is a scipy.stats distribution family (told without importing SciPy)."""
    names = {n.rsplit(".", 1)[-1] for n in _type_names(obj)}
    return bool(names & {"rv_generic", "multi_rv_generic"})


def dist_signature(dist: Any) -> Any:
    """``(family, args, kwds)`` of a frozen scipy.stats distribution, else None."""
    family = getattr(dist, "dist", None)
    if (
        isinstance(getattr(family, "name", None), str)
        and hasattr(dist, "args")
        and hasattr(dist, "kwds")
    ):
        return (
            family.name,
            hashable_form(tuple(dist.args), "args"),
            hashable_form(dict(dist.kwds), "kwds"),
        )
    return None


def values_equal(a: Any, b: Any) -> bool:
    """Whether two field values are the same parameter: arrays by content, distributions by family and
    arguments, containers item by item and of the same type."""
    signature = dist_signature(a)
    if signature is not None:
        return a is b or signature == dist_signature(b)
    if is_ndarray(a) or is_ndarray(b):
        if not (is_ndarray(a) and is_ndarray(b)) or a.dtype != b.dtype or a.shape != b.shape:
            return False
        import numpy as np

        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if type(a) in (list, tuple) or type(b) in (list, tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if type(a) is dict or type(b) is dict:
        return type(a) is type(b) and a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    result = a == b
    return result if isinstance(result, bool) else bool(result)


def hashable_form(value: Any, where: str) -> Any:
    """A hashable stand-in for *value*, equal for values :func:`values_equal` calls equal; *where* names the
    field in the error for a value that has none."""
    signature = dist_signature(value)
    if signature is not None:
        return ("distribution", signature)
    try:
        hash(value)
    except TypeError:
        pass
    else:
        if type(value) is not tuple:
            return value
    t = type(value)
    if t in (list, tuple):
        return (t.__name__, tuple(hashable_form(v, where) for v in value))
    if t is dict:
        return (
            "dict",
            frozenset((hashable_form(k, where), hashable_form(v, where)) for k, v in value.items()),
        )
    if t in (set, frozenset):
        return ("set", frozenset(value))
    if is_ndarray(value):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    raise SerializationError(f"unhashable value of type '{t.__qualname__}' in {where}")
