"""Typed, reversible JSON encodings of values that JSON cannot hold natively.

A :class:`Serializer` turns values of some types into JSON data and back. In a
task's inputs such values are written as ``{"$type": <serializer name>,
"value": <data>}``, so a value read back from a task file has the same type it
had when written, even for inputs annotated ``Any``. Serializers are looked up
along the value's MRO by *qualified type name*, so types from optional
libraries (numpy) are registered without importing those libraries.
"""

from __future__ import annotations

import enum
import importlib
import sys
from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from .canonical import canonical_json
from .errors import DeserializationError, SerializerConflictError
from .text import one_line, shown

if TYPE_CHECKING:
    import datetime as _dt

JSONValue = Any
Encode = Callable[[Any], JSONValue]
Decode = Callable[[JSONValue], Any]


def qualified_name(cls: type) -> str:
    """``module.QualName`` of a class: a name a serializer may list it under."""
    return f"{cls.__module__}.{cls.__qualname__}"


def imported_class(path: str) -> type | None:
    """The class a dotted *path* names, if the module holding it is already imported.

    *path* is ``package.module.Name`` (the path a class is imported by, such as
    ``pathlib.PurePath`` or ``numpy.random.Generator``) or a class's
    :func:`qualified_name`; nested classes are ``module.Outer.Inner``. The
    longest imported module that prefixes *path* is searched for the rest of it
    through namespaces only (``vars``, never a module's ``__getattr__``, which
    may import a submodule), so nothing is imported or called: the answer is
    None until the class's library is in use, and for a path naming no class.
    """
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        obj: Any = module
        for name in parts[cut:]:
            try:
                obj = vars(obj).get(name)
            except TypeError:  # an object without a namespace
                return None
        return obj if isinstance(obj, type) else None
    return None


class Serializer:
    """Encodes values of some types as JSON data, and decodes them back.

    Subclasses set :attr:`name` (the ``$type`` tag written in files; keep it
    stable forever, since task files and keys depend on it) and :attr:`types`
    (the classes handled, subclasses included: each a class, or the dotted path
    it is imported by, which leaves its library unimported until it is used).
    """

    name: ClassVar[str]
    types: ClassVar[tuple[str | type, ...]]
    #: Values hold internal state a task could mutate (e.g. a random generator):
    #: each run receives a copy, so the task stays pure.
    mutable: ClassVar[bool] = False

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        """Return JSON data for *value*; call *encode* on nested values."""
        raise NotImplementedError

    def key(self, value: Any, encode: Encode) -> JSONValue:
        """Return the JSON data that enters a task key (defaults to :meth:`encode`).

        Override to key large values by a digest instead of their content.
        """
        return self.encode(value, encode)

    def decode(self, data: JSONValue, decode: Decode) -> Any:
        """Rebuild the value from :meth:`encode`'s data; call *decode* on nested data."""
        raise NotImplementedError


def resolve_class(path: object, base: type | tuple[type, ...], *, what: str, import_module: bool = False) -> type:
    """The class at ``module:QualName`` *path*, which must be a subclass of *base*.

    This is the one way a value decoder turns a name read from a file into a
    class, so a task file cannot reach anything but its declared type: the path
    must be well formed (no dunder attributes), the module must already be
    imported (unless *import_module*: only generated tasks, whose class is the
    task's subject, import it), and the object found must be a class deriving
    from *base*; nothing found is called. *what* names the expected kind of class
    in the error (e.g. ``"an Enum subclass"``).
    """
    module_name, qualname = _split_path(path)
    if module_name not in sys.modules:
        if not import_module:
            raise DeserializationError(
                f"Type {shown(path)} comes from module {shown(module_name)}, which is not imported. "
                "Import it first (with `smttask run`, pass --import MODULE)."
            )
        _import(module_name)
    obj: Any = sys.modules[module_name]
    try:
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise DeserializationError(f"Module {shown(module_name)} has no attribute {shown(qualname)}.") from None
    if not (isinstance(obj, type) and issubclass(obj, base)):
        raise DeserializationError(f"{shown(path)} is not {what}; a task file may name only {what} here.")
    return obj


