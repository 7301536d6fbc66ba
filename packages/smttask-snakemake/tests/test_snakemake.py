"""``smttask snakemake write`` and ``run`` with real Snakemake on two cores."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from snake_lab import Done, SnakeProject, make_project

RUN = ("snakemake", "run", "--cores", "2")


def diamond(project: SnakeProject) -> tuple[object, ...]:
    """left and right need base (no task file of its own); join needs both."""
    t = project.tasks
    base = t.base(x=1)
    left, right = t.left(b=base), t.right(b=base)
    join = t.join(l=left, r=right)
    for task, name in ((left, "left"), (right, "right"), (join, "join")):
        project.save(task, name)
    return base, left, right, join


def rules(snakefile: Path) -> list[str]:
    return [name for name in re.findall(r"^rule (\w+):", snakefile.read_text(), re.M) if name != "all"]


def read_if_written(path: Path) -> str:
    """The text of *path*, or "" if it was not written (a test asserting on the write then fails, not the fixture)."""
    return path.read_text() if path.exists() else ""


@dataclass
class DiamondRuns:
    """A diamond's ``snakemake write``, Snakemake's run of the written file, then ``smttask snakemake run``."""

    project: SnakeProject
    tasks: tuple[object, ...]
    wrote: Done
    snakefile: str
    done: Done
    stored: list[bool]
    computed: list[tuple[str, int]]
    second: Done


@pytest.fixture(scope="class")
def diamond_runs(class_project: SnakeProject) -> DiamondRuns:
    """The runs :class:`TestADiamondFromAWrittenSnakefile` reads, made once (what each step left is kept)."""
    project = class_project
    tasks = diamond(project)
    wrote = project.write("tasks", "-o", "Snakefile")
    snakefile = read_if_written(project.root / "Snakefile")
    done = project.snakemake("-s", "Snakefile", "--cores", "2")
    stored = [project.stored(task) for task in tasks]
    computed = project.computed()
    second = project.smttask(*RUN, "tasks")
    return DiamondRuns(project, tasks, wrote, snakefile, done, stored, computed, second)


class TestADiamondFromAWrittenSnakefile:
    """Real Snakemake runs the Snakefile ``smttask snakemake write`` wrote; ``smttask snakemake run`` has nothing left."""

    def test_write_names_the_upstream_task_file_it_writes(self, diamond_runs: DiamondRuns) -> None:
        assert diamond_runs.wrote.returncode == 0, diamond_runs.wrote.output
        assert "1 upstream task file(s) written" in diamond_runs.wrote.stderr

    def test_every_target_is_the_marker_the_storage_backend_names(self, diamond_runs: DiamondRuns) -> None:
        root = diamond_runs.project.root
        for task in diamond_runs.tasks:
            assert repr(str(diamond_runs.project.marker(task).relative_to(root))) in diamond_runs.snakefile

    def test_snakemake_runs_the_written_snakefile_and_every_task_is_stored(self, diamond_runs: DiamondRuns) -> None:
        assert diamond_runs.done.returncode == 0, diamond_runs.done.output
        assert all(diamond_runs.stored)

    def test_the_shared_task_is_computed_once_first_and_the_join_last(self, diamond_runs: DiamondRuns) -> None:
        order = [name for name, _ in diamond_runs.computed]
        assert sorted(order) == ["base1", "join", "left", "right"]  # base computed once, for both
        assert order[0] == "base1" and order[-1] == "join"

    def test_a_second_run_has_nothing_to_do(self, diamond_runs: DiamondRuns) -> None:
        assert diamond_runs.second.returncode == 0, diamond_runs.second.output
        assert "Nothing to be done" in diamond_runs.second.output
        assert "0 task(s) to compute in 0 rule(s), 3 already stored" in diamond_runs.second.stderr
        assert diamond_runs.project.computed() == diamond_runs.computed
        assert all(diamond_runs.project.stored(task) for task in diamond_runs.tasks)


@dataclass
class FailingRun:
    """One ``smttask snakemake run`` of task files of which some fail and some need a failing one."""

    project: SnakeProject
    squares: list[object]
    marker: dict[str, str]
    wrote: Done
    snakefile: str
    done: Done


@pytest.fixture(scope="class")
def failing_run(class_project: SnakeProject) -> FailingRun:
    """The run :class:`TestFailingTaskFiles` reads, made once: a failing task file, one needing a failing
    task, one needing a task that is computed (its rule waits for that task file's job), and three that
    need nothing."""
    project = class_project
    t = project.tasks
    project.save(t.boom(x=7), "boom")
    squares = [t.square(x=i) for i in range(3)]
    for i, task in enumerate(squares):
        project.save(task, f"square-{i}")
    base = t.base(x=2)
    left = t.left(b=base)
    project.save(base, "a-base")
    project.save(left, "b-left")
    project.save(t.boom(x=3), "c-boom")
    project.save(t.left(b=t.boom(x=3)), "d-left-of-boom")
    marker = {name: str(project.marker(task).relative_to(project.root)) for name, task in (("base", base), ("left", left))}
    wrote = project.write("tasks", "-o", "Snakefile")
    snakefile = read_if_written(project.root / "Snakefile")
    done = project.smttask(*RUN, "tasks")
    return FailingRun(project, squares, marker, wrote, snakefile, done)


class TestFailingTaskFiles:
    """A failing task file is named, what needs it is not computed, and every other task file finishes."""

    def test_the_failing_task_file_is_named_with_its_error(self, failing_run: FailingRun) -> None:
        assert failing_run.done.returncode == 1, failing_run.done.output
        assert "tasks/boom.taskdesc.json: ValueError: boom 7" in failing_run.done.output

    def test_the_task_files_not_computed_are_listed(self, failing_run: FailingRun) -> None:
        missing = sorted(line for line in failing_run.done.stderr.splitlines() if line.startswith("not computed:"))
        assert missing == [
            "not computed: tasks/boom.taskdesc.json",
            "not computed: tasks/c-boom.taskdesc.json",
            "not computed: tasks/d-left-of-boom.taskdesc.json",
        ]

    def test_the_others_finish(self, failing_run: FailingRun) -> None:
        assert all(failing_run.project.stored(task) for task in failing_run.squares)

    def test_a_task_needing_another_s_task_runs_after_its_job_and_nothing_needing_a_failure_runs(
        self, failing_run: FailingRun
    ) -> None:
        names = [name for name, _ in failing_run.project.computed()]
        assert sorted(names) == ["base2", "left", "square0", "square1", "square2"]
        assert names.index("base2") < names.index("left")

    def test_a_task_file_s_rule_needs_the_marker_of_the_task_file_it_needs(self, failing_run: FailingRun) -> None:
        assert failing_run.wrote.returncode == 0, failing_run.wrote.output
        assert "upstream task file(s) written" not in failing_run.wrote.stderr  # every upstream task has a task file
        base, left = failing_run.marker["base"], failing_run.marker["left"]
        assert f"    input:\n        ancient({base!r}),\n    output:\n        {left!r}," in failing_run.snakefile


def test_grouping_runs_many_task_files_in_one_process(project: SnakeProject) -> None:
    t = project.tasks
    squares = [t.square(x=i) for i in range(12)]
    for i, task in enumerate(squares):
        project.save(task, f"square-{i}")
    wrote = project.write("tasks", "--group-size", "5", "-o", "Snakefile")
    assert wrote.returncode == 0, wrote.output
    assert len(rules(project.root / "Snakefile")) == 3  # 5 + 5 + 2
    done = project.smttask(*RUN, "tasks", "--group-size", "5")
    assert done.returncode == 0, done.output
    assert all(project.stored(task) for task in squares)
    assert len({pid for _, pid in project.computed()}) == 3
    assert len(project.computed()) == 12


def test_a_failure_in_a_group_keeps_the_group_s_results_and_the_next_run_retries_only_it(
    project: SnakeProject,
) -> None:
    t = project.tasks
    project.save(t.boom(x=1), "a-boom")
    squares = [t.square(x=i) for i in range(3)]
    for i, task in enumerate(squares):
        project.save(task, f"b-square-{i}")
    first = project.smttask(*RUN, "tasks", "--group-size", "4")
    assert first.returncode == 1, first.output
    assert all(project.stored(task) for task in squares)
    computed = project.computed()
    second = project.smttask(*RUN, "tasks", "--group-size", "4")
    assert second.returncode == 1
    assert "1 task(s) to compute in 1 rule(s), 3 already stored" in second.stderr
    assert project.computed() == computed  # the squares were not computed again


def test_iterative_tasks_separate_outputs_and_a_configured_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path, monkeypatch, 'recorder = "none"\ndata = "results/store"\n')
    t = project.tasks
    walk, parts = t.walk(start_n=0, n=3, x=0), t.parts(count=3)
    project.save(walk, "walk")
    project.save(parts, "parts")
    done = project.smttask(*RUN, "tasks")
    assert done.returncode == 0, done.output
    for task in (walk, parts):
        assert project.stored(task)
        assert project.marker(task).is_relative_to(tmp_path / "results" / "store")
    assert project.smttask(*RUN, "tasks").returncode == 0
    assert sorted(name for name, _ in project.computed()) == ["parts3", "walk3"]


def test_exit_code_and_arguments_are_snakemake_s(project: SnakeProject) -> None:
    square = project.tasks.square(x=3)
    project.save(square, "square")
    dry = project.smttask(*RUN, "tasks", "--", "--dry-run")
    assert dry.returncode == 0, dry.output
    assert "square_1" in dry.output and not project.stored(square)
    bad = project.smttask(*RUN, "tasks", "--", "--no-such-snakemake-option")
    assert bad.returncode == 2  # argparse's usage error, from Snakemake
    assert "--no-such-snakemake-option" in bad.stderr


def test_tasks_without_a_stored_result_and_bad_files_are_left_out_with_one_line(project: SnakeProject) -> None:
    project.save(project.tasks.offset(x=1), "offset")
    project.save(project.tasks.square(x=2), "square")
    (project.root / "tasks" / "broken.taskdesc.json").write_text("{not json")
    wrote = project.write("tasks", "-o", "Snakefile")
    assert wrote.returncode == 1
    assert re.search(r"^error: tasks/broken\.taskdesc\.json: .*not valid JSON", wrote.stderr, re.M)
    assert "warning: tasks/offset.taskdesc.json: left out: task 'offset' is not stored" in wrote.stderr
    assert rules(project.root / "Snakefile") == ["square_1"]


def test_resources_come_from_the_task_type_and_the_task_file_field(project: SnakeProject) -> None:
    t = project.tasks
    project.save(t.heavy(x=1), "heavy-1")
    edited = project.save(t.heavy(x=2), "heavy-2")
    document = json.loads(edited.read_text())
    document["resources"] = {"mem_mb": 500, "partition": "debug", "slurm_account": "lab"}
    edited.write_text(json.dumps(document))
    wrote = project.write("tasks", "-g", "10", "-o", "Snakefile")
    assert wrote.returncode == 0, wrote.output
    text = (project.root / "Snakefile").read_text()
    assert "threads: 2\n    resources: mem_mb=123, runtime=5\n" in text
    assert "threads: 2\n    resources: mem_mb=500, runtime=5, slurm_account='lab', slurm_partition='debug'\n" in text
    assert len(rules(project.root / "Snakefile")) == 2  # different resources: never one job

    done = project.snakemake("-s", "Snakefile", "--cores", "2", "--dry-run", "--printshellcmds")
    assert done.returncode == 0, done.output
    assert "mem_mb=500" in done.output and "slurm_partition=debug" in done.output

    document["resources"] = {"mem_mb": "lots"}
    edited.write_text(json.dumps(document))
    bad = project.write("tasks", "-o", "Snakefile")
    assert bad.returncode == 1
    assert "tasks/heavy-2.taskdesc.json: field 'resources': resource 'mem_mb' must be a positive integer, got 'lots'" in bad.stderr


def test_a_grouped_run_of_recorded_task_files_writes_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sumatra", reason="the lab-book test needs sumatra (smttask-sumatra's dependency)")
    project = make_project(tmp_path, monkeypatch, "")
    (tmp_path / "smttask.toml").unlink()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.name", "Tester")
    git("config", "user.email", "tester@example.org")
    git("config", "commit.gpgsign", "false")
    from smttask_sumatra.initialize import init_project

    init_project(tmp_path, name="lab")
    git("add", "-A")
    git("commit", "-q", "-m", "project")
    squares = [project.tasks.square(x=i) for i in range(8)]
    for i, task in enumerate(squares):
        project.save(task, f"square-{i}")
    done = project.smttask(*RUN, "tasks", "--group-size", "3", "--reason", "sweep")
    assert done.returncode == 0, done.output
    from smttask_sumatra.settings import SumatraSettings
    from smttask_sumatra.smtproject import SumatraProject
    from smttask_sumatra.store import RecordStore

    store = RecordStore(SumatraProject.load(tmp_path), SumatraSettings())
    with store.session() as smt_store:
        records = smt_store.list(store.project_name)
    assert sorted(r.parameters.as_dict()["inputs"]["x"] for r in records) == list(range(8))
    assert {r.reason for r in records} == {"sweep"}
    assert all(r.tags == {"_finished_"} for r in records)


def test_a_damaged_stored_result_is_computed_again(project: SnakeProject) -> None:
    config = project.root / "smttask.toml"
    config.write_text(config.read_text() + "result_inline_max = 0\n")  # the output in a file of its own
    square = project.tasks.square(x=4)
    project.save(square, "square")
    assert project.smttask(*RUN, "tasks").returncode == 0
    from smttask import Project

    with Project(project.root).activate() as active:
        stored = active.storage.locate(square)
    output = next(iter(stored.outputs.values())).path
    output.write_text("17")  # a different size than the one written: the marker exists, the result is unusable
    done = project.smttask(*RUN, "tasks")
    assert done.returncode == 0, done.output
    assert "--forcerun square_1" in done.output
    assert [name for name, _ in project.computed()] == ["square4", "square4"]
    assert output.read_text() == "16"


def test_after_a_killed_run_unlock_then_run_again(project: SnakeProject) -> None:
    blocked = project.tasks.blocked(x=1)
    project.save(blocked, "blocked")
    process = project.start(*RUN, "tasks")
    try:
        project.wait_until((project.root / "started-1").exists, "the task to start")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    (project.root / "release").touch()
    locked = project.smttask(*RUN, "tasks")
    assert locked.returncode != 0
    assert "LockException" in locked.output
    assert project.smttask(*RUN, "tasks", "--", "--unlock").returncode == 0
    done = project.smttask(*RUN, "tasks")
    assert done.returncode == 0, done.output
    assert project.stored(blocked)


def test_importing_the_plugin_and_the_package_stays_light() -> None:
    code = (
        "import sys, smttask_snakemake, smttask_snakemake.plugin; "
        "print(sorted(m for m in ('snakemake', 'click', 'smttask_cli', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
