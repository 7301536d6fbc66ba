"""Functions as task inputs: ``PureFunction``, ``PartialPureFunction`` and ``CompositePureFunction``.

A task's key must say everything its result depends on, so a function given as
an input has to be one whose result depends only on its arguments, and that a
task file can name. ``@PureFunction`` marks such a function; partial
application and arithmetic (``f + g``, ``2 * f``, ``-f``) build new pure
functions from marked ones.

In keys and task files a function is written *by reference*, never as source
code: a marked function as ``module:qualname``, a partial one as its function and
arguments (in the normal value encoding), an arithmetic one as its tree of
operations. Reading a file imports the module a reference names and accepts
only an object marked pure found there; nothing it names is called.
"""

from __future__ import annotations

import functools
import operator
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import DefinitionError, DeserializationError, NotPureError, SerializationError
from .serializers import Decode, Encode, JSONValue, Serializer, is_attribute_path, resolve_marked
from .text import shown

if TYPE_CHECKING:
    from pydantic_core import core_schema

__all__ = ["CompositePureFunction", "PartialPureFunction", "PureFunction"]

#: Operations a composite can apply, by the name written in task files: ``(function, arity, symbol)``.
OPERATIONS: dict[str, tuple[Callable[..., Any], int, str]] = {
    "add": (operator.add, 2, "+"),
    "sub": (operator.sub, 2, "-"),
    "mul": (operator.mul, 2, "*"),
    "truediv": (operator.truediv, 2, "/"),
    "floordiv": (operator.floordiv, 2, "//"),
    "mod": (operator.mod, 2, "%"),
    "pow": (operator.pow, 2, "**"),
    "neg": (operator.neg, 1, "-"),
    "pos": (operator.pos, 1, "+"),
    "abs": (operator.abs, 1, "abs"),
}


def _not_pure(value: object, use: str) -> NotPureError:
    name = getattr(value, "__qualname__", None) or type(value).__name__
    return NotPureError(
        f"{shown(name)} is not marked pure, so it cannot be {use}. "
        "Decorate its definition with @PureFunction (from smttask.typing)."
    )


def _operand(value: object, use: str) -> object:
    """*value* as an operand of a composite: a pure function, or a constant (never another callable)."""
    if callable(value) and not isinstance(value, PureFunction):
        raise _not_pure(value, use)
    return value