def resolve_marked(path: object, accept: Callable[[object], bool], *, what: str) -> Any:
    """The object at ``module:qualname`` *path*, if *accept* says it is *what* (e.g. ``"a pure function"``).

    The way a decoder turns a reference read from a file into an object that is
    not a class. The module is imported (a task file may make smttask import an
    installed module, and nothing more); the attribute path is walked through
    namespaces only (:func:`inspect.getattr_static`: no property, descriptor or
    module ``__getattr__`` runs), through modules and classes only; and *accept*
    must not call the object (check its type). Nothing found is called.
    """
    import inspect
    import types

    module_name, sep, qualname = path.partition(":") if isinstance(path, str) else ("", "", "")
    if not (sep and is_module_name(module_name) and is_attribute_path(qualname)):
        raise DeserializationError(
            f"{shown(path)} is not a valid reference to {what}: expected 'module:qualname', a module name "
            "and attribute names without dunders."
        )
    if module_name not in sys.modules:
        _import(module_name)
    obj: Any = sys.modules[module_name]
    for part in qualname.split("."):
        if not issubclass(type(obj), types.ModuleType | type):  # type(): never a __class__ property
            raise DeserializationError(f"{shown(path)} is not {what}: it walks through an object that is not a class.")
        try:
            obj = inspect.getattr_static(obj, part)
        except AttributeError:
            raise DeserializationError(f"Module {shown(module_name)} has no attribute {shown(qualname)}.") from None
    if not accept(obj):
        raise DeserializationError(f"{shown(path)} is not {what}, so a task file may not name it; nothing was called.")
    return obj


def _split_path(path: object) -> tuple[str, str]:
    """``(module, qualname)`` of a well-formed ``module:QualName`` path, else a DeserializationError."""
    module_name, sep, qualname = path.partition(":") if isinstance(path, str) else ("", "", "")
    if not (sep and is_module_name(module_name) and is_attribute_path(qualname)):
        raise DeserializationError(
            f"{shown(path)} is not a valid class path: expected 'module:QualName', a module name "
            "and attribute names without dunders."
        )
    return module_name, qualname


#: Longest module name or attribute path a file may give (real ones are tens of characters).
MAX_NAME_LENGTH = 500


def is_module_name(name: object) -> bool:
    """True if *name* can name an importable module: dotted, absolute, no spaces or control characters.

    A package's ``__main__`` module is refused: it is a program's entry point, which
    runs (parsing the command line, exiting) when imported.
    """
    return isinstance(name, str) and len(name) <= MAX_NAME_LENGTH and not name.endswith(".__main__") and all(
        part and part.isprintable() and not any(ch.isspace() or ch in "/\\:" for ch in part)
        for part in name.split(".")
    )


def is_attribute_path(name: object) -> bool:
    """True if *name* is a dotted path of identifiers with no dunder (``Outer.Inner``, not ``__class__``)."""
    return isinstance(name, str) and len(name) <= MAX_NAME_LENGTH and all(
        part.isidentifier() and not part.startswith("__") for part in name.split(".")
    )


def _import(module_name: str) -> None:
    try:
        importlib.import_module(module_name)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit too: a module's import must not end the program
        raise DeserializationError(
            f"Importing module {shown(module_name)} failed: {type(exc).__name__}: {one_line(str(exc), 500)}"
        ) from exc


def class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


class TupleSerializer(Serializer):
    name = "tuple"
    types = ("builtins.tuple",)

    def encode(self, value: tuple, encode: Encode) -> JSONValue:
        return [encode(v) for v in value]

    def decode(self, data: list, decode: Decode) -> tuple:
        return tuple(decode(v) for v in data)


def _canonical_order(items: Iterable[JSONValue]) -> list[JSONValue]:
    return sorted(items, key=canonical_json)


class SetSerializer(Serializer):
    name = "set"
    types = ("builtins.set",)

    def encode(self, value: set, encode: Encode) -> JSONValue:
        return _canonical_order(encode(v) for v in value)

    def decode(self, data: list, decode: Decode) -> set:
        return {decode(v) for v in data}


class FrozenSetSerializer(SetSerializer):
    name = "frozenset"
    types = ("builtins.frozenset",)

    def decode(self, data: list, decode: Decode) -> frozenset:
        return frozenset(decode(v) for v in data)


