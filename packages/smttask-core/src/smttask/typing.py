"""Typed, serializable scientific types for task signatures.

``Array`` (optionally ``Array[float, 2]``), ``DType``, NumPy's random
``Generator`` and ``SeedSequence`` validate and coerce inputs through pydantic,
and have serializers so they can appear in task keys and task files. NumPy is
imported only when one of these types is used. Functions are task inputs when
marked pure: :class:`PureFunction`, :class:`PartialPureFunction` and
:class:`CompositePureFunction` (see :mod:`smttask.pure_functions`).

To support another type, subclass :class:`smttask.serializers.Serializer` and
pass an instance to :func:`register_serializer` (or return it from the
``smttask_value_serializers`` plugin hook).
"""

from __future__ import annotations

import base64
import zlib
from typing import TYPE_CHECKING, Annotated, Any

from ._optional import require_numpy
from .errors import (
    DeserializationError,
    SerializationError,
    TaskDefinitionError,
)
from .outputs import separate_outputs
from .pure_functions import CompositePureFunction, PartialPureFunction, PureFunction
from .serializers import Decode, Encode, JSONValue, Serializer, user_registry
from .text import shown

if TYPE_CHECKING:
    from pydantic_core import core_schema

__all__ = [
    "Array",
    "CompositePureFunction",
    "DType",
    "PartialPureFunction",
    "PureFunction",
    "RNGenerator",
    "SeedSequence",
    "register_serializer",
    "separate_outputs",
]

#: Arrays with at most this many elements are written as readable JSON lists;
#: larger ones as base64 of their raw bytes, zlib-compressed when that pays off.
INLINE_LIST_MAX = 64

#: Largest ``pool_size`` a task file may give a SeedSequence (NumPy's default is 4;
#: the pool is allocated, so an unbounded one is a way to exhaust memory).
MAX_POOL_SIZE = 1 << 10


def register_serializer(serializer: Serializer, *, replace: bool = False) -> None:
    """Make the types handled by *serializer* usable as task inputs, in every project."""
    user_registry.register(serializer, replace=replace)


def _plain_schema(validate: Any, to_json: Any) -> core_schema.CoreSchema:
    from pydantic_core import core_schema

    def checked(value: Any) -> Any:
        try:
            return validate(value)
        except TypeError as exc:  # pydantic reports only ValueErrors as validation errors
            raise ValueError(str(exc)) from exc

    return core_schema.no_info_plain_validator_function(
        checked,
        serialization=core_schema.plain_serializer_function_ser_schema(to_json, when_used="json"),
    )


class _ArraySpec:
    """pydantic metadata validating an array with an optional dtype and number of dimensions."""

    def __init__(self, dtype: Any = None, ndim: int | None = None) -> None:
        self.dtype, self.ndim = dtype, ndim

    @property
    def display_name(self) -> str:
        if self.dtype is None and self.ndim is None:
            return "Array"
        dtype = getattr(self.dtype, "__name__", str(self.dtype))
        return f"Array[{dtype}]" if self.ndim is None else f"Array[{dtype}, {self.ndim}]"

    def __repr__(self) -> str:
        return self.display_name

    def validate(self, value: Any) -> Any:
        np = require_numpy()
        arr = np.asarray(value)
        if arr.dtype == object:
            raise ValueError("object arrays are not supported as task values")
        if self.dtype is not None:
            target = np.dtype(self.dtype)
            if arr.dtype != target:
                if not np.can_cast(arr.dtype, target, "same_kind"):
                    raise ValueError(f"cannot convert an array of dtype {arr.dtype} to {target}")
                arr = arr.astype(target)
        if self.ndim is not None and arr.ndim != self.ndim:
            raise ValueError(f"expected an array with {self.ndim} dimension(s), got shape {arr.shape}")
        return arr

    def validate_strict(self, value: Any) -> Any:
        """Accept only an actual array: in a union (``float | Array``) a number stays a number."""
        if not isinstance(value, require_numpy().ndarray):
            raise ValueError(f"expected a NumPy array, got {type(value).__name__}")
        return self.validate(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        from pydantic_core import core_schema

        # pydantic's smart unions try every member strictly first: there only an
        # ndarray is an Array, so 5 given to `float | Array` is the float 5.0.
        return core_schema.lax_or_strict_schema(
            lax_schema=_plain_schema(self.validate, _to_list),
            strict_schema=_plain_schema(self.validate_strict, _to_list),
        )


def _to_list(array: Any) -> Any:
    return array.tolist()


class Array:
    """A NumPy array input or output; ``Array[dtype]`` and ``Array[dtype, ndim]`` constrain it.

    Lists and scalars are coerced with :func:`numpy.asarray`; a dtype is cast
    only when the cast is safe or same-kind (int to float, not float to int).
    """

    def __class_getitem__(cls, params: Any) -> Any:
        if not isinstance(params, tuple):
            params = (params,)
        if len(params) > 2:
            raise TaskDefinitionError("Array takes at most two parameters: Array[dtype, ndim]")
        dtype = params[0]
        ndim = params[1] if len(params) == 2 else None
        if ndim is not None and not isinstance(ndim, int):
            raise TaskDefinitionError(f"Array's second parameter is the number of dimensions, got {ndim!r}")
        return Annotated[Any, _ArraySpec(dtype, ndim)]

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return _ArraySpec().__get_pydantic_core_schema__(source, handler)


def _validate_dtype(value: Any) -> Any:
    return require_numpy().dtype(value)


def _validate_generator(value: Any) -> Any:
    np = require_numpy()
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, int | np.random.SeedSequence):
        return np.random.default_rng(value)
    raise ValueError(f"expected a numpy.random.Generator or an integer seed, got {type(value).__name__}")


