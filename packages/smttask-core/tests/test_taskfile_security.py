"""A task file is data: reading a hostile one calls nothing but its declared types.

Each payload below would create a canary file, delete a canary directory,
change the working directory or start a process if a decoder called what the
file names. Reading must fail with one :class:`TaskFileError` and do none of it.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from core_tasks import Identity, Model, Point

from smttask import Create, Task, TaskDefinitionError, creatable
from smttask.errors import MalformedTaskFileError, TaskFileError

#: Audit events that a decoder must never cause.
DANGEROUS_EVENTS = {
    "os.system",
    "subprocess.Popen",
    "os.remove",
    "os.rmdir",
    "shutil.rmtree",
    "os.chdir",
    "webbrowser.open",
    "os.exec",
    "os.posix_spawn",
    "os.kill",
    "os.fork",
}
_seen: list[str] = []
_watching = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _watching and event in DANGEROUS_EVENTS:
        _seen.append(event)


sys.addaudithook(_audit)


@pytest.fixture
def canaries(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A file that must not appear, a directory that must not vanish, and a watch on dangerous calls."""
    global _watching
    created = tmp_path / "CANARY_CREATED"
    keep = tmp_path / "canary_dir"
    keep.mkdir()
    (keep / "precious.txt").write_text("keep me")
    cwd = os.getcwd()
    _seen.clear()
    _watching = True
    try:
        yield {"created": created, "keep": keep}
    finally:
        _watching = False
    assert not created.exists(), "a decoder ran a command"
    assert (keep / "precious.txt").read_text() == "keep me", "a decoder deleted a directory"
    assert os.getcwd() == cwd, "a decoder changed the working directory"
    assert _seen == [], f"a decoder caused {_seen}"


CLASS_TARGETS = [
    "os:system",
    "builtins:exec",
    "builtins:eval",
    "builtins:open",
    "shutil:rmtree",
    "os:chdir",
    "os:remove",
    "subprocess:Popen",
    "subprocess:run",
    "pathlib:Path",
    "os:__builtins__.exec",
    "builtins:__import__",
    "os:_exit",
    "sys:exit",
    "core_tasks:Model",  # a real class, but not of the declared kind
    "not a path",
    "",
    "x" * 100_000 + ":y",
]


def _payload(target: str, canaries: dict[str, Path]) -> Any:
    """Arguments that would do harm if *target* were called with them."""
    if "rmtree" in target or "remove" in target or "chdir" in target:
        return str(canaries["keep"])
    if "Popen" in target or "run" in target:
        return ["touch", str(canaries["created"])]
    if "exec" in target or "eval" in target:
        return f"open({str(canaries['created'])!r}, 'w')"
    return f"touch {canaries['created']}"


def _doc(value: Any, task: str = "Identity", module: str = "core_tasks") -> dict[str, Any]:
    return {"format": "smttask-task", "version": 1, "module": module, "task": task, "inputs": {"value": value}}


def _typed(tag: str, value: Any) -> dict[str, Any]:
    return {"$type": tag, "value": value}


def _class_payloads(target: str, payload: Any) -> list[Any]:
    return [
        _typed("enum", {"class": target, "value": payload}),
        _typed("model", {"class": target, "data": payload}),
        _typed("paramcoll", {"class": target, "fields": {"args": payload}}),
        _typed("seedgenerator", {"class": target, "entropy": payload}),
        _typed("purefunction", {"ref": target}),
        _typed("purefunction", {"partial": _typed("purefunction", {"ref": target}), "args": [payload], "kwargs": {}}),
        _typed("purefunction", {"op": "add", "operands": [_typed("purefunction", {"ref": target}), payload]}),
    ]


@pytest.mark.parametrize("target", CLASS_TARGETS, ids=lambda t: t[:30])
def test_decoders_resolve_only_their_declared_kind_of_class(
    project: Any, canaries: dict[str, Path], target: str
) -> None:
    for value in _class_payloads(target, _payload(target, canaries)):
        with pytest.raises(TaskFileError) as info:
            Task.from_desc(_doc(value))
        assert len(str(info.value)) < 1000 and "\n" not in str(info.value)


@pytest.mark.parametrize("target", ["subprocess:Popen", "os:system", "builtins:exec", "shutil:rmtree", "os:_exit"])
def test_create_task_files_cannot_name_arbitrary_callables(
    project: Any, canaries: dict[str, Path], target: str
) -> None:
    doc = {
        "format": "smttask-task",
        "version": 1,
        "module": "smttask.generators",
        "task": "CreateTask",
        "inputs": {"cls": target, "kwargs": {"args": _payload(target, canaries)}},
    }
    with pytest.raises(TaskFileError, match="not a class Create"):
        Task.from_desc(doc)


