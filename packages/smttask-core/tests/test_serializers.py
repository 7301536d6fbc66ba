"""The serializer registry finds a class by what it is, not by the module that defines it.

Python 3.13 moved ``pathlib.PurePath`` and its subclasses into ``pathlib._local``;
a registry matching dotted names lost every path input there. These tests make the
same move with a package of their own, so they guard it on every Python.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import pytest

from smttask import MemoizedTask, Task
from smttask.serializers import (
    BUILTIN_SERIALIZERS,
    Serializer,
    SerializerRegistry,
    imported_class,
    qualified_name,
)


@MemoizedTask
def path_length(p: Path) -> int:
    return len(p.as_posix())


def test_a_task_with_a_path_input_is_created_saved_and_read_back(project: Any, tmp_path: Path) -> None:
    task = path_length(p=Path("/data/run 1/x.txt"))
    assert task.desc["inputs"]["p"] == {"$type": "path", "value": "/data/run 1/x.txt"}
    assert task.run() == len("/data/run 1/x.txt")
    again = Task.from_desc(task.save(tmp_path / "tasks"))
    assert again == task and again.inputs["p"] == Path("/data/run 1/x.txt")


def test_every_pathlib_class_has_the_path_serializer() -> None:
    registry = SerializerRegistry(BUILTIN_SERIALIZERS)
    for cls in (Path, type(Path()), PurePosixPath, PureWindowsPath):
        assert registry.for_type(cls) is registry.by_name("path"), cls


@pytest.fixture
def moved_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``movedpkg.Thing`` defined in ``movedpkg._local``, as 3.13 does for ``pathlib.Path``; not imported yet."""
    pkg = tmp_path / "movedpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from movedpkg._local import Thing, Sub\n")
    (pkg / "_local.py").write_text(textwrap.dedent("""
        class Thing:
            class Inner:
                pass

        class Sub(Thing):
            pass
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "movedpkg"
    for name in ("movedpkg", "movedpkg._local"):
        sys.modules.pop(name, None)


class ThingSerializer(Serializer):
    name = "test.thing"
    types = ("movedpkg.Thing",)


def test_a_class_is_found_by_the_path_it_is_imported_by(moved_package: str) -> None:
    registry = SerializerRegistry([ThingSerializer()])
    import movedpkg

    assert qualified_name(movedpkg.Thing) == "movedpkg._local.Thing"  # not the registered path
    assert registry.for_type(movedpkg.Thing) is registry.by_name("test.thing")
    assert registry.for_type(movedpkg.Sub) is registry.by_name("test.thing")  # subclasses too


def test_a_registered_path_imports_nothing(moved_package: str) -> None:
    registry = SerializerRegistry([ThingSerializer()])
    assert registry.for_type(int) is None
    assert imported_class("movedpkg.Thing") is None
    assert "movedpkg" not in sys.modules


def test_a_module_getattr_is_not_called_to_resolve_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lazymod.py").write_text(
        "CALLS = []\ndef __getattr__(name):\n    CALLS.append(name)\n    raise AttributeError(name)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import lazymod

    try:
        assert imported_class("lazymod.sub.Thing") is None
        assert lazymod.CALLS == []
    finally:
        sys.modules.pop("lazymod", None)


def test_nested_classes_and_class_objects_are_found(moved_package: str) -> None:
    import movedpkg

    class InnerSerializer(Serializer):
        name = "test.inner"
        types = ("movedpkg.Thing.Inner",)

    class SubSerializer(Serializer):
        name = "test.sub"
        types = (movedpkg.Sub,)

    registry = SerializerRegistry([ThingSerializer(), InnerSerializer(), SubSerializer()])
    assert registry.for_type(movedpkg.Thing.Inner) is registry.by_name("test.inner")
    assert registry.for_type(movedpkg.Sub) is registry.by_name("test.sub")  # the nearer base wins
    assert registry.for_type(movedpkg.Thing) is registry.by_name("test.thing")


def test_a_class_no_path_reaches_is_found_by_its_qualified_name() -> None:
    class Local:
        pass

    class LocalSerializer(Serializer):
        name = "test.local"
        types = (qualified_name(Local),)

    registry = SerializerRegistry([LocalSerializer()])
    assert registry.for_type(Local) is registry.by_name("test.local")


def test_the_last_registration_wins_and_unregistering_restores_the_first(moved_package: str) -> None:
    import movedpkg

    class Replacement(ThingSerializer):
        name = "test.thing2"

    registry = SerializerRegistry([ThingSerializer()])
    assert registry.for_type(movedpkg.Thing) is registry.by_name("test.thing")
    registry.register(Replacement())
    assert registry.for_type(movedpkg.Thing) is registry.by_name("test.thing2")
    registry.unregister("test.thing2")
    assert registry.for_type(movedpkg.Thing) is registry.by_name("test.thing")
    registry.unregister("test.thing")
    assert registry.for_type(movedpkg.Thing) is None