def _validate_seedsequence(value: Any) -> Any:
    np = require_numpy()
    if isinstance(value, np.random.SeedSequence):
        return value
    if isinstance(value, int | list | tuple):
        return np.random.SeedSequence(value)
    raise ValueError(f"expected a numpy.random.SeedSequence or integer entropy, got {type(value).__name__}")


class _Plain:
    def __init__(self, display_name: str, validate: Any, to_json: Any) -> None:
        self.display_name, self.validate, self.to_json = display_name, validate, to_json

    def __repr__(self) -> str:
        return self.display_name

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return _plain_schema(self.validate, self.to_json)


DType = Annotated[Any, _Plain("DType", _validate_dtype, str)]
"""A NumPy dtype; accepts anything :class:`numpy.dtype` accepts (``float``, ``"f4"``...)."""

RNGenerator = Annotated[Any, _Plain("RNGenerator", _validate_generator, lambda g: g.bit_generator.state)]
"""A NumPy random ``Generator``; an integer is taken as a seed. Each run gets a copy,
so running a task twice gives the same result."""

SeedSequence = Annotated[Any, _Plain("SeedSequence", _validate_seedsequence, lambda s: s.entropy)]
"""A NumPy ``SeedSequence``; an integer is taken as its entropy."""

Generator = RNGenerator


def _raw_bytes(arr: Any) -> Any:
    np = require_numpy()
    contiguous = np.ascontiguousarray(arr)
    return contiguous.reshape(-1).view(np.uint8)


#: Size of the sample tried before compressing a large array (random floats barely
#: compress, and compressing them costs ~20x more than writing them).
_SAMPLE = 1 << 16


def _compresses(raw: memoryview) -> bool:
    sample = raw[:_SAMPLE]
    return len(zlib.compress(sample, 1)) < 0.8 * len(sample)