class PureFunction:
    """A function marked pure: its result depends only on its arguments, so it can be a task input.

    Use it as a decorator (``@PureFunction def f(x): ...``); the function stays
    callable as before. Annotate a task parameter with ``PureFunction`` to take
    one: any other callable is a validation error. Arithmetic with numbers or
    other pure functions gives a :class:`CompositePureFunction`.
    """

    def __init__(self, func: Callable[..., Any]) -> None:
        if isinstance(func, PureFunction) and type(func) is not PureFunction:
            raise DefinitionError(f"{func!r} is already a pure function; use it as it is.")
        if isinstance(func, PureFunction):
            func = func.func
        if not callable(func):
            raise DefinitionError(f"PureFunction marks a function; got {shown(func)}.")
        self.func = func
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        func = self.func
        qualname = getattr(func, "__qualname__", None)
        return f"PureFunction({func.__module__}.{qualname})" if isinstance(qualname, str) else f"PureFunction({func!r})"

    # Identity: equal functions give equal keys, and compare equal in memory too.

    def _identity(self) -> tuple[Any, ...]:
        return (PureFunction, self.func)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PureFunction):
            return NotImplemented
        return bool(self._identity() == other._identity())

    def __hash__(self) -> int:
        try:
            return hash(self._identity())
        except TypeError:  # unhashable partial arguments (a list): equal objects still hash equal
            return hash(type(self))

    # Arithmetic, giving composites

    def __add__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("add", self, _operand(other, "added to a pure function"))

    def __radd__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("add", _operand(other, "added to a pure function"), self)

    def __sub__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("sub", self, _operand(other, "subtracted from a pure function"))

    def __rsub__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("sub", _operand(other, "combined with a pure function"), self)

    def __mul__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("mul", self, _operand(other, "multiplied with a pure function"))

    def __rmul__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("mul", _operand(other, "multiplied with a pure function"), self)

    def __truediv__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("truediv", self, _operand(other, "combined with a pure function"))

    def __rtruediv__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("truediv", _operand(other, "combined with a pure function"), self)

    def __floordiv__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("floordiv", self, _operand(other, "combined with a pure function"))

    def __rfloordiv__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("floordiv", _operand(other, "combined with a pure function"), self)

    def __mod__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("mod", self, _operand(other, "combined with a pure function"))

    def __rmod__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("mod", _operand(other, "combined with a pure function"), self)

    def __pow__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("pow", self, _operand(other, "combined with a pure function"))

    def __rpow__(self, other: object) -> CompositePureFunction:
        return CompositePureFunction("pow", _operand(other, "combined with a pure function"), self)

    def __neg__(self) -> CompositePureFunction:
        return CompositePureFunction("neg", self)

    def __pos__(self) -> CompositePureFunction:
        return CompositePureFunction("pos", self)

    def __abs__(self) -> CompositePureFunction:
        return CompositePureFunction("abs", self)

    # Pickling: by name when the function is reachable by it (tasks go to worker processes so)

    def __reduce__(self) -> str | tuple[Any, ...]:
        if _reachable(self):
            return self.__qualname__
        return (PureFunction, (self.func,))

    # Keys and task files

    def _reference(self) -> str:
        """``module:qualname`` of this function, refused unless it names this very object."""
        func = self.func
        module, qualname = getattr(func, "__module__", None), getattr(func, "__qualname__", None)
        if not (isinstance(module, str) and isinstance(qualname, str) and is_attribute_path(qualname)):
            raise SerializationError(
                f"{self!r} has no importable name (a lambda, a closure or a function defined inside "
                "another one), so no task file can refer to it. Define it with `def` at the top level "
                "of a module and decorate it with @PureFunction."
            )
        if not _reachable(self):
            raise SerializationError(
                f"'{module}:{qualname}' does not name this pure function: decorate the definition "
                "itself with @PureFunction (for a library function, define a decorated wrapper: "
                "`@PureFunction def f(x): return library.f(x)`)."
            )
        return f"{module}:{qualname}"

    def _tree(self, encode: Encode) -> JSONValue:
        return {"ref": self._reference()}

    # pydantic: a parameter annotated with one of these classes takes only its instances

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        from pydantic_core import core_schema

        def check(value: Any) -> Any:
            if isinstance(value, cls):
                return value
            if callable(value) and not isinstance(value, PureFunction):
                raise ValueError(str(_not_pure(value, "a task input")))
            raise ValueError(f"expected a {cls.__name__}, got {shown(value, 80)}")

        return core_schema.no_info_plain_validator_function(check)


def _reachable(function: PureFunction) -> bool:
    """True if *function*'s module (already imported) holds it under its qualified name."""
    module = sys.modules.get(getattr(function, "__module__", ""))
    obj: Any = module
    for part in getattr(function, "__qualname__", "<>").split("."):
        obj = getattr(obj, part, None)
    return obj is function or (type(obj) is PureFunction and obj.func is function.func)


class PartialPureFunction(PureFunction):
    """A pure function with some arguments given, as :func:`functools.partial` (which it also accepts)."""

    def __init__(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        if isinstance(func, functools.partial):
            func, args, kwargs = func.func, (*func.args, *args), {**func.keywords, **kwargs}
        if not isinstance(func, PureFunction):
            raise _not_pure(func, "made a PartialPureFunction")
        self.func = func
        self.args = args
        self.keywords = kwargs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*self.args, *args, **{**self.keywords, **kwargs})

    def __repr__(self) -> str:
        given = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.keywords.items()]
        return f"PartialPureFunction({', '.join([repr(self.func), *given])})"

    def _identity(self) -> tuple[Any, ...]:
        return (PartialPureFunction, self.func, self.args, tuple(sorted(self.keywords.items())))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_partial, (self.func, self.args, self.keywords))

    def _tree(self, encode: Encode) -> JSONValue:
        return {"partial": encode(self.func), "args": encode(list(self.args)), "kwargs": encode(self.keywords)}


def _partial(func: PureFunction, args: tuple[Any, ...], kwargs: dict[str, Any]) -> PartialPureFunction:
    """Rebuild a pickled :class:`PartialPureFunction` (whose keywords may be named like parameters here)."""
    return PartialPureFunction(func, *args, **kwargs)