def test_create_builds_data_classes_and_marked_classes_only(project: Any, tmp_path: Path) -> None:
    import subprocess

    with pytest.raises(TaskDefinitionError, match="@smttask.creatable"):
        Create(subprocess.Popen)
    assert Task.from_desc(Create(Point)(x=1.0).save(tmp_path)).run() == Point(1.0)
    assert Task.from_desc(Create(Model)(size=2).save(tmp_path)).run().size == 2  # Model is @creatable
    with pytest.raises(TaskDefinitionError, match="marks a class"):
        creatable(print)  # type: ignore[arg-type]


def _zlib_bomb() -> Any:
    """95 KiB of zlib data that would inflate to 100 MB: decoding stops at the declared size.

    Built only by the test that uses it, not at import in every test process.
    """
    return _typed(
        "ndarray",
        {"dtype": "|u1", "shape": [16], "zlib": base64.b64encode(zlib.compress(b"\0" * 10**8, 9)).decode()},
    )


#: Hostile documents by name; a callable builds its document when the test runs.
NUMPY_PAYLOADS = {
    "generator calls np.random.seed": _typed("numpy.Generator", {"bit_generator": "seed", "state": {}}),
    "generator dunder": _typed("numpy.Generator", {"bit_generator": "__class__", "state": {}}),
    "object scalar": _typed("numpy.scalar", {"dtype": "O", "value": "x"}),
    "object array": _typed("ndarray", {"dtype": "|O", "shape": [1], "data": ["x"]}),
    "object dtype": _typed("dtype", "|O"),
    "huge seed pool": _typed(
        "numpy.SeedSequence", {"entropy": 1, "spawn_key": [], "pool_size": 10**9, "n_children_spawned": 0}
    ),
    "negative shape": _typed("ndarray", {"dtype": "<f8", "shape": [-1], "base64": ""}),
    "wrong size": _typed("ndarray", {"dtype": "<f8", "shape": [4], "base64": base64.b64encode(b"x" * 8).decode()}),
    "zlib bomb": _zlib_bomb,
    "private scipy name": _typed("scipy.stats.frozen", {"dist": "_distn_infrastructure", "args": [], "kwds": {}}),
    # References to stored arrays: the file name is made from a checked hash, never read from the file.
    "stored: path traversal in a file name": _typed(
        "ndarray.stored", {"dtype": "<f8", "shape": [1], "xxh3_128": "0" * 32, "file": "../../../etc/passwd"}
    ),
    "stored: path traversal as the hash": _typed(
        "ndarray.stored", {"dtype": "<f8", "shape": [1], "xxh3_128": "../../../../etc/passwd"}
    ),
    "stored: hash not hex": _typed("ndarray.stored", {"dtype": "<f8", "shape": [1], "xxh3_128": "g" * 32}),
    "stored: hash not a string": _typed("ndarray.stored", {"dtype": "<f8", "shape": [1], "xxh3_128": 7}),
    "stored: huge shape": _typed("ndarray.stored", {"dtype": "<f8", "shape": [10**18, 10**18], "xxh3_128": "0" * 32}),
    "stored: too many dimensions": _typed("ndarray.stored", {"dtype": "<f8", "shape": [1] * 100, "xxh3_128": "0" * 32}),
    "stored: negative shape": _typed("ndarray.stored", {"dtype": "<f8", "shape": [-1], "xxh3_128": "0" * 32}),
    "stored: object dtype": _typed("ndarray.stored", {"dtype": "|O", "shape": [1], "xxh3_128": "0" * 32}),
    "stored: not a dtype": _typed("ndarray.stored", {"dtype": {"names": 1}, "shape": [1], "xxh3_128": "0" * 32}),
    "stored: not an object": _typed("ndarray.stored", "0" * 32),
}


@pytest.mark.parametrize("name", list(NUMPY_PAYLOADS))
def test_numpy_and_scipy_decoders_refuse_hostile_data(project: Any, canaries: dict[str, Path], name: str) -> None:
    state = np.random.get_state()[1].copy()
    payload = NUMPY_PAYLOADS[name]
    document = _doc(payload() if callable(payload) else payload)
    with pytest.raises(TaskFileError):
        Task.from_desc(document)
    assert (np.random.get_state()[1] == state).all(), "the global NumPy random state changed"


def test_a_stored_array_file_is_read_without_pickle(project: Any, canaries: dict[str, Path]) -> None:
    """An object array saved (pickled) under the name of a reference's hash is refused, never unpickled."""
    digest = "0" * 32
    target = project.data_dir / ".arrays" / f"{digest}.npy"
    target.parent.mkdir(parents=True)
    np.save(target, np.array([print], dtype=object), allow_pickle=True)
    with pytest.raises(TaskFileError, match="does not match its reference") as info:
        Task.from_desc(_doc(_typed("ndarray.stored", {"dtype": "<f8", "shape": [1], "xxh3_128": digest})))
    assert "\n" not in str(info.value)


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


