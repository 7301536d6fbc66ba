"""A collection's ``paramseed``: the :data:`NOSEED` default and the seeds accepted."""

from __future__ import annotations

from typing import Any

from ..errors import ParamCollError
from ..seeds import key_text


class _NoSeed:
    """Type of :data:`NOSEED`, the default ``paramseed`` (distinct from ``None``)."""

    _instance: _NoSeed | None = None

    def __new__(cls) -> _NoSeed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOSEED"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> tuple[Any, ...]:
        return (_NoSeed, ())


#: ``paramseed`` of a collection given no seed. Random fields then need one
#: (``None`` asks for different draws on every expansion).
NOSEED: Any = _NoSeed()


def check_seed(cls: type, seed: Any) -> Any:
    """*seed* as a collection of type *cls* keeps it (a list becomes a tuple); :class:`ParamCollError` if no
    seed can be derived from it."""
    if seed is NOSEED or seed is None:
        return seed
    if type(seed) is list:
        seed = tuple(seed)
    try:
        key_text(seed)
    except TypeError as exc:
        raise ParamCollError(f"{cls.__qualname__}: unusable paramseed {seed!r}: {exc}") from None
    return seed