class DictSerializer(Serializer):
    """Dicts whose keys are not all plain strings (or that use the reserved ``$type`` key)."""

    name = "dict"
    types = ()

    def encode(self, value: dict, encode: Encode) -> JSONValue:
        pairs = [[encode(k), encode(v)] for k, v in value.items()]
        return sorted(pairs, key=lambda kv: canonical_json(kv[0]))

    def decode(self, data: list, decode: Decode) -> dict:
        return {decode(k): decode(v) for k, v in data}


class BytesSerializer(Serializer):
    name = "bytes"
    types = ("builtins.bytes",)

    def encode(self, value: bytes, encode: Encode) -> JSONValue:
        import base64

        return base64.b64encode(value).decode("ascii")

    def decode(self, data: str, decode: Decode) -> bytes:
        import base64

        return base64.b64decode(data)


class ComplexSerializer(Serializer):
    name = "complex"
    types = ("builtins.complex",)

    def encode(self, value: complex, encode: Encode) -> JSONValue:
        return [value.real, value.imag]

    def decode(self, data: list, decode: Decode) -> complex:
        return complex(data[0], data[1])


class PathSerializer(Serializer):
    name = "path"
    types = ("pathlib.PurePath",)

    def encode(self, value: PurePath, encode: Encode) -> JSONValue:
        return value.as_posix()

    def decode(self, data: str, decode: Decode) -> PurePath:
        from pathlib import Path

        return Path(data)


class DateTimeSerializer(Serializer):
    name = "datetime"
    types = ("datetime.datetime",)

    def encode(self, value: _dt.datetime, encode: Encode) -> JSONValue:
        return value.isoformat()

    def decode(self, data: str, decode: Decode) -> _dt.datetime:
        import datetime

        return datetime.datetime.fromisoformat(data)


class DateSerializer(Serializer):
    name = "date"
    types = ("datetime.date",)

    def encode(self, value: _dt.date, encode: Encode) -> JSONValue:
        return value.isoformat()

    def decode(self, data: str, decode: Decode) -> _dt.date:
        import datetime

        return datetime.date.fromisoformat(data)


class TimeDeltaSerializer(Serializer):
    name = "timedelta"
    types = ("datetime.timedelta",)

    def encode(self, value: _dt.timedelta, encode: Encode) -> JSONValue:
        return [value.days, value.seconds, value.microseconds]

    def decode(self, data: list, decode: Decode) -> _dt.timedelta:
        import datetime

        return datetime.timedelta(days=data[0], seconds=data[1], microseconds=data[2])


class EnumSerializer(Serializer):
    name = "enum"
    types = ("enum.Enum",)

    def encode(self, value: enum.Enum, encode: Encode) -> JSONValue:
        return {"class": class_path(type(value)), "value": encode(value.value)}

    def decode(self, data: dict, decode: Decode) -> enum.Enum:
        cls = resolve_class(data["class"], enum.Enum, what="an Enum subclass")
        return cls(decode(data["value"]))


