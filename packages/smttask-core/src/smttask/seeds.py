"""Named, reproducible random seeds derived from keys.

A :class:`SeedGenerator` subclass lists the seeds a computation needs, one
annotated attribute each::

    class SeedGen(SeedGenerator):
        data: tuple[int, int]   # two 32-bit words
        noise: int              # one 32-bit integer
        init: SeedSequence      # a numpy.random.SeedSequence

    seeds = SeedGen(entropy=20240601)("trial", 3)
    rng = np.random.default_rng(seeds.noise)

Seeds are a stable digest of ``(entropy, seed name, key)``: the same key gives
the same seeds in every process, on every machine and Python version (Python's
``hash()`` is salted per process, so it is never used); different keys, names or
entropies give different seeds. NumPy is needed only for ``SeedSequence`` seeds.
"""

from __future__ import annotations

import hashlib
import typing
from collections import namedtuple
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ._optional import require_numpy
from .encoding import canonical_json, encode
from .errors import SeedError, UnserializableValueError
from .serializers import (
    BUILTIN_SERIALIZERS,
    Decode,
    Encode,
    JSONValue,
    Serializer,
    SerializerRegistry,
    class_path,
    resolve_class,
)

if TYPE_CHECKING:
    from pydantic_core import core_schema

__all__ = ["SeedGenerator", "stable_entropy", "stable_words"]

_REGISTRY = SerializerRegistry(BUILTIN_SERIALIZERS)


def _normalize(value: Any) -> Any:
    """Map equivalent spellings of a key to one value: lists → tuples, NumPy scalars → Python ones."""
    t = type(value)
    if t in (str, int, float, bool, type(None), bytes):
        return value
    if t in (tuple, list):
        return tuple(_normalize(v) for v in value)
    module = t.__module__
    if module == "numpy" and getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return _normalize(value.item())
    if module.startswith("numpy") and t.__name__ == "SeedSequence":
        entropy = value.entropy
        entropy = int(entropy) if isinstance(entropy, int) else tuple(int(e) for e in entropy)
        return ("numpy.SeedSequence", entropy, tuple(int(k) for k in value.spawn_key))
    if module == "numpy" and t.__name__ == "ndarray":
        return tuple(_normalize(v) for v in value.tolist())
    return value


def key_text(parts: Any) -> bytes:
    """The canonical bytes seeds are derived from; :class:`SeedError` names a value that cannot take part."""
    try:
        data = encode(_normalize(parts), _REGISTRY, "key")
    except UnserializableValueError as exc:
        raise SeedError(
            f"Cannot derive a seed from a value of type '{exc.value_type.__qualname__}': seeds and keys "
            "may hold int, float, str, bytes, bool, None, NumPy scalars or SeedSequences, and tuples "
            "or lists of these."
        ) from None
    return canonical_json(data).encode("utf-8")


def stable_words(parts: Any, n_words: int) -> tuple[int, ...]:
    """*n_words* unsigned 32-bit integers derived from *parts* (a stable, typed digest).

    Equal *parts* give equal words in every process; ``1``, ``1.0``, ``"1"`` and
    ``True`` are different parts. Lists and tuples are equivalent.
    """
    digest = hashlib.shake_256(key_text(parts)).digest(4 * n_words)
    return tuple(int.from_bytes(digest[4 * i : 4 * i + 4], "little") for i in range(n_words))


def stable_entropy(parts: Any) -> int:
    """A 128-bit integer derived from *parts*, for ``numpy.random.SeedSequence(entropy)``."""
    return int.from_bytes(hashlib.shake_256(key_text(parts)).digest(16), "little")


class _SeedKind(typing.NamedTuple):
    words: int  # 0 for a SeedSequence
    scalar: bool


def _seed_kind(owner: str, name: str, annotation: Any) -> _SeedKind:
    from . import typing as st

    origin = typing.get_origin(annotation)
    if annotation is int:
        return _SeedKind(1, True)
    if origin is tuple:
        args = typing.get_args(annotation)
        if args and all(a is int for a in args):
            return _SeedKind(len(args), False)
        if Ellipsis in args:
            raise SeedError(
                f"Seed '{name}' of {owner}: tuple[int, ...] has no fixed length; write the length out, "
                "e.g. tuple[int, int, int]."
            )
    if annotation == st.SeedSequence or (
        isinstance(annotation, type)
        and annotation.__name__ == "SeedSequence"
        and annotation.__module__.startswith("numpy")
    ):
        return _SeedKind(0, True)
    raise SeedError(
        f"Seed '{name}' of {owner} is annotated {annotation!r}; a seed is annotated `int` (one 32-bit "
        "integer), `tuple[int, int]` (that many 32-bit integers) or `SeedSequence` "
        "(numpy.random.SeedSequence or smttask.typing.SeedSequence)."
    )


_RESERVED = frozenset({"entropy", "SeedValues", "seed_names"})