class ArraySerializer(Serializer):
    """NumPy arrays: keyed by dtype, shape and an XXH3-128 hash of their bytes."""

    name = "ndarray"
    types = ("numpy.ndarray",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        np = require_numpy()
        if value.dtype == object:
            raise SerializationError("object arrays cannot be serialized; convert them to a numeric dtype")
        descr = np.lib.format.dtype_to_descr(value.dtype)
        header = {"dtype": descr, "shape": list(value.shape)}
        if value.size <= INLINE_LIST_MAX and value.dtype.kind in "biuf":
            return {**header, "data": value.tolist()}
        raw = _raw_bytes(value).data
        if _compresses(raw):
            return {**header, "zlib": base64.b64encode(zlib.compress(raw, 1)).decode("ascii")}
        return {**header, "base64": base64.b64encode(raw).decode("ascii")}

    def key(self, value: Any, encode: Encode) -> JSONValue:
        import xxhash

        np = require_numpy()
        if value.dtype == object:
            raise SerializationError("object arrays cannot be keyed; convert them to a numeric dtype")
        return {
            "dtype": np.lib.format.dtype_to_descr(value.dtype),
            "shape": list(value.shape),
            "xxh3_128": xxhash.xxh3_128_hexdigest(_raw_bytes(value)),
        }

    def decode(self, data: dict, decode: Decode) -> Any:
        np = require_numpy()
        dtype = plain_dtype(
            np.lib.format.descr_to_dtype(
                [tuple(f) for f in data["dtype"]] if isinstance(data["dtype"], list) else data["dtype"]
            )
        )
        shape = _shape(data["shape"])
        if "data" in data:
            return np.array(data["data"], dtype=dtype).reshape(shape)
        size = dtype.itemsize
        for n in shape:
            size *= n
        if "zlib" in data:
            raw = _inflate(base64.b64decode(data["zlib"], validate=True), size)
        else:
            raw = bytearray(base64.b64decode(data["base64"], validate=True))
        if len(raw) != size:
            raise DeserializationError(
                f"array data holds {len(raw)} bytes, but dtype {dtype} and shape {tuple(shape)} need {size}"
            )
        return np.frombuffer(raw, dtype=dtype).reshape(shape)


#: Largest item a task file's dtype may declare: a 100-byte file must not make the reader
#: allocate gigabytes (``<U100000000``), nor a sub-array dtype hide a large shape.
MAX_ITEMSIZE = 1 << 16


def plain_dtype(dtype: Any) -> Any:
    """*dtype*, refused if it holds Python objects (decoding those would build arbitrary objects) or huge items."""
    if dtype.hasobject:
        raise DeserializationError(f"dtype {shown(str(dtype))} holds Python objects, which task files cannot carry")
    if dtype.itemsize > MAX_ITEMSIZE or _has_subarray(dtype):
        raise DeserializationError(
            f"dtype {shown(str(dtype))} is not accepted in a task file: items of more than {MAX_ITEMSIZE} bytes "
            "or sub-array fields (give the array its full shape instead)"
        )
    return dtype


def _has_subarray(dtype: Any) -> bool:
    if dtype.subdtype is not None:
        return True
    return any(_has_subarray(dtype.fields[name][0]) for name in dtype.names or ())


def _shape(value: Any) -> list[int]:
    if not (isinstance(value, list) and all(type(n) is int and n >= 0 for n in value)):
        raise DeserializationError(f"an array shape must be a list of non-negative integers, got {shown(value)}")
    return value


def _inflate(compressed: bytes, size: int) -> bytearray:
    """Decompress at most *size* bytes (one more is a mismatch): a small file cannot expand without bound."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, size + 1)
    except zlib.error as exc:
        raise DeserializationError(f"compressed array data is corrupt ({exc})") from None
    return bytearray(raw)


class NumpyScalarSerializer(Serializer):
    name = "numpy.scalar"
    types = ("numpy.generic",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        return {"dtype": value.dtype.str, "value": encode(value.item())}

    def decode(self, data: dict, decode: Decode) -> Any:
        dtype = data["dtype"]
        if not isinstance(dtype, str):
            raise DeserializationError(f"a NumPy scalar's dtype must be a string, got {shown(dtype)}")
        return plain_dtype(require_numpy().dtype(dtype)).type(decode(data["value"]))


class DTypeSerializer(Serializer):
    name = "dtype"
    types = ("numpy.dtype",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        return encode(require_numpy().lib.format.dtype_to_descr(value))

    def decode(self, data: Any, decode: Decode) -> Any:
        np = require_numpy()
        descr = decode(data)
        if isinstance(descr, list):
            descr = [tuple(f) for f in descr]
        return plain_dtype(np.lib.format.descr_to_dtype(descr))


class GeneratorSerializer(Serializer):
    name = "numpy.Generator"
    types = ("numpy.random._generator.Generator",)
    mutable = True

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        return encode(value.bit_generator.state)

    def decode(self, data: Any, decode: Decode) -> Any:
        np = require_numpy()
        state = decode(data)
        name = state["bit_generator"]
        cls = getattr(np.random, name, None) if isinstance(name, str) and name.isidentifier() else None
        if not (isinstance(cls, type) and issubclass(cls, np.random.BitGenerator)):
            raise DeserializationError(f"{shown(name)} is not a NumPy bit generator (e.g. 'PCG64')")
        bit_generator = cls()
        bit_generator.state = state
        return np.random.Generator(bit_generator)


class SeedSequenceSerializer(Serializer):
    name = "numpy.SeedSequence"
    types = ("numpy.random.bit_generator.SeedSequence",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        entropy = value.entropy
        return {
            "entropy": encode(entropy if isinstance(entropy, int) else [int(e) for e in entropy]),
            "spawn_key": list(value.spawn_key),
            "pool_size": value.pool_size,
            "n_children_spawned": value.n_children_spawned,
        }

    def decode(self, data: dict, decode: Decode) -> Any:
        pool_size = data["pool_size"]
        if not (type(pool_size) is int and 1 <= pool_size <= MAX_POOL_SIZE):
            raise DeserializationError(
                f"a SeedSequence's pool_size must be an integer from 1 to {MAX_POOL_SIZE}, got {shown(pool_size)}"
            )
        return require_numpy().random.SeedSequence(
            decode(data["entropy"]),
            spawn_key=tuple(data["spawn_key"]),
            pool_size=pool_size,
            n_children_spawned=data["n_children_spawned"],
        )


NUMPY_SERIALIZERS: tuple[Serializer, ...] = (
    ArraySerializer(),
    NumpyScalarSerializer(),
    DTypeSerializer(),
    GeneratorSerializer(),
    SeedSequenceSerializer(),
)
