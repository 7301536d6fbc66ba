"""The :class:`ParamColl` class: a frozen mapping of parameters that expands into many.

Holds the class itself (fields validated by pydantic, mapping, identity,
:meth:`~ParamColl.inner` / :meth:`~ParamColl.outer` expansion and its pydantic
schema) and the per-field validation it runs on construction.
"""

from __future__ import annotations

import copyreg
import dataclasses
import math
import secrets
import typing
from abc import ABCMeta
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import DefinitionError, ParamCollError
from .expandable import DRAW_BLOCK, Expandable, ExpandableRV, ExpandableSequence
from .expansion import Leaf, Positions, common_length, expansion_range
from .paramseed import NOSEED, check_seed
from .values import hashable_form, values_equal

if TYPE_CHECKING:
    from pydantic_core import core_schema

#: The ``$type`` tag of parameter collections in task files (the name of their serializer).
PARAMCOLL_TAG = "paramcoll"

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
            raise DefinitionError(
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
            raise DefinitionError(
                "Subclass ParamColl with annotated fields; ParamColl itself has no parameters."
            )
        object.__setattr__(self, "paramseed", check_seed(cls, self.paramseed))
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
            from ..validation import make_adapter

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
            values_equal(a, b)
            for (_, a), (_, b) in zip(self._field_values(), other._field_values(), strict=True)
        )

    def __hash__(self) -> int:
        where = type(self).__qualname__
        return hash(
            (type(self), tuple(hashable_form(v, f"{where}.{k}") for k, v in self._field_values()))
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
    ) -> Iterator[Leaf]:
        if self.paramseed is not NOSEED:
            seed, seed_path = self.paramseed, ()
        for f in dataclasses.fields(self):
            if f.name == "paramseed":
                continue
            value = getattr(self, f.name)
            if isinstance(value, ParamColl):
                yield from value._leaves((*path, f.name), seed, (*seed_path, f.name))
            elif isinstance(value, Expandable):
                yield Leaf((*path, f.name), value, seed, (*seed_path, f.name))

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
        return common_length(list(self._leaves()))

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
        n = common_length(leaves)
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
        indices = expansion_range(self, args, n, "inner")
        self._check_seeds(leaves)
        return self._generate(leaves, ((i, i) for i in indices), Positions.inner)

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
        indices = expansion_range(self, args, n, "outer")
        self._check_seeds(leaves)
        return self._generate(leaves, ((j, j) for j in indices), Positions.outer)

    def _check_seeds(self, leaves: list[Leaf]) -> None:
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
        self, leaves: list[Leaf], positions: Iterator[tuple[int, int]], how: Any
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
        from pydantic_core import core_schema

        target = source if isinstance(source, type) and issubclass(source, ParamColl) else cls

        def validate(value: Any) -> Any:
            if isinstance(value, target):
                return value
            if (
                isinstance(value, Mapping)
                and not isinstance(value, ParamColl)
                and target is not ParamColl
            ):
                if value.get("$type") == PARAMCOLL_TAG:
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


def _prepare(cls: type, name: str, value: Any, validator: tuple[Any, Any] | None) -> Any:
    """Validate one field value; elements of an expanded sequence are validated one by one."""
    if isinstance(value, ParamColl | ExpandableRV):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and _holds_expandables(value):
        return converted_paramcoll(type(value), f"{cls.__qualname__}.{name}")(
            **{f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
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


def _holds_expandables(value: Any) -> bool:
    """Whether the dataclass instance *value* holds an expanded value, directly or in a nested dataclass."""
    for f in dataclasses.fields(value):
        inner = getattr(value, f.name)
        if isinstance(inner, Expandable):
            return True
        if dataclasses.is_dataclass(inner) and not isinstance(inner, type | ParamColl) and _holds_expandables(inner):
            return True
    return False


class ConvertedParamCollType(ABCMeta):
    """Metaclass of the ParamColl types made from plain dataclasses; they pickle as their dataclass."""

    source: type


def _reduce_converted(cls: ConvertedParamCollType) -> tuple[Any, tuple[type]]:
    return converted_paramcoll, (cls.source,)


copyreg.pickle(ConvertedParamCollType, _reduce_converted)

_converted: dict[type, ConvertedParamCollType] = {}


def converted_paramcoll(source: type, where: str | None = None) -> ConvertedParamCollType:
    """The ParamColl type standing for the plain dataclass *source*, made once per process.

    A plain dataclass holding ``expand(...)`` values, nested in a ParamColl, is
    converted to it (as smttask 0.2 did), so its fields expand with the rest.
    The type has *source*'s fields (names, annotations, defaults; keyword-only)
    and none of its methods, and pickles and is keyed by reference to *source*,
    so two processes agree on it. *where* names the field for errors.
    """
    found = _converted.get(source)
    if found is not None:
        return found
    fields = dataclasses.fields(source)
    computed = [f.name for f in fields if not f.init]
    if computed:
        raise ParamCollError(
            f"{where or source.__qualname__}: the dataclass {source.__qualname__} holds expanded values but "
            f"computes field(s) {', '.join(computed)} itself, so it cannot be rebuilt for each expansion: "
            f"make {source.__qualname__} a ParamColl subclass."
        )
    namespace: dict[str, Any] = {
        "__module__": source.__module__,
        "__qualname__": f"ParamColl_{source.__qualname__}",
        "__doc__": f"The ParamColl made from the dataclass {source.__module__}.{source.__qualname__}.",
        "__annotations__": {f.name: f.type for f in fields},
        "source": source,
    }
    for f in fields:
        if f.default is not dataclasses.MISSING:
            namespace[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f.name] = dataclasses.field(default_factory=f.default_factory)
    converted = ConvertedParamCollType(f"ParamColl_{source.__name__}", (ParamColl,), namespace, kw_only=True)
    return _converted.setdefault(source, converted)


def _validate(cls: type, name: str, annotation: Any, adapter: Any, value: Any) -> Any:
    from pydantic import ValidationError

    from ..validation import format_validation_error, type_name

    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        hint = ""
        if callable(getattr(value, "rvs", None)):
            hint = (
                " To draw this field's values from the distribution, wrap it: expand(distribution)."
            )
        raise ParamCollError(
            f"{cls.__qualname__}: invalid value for '{name}' (expected {type_name(annotation)}): "
            f"{format_validation_error(exc)}.{hint}"
        ) from None


def _registry() -> Any:
    from ..project import current_project

    return current_project().serializers


def _encode_plain(value: ParamColl) -> Any:
    from ..encoding import encode

    return encode(value, _registry(), "file")


def _decode_plain(data: Any) -> Any:
    from ..encoding import decode

    return decode(data, _registry())
