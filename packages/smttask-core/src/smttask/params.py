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
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from pydantic import ValidationError
from pydantic_core import core_schema

from .errors import DeserializationError, SmttaskError
from .seeds import _key_text, stable_entropy
from .serializers import Decode, Encode, JSONValue, Serializer, class_path, import_qualified

__all__ = [
    "NOSEED",
    "Expandable",
    "ExpandableRV",
    "ExpandableSequence",
    "ParamColl",
    "ParamCollError",
    "expand",
]

#: Draws of a random field are made in blocks of this size, each from its own
#: generator seeded by (paramseed, field path, block number): the i-th draw
#: depends on nothing else, so slicing or counting never changes a value.
DRAW_BLOCK = 256


class ParamCollError(SmttaskError, ValueError):
    """A parameter collection cannot be built or expanded as asked."""


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


def _type_names(obj: Any) -> set[str]:
    return {f"{c.__module__}.{c.__qualname__}" for c in type(obj).__mro__}


def _is_ndarray(value: Any) -> bool:
    t = type(value)
    return t.__name__ == "ndarray" and t.__module__ == "numpy"


def _py_scalar(value: Any) -> Any:
    """NumPy scalars (and 0-d arrays) as Python scalars; anything else unchanged."""
    if (
        type(value).__module__ == "numpy"
        and getattr(value, "ndim", None) == 0
        and hasattr(value, "item")
    ):
        return value.item()
    return value


