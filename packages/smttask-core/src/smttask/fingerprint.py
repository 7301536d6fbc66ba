"""The fingerprint of a task's code: what its stored results were computed with.

A fingerprint holds a hash of the normalized source of the task's function
(parsed with :mod:`ast`, docstrings removed, so comments, docstrings and
formatting do not count), of each project-local function or class it calls and
each module-level constant it reads (names resolved in the function's globals,
followed through the functions found), and the versions of the third-party
packages these come from. It is stored in each result's manifest; the key does
not depend on it (a ``version=`` bump is the explicit way to change keys), and
the project's ``on_code_change`` setting says what a hit does when it differs.

Computed once per function per process (:func:`code_fingerprint` caches it).
"""

from __future__ import annotations

import ast
import inspect
import linecache
import sys
import sysconfig
import textwrap
import types
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from .hashes import blake2b

#: Values that cannot change once made: a module-level name bound to one of these (holding only such values) counts.
_IMMUTABLE_TYPES = (int, float, complex, str, bytes, bool, type(None), tuple, frozenset)
#: Containers that can change in place: they count only under a PEP 8 constant name (``CHANNELS``), since a
#: module-level ``_cache = {}`` changes as the program runs and would look like a code change in every process.
_MUTABLE_TYPES = (list, dict, set)
_FINGERPRINTS: dict[Any, dict[str, dict[str, str]]] = {}


class CodeChange(NamedTuple):
    """How a stored fingerprint differs from the current one: names of what changed."""

    functions: tuple[str, ...] = ()
    constants: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.functions or self.constants or self.packages)

    def describe(self) -> str:
        """One phrase naming every change, e.g. ``function mod:f, package numpy (1.26 -> 2.1)``."""
        parts = [*(f"function {n}" for n in self.functions), *(f"constant {n}" for n in self.constants),
                 *(f"package {n}" for n in self.packages)]
        return ", ".join(parts)


def code_fingerprint(func: Any) -> dict[str, dict[str, str]]:
    """``{"functions": {name: hash}, "constants": {name: hash}, "packages": {dist: version}}`` of *func*."""
    found = _FINGERPRINTS.get(func)
    if found is None:
        found = _FINGERPRINTS[func] = _compute(func)
    return found


def compare(stored: Any, current: dict[str, dict[str, str]]) -> CodeChange:
    """What differs between the *stored* fingerprint (read from a manifest: checked) and *current*."""
    if not isinstance(stored, dict):
        return CodeChange()

    def changed(section: str, show_versions: bool = False) -> tuple[str, ...]:
        old = stored.get(section)
        old = old if isinstance(old, dict) else {}
        new = current.get(section, {})
        names = sorted(n for n in {*old, *new} if old.get(n) != new.get(n))
        if show_versions:
            return tuple(f"{n} ({old.get(n, 'none')} -> {new.get(n, 'none')})" for n in names)
        return tuple(names)

    return CodeChange(changed("functions"), changed("constants"), changed("packages", show_versions=True))


def _compute(func: Any) -> dict[str, dict[str, str]]:
    functions: dict[str, str] = {}
    constants: dict[str, str] = {}
    packages: dict[str, str] = {}
    stack = [_owner_class(func) or func]
    seen: set[int] = set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        tree = _normalized_tree(obj)
        if tree is None:
            continue
        functions[_name(obj)] = _hash(ast.dump(tree))
        namespace = getattr(inspect.unwrap(obj), "__globals__", None)
        if namespace is None:
            module = sys.modules.get(getattr(obj, "__module__", ""), None)
            namespace = vars(module) if module is not None else {}
        for name, value in _referenced(tree, namespace):
            kind = _classify(value)
            if kind == "local":
                stack.append(value)
            elif kind == "constant":
                content = _constant_content(name, value)
                if content is not None:
                    constants[f"{namespace.get('__name__', '?')}:{name}"] = _hash(content)
            elif kind is not None:
                packages[kind] = _version(kind)
    return {"functions": functions, "constants": constants, "packages": packages}


