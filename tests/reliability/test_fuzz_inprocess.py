"""Reading a hostile task file in this process: only a ``TaskFileError``, and nothing it names is called.

The trust model (docs/taskfiles.md, "Security"): reading a task file imports the
task's module and the modules of the types it names, and calls nothing else. Each
example reads one generated file with :func:`smttask.taskfile.task_from_desc`
while an audit hook watches for shells, programs, browsers, unpickling, directory
changes, tree deletions and any write, compile or removal touching the canaries.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import fuzz_audit
import pytest
from fuzz_counts import EXAMPLES, counts
from fuzz_recipes import Recipe, build, catalogue, recipes
from fuzz_sideeffects import Canaries
from fuzz_templates import TYPE_TAGS, store_template_arrays, tags_in
from hypothesis import HealthCheck, Phase, given, settings

SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate),
)
#: Longest error text (without the file's name) a bad file may produce: one terminal line or two.
MAX_PROBLEM = 1000


def test_templates_cover_every_type_tag_and_generated_tasks(templates):
    used = set().union(*(tags_in(doc) for doc in templates.values()))
    assert used >= set(TYPE_TAGS), f"no template uses {sorted(set(TYPE_TAGS) - used)}"
    assert any(doc["task"] == "CreateTask" and doc["module"] == "smttask.generators" for doc in templates.values())


class Reader:
    """Reads hostile files in a throw-away project, with the canaries planted and the audit hook armed."""

    def __init__(self, project: Path, canaries: Canaries, audit: fuzz_audit.Recorder, templates: dict) -> None:
        from smttask import Project

        self.project, self.canaries, self.audit, self.templates = project, canaries, audit, templates
        self.context = Project(project)  # one for all reads: building its plugin manager costs ~30 ms

    def __repr__(self) -> str:
        return f"Reader({self.project})"

    def read(self, recipe: Recipe) -> tuple[object, list[str]]:
        """``(task or exception, audit hits)`` of reading the file *recipe* describes."""
        from smttask.taskfile import task_from_desc

        path = self.project / "hostile" / recipe.filename(0)
        path.write_bytes(build(recipe, self.templates, self.canaries))
        self.audit.hits.clear()
        self.audit.armed = True
        try:
            with self.context.activate():
                outcome: object = task_from_desc(path)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: that is one of the failures looked for
            outcome = exc
        finally:
            self.audit.armed = False
            path.unlink()
        return outcome, list(self.audit.hits)


@pytest.fixture
def reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, templates: dict) -> Reader:
    project = tmp_path / "project"
    (project / "hostile").mkdir(parents=True)
    (project / "smttask.toml").write_text('recorder = "none"\n')
    store_template_arrays(project)
    canaries = Canaries.plant(tmp_path)
    monkeypatch.chdir(project)
    # A module run on import (unittest.__main__) parses sys.argv: give it no arguments of pytest's.
    monkeypatch.setattr(sys, "argv", ["smttask"])
    return Reader(project, canaries, fuzz_audit.install(canaries.marker), templates)


def check_read(reader: Reader, recipe: Recipe) -> str | None:
    """What is wrong with how reading *recipe*'s file went, or None if it went as it must."""
    from smttask import Task, TaskFileError

    outcome, hits = reader.read(recipe)
    counts.add("hostile files read in-process", kind=recipe.kind)
    if hits:
        return f"reading the file did what it must not: {hits}"
    if reader.canaries.problems():
        return f"the canaries were touched: {reader.canaries.problems()}"
    if os.getcwd() != str(reader.project):
        os.chdir(reader.project)
        return "reading the file changed the working directory"
    if isinstance(outcome, Task):
        # A mutation that kept the file valid (e.g. a reason changed): fine, unless it named a target.
        counts.add("generated files that were valid (in-process)", kind=recipe.kind)
        return f"a file naming {recipe.params[1]!r} was accepted" if recipe.kind == "target" else None
    if not isinstance(outcome, TaskFileError):
        return f"raised {type(outcome).__name__}, not a TaskFileError: {_quoted(str(outcome))}"
    problem = outcome.problem
    if len(problem) >= MAX_PROBLEM or not problem.isprintable():
        return f"the error is not one bounded line ({len(problem)} characters): {_quoted(problem)}"
    return None


def _quoted(text: str) -> str:
    return repr(text[:200])


def test_a_hostile_file_raises_a_task_file_error_and_calls_nothing(reader: Reader):
    """The catalogue, then hypothesis's files, are all read (no stopping at the first failure);
    failures are listed grouped by what went wrong."""
    failures: list[tuple[Recipe, str]] = []
    for recipe in catalogue(reader.templates):
        problem = check_read(reader, recipe)
        if problem is not None:
            failures.append((recipe, problem))

    @SETTINGS
    @given(recipe=recipes())
    def read_one(recipe: Recipe) -> None:
        problem = check_read(reader, recipe)
        if problem is not None:
            failures.append((recipe, problem))

    read_one()
    counts.add("in-process failures", len(failures))
    assert not failures, failure_report(failures)


def failure_report(failures: list[tuple[Recipe, str]]) -> str:
    """The failures grouped by what went wrong, with one recipe that shows each."""
    groups: dict[str, list[Recipe]] = {}
    for recipe, problem in failures:
        groups.setdefault(problem[:120], []).append(recipe)
    lines = [f"{len(failures)} hostile files were not handled as the trust model requires:"]
    for problem, group in sorted(groups.items(), key=lambda item: -len(item[1])):
        example = group[0]
        lines.append(f"- {len(group)} x {problem}\n    e.g. {example.kind} {example.template} {str(example.params)[:200]}")
    return "\n".join(lines)