BAD_DOCUMENTS = {
    "module not a string": {**_doc(1), "module": ["os"]},
    "relative module": {**_doc(1), "module": ".core_tasks"},
    "task is a dunder walk": {**_doc(1), "task": "__class__.__subclasses__"},
    "task not a string": {**_doc(1), "task": 7},
    "inputs not an object": {**_doc(1), "inputs": [1]},
    "reason not a string": {**_doc(1), "reason": {"x": 1}},
    "huge integer": _doc(10**5000),
    "deep nesting": _doc(_nested(10_000)),
    "upstream key not a string": _doc(_typed("task", {"ref": [1, 2]})),
    "timedelta overflow": _doc(_typed("timedelta", [10**10, 0, 0])),
    "complex overflow": _doc(_typed("complex", [1e308 * 10, "x"])),
}


@pytest.mark.parametrize("name", list(BAD_DOCUMENTS))
def test_malformed_fields_are_one_task_file_error(project: Any, name: str) -> None:
    with pytest.raises(TaskFileError) as info:
        Task.from_desc(BAD_DOCUMENTS[name])
    assert "\n" not in str(info.value) and len(str(info.value)) < 1000


def test_deep_json_text_is_refused_not_a_recursion_crash(project: Any) -> None:
    text = '{"format": "smttask-task", "version": 1, "module": "core_tasks", "task": "Identity", "inputs": {"value": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    with pytest.raises(MalformedTaskFileError, match="nested"):
        Task.from_desc(text)


def test_json_text_one_level_past_the_limit_is_refused_and_brackets_in_strings_do_not_count(project: Any) -> None:
    from smttask.taskfile import MAX_DEPTH

    deep = json.dumps(_doc(_nested(MAX_DEPTH)))  # the document's own object makes it one level more
    with pytest.raises(MalformedTaskFileError, match=f"nested deeper than {MAX_DEPTH} levels"):
        Task.from_desc(deep)
    shallow = json.dumps(_doc("[{" * MAX_DEPTH))  # more brackets than the limit, all inside one string
    assert Task.from_desc(shallow).inputs["value"] == "[{" * MAX_DEPTH


@pytest.mark.parametrize("statement", ["raise SystemExit(2)", "raise GeneratorExit()"])
def test_a_module_raising_system_exit_on_import_is_one_error(
    project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, statement: str
) -> None:
    (tmp_path / "exits_on_import.py").write_text(statement + "\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "exits_on_import", raising=False)
    with pytest.raises(TaskFileError, match=r"importing module 'exits_on_import' raised (SystemExit|GeneratorExit)"):
        Task.from_desc(_doc(1, module="exits_on_import", task="main"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_a_fifo_is_refused_without_waiting_for_a_writer(project: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.taskdesc.json"
    os.mkfifo(fifo)
    with pytest.raises(MalformedTaskFileError, match="not a regular file"):
        Task.from_desc(fifo)


def test_echoed_names_are_bounded_and_on_one_line(project: Any) -> None:
    with pytest.raises(TaskFileError) as info:
        Task.from_desc(_doc(1, module="evil\nFORGED LINE\x00" + "m" * 5_000_000))
    message = str(info.value)
    assert "\n" not in message and "\x00" not in message and len(message) < 1000


@pytest.mark.parametrize(
    "dtype", ["<U100000000", "(100000,100)<f8", [["a", "<f8", [1000, 1000]]]], ids=["huge-str", "subarray", "field"]
)
def test_a_tiny_file_cannot_make_the_reader_allocate_huge_items(project: Any, dtype: Any) -> None:
    with pytest.raises(TaskFileError, match="not accepted in a task file"):
        Task.from_desc(_doc(_typed("ndarray", {"dtype": dtype, "shape": [1], "data": ["a"]})))


@pytest.mark.parametrize("module", ["unittest.__main__", "venv.__main__", "m" * 3_000_000, "a." * 1_500_000 + "b"])
def test_entry_point_modules_and_huge_names_are_refused_before_importing(project: Any, module: str) -> None:
    before = set(sys.modules)
    with pytest.raises(MalformedTaskFileError, match="'module' must be"):
        Task.from_desc(_doc(1, module=module))
    assert not {m for m in set(sys.modules) - before if m.endswith("__main__")}


def test_a_huge_stored_key_is_refused_in_a_bounded_line(project: Any) -> None:
    doc = {**Identity(value=1).desc, "key": "k" * 1_000_000}
    with pytest.raises(MalformedTaskFileError) as info:
        Task.from_desc(doc)
    assert len(str(info.value)) < 300