def _owner_class(func: Any) -> type | None:
    """The class *func* is a method of (a callable class task's ``__call__``), found by its qualified name.

    A method reaches the rest of its class through ``self``, which names no
    global, so the whole class counts: every method, its class attributes.
    """
    module = sys.modules.get(getattr(func, "__module__", "") or "")
    path = getattr(func, "__qualname__", "").split(".")[:-1]
    if module is None or not path or "<locals>" in path:
        return None
    owner: Any = module
    for part in path:
        owner = getattr(owner, part, None)
    if not isinstance(owner, type):
        return None
    return getattr(owner, "__wrapped__", owner) if isinstance(getattr(owner, "__wrapped__", None), type) else owner


def _function_source(func: Any) -> str | None:
    """The source of function *func*, decorators included, as :func:`inspect.getsource` gives it; or None.

    Found in its module's parsed source (parsed once per version of the file)
    by the line its code starts on, rather than with ``inspect``: that
    tokenizes the text, which compiles ``tokenize``'s patterns first, 7 ms of a
    process's first disk hit. None for what it cannot find this way (a lambda,
    code without a source file): ``inspect`` looks for those.
    """
    code = getattr(func, "__code__", None)
    if not isinstance(code, types.CodeType) or func.__name__ == "<lambda>":
        return None
    linecache.checkcache(code.co_filename)
    lines = linecache.getlines(code.co_filename, getattr(func, "__globals__", None))
    tree = _module_tree(code.co_filename, lines)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == func.__name__:
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            if start == code.co_firstlineno and node.end_lineno is not None:
                return "".join(lines[start - 1 : node.end_lineno])
    return None


#: The parsed source of each module file, with the lines it was parsed from (a new version is parsed again).
_MODULE_TREES: dict[str, tuple[list[str], ast.Module | None]] = {}


def _module_tree(filename: str, lines: list[str]) -> ast.Module | None:
    found = _MODULE_TREES.get(filename)
    if found is None or found[0] is not lines:
        try:
            tree: ast.Module | None = ast.parse("".join(lines)) if lines else None
        except (SyntaxError, ValueError):
            tree = None
        found = _MODULE_TREES[filename] = (lines, tree)
    return found[1]


