"""``smttask run`` driven as a user drives it.

Runs with workers (``-n 2``), Ctrl-C, the debugger and what a fresh process
imports (``--import``) use the real console script, in a subprocess; the rest
run the same command in this process (``project.smttask``, see conftest.py).
"""

from __future__ import annotations

import json
import re

import pytest


def test_batch_on_two_workers_stores_every_result_then_reports_all_cached(project):
    t = project.tasks
    files = [project.save(t.square(x=i), f"sq-{i}") for i in range(6)]
    result = project.smttask_process("run", "-n", "2", "tasks")
    assert result.returncode == 0, result.stderr
    assert set(result.statuses().values()) == {"computed"} and len(result.statuses()) == 6
    assert all(project.stored(t.square(x=i)) for i in range(6))
    assert "6 tasks: 6 computed" in result.stdout
    assert all(f.exists() for f in files), "task files are kept unless --clean is given"

    again = project.smttask_process("run", "-n", "2", "tasks")
    assert again.returncode == 0
    assert set(again.statuses().values()) == {"cached"}


def test_directories_are_run_in_natural_order(project):
    for i in (10, 9, 100, 1):
        project.save(project.tasks.square(x=i), f"task-{i}")
    result = project.smttask("run", "tasks")
    assert list(result.statuses()) == [f"tasks/task-{i}.taskdesc.json" for i in (1, 9, 10, 100)]


def test_bad_files_and_failing_tasks_do_not_stop_the_others(project):
    t = project.tasks
    project.save(t.square(x=1), "a-good")
    project.save(t.square(x=2), "z-good")
    project.save(t.boom(x=3), "raising")
    project.write("tasks/not-json.taskdesc.json", "{this is not json")
    desc = json.loads(project.save(t.square(x=4), "missing-module").read_text())
    desc["module"] = "no_such_module"
    project.write("tasks/missing-module.taskdesc.json", json.dumps(desc))

    result = project.smttask_process("run", "-n", "2", "tasks")
    assert result.returncode == 1
    assert project.stored(t.square(x=1)) and project.stored(t.square(x=2))
    errors = result.stderr
    assert re.search(r"tasks/not-json\.taskdesc\.json: not valid JSON", errors)
    assert re.search(r"tasks/missing-module\.taskdesc\.json: cannot import module 'no_such_module'", errors)
    assert re.search(r"tasks/raising\.taskdesc\.json: ValueError: boom 3", errors)
    assert result.statuses()["tasks/a-good.taskdesc.json"] == "computed"
    log = re.search(r"Full tracebacks: (\S+)", errors).group(1)
    text = (project.root / log).read_text()
    assert 'raise ValueError(f"boom {x}")' in text and "tasks/not-json.taskdesc.json" in text


def test_missing_arguments_are_errors_but_the_rest_runs(project):
    project.save(project.tasks.square(x=1), "one")
    result = project.smttask("run", "tasks", "no/such/dir", "nothing-*.json")
    assert result.returncode == 1
    assert "error: no/such/dir: no such file or directory" in result.stderr
    assert "error: nothing-*.json: no file matches this pattern" in result.stderr
    assert project.stored(project.tasks.square(x=1))


@pytest.mark.parametrize(("cores", "group"), [("2", True), ("1", False)])
def test_ctrl_c_stops_cleanly_and_keeps_finished_results(project, cores, group):
    t = project.tasks
    project.save(t.square(x=5), "a-quick")
    for i in range(4):
        project.save(t.blocked(x=i), f"b-blocked-{i}")
    process = project.start("run", "-n", cores, "tasks")
    running = int(cores)
    project.wait_until(lambda: len(list(project.root.glob("started-*"))) >= running, "tasks to start")
    project.interrupt(process, group=group)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert project.stored(t.square(x=5)), "a result finished before Ctrl-C is kept"
    assert not any(project.stored(t.blocked(x=i)) for i in range(4))
    assert project.leftovers() == [], "nothing half-written remains"
    assert "(interrupted)" in stdout
    assert stdout.count("interrupted ") == running
    assert "skipped" in stdout