class PydanticModelSerializer(Serializer):
    name = "model"
    types = ("pydantic.main.BaseModel",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        return {"class": class_path(type(value)), "data": value.model_dump(mode="json")}

    def decode(self, data: dict, decode: Decode) -> Any:
        from pydantic import BaseModel

        cls = resolve_class(data["class"], BaseModel, what="a pydantic model (BaseModel subclass)")
        return cls.model_validate(data["data"])


BUILTIN_SERIALIZERS: tuple[Serializer, ...] = (
    TupleSerializer(),
    SetSerializer(),
    FrozenSetSerializer(),
    DictSerializer(),
    BytesSerializer(),
    ComplexSerializer(),
    PathSerializer(),
    DateTimeSerializer(),
    DateSerializer(),
    TimeDeltaSerializer(),
    EnumSerializer(),
    PydanticModelSerializer(),
)


class SerializerLookup(Protocol):
    """What encoding and decoding ask of a registry: a serializer by class or by ``$type`` name."""

    def for_type(self, t: type) -> Serializer | None: ...

    def by_name(self, name: str) -> Serializer: ...


class DeferredRegistry:
    """A registry built only when a value needs a serializer (see :attr:`smttask.Project.deferred_serializers`).

    Plain values (numbers, strings, None, and lists and string-keyed dicts of
    them) encode and decode without one, so keying a task of plain inputs or
    loading a plain JSON result imports none of the modules the serializers
    live in: the first disk hit of a short script is that much cheaper.
    """

    def __init__(self, build: Callable[[], SerializerRegistry]) -> None:
        self._build = build

    def for_type(self, t: type) -> Serializer | None:
        return self._build().for_type(t)

    def by_name(self, name: str) -> Serializer:
        return self._build().by_name(name)


class SerializerRegistry:
    """Serializers by ``$type`` name and by handled class; a lookup walks the value type's MRO.

    Classes named by a path are resolved (see :func:`imported_class`) as their
    modules get imported. A base class matches when it *is* a registered class
    or, for classes no path reaches (defined in a function), when its
    :func:`qualified_name` is a registered path. When two serializers handle
    the same class, the one registered last wins.
    """

    def __init__(self, serializers: Iterable[Serializer] = (), parent: SerializerRegistry | None = None):
        self._by_name: dict[str, Serializer] = {}
        self._handled: list[tuple[str | type, Serializer]] = []  # in registration order
        self._by_path: dict[str, Serializer] = {}
        self._resolved: dict[str, type] = {}
        self._classes: dict[type, Serializer] = {}
        self._by_class: dict[type, Serializer | None] = {}
        self._parent = parent
        for serializer in serializers:
            self.register(serializer)

    def register(self, serializer: Serializer, *, replace: bool = False) -> None:
        """Add *serializer*; a second serializer for the same name is an error unless *replace*."""
        existing = self._by_name.get(serializer.name)
        if existing is not None and not replace and type(existing) is not type(serializer):
            raise SerializerConflictError(
                f"A serializer named '{serializer.name}' is already registered "
                f"({type(existing).__qualname__}); pass replace=True to override it."
            )
        self._by_name[serializer.name] = serializer
        for handled in serializer.types:
            self._handled.append((handled, serializer))
            if isinstance(handled, str):
                self._by_path[handled] = serializer
        self._index_classes()

    def unregister(self, name: str) -> None:
        """Remove the serializer registered as *name* and the classes it handles (a no-op if none is).

        For a notebook or a test that registers a serializer for a while; task
        files naming it can no longer be read once it is gone.
        """
        serializer = self._by_name.pop(name, None)
        if serializer is None:
            return
        self._handled = [(h, s) for h, s in self._handled if s is not serializer]
        self._by_path = {handled: s for handled, s in self._handled if isinstance(handled, str)}
        self._index_classes()

    def for_type(self, cls: type) -> Serializer | None:
        """The serializer handling *cls* (or a base class of it), or None."""
        try:
            return self._by_class[cls]
        except KeyError:
            pass
        self._resolve_imported()
        found = None
        for base in cls.__mro__:
            found = self._classes.get(base) or self._by_path.get(qualified_name(base))
            if found is not None:
                break
        if found is None and self._parent is not None:
            found = self._parent.for_type(cls)
        if found is not None:  # misses are not cached: a serializer may be registered later
            self._by_class[cls] = found
        return found

    def _resolve_imported(self) -> None:
        """Resolve the registered paths whose modules have been imported since the last lookup."""
        newly = {
            path: cls
            for path in self._by_path
            if path not in self._resolved and (cls := imported_class(path)) is not None
        }
        if newly:
            self._resolved.update(newly)
            self._index_classes()

    def _index_classes(self) -> None:
        """Rebuild the class -> serializer table from the registrations, later ones winning."""
        classes: dict[type, Serializer] = {}
        for handled, serializer in self._handled:
            cls = self._resolved.get(handled) if isinstance(handled, str) else handled
            if cls is not None:
                classes[cls] = serializer
        self._classes = classes
        self._by_class.clear()

    def by_name(self, name: str) -> Serializer:
        serializer = self._by_name.get(name)
        if serializer is None and self._parent is not None:
            return self._parent.by_name(name)
        if serializer is None:
            raise DeserializationError(
                f"Unknown serialized type '{name}': no installed serializer has this name. "
                "Install or register the plugin that wrote it."
            )
        return serializer


#: Process-wide serializers added with :func:`smttask.typing.register_serializer`;
#: every project's registry falls back to it.
user_registry = SerializerRegistry()