def _normalized_tree(obj: Any) -> ast.AST | None:
    """The parsed source of *obj* without docstrings and (for the outer definition) decorators."""
    try:
        target = inspect.unwrap(obj)
        source = _function_source(target)
        tree = ast.parse(textwrap.dedent(source if source is not None else inspect.getsource(target)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            node.decorator_list = []
    return tree


def _referenced(tree: ast.AST, namespace: dict[str, Any]) -> list[tuple[str, Any]]:
    """``(name, object)`` of the global names *tree* reads, and of ``module.attribute`` it reads."""
    found: list[tuple[str, Any]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in namespace:
            found.append((node.id, namespace[node.id]))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = namespace.get(node.value.id)
            if isinstance(module, types.ModuleType) and hasattr(module, node.attr) \
                    and _origin(module.__name__, getattr(module, "__file__", None)) == "local":
                found.append((f"{node.value.id}.{node.attr}", getattr(module, node.attr)))
    return found


def _classify(value: Any) -> str | None:
    """``"local"`` (follow it), ``"constant"``, a distribution name (record its version), or None (ignore)."""
    if getattr(value, "__smttask_task__", False):
        return None  # another task: its results carry its own fingerprint
    if isinstance(value, types.ModuleType):
        return _origin(value.__name__, getattr(value, "__file__", None))
    if isinstance(value, types.FunctionType | type):
        module = sys.modules.get(getattr(value, "__module__", "") or "")
        origin = _origin(value.__module__, getattr(module, "__file__", None)) if module is not None else None
        return origin
    if isinstance(value, _IMMUTABLE_TYPES + _MUTABLE_TYPES):
        return "constant"
    if callable(value):
        module_name = getattr(value, "__module__", None) or ""
        module = sys.modules.get(module_name)
        origin = _origin(module_name, getattr(module, "__file__", None)) if module is not None else None
        return origin if origin != "local" else None
    return None


def _constant_content(name: str, value: Any) -> str | None:
    """A text that is the same in every process exactly when *value* is, or None when *value* is no constant.

    Sets print in hash order, which differs between processes for strings, so their
    members are sorted; a container holding anything but plain values (a function,
    an object whose repr is its address) is no constant.
    """
    if isinstance(value, _MUTABLE_TYPES) and not name.rpartition(".")[2].isupper():
        return None
    if isinstance(value, tuple | list):
        parts = [_constant_content("ITEM", item) for item in value]
        return None if None in parts else f"{type(value).__name__}({', '.join(parts)})"  # type: ignore[arg-type]
    if isinstance(value, set | frozenset):
        parts = [_constant_content("ITEM", item) for item in value]
        return None if None in parts else f"{type(value).__name__}({', '.join(sorted(parts))})"  # type: ignore[arg-type]
    if isinstance(value, dict):
        items = [(_constant_content("ITEM", k), _constant_content("ITEM", v)) for k, v in value.items()]
        if any(k is None or v is None for k, v in items):
            return None
        return f"dict({', '.join(f'{k}: {v}' for k, v in items)})"
    return repr(value) if isinstance(value, _IMMUTABLE_TYPES) else None


def _origin(module_name: str, file: str | None) -> str | None:
    """``"local"`` for project code, the distribution name for a third-party package, None for the stdlib."""
    if not file:
        return None  # built in
    top = module_name.partition(".")[0]
    if top in sys.stdlib_module_names:
        return None
    path = Path(file).resolve()
    if any(path.is_relative_to(p) for p in _library_dirs()):
        return _distribution_of(top)
    return "local"


@cache
def _library_dirs() -> tuple[Path, ...]:
    paths = sysconfig.get_paths()
    return tuple({Path(paths[k]).resolve() for k in ("purelib", "platlib", "stdlib", "platstdlib") if k in paths})


@cache
def _distribution_of(top: str) -> str:
    """The name of the distribution that installed top-level package *top* (*top* itself if none did).

    Most packages are distributed under their import name, so the distribution
    of that name is asked first, and kept if it installed *top*: a task using
    numpy is then fingerprinted without reading the metadata of every installed
    distribution, which :func:`importlib.metadata.packages_distributions` does
    (some 70 ms in an environment of 80). Only other names (``yaml``, from
    PyYAML) take that scan.
    """
    from importlib import metadata

    declared = getattr(metadata, "_top_level_declared", None)  # what packages_distributions reads of each
    inferred = getattr(metadata, "_top_level_inferred", None)
    if declared is not None and inferred is not None:
        try:
            dist = metadata.distribution(top)
        except (metadata.PackageNotFoundError, ValueError):
            dist = None
        if dist is not None and top in (declared(dist) or inferred(dist)):
            return dist.metadata["Name"]
    dists = _distributions().get(top)
    return dists[0] if dists else top


@cache
def _distributions() -> dict[str, list[str]]:
    from importlib.metadata import packages_distributions

    return packages_distributions()


@cache
def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


def _name(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}:{getattr(obj, '__qualname__', getattr(obj, '__name__', '?'))}"


def _hash(text: str) -> str:
    return blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def code_still_valid(task: Any, project: Any, stored: Any, where: str) -> bool:
    """Whether a stored result of *task* whose manifest (at *where*) holds the fingerprint *stored* may be used.

    The project's ``on_code_change`` decides when the code changed: ``ignore``
    and ``warn`` use it (``warn`` with a :class:`~smttask.errors.CodeChangedWarning`
    naming what changed and the fix), ``recompute`` does not.
    """
    mode = project.config.on_code_change
    if mode == "ignore":
        return True
    current = code_fingerprint(task.task_function)
    if stored == current:  # the hot path of every hit: one comparison of small dicts
        return True
    change = compare(stored, current)
    if not change:
        return True
    if mode == "recompute":
        return False
    from .errors import CodeChangedWarning
    from .userwarnings import warn_user

    warn_user(
        f"The stored result of {task.taskname} (key {task.digest}, {where}) was computed before a change of "
        f"{change.describe()}; it is used as it is. If the change alters results, bump the task's version= "
        f"(or set on_code_change = \"recompute\"); if it does not, run `smttask accept` on its task file "
        "(smttask.accept.accept_code_change in Python).",
        CodeChangedWarning,
    )
    return True