def test_dry_run_predicts_exactly_what_a_run_does(project):
    t = project.tasks
    for i in range(4):
        project.save(t.combine(x=i, base=t.load(n=7)), f"c-{i}")
    project.save(t.square(x=3), "s-3")
    project.write("tasks/x-broken.taskdesc.json", "[]")
    assert project.smttask("run", "tasks/c-0.taskdesc.json", "tasks/s-3.taskdesc.json").returncode == 0
    project.save(t.square(x=4), "s-4")
    (project.root / "load-count.txt").unlink()

    dry = project.smttask_process("run", "--dry-run", "-n", "2", "tasks")
    verdicts = {"would compute": "computed", "would fail": "failed"}
    predicted = {file: verdicts.get(verdict, verdict) for file, verdict in dry.predictions().items()}
    assert dry.returncode == 1  # the broken file would fail
    assert not (project.root / "load-count.txt").exists(), "a dry run runs nothing"
    assert not project.stored(t.square(x=4))

    real = project.smttask_process("run", "-n", "2", "tasks")
    assert real.statuses() == predicted
    assert predicted["tasks/s-3.taskdesc.json"] == "cached"
    assert predicted["tasks/s-4.taskdesc.json"] == "computed"
    assert predicted["tasks/x-broken.taskdesc.json"] == "failed"


def test_shared_upstream_is_computed_once_for_many_task_files(project):
    t = project.tasks
    for i in range(6):
        project.save(t.combine(x=i, base=t.load(n=100)), f"c-{i}")
    result = project.smttask_process("run", "-n", "2", "tasks")
    assert result.returncode == 0, result.stderr
    assert len((project.root / "load-count.txt").read_text().split()) == 1
    assert "upstream tasks: 1 computed" in result.stdout


def test_recompute_computes_again_but_reuses_upstream(project):
    t = project.tasks
    project.save(t.combine(x=1, base=t.load(n=1)), "c")
    project.smttask("run", "tasks")
    result = project.smttask("run", "--recompute", "tasks")
    assert result.statuses() == {"tasks/c.taskdesc.json": "computed"}
    assert len((project.root / "load-count.txt").read_text().split()) == 1


def test_clean_deletes_only_the_files_of_tasks_that_succeeded(project):
    good = project.save(project.tasks.square(x=1), "good")
    bad = project.save(project.tasks.boom(x=1), "bad")
    result = project.smttask("run", "--clean", "tasks")
    assert result.returncode == 1
    assert not good.exists() and bad.exists()


def test_fail_fast_stops_at_the_first_failure(project):
    t = project.tasks
    project.save(t.boom(x=1), "a-boom")
    project.save(t.square(x=2), "b-square")
    result = project.smttask("run", "--fail-fast", "tasks")
    assert result.returncode == 1
    assert result.statuses() == {"tasks/a-boom.taskdesc.json": "failed", "tasks/b-square.taskdesc.json": "skipped"}
    assert not project.stored(t.square(x=2))


def test_import_option_imports_in_this_process_and_in_workers(project):
    project.write("cli_extra.py", "MARK = 1\n")
    project.save(project.tasks.sees_module(name="cli_extra"), "a")
    project.save(project.tasks.sees_module(name="json"), "b")
    result = project.smttask_process("run", "-n", "2", "--import", "cli_extra", "tasks")
    assert result.returncode == 0, result.stderr
    with_import = project.smttask_process("run", "--import", "no_such_module_xyz", "tasks")
    assert with_import.returncode == 2
    assert "cannot import module 'no_such_module_xyz'" in with_import.stderr
    from smttask import Project

    p = Project(project.root)
    with p.activate():
        assert project.tasks.sees_module(name="cli_extra").run() is True


def test_wait_and_bad_duration(project):
    project.save(project.tasks.square(x=1), "one")
    assert project.smttask("run", "--wait", "0s", "tasks").returncode == 0
    bad = project.smttask("run", "--wait", "soon", "tasks")
    assert bad.returncode == 2
    assert "Invalid value for '--wait'" in bad.stderr


def test_pdb_opens_the_debugger_on_a_failing_task(project):
    project.save(project.tasks.boom(x=1), "boom")
    result = project.smttask_process("run", "--pdb", "tasks", input="p x\nq\n")
    assert "(Pdb)" in result.stdout
    assert "boom()" in result.stdout and "(Pdb) 1\n" in result.stdout, "the debugger is in the task's frame"
    assert project.smttask_process("run", "--pdb", "-n", "2", "tasks").returncode == 2


def test_quiet_prints_only_failures(project):
    project.save(project.tasks.square(x=1), "good")
    project.save(project.tasks.boom(x=1), "bad")
    result = project.smttask("run", "-q", "tasks")
    assert result.stdout == ""
    assert "tasks/bad.taskdesc.json: ValueError: boom 1" in result.stderr