class NamedSeed:
    """The seed called *name* of a :class:`SeedGenerator`: call it with a key to get the seed."""

    __slots__ = ("_generator", "_name", "_kind")

    def __init__(self, generator: SeedGenerator, name: str, kind: _SeedKind) -> None:
        self._generator, self._name, self._kind = generator, name, kind

    def __call__(self, *key: Any) -> Any:
        """The seed for *key* (any number of ints, floats, strings...; a single tuple is unpacked)."""
        if len(key) == 1 and type(key[0]) in (tuple, list):
            key = tuple(key[0])
        parts = ("smttask.SeedGenerator", self._generator.entropy, self._name, key)
        if self._kind.words == 0:
            return require_numpy().random.SeedSequence(stable_entropy(parts))
        words = stable_words(parts, self._kind.words)
        return words[0] if self._kind.scalar else words

    def __repr__(self) -> str:
        return f"<seed '{self._name}' of {self._generator!r}>"


class SeedGenerator:
    """Named, reproducible seeds derived from keys.

    Subclass it and annotate one attribute per seed: ``int`` gives one 32-bit
    integer, ``tuple[int, int]`` that many integers, ``SeedSequence`` a
    ``numpy.random.SeedSequence``. All are accepted by
    ``numpy.random.default_rng`` and ``numpy.random.SeedSequence``.

    ``SeedGen(entropy)`` makes a generator (*entropy*: an int — e.g.
    ``numpy.random.SeedSequence().entropy`` —, a string, or a tuple of these).
    Calling it with a key gives a named tuple with one seed per name;
    ``gen.noise(*key)`` gives the one seed. The key is any number of ints,
    floats, strings (order matters; a single tuple is unpacked).
    The same key gives the same seeds in any process.
    """

    #: Named-tuple type returned by calling a generator (one field per seed).
    SeedValues: ClassVar[type]
    #: The seed names, in definition order.
    seed_names: ClassVar[tuple[str, ...]] = ()
    _seed_kinds: ClassVar[dict[str, _SeedKind]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except NameError as exc:
            raise SeedError(
                f"Cannot resolve the seed annotations of {cls.__qualname__}: {exc}. "
                "Import every name used in them at module level."
            ) from exc
        kinds: dict[str, _SeedKind] = {}
        for name, annotation in hints.items():
            if name.startswith("_") or typing.get_origin(annotation) is ClassVar:
                continue
            if name in _RESERVED:
                raise SeedError(
                    f"{cls.__qualname__}: '{name}' is reserved by SeedGenerator; rename this seed."
                )
            kinds[name] = _seed_kind(cls.__qualname__, name, annotation)
        cls._seed_kinds = kinds
        cls.seed_names = tuple(kinds)
        values = namedtuple("SeedValues", cls.seed_names)  # type: ignore[misc]
        values.__qualname__ = f"{cls.__qualname__}.SeedValues"
        values.__module__ = cls.__module__
        cls.SeedValues = values

    def __init__(self, entropy: Any) -> None:
        if type(self) is SeedGenerator:
            raise SeedError(
                "Subclass SeedGenerator and annotate one attribute per seed (e.g. `noise: int`)."
            )
        if type(entropy) is list:
            entropy = tuple(entropy)
        key_text(entropy)  # fails early on an unusable entropy
        object.__setattr__(self, "entropy", entropy)
        for name, kind in self._seed_kinds.items():
            object.__setattr__(self, name, NamedSeed(self, name, kind))

    def __call__(self, *key: Any) -> Any:
        """All seeds for *key*, as a named tuple ``SeedValues(name=seed, ...)``."""
        return self.SeedValues(*(getattr(self, name)(*key) for name in self.seed_names))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"{type(self).__qualname__} is immutable; create a new generator instead."
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return _normalize(self.entropy) == _normalize(other.entropy)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), _normalize(self.entropy)))

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({self.entropy!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.entropy,))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        from pydantic_core import core_schema

        def validate(value: Any) -> Any:
            if isinstance(value, source):
                return value
            if source is not SeedGenerator and not isinstance(value, SeedGenerator | Mapping):
                return source(value)  # raw entropy
            raise ValueError(
                f"expected a {source.__qualname__} or its entropy, got {type(value).__name__}"
            )

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda g: _normalize(g.entropy), when_used="json"
            ),
        )


class SeedGeneratorSerializer(Serializer):
    """Seed generators as task inputs: their class (``module:QualName``) and entropy."""

    name = "seedgenerator"
    types = ("smttask.seeds.SeedGenerator",)

    def encode(self, value: SeedGenerator, encode: Encode) -> JSONValue:
        return {"class": class_path(type(value)), "entropy": encode(value.entropy)}

    def decode(self, data: dict, decode: Decode) -> SeedGenerator:
        cls = resolve_class(data["class"], SeedGenerator, what="a SeedGenerator subclass")
        return cls(decode(data["entropy"]))


SEED_SERIALIZERS: tuple[Serializer, ...] = (SeedGeneratorSerializer(),)
