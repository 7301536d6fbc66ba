"""Imports run one way: no package's modules import each other in a circle, and each imports first.

The walk reads every ``import`` of a package's modules with :mod:`ast`, at the
top level and inside functions (a function-level import is still a dependency
at run time), leaving out ``if TYPE_CHECKING:`` blocks. Modules loaded by name
(the built-in plugin, entry points) are not imports and are not seen.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[1] / "packages"
SOURCES = sorted(p for p in PACKAGES.glob("*/src/*") if (p / "__init__.py").exists())


def module_names(source: Path) -> dict[str, Path]:
    """``{dotted module name: file}`` for every module of the package at *source*."""
    found = {}
    for path in source.rglob("*.py"):
        parts = list(path.relative_to(source.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Which modules of the package each module imports (``from pkg import mod`` counts as ``pkg.mod``)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
                continue
            base = package.split(".")
            target = ".".join([*base[: len(base) - node.level + 1], node.module or ""]).strip(".") if node.level else node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                deps.add(candidate if candidate in modules else target)
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_walk_finds_a_circle_when_there_is_one() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_no_circle_of_imports(source: Path) -> None:
    graph = import_graph(module_names(source))
    found = circles(graph)
    detail = "; ".join(
        " ".join(f"{m} -> {sorted(graph[m] & set(c))}" for m in c) for c in found
    )
    assert not found, f"modules of {source.name} import each other in a circle: {detail}"


def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    """Each module imported before any other of its package (a circle hidden by import order shows here)."""
    names = sorted(name for source in SOURCES for name in module_names(source))
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0].startswith('smttask')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {type(exc).__name__}: {exc}')\n"
        "print('\\n'.join(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"modules that cannot be imported first:\n{done.stdout}"


def test_the_engine_uses_no_private_name_of_a_task() -> None:
    """``smttask.engine`` works on a task through its public attributes only (DESIGN.md)."""
    engine = PACKAGES / "smttask-core" / "src" / "smttask" / "engine.py"
    private = [
        f"engine.py:{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(ast.parse(engine.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and isinstance(node.value, ast.Name)
        and node.value.id in ("task", "other", "child")
    ]
    assert private == []


#: Private names a module may still import from another: pickles made before ``smttask.params``
#: became a package name ``smttask.params._NoSeed``, so the package keeps that name.
PRIVATE_IMPORTS_ALLOWED = {("smttask.params", "_NoSeed")}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_name_crosses_a_module() -> None:
    """What one module of ours takes from another is public there (a helper shared by several has a real name),
    and no package imports another package's private module (pluggy's manners, STYLE.md)."""
    ours = {source.name for source in SOURCES}
    found = []
    for source in SOURCES:
        for name, path in module_names(source).items():
            for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ImportFrom):
                    continue
                module = node.module or ""
                top = module.split(".")[0]
                if node.level == 0 and top not in ours:
                    continue  # a third-party library's private parts are its business
                where = f"{name} (line {node.lineno})"
                found += [
                    f"{where}: from {'.' * node.level}{module} import {alias.name}"
                    for alias in node.names
                    if _private(alias.name) and (name, alias.name) not in PRIVATE_IMPORTS_ALLOWED
                ]
                if node.level == 0 and top != source.name and any(_private(p) for p in module.split(".")[1:]):
                    found.append(f"{where}: from {module} import ... (a private module of {top})")
    assert found == [], "private names imported across modules:\n" + "\n".join(found)


def test_names_that_moved_still_import_from_their_old_homes() -> None:
    from smttask import _files, _text, errors, files, text
    from smttask.storage import CorruptResultError as from_storage
    from smttask.storage.base import CorruptResultError as from_base
    from smttask.storage.local import safe_name

    assert safe_name is files.safe_name and safe_name("a b/c") == "a_b_c"
    assert from_storage is from_base is errors.CorruptResultError
    assert _files.write_atomic is files.write_atomic and _text.one_line is text.one_line
    from smttask.storage import local, manifest

    for name in ("MANIFEST_VERSION", "key_preimage", "manifest_record", "output_filename", "result_manifest",
                 "stored_upstream"):
        assert getattr(local, name) is getattr(manifest, name), name