class CompositePureFunction(PureFunction):
    """An arithmetic combination of pure functions and constants, itself pure: ``(f + 2 * g)(x)``.

    Calling it calls each function operand with the same arguments and applies
    the operation (one of :data:`OPERATIONS`) to the results.
    """

    def __init__(self, operation: str, *operands: Any) -> None:
        if operation not in OPERATIONS:
            raise DefinitionError(f"unknown operation {shown(operation)}; known: {', '.join(OPERATIONS)}")
        arity = OPERATIONS[operation][1]
        if len(operands) != arity:
            raise DefinitionError(f"operation {operation!r} takes {arity} operand(s), got {len(operands)}")
        for value in operands:
            _operand(value, "combined with a pure function")
        if not any(isinstance(value, PureFunction) for value in operands):
            raise DefinitionError(f"a composite pure function needs a function among its operands, got {operands!r}")
        self.operation = operation
        self.operands = operands

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        values = [v(*args, **kwargs) if isinstance(v, PureFunction) else v for v in self.operands]
        return OPERATIONS[self.operation][0](*values)

    def __repr__(self) -> str:
        symbol = OPERATIONS[self.operation][2]
        if len(self.operands) == 1:
            return f"abs({self.operands[0]!r})" if symbol == "abs" else f"({symbol}{self.operands[0]!r})"
        left, right = self.operands
        return f"({left!r} {symbol} {right!r})"

    def _identity(self) -> tuple[Any, ...]:
        return (CompositePureFunction, self.operation, self.operands)

    def __reduce__(self) -> tuple[Any, ...]:
        return (CompositePureFunction, (self.operation, *self.operands))

    def _tree(self, encode: Encode) -> JSONValue:
        return {"op": self.operation, "operands": [encode(v) for v in self.operands]}


def _is_marked(obj: object) -> bool:
    """True if *obj* is a pure function, checked by its type only (a hostile ``__class__`` is never read)."""
    return issubclass(type(obj), PureFunction)


class PureFunctionSerializer(Serializer):
    """Pure functions, by reference: ``{"ref"}``, ``{"partial", "args", "kwargs"}`` or ``{"op", "operands"}``."""

    name = "purefunction"
    types = (PureFunction,)

    def encode(self, value: PureFunction, encode: Encode) -> JSONValue:
        return value._tree(encode)

    def decode(self, data: JSONValue, decode: Decode) -> PureFunction:
        fields = set(data) if isinstance(data, dict) else None
        if fields == {"ref"}:
            return resolve_marked(data["ref"], _is_marked, what="a function marked pure (decorated with @PureFunction)")
        if fields == {"partial", "args", "kwargs"}:
            func, args, kwargs = decode(data["partial"]), decode(data["args"]), decode(data["kwargs"])
            if not _is_marked(func):
                raise DeserializationError(f"a partial pure function needs a pure function, got {shown(func, 80)}")
            if not (type(args) is list and type(kwargs) is dict and all(type(k) is str for k in kwargs)):
                raise DeserializationError("a partial pure function's 'args' must be a list and 'kwargs' an object")
            return PartialPureFunction(func, *args, **kwargs)
        if fields == {"op", "operands"}:
            operation, operands = data["op"], data["operands"]
            if not (isinstance(operation, str) and operation in OPERATIONS):
                raise DeserializationError(
                    f"unknown pure-function operation {shown(operation)}; known: {', '.join(OPERATIONS)}"
                )
            if not (type(operands) is list and len(operands) == OPERATIONS[operation][1]):
                raise DeserializationError(
                    f"operation {operation!r} takes a list of {OPERATIONS[operation][1]} operand(s)"
                )
            values = [decode(v) for v in operands]
            if any(callable(v) and not _is_marked(v) for v in values) or not any(map(_is_marked, values)):
                raise DeserializationError(
                    f"the operands of {operation!r} must be pure functions or constants, at least one a function"
                )
            return CompositePureFunction(operation, *values)
        raise DeserializationError(
            "a pure function is written as {'ref'}, {'partial', 'args', 'kwargs'} or {'op', 'operands'}; "
            f"got {shown(data, 80)}"
        )


PURE_FUNCTION_SERIALIZERS: tuple[Serializer, ...] = (PureFunctionSerializer(),)