def _is_distribution_family(obj: Any) -> bool:
    names = {n.rsplit(".", 1)[-1] for n in _type_names(obj)}
    return bool(names & {"rv_generic", "multi_rv_generic"})


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
        if _is_ndarray(values):
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
            return _equal(self.values, other.values)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("expand", _hashable(self.values, "expand")))

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
        signature = _dist_signature(self.dist)
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
            args = [repr(_py_scalar(a)) for a in dist.args]
            args += [f"{k}={_py_scalar(v)!r}" for k, v in dist.kwds.items()]
            return f"expand({inner.name}({', '.join(args)}))"
        return f"expand({dist!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ExpandableRV, (self.dist,))

    def block(self, entropy_parts: Any, block: int) -> list[Any]:
        """Draws ``block * DRAW_BLOCK`` to ``(block + 1) * DRAW_BLOCK - 1``; Python scalars or arrays."""
        from .typing import _numpy

        np = _numpy()
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
        raise TypeError(
            f"expand() got the string {values!r}; expand a list of values instead, e.g. expand([{values!r}])."
        )
    if _is_ndarray(values):
        if values.ndim == 0:
            raise TypeError(
                "expand() got a 0-dimensional array; wrap it in a list: expand([value])."
            )
        return ExpandableSequence(values)
    if isinstance(values, Sequence):
        return ExpandableSequence(values)
    if _is_distribution_family(values):
        raise TypeError(
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
        raise TypeError(
            f"expand() needs an ordered sequence, not a {type(values).__name__}; use {hint}."
        )
    if hasattr(values, "__next__") or hasattr(values, "__iter__"):
        raise TypeError(
            f"expand() needs a sequence that can be read many times, not a {type(values).__name__} "
            "(an iterator is consumed once); use expand(list(values))."
        )
    raise TypeError(
        f"expand() takes a sequence (list, tuple, range, array) or a frozen scipy.stats distribution, "
        f"not {type(values).__name__}."
    )


def _dist_signature(dist: Any) -> Any:
    """``(family, args, kwds)`` of a frozen scipy.stats distribution, else None."""
    family = getattr(dist, "dist", None)
    if (
        isinstance(getattr(family, "name", None), str)
        and hasattr(dist, "args")
        and hasattr(dist, "kwds")
    ):
        return (
            family.name,
            _hashable(tuple(dist.args), "args"),
            _hashable(dict(dist.kwds), "kwds"),
        )
    return None


def _equal(a: Any, b: Any) -> bool:
    signature = _dist_signature(a)
    if signature is not None:
        return a is b or signature == _dist_signature(b)
    if _is_ndarray(a) or _is_ndarray(b):
        if not (_is_ndarray(a) and _is_ndarray(b)) or a.dtype != b.dtype or a.shape != b.shape:
            return False
        import numpy as np

        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if type(a) in (list, tuple) or type(b) in (list, tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if type(a) is dict or type(b) is dict:
        return type(a) is type(b) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    result = a == b
    return result if isinstance(result, bool) else bool(result)


def _hashable(value: Any, where: str) -> Any:
    signature = _dist_signature(value)
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
        return (t.__name__, tuple(_hashable(v, where) for v in value))
    if t is dict:
        return (
            "dict",
            frozenset((_hashable(k, where), _hashable(v, where)) for k, v in value.items()),
        )
    if t in (set, frozenset):
        return ("set", frozenset(value))
    if _is_ndarray(value):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    raise TypeError(f"unhashable value of type '{t.__qualname__}' in {where}")


_RESERVED = frozenset(
    {
        "paramseed",
        "inner",
        "outer",
        "inner_len",
        "outer_len",
        "lengths",
        "expanded",
        "keys",
        "values",
        "items",
        "get",
    }
)


class _Leaf(typing.NamedTuple):
    path: tuple[str, ...]
    value: Expandable
    seed: Any  # the paramseed that governs this field's draws
    seed_path: tuple[str, ...]  # path relative to the collection that owns that seed


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class ParamColl(Mapping):
    """A frozen collection of parameters, usable as ``**params``, with expandable fields.

    Subclass it with annotated fields, as for a dataclass (the subclass becomes
    a frozen dataclass without a decorator)::

        class Model(ParamColl):
            λ: float
            σ: float = 1.0

        params = Model(λ=expand([0.1, 1, 10]), σ=expand(scipy.stats.lognorm(1)), paramseed=42)
        for p in params.inner():        # three collections; σ drawn reproducibly
            simulate(**p)

    Fields are validated and coerced by pydantic, like task inputs (each
    element of an expanded sequence too; a field annotated ``Any`` accepts
    anything). The keyword-only ``paramseed`` (an int, a string, or a tuple of
    these) seeds every random field; ``None`` asks for different draws on
    every expansion. Fields whose name starts with ``_`` are not part of the
    mapping. ``class P(ParamColl, kw_only=True)`` makes its fields
    keyword-only (so fields without defaults may follow fields with defaults).
    A subclass that defines ``__post_init__`` must call
    ``super().__post_init__()``.

    As task inputs, collections are keyed by their class (``module:QualName``),
    their field values and their seed.
    """

    paramseed: Any = dataclasses.field(default=NOSEED, kw_only=True)

    _pc_validators: ClassVar[dict[str, Any] | None] = None

    def __init_subclass__(cls, *, kw_only: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = set(cls.__dict__.get("__annotations__", {}))
        clash = sorted(own & _RESERVED)
        if clash:
            raise TypeError(
                f"{cls.__qualname__}: field name(s) {', '.join(clash)} are reserved by ParamColl; rename them."
            )
        dataclasses.dataclass(cls, frozen=True, eq=False, repr=False, kw_only=kw_only)
        # Keep ParamColl's own (always frozen) __setattr__/__delattr__, so that a user applying
        # @dataclass(frozen=True) again (the original smttask's idiom) does not clash with ours.
        for name in ("__setattr__", "__delattr__"):
            if name in cls.__dict__:
                delattr(cls, name)
        cls._pc_validators = None

    def __post_init__(self) -> None:
        cls = type(self)
        if cls is ParamColl:
            raise TypeError(
                "Subclass ParamColl with annotated fields; ParamColl itself has no parameters."
            )
        object.__setattr__(self, "paramseed", _check_seed(cls, self.paramseed))
        validators = cls._validators()
        for f in dataclasses.fields(self):
            if f.name == "paramseed":
                continue
            value = getattr(self, f.name)
            new = _prepare(cls, f.name, value, validators.get(f.name))
            if new is not value:
                object.__setattr__(self, f.name, new)

    @classmethod
    def _validators(cls) -> dict[str, Any]:
        if cls.__dict__.get("_pc_validators") is None:
            from .signature import make_adapter

            fields = [f for f in dataclasses.fields(cls) if f.name != "paramseed"]
            try:
                hints = typing.get_type_hints(cls, include_extras=True)
            except Exception:  # unresolvable (e.g. local) names: validate what is already a type
                hints = {f.name: f.type for f in fields if not isinstance(f.type, str)}
            validators: dict[str, Any] = {}
            for f in fields:
                annotation = hints.get(f.name, Any)
                if annotation is Any or annotation is object:
                    continue
                try:
                    validators[f.name] = (annotation, make_adapter(annotation))
                except Exception:  # a type pydantic cannot validate: accept values as given
                    continue
            cls._pc_validators = validators
        return cls.__dict__["_pc_validators"]

    # --- mapping ----------------------------------------------------------
    @classmethod
    def _param_names(cls) -> tuple[str, ...]:
        return tuple(
            f.name
            for f in dataclasses.fields(cls)
            if f.name != "paramseed" and not f.name.startswith("_")
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._param_names())

    def __len__(self) -> int:
        """The number of parameters (see :attr:`inner_len` and :attr:`outer_len` for expansions)."""
        return len(self._param_names())

    def __getitem__(self, name: str) -> Any:
        if isinstance(name, str) and name in self._param_names():
            return getattr(self, name)
        raise KeyError(name)

    # --- identity ---------------------------------------------------------
    def _field_values(self) -> tuple[tuple[str, Any], ...]:
        return tuple((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParamColl):
            return NotImplemented
        if type(other) is not type(self):
            return False
        return all(
            _equal(a, b)
            for (_, a), (_, b) in zip(self._field_values(), other._field_values(), strict=True)
        )

    def __hash__(self) -> int:
        where = type(self).__qualname__
        return hash(
            (type(self), tuple(_hashable(v, f"{where}.{k}") for k, v in self._field_values()))
        )

    def __repr__(self) -> str:
        parts = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in dataclasses.fields(self)
            if f.name != "paramseed" and f.repr
        ]
        if self.paramseed is not NOSEED:
            parts.append(f"paramseed={self.paramseed!r}")
        return f"{type(self).__qualname__}({', '.join(parts)})"

    # --- expansion --------------------------------------------------------
    def _leaves(
        self, path: tuple[str, ...] = (), seed: Any = NOSEED, seed_path: tuple[str, ...] = ()
    ) -> Iterator[_Leaf]:
        if self.paramseed is not NOSEED:
            seed, seed_path = self.paramseed, ()
        for f in dataclasses.fields(self):
            if f.name == "paramseed":
                continue
            value = getattr(self, f.name)
            if isinstance(value, ParamColl):
                yield from value._leaves((*path, f.name), seed, (*seed_path, f.name))
            elif isinstance(value, Expandable):
                yield _Leaf((*path, f.name), value, seed, (*seed_path, f.name))

    @property
    def lengths(self) -> tuple[int | float, ...]:
        """The length of each expanded field, nested collections included (``math.inf`` for distributions)."""
        return tuple(leaf.value.length for leaf in self._leaves())

    @property
    def expanded(self) -> dict[str, int | float]:
        """``{field path: length}`` of every expanded field (nested paths joined with dots)."""
        return {".".join(leaf.path): leaf.value.length for leaf in self._leaves()}

    @property
    def inner_len(self) -> int | float | None:
        """How many collections :meth:`inner` yields.

        ``1`` with no expanded field; ``math.inf`` when only distributions are
        expanded (give :meth:`inner` a count); ``None`` when expanded sequences
        have different lengths (then :meth:`inner` raises).
        """
        return _inner_len(list(self._leaves()))

    @property
    def outer_len(self) -> int | None:
        """How many collections :meth:`outer` yields (the product of the expanded sequences' lengths).

        Distributions do not multiply it: each combination gets its own draws.
        ``None`` when only distributions are expanded (use :meth:`inner`).
        """
        leaves = list(self._leaves())
        finite = [
            leaf.value.length for leaf in leaves if isinstance(leaf.value, ExpandableSequence)
        ]
        if not finite and leaves:
            return None
        return math.prod(finite)

    def inner(self, *args: int | None) -> Iterator[Any]:
        """Yield one collection per position of the expanded fields, all advancing together (a zip).

        Expanded sequences must have equal lengths (a length-1 sequence is
        repeated); distributions give a new draw at each position. With no
        expanded field, yields the collection once. Arguments slice the result
        like ``range``: ``inner(10)`` (the first 10, required when only
        distributions are expanded), ``inner(2, 8, 2)``.
        """
        leaves = list(self._leaves())
        n = _inner_len(leaves)
        if n is None:
            sizes = ", ".join(
                f"{'.'.join(leaf.path)} ({leaf.value.length})"
                for leaf in leaves
                if isinstance(leaf.value, ExpandableSequence) and leaf.value.length != 1
            )
            raise ParamCollError(
                f"{type(self).__qualname__}.inner(): the expanded fields have different lengths: {sizes}. "
                "Give them equal lengths (a length-1 expansion is repeated), or use outer() for every combination."
            )
        indices = _indices(self, args, n, "inner")
        self._check_seeds(leaves)
        return self._generate(leaves, ((i, i) for i in indices), _Positions.inner)

    def outer(self, *args: int | None) -> Iterator[Any]:
        """Yield one collection per combination of the expanded sequences (a cartesian product).

        The first field varies slowest. Distributions give a new draw for each
        combination. Arguments slice the result like ``range``:
        ``outer(5, 20, 5)``.
        """
        leaves = list(self._leaves())
        n = self.outer_len
        if n is None:
            raise ParamCollError(
                f"{type(self).__qualname__}.outer(): only distributions are expanded "
                f"({', '.join('.'.join(leaf.path) for leaf in leaves)}), so there are no combinations to form; "
                "use inner(n) for n draws."
            )
        indices = _indices(self, args, n, "outer")
        self._check_seeds(leaves)
        return self._generate(leaves, ((j, j) for j in indices), _Positions.outer)

    def _check_seeds(self, leaves: list[_Leaf]) -> None:
        unseeded = [
            ".".join(leaf.path)
            for leaf in leaves
            if isinstance(leaf.value, ExpandableRV) and leaf.seed is NOSEED
        ]
        if unseeded:
            raise ParamCollError(
                f"{type(self).__qualname__}: field(s) {', '.join(unseeded)} draw from a distribution, so the "
                "collection needs a seed for reproducible draws: pass paramseed=<int> (or paramseed=None "
                "for different draws on every expansion)."
            )

    def _generate(
        self, leaves: list[_Leaf], positions: Iterator[tuple[int, int]], how: Any
    ) -> Iterator[Any]:
        fresh = secrets.randbits(128)  # used by collections whose paramseed is None
        cache: dict[tuple[int, int], list[Any]] = {}
        sequences = [
            (k, leaf) for k, leaf in enumerate(leaves) if isinstance(leaf.value, ExpandableSequence)
        ]
        shape = [leaf.value.length for _, leaf in sequences]
        for position, draw in positions:
            assign: dict[tuple[str, ...], Any] = {}
            for (_, leaf), index in zip(sequences, how(position, shape), strict=True):
                assign[leaf.path] = leaf.value.values[index]
            for k, leaf in enumerate(leaves):
                if isinstance(leaf.value, ExpandableRV):
                    block, offset = divmod(draw, DRAW_BLOCK)
                    values = cache.get((k, block))
                    if values is None:
                        seed = fresh if leaf.seed is None else leaf.seed
                        values = cache[(k, block)] = leaf.value.block((seed, leaf.seed_path), block)
                    assign[leaf.path] = values[offset]
            yield self._rebuild(assign, ())

    def _rebuild(self, assign: dict[tuple[str, ...], Any], path: tuple[str, ...]) -> Any:
        kwargs = {}
        for f in dataclasses.fields(self):
            if f.name == "paramseed" or not f.init:
                continue
            value = getattr(self, f.name)
            here = (*path, f.name)
            if isinstance(value, ParamColl):
                value = value._rebuild(assign, here)
            elif here in assign:
                value = assign[here]
            kwargs[f.name] = value
        return type(self)(**kwargs)

    # --- pydantic ---------------------------------------------------------
    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        target = source if isinstance(source, type) and issubclass(source, ParamColl) else cls

        def validate(value: Any) -> Any:
            if isinstance(value, target):
                return value
            if (
                isinstance(value, Mapping)
                and not isinstance(value, ParamColl)
                and target is not ParamColl
            ):
                if value.get("$type") == ParamCollSerializer.name:
                    value = _decode_plain(value)
                    if isinstance(value, target):
                        return value
                else:
                    return target(**value)
            raise ValueError(
                f"expected a {target.__qualname__} (a ParamColl) or a dict of its fields, got {type(value).__qualname__}"
            )

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _encode_plain, when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "object", "title": cls.__qualname__}


def _frozen_setattr(self: ParamColl, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(
        f"cannot assign to '{name}': {type(self).__qualname__} is frozen; "
        f"make a new collection with dataclasses.replace(params, {name}=...)"
    )


def _frozen_delattr(self: ParamColl, name: str) -> None:
    raise dataclasses.FrozenInstanceError(
        f"cannot delete '{name}': {type(self).__qualname__} is frozen"
    )


# The dataclass-generated methods of a frozen class let subclasses set attributes
# that are not fields; these refuse every assignment (the dataclass __init__ and
# __post_init__ go through object.__setattr__).
ParamColl.__setattr__ = _frozen_setattr  # type: ignore[method-assign,assignment]
ParamColl.__delattr__ = _frozen_delattr  # type: ignore[method-assign,assignment]


class _Positions:
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


def _inner_len(leaves: list[_Leaf]) -> int | float | None:
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


def _indices(coll: ParamColl, args: tuple[int | None, ...], n: int | float, method: str) -> range:
    if len(args) > 3:
        raise TypeError(
            f"{method}() takes at most 3 arguments (start, stop, step), got {len(args)}"
        )
    for a in args:
        if a is not None and (not isinstance(a, int) or isinstance(a, bool)):
            raise TypeError(f"{method}() arguments must be integers or None, got {a!r}")
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


def _check_seed(cls: type, seed: Any) -> Any:
    if seed is NOSEED or seed is None:
        return seed
    if type(seed) is list:
        seed = tuple(seed)
    try:
        _key_text(seed)
    except TypeError as exc:
        raise ParamCollError(f"{cls.__qualname__}: unusable paramseed {seed!r}: {exc}") from None
    return seed


def _prepare(cls: type, name: str, value: Any, validator: tuple[Any, Any] | None) -> Any:
    """Validate one field value; elements of an expanded sequence are validated one by one."""
    if isinstance(value, ParamColl | ExpandableRV):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = [
            f.name
            for f in dataclasses.fields(value)
            if isinstance(getattr(value, f.name), Expandable)
        ]
        if inner:
            raise ParamCollError(
                f"{cls.__qualname__}.{name}: the dataclass {type(value).__qualname__} holds expanded field(s) "
                f"{', '.join(inner)}, which only expand inside a ParamColl: make {type(value).__qualname__} "
                "a ParamColl subclass."
            )
    if validator is None:
        return value
    annotation, adapter = validator
    if isinstance(value, ExpandableSequence):
        items = []
        for i, item in enumerate(value.values):
            items.append(_validate(cls, f"{name}[{i}] (of expand)", annotation, adapter, item))
        if all(a is b for a, b in zip(items, value.values, strict=True)):
            return value
        return ExpandableSequence(items)
    return _validate(cls, name, annotation, adapter, value)


def _validate(cls: type, name: str, annotation: Any, adapter: Any, value: Any) -> Any:
    from .signature import _type_name, format_validation_error

    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        hint = ""
        if callable(getattr(value, "rvs", None)):
            hint = (
                " To draw this field's values from the distribution, wrap it: expand(distribution)."
            )
        raise ParamCollError(
            f"{cls.__qualname__}: invalid value for '{name}' (expected {_type_name(annotation)}): "
            f"{format_validation_error(exc)}.{hint}"
        ) from None


def _registry() -> Any:
    from .project import current_project

    return current_project().serializers


def _encode_plain(value: ParamColl) -> Any:
    from .encoding import encode

    return encode(value, _registry(), "file")


def _decode_plain(data: Any) -> Any:
    from .encoding import decode

    return decode(data, _registry())


# --- serializers ------------------------------------------------------------


class ParamCollSerializer(Serializer):
    """Parameter collections: their class (``module:QualName``), field values and seed.

    Reading one back resolves the class only in modules already imported (the
    task's module, and what it imports).
    """

    name = "paramcoll"
    types = ("smttask.params.ParamColl",)

    def encode(self, value: ParamColl, encode: Encode) -> JSONValue:
        fields = {
            f.name: encode(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init and f.name != "paramseed"
        }
        data: dict[str, Any] = {"class": class_path(type(value)), "fields": fields}
        if value.paramseed is not NOSEED:
            data["paramseed"] = encode(value.paramseed)
        return data

    def decode(self, data: dict, decode: Decode) -> ParamColl:
        path = data["class"]
        cls = import_qualified(path)
        if not (isinstance(cls, type) and issubclass(cls, ParamColl)):
            raise DeserializationError(f"'{path}' is not a ParamColl subclass.")
        kwargs = {name: decode(v) for name, v in data["fields"].items()}
        if "paramseed" in data:
            kwargs["paramseed"] = decode(data["paramseed"])
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise DeserializationError(f"cannot rebuild {path}: {exc}") from None


class ExpandSerializer(Serializer):
    """Values marked by :func:`expand`: the sequence, or the distribution."""

    name = "expand"
    types = ("smttask.params.Expandable",)

    def encode(self, value: Expandable, encode: Encode) -> JSONValue:
        if isinstance(value, ExpandableSequence):
            return {"values": [encode(v) for v in value.values]}
        return {"distribution": encode(value.dist)}  # type: ignore[attr-defined]

    def decode(self, data: dict, decode: Decode) -> Expandable:
        if "values" in data:
            return ExpandableSequence([decode(v) for v in data["values"]])
        return ExpandableRV(decode(data["distribution"]))


def _scipy_stats() -> Any:
    try:
        import scipy.stats
    except ImportError:
        raise ImportError(
            "Reading a scipy.stats distribution needs SciPy; install it with "
            "`pip install 'smttask-core[stats]'`."
        ) from None
    return scipy.stats


class FrozenDistributionSerializer(Serializer):
    """Frozen univariate ``scipy.stats`` distributions: family name, args and keywords."""

    name = "scipy.stats.frozen"
    types = ("scipy.stats._distn_infrastructure.rv_frozen",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        stats = _scipy_stats()
        family = getattr(stats, value.dist.name, None)
        if type(family) is not type(value.dist):
            raise TypeError(
                f"Only scipy.stats' own distributions can be serialized; '{value.dist.name}' "
                f"({type(value.dist).__qualname__}) is not one. Register a serializer for it."
            )
        return {
            "dist": value.dist.name,
            "args": [encode(a) for a in value.args],
            "kwds": {k: encode(v) for k, v in value.kwds.items()},
        }

    def decode(self, data: dict, decode: Decode) -> Any:
        stats = _scipy_stats()
        family = getattr(stats, data["dist"], None)
        if family is None or not _is_distribution_family(family):
            raise DeserializationError(f"'{data['dist']}' is not a scipy.stats distribution.")
        return family(
            *(decode(a) for a in data["args"]), **{k: decode(v) for k, v in data["kwds"].items()}
        )


class MultivariateNormalSerializer(Serializer):
    """Frozen ``scipy.stats.multivariate_normal`` distributions: mean and covariance."""

    name = "scipy.stats.multivariate_normal"
    types = ("scipy.stats._multivariate.multivariate_normal_frozen",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        return {
            "mean": encode(value.mean),
            "cov": encode(value.cov),
            "allow_singular": bool(getattr(value, "allow_singular", False)),
        }

    def decode(self, data: dict, decode: Decode) -> Any:
        return _scipy_stats().multivariate_normal(
            mean=decode(data["mean"]),
            cov=decode(data["cov"]),
            allow_singular=data["allow_singular"],
        )


PARAMS_SERIALIZERS: tuple[Serializer, ...] = (
    ParamCollSerializer(),
    ExpandSerializer(),
    FrozenDistributionSerializer(),
    MultivariateNormalSerializer(),
)
