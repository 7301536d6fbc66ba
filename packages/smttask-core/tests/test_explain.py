"""``Task.why()``: a miss is explained by the nearest stored results and what differs, a hit by where it is."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from core_tasks import Add
from test_code_changes import make_project, modname, write_module  # noqa: F401  (modname is a fixture)

from smttask import RecordedTask, explain_result
from smttask.explain import ABSENT, SHOWN_DIFFERENCES, NotAResultError


@RecordedTask
def Source(dt: float, n: int = 3) -> float:
    return dt * n


@RecordedTask
def Filter(src: float, width: float) -> float:
    return src + width


@RecordedTask
def Analyze(x: float, opts: dict, f: float) -> float:
    return x + f


@RecordedTask
def Link(prev: float, i: int) -> float:
    return prev + i


def graph(dt: float = 0.1, width: float = 1.0, x: float = 1.0, opts: dict | None = None) -> Any:
    return Analyze(x=x, opts={"a": {"b": 1}} if opts is None else opts, f=Filter(src=Source(dt=dt), width=width))


def paths(candidate: Any) -> list[str]:
    return [d.path for d in candidate.differences]


def test_a_miss_with_nothing_stored_says_so(project: Any) -> None:
    explanation = graph().why()
    assert explanation.status == "not stored" and not explanation.hit
    assert explanation.compared == 0
    assert "No stored result of this task to compare with." in str(explanation)


def test_a_miss_names_each_differing_input_by_dotted_path(project: Any) -> None:
    graph().run()
    explanation = graph(x=2.0, opts={"a": {"b": 2}, "c": 3}).why()
    (candidate,) = explanation.nearest
    assert candidate.key == graph().digest
    assert {d.path: (d.stored, d.current) for d in candidate.differences} == {
        "opts.a.b": ("1", "2"), "opts.c": (ABSENT, "3"), "x": ("1.0", "2.0"),
    }
    assert all(d.via == () for d in candidate.differences)


def test_a_change_two_upstream_tasks_down_is_followed_to_the_input_that_changed(project: Any) -> None:
    old = graph(dt=0.1)
    old.run()
    new = graph(dt=0.5)
    (difference,) = new.why().nearest[0].differences
    assert (difference.path, difference.stored, difference.current) == ("f.src.dt", "0.1", "0.5")
    old_filter, new_filter = old.inputs["f"], new.inputs["f"]
    assert difference.via == (
        ("f", "Filter", old_filter.digest, new_filter.digest),
        ("src", "Source", old_filter.inputs["src"].digest, new_filter.inputs["src"].digest),
    )
    text = difference.describe()
    assert text.startswith("f.src.dt: 0.1 -> 0.5  (in upstream Source")
    assert "in upstream Filter" in text and text.endswith("so this key changed)")


def test_the_nearest_stored_results_come_first(project: Any) -> None:
    for x in (1.0, 2.0, 3.0):
        graph(x=x, width=5.0).run()
    graph(x=9.0).run()
    explanation = graph(x=1.0, width=5.0, opts={"a": {"b": 7}}).why(nearest=2)
    assert explanation.compared == 4
    assert [len(c.differences) for c in explanation.nearest] == [1, 2]
    assert paths(explanation.nearest[0]) == ["opts.a.b"]
    assert "4 stored results of Analyze, nearest first:" in str(explanation)


def test_an_upstream_result_that_is_gone_is_named_by_its_keys(project: Any) -> None:
    old = graph(dt=0.1)
    old.run()
    project.storage.delete(old.inputs["f"])
    (difference,) = graph(dt=0.5).why().nearest[0].differences
    assert difference.path == "f"
    assert difference.stored == f"task {old.inputs['f'].digest}"


def test_a_hit_names_its_result_record_and_unchanged_code(project: Any) -> None:
    task = graph()
    task.run()
    project.memory.clear()
    explanation = task.why()
    assert explanation.status == "stored" and explanation.hit
    assert explanation.location == str(project.storage.directory(task) / f"{task.digest}.manifest.json")
    assert explanation.record is None
    assert explanation.code_change is not None and not explanation.code_change
    assert "code     unchanged since" in str(explanation)


def test_the_record_the_manifest_names_is_reported(project: Any) -> None:
    task = graph()
    project.storage.save(task, {"": 3.0}, record="20261207-120000")
    assert task.why().record == "20261207-120000"
    assert "record   20261207-120000" in str(task.why())


def test_a_task_only_in_memory_or_never_stored(project: Any) -> None:
    add = Add(a=1, b=2)
    assert add.why().status == "never stored"
    add.run()
    assert add.why().status == "memory" and add.why().hit


def test_a_chain_deeper_than_the_recursion_limit_is_explained(project: Any) -> None:
    depth = 2 * sys.getrecursionlimit()

    def chain(start: float) -> Any:
        value: Any = start
        for i in range(depth):
            value = Link(prev=value, i=i)
        return value

    chain(0.0).run()
    explanation = chain(1.0).why()
    assert explanation.compared == depth
    (difference,) = explanation.nearest[0].differences
    assert difference.path == ".".join(["prev"] * depth)
    assert (difference.stored, difference.current, len(difference.via)) == ("0.0", "1.0", depth - 1)
    assert {step[:2] for step in difference.via} == {("prev", "Link")}


def test_a_stored_result_with_many_differences_lists_the_first_and_counts_them(project: Any) -> None:
    graph(opts={f"k{i:02}": i for i in range(30)}).run()
    (candidate,) = graph(opts={f"k{i:02}": i + 1 for i in range(30)}).why().nearest
    assert candidate.count == 30 and len(candidate.differences) == SHOWN_DIFFERENCES
    assert [d.path for d in candidate.differences] == [f"opts.k{i:02}" for i in range(SHOWN_DIFFERENCES)]
    assert f"... and {30 - SHOWN_DIFFERENCES} more" in str(graph(opts={}).why())


def test_a_code_change_is_named_and_recompute_makes_it_a_miss(tmp_path: Path, modname: str) -> None:  # noqa: F811
    module = write_module(tmp_path, modname)
    project = make_project(tmp_path, "recompute")
    with project.activate():
        module.Scale(x=3).run()
    module = write_module(tmp_path, modname, factor=5)
    with make_project(tmp_path, "recompute").activate():
        explanation = module.Scale(x=3).why()
    assert explanation.status == "stored" and not explanation.hit
    assert explanation.code_change.functions == (f"{modname}:Scale",)
    assert f"changed since: function {modname}:Scale" in str(explanation)
    assert 'on_code_change = "recompute": a run computes it again' in str(explanation)


def test_a_stored_file_is_explained_from_its_output_or_manifest(project: Any) -> None:
    task = graph()
    task.run()
    directory = project.storage.directory(task)
    for path in (directory / f"{task.digest}.json", directory / f"{task.digest}.manifest.json"):
        explanation = explain_result(path, project)
        assert (explanation.taskname, explanation.key, explanation.status) == ("Analyze", task.digest, "stored")
        assert explanation.code_change is not None and not explanation.code_change


@pytest.mark.parametrize("content, message", [
    (None, "is missing beside it"),
    (b"{not json", "is not a readable result manifest"),
    (b"[1, 2]", "is not an smttask result manifest"),
    (b'{"smttask_result": 1, "task": "os:system", "key": "x"}', "cannot be compared"),
    (b"[" * 100_000 + b"]" * 100_000, "is not a readable result manifest"),
])
def test_a_bad_or_hostile_manifest_gets_one_line(project: Any, tmp_path: Path, content: bytes | None,
                                                  message: str) -> None:
    output = tmp_path / ("0" * 32 + ".json")
    output.write_text("1")
    if content is not None:
        (tmp_path / ("0" * 32 + ".manifest.json")).write_bytes(content)
    try:
        explanation = explain_result(output, project)
    except NotAResultError as exc:
        assert message in str(exc) and "\n" not in str(exc)
    else:
        assert message in str(explanation)


def test_a_file_that_is_no_result_is_refused(project: Any, tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(NotAResultError, match="does not start with a 32-digit key"):
        explain_result(other, project)


@RecordedTask(version="2")
def Versioned(x: int) -> int:
    return x


def test_the_manifest_keeps_the_version_and_a_version_change_is_named(project: Any) -> None:
    task = Versioned(x=1)
    task.run()
    directory = project.storage.directory(task)
    manifest = json.loads((directory / f"{task.digest}.manifest.json").read_text())
    assert manifest["version"] == "2"
    old_key = "f" * 32
    (directory / f"{old_key}.json").write_text("1")
    (directory / f"{old_key}.manifest.json").write_text(json.dumps({**manifest, "key": old_key, "version": "1"}))
    project.storage.delete(task)
    project.memory.clear()
    (candidate,) = task.why().nearest
    assert (candidate.key, candidate.differences) == (old_key, ())
    assert candidate.other == "the task's version changed ('1' -> '2')"


def test_a_notebook_shows_the_report_not_the_dataclass(project: Any) -> None:
    class Printer:  # what IPython hands to _repr_pretty_
        shown = ""

        def text(self, text: str) -> None:
            self.shown += text

    graph().run()
    explanation = graph(x=5.0).why()
    printer = Printer()
    explanation._repr_pretty_(printer, cycle=False)
    assert printer.shown == str(explanation)
    assert explanation._repr_html_() == f"<pre>{str(explanation).replace('>', '&gt;')}</pre>"
