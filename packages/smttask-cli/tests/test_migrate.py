"""``smttask migrate``: smttask 0.2 task files (real ones, kept by smttask-core's tests) written in the current format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

CORE_TESTS = Path(__file__).parents[2] / "smttask-core" / "tests"
OLD = CORE_TESTS / "data" / "smttask-0.2"


def _old_project(project):
    shutil.copy(CORE_TESTS / "legacytasks.py", project.root / "legacytasks.py")
    shutil.copytree(OLD, project.root / "old")


def test_migrated_files_run_and_print_old_and_new_keys(project):
    _old_project(project)
    result = project.smttask("migrate", "old", "-o", "new")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    add = next(line for line in lines if "Add__ac59107607" in line.split("(from")[1])
    assert add.startswith("ac59107607   -> ")
    new_key = add.split("-> ")[1].split()[0]
    assert (project.root / "new" / f"Add__{new_key}.taskdesc.json").is_file()
    assert all(json.loads(p.read_text())["format"] == "smttask-task" for p in (project.root / "new").iterdir())
    assert sorted(p.name for p in (project.root / "old").iterdir()) == sorted(p.name for p in OLD.iterdir())
    run = project.smttask("run", "new")
    assert run.returncode == 0, run.stderr


def test_running_an_old_file_says_to_migrate_it(project):
    _old_project(project)
    result = project.smttask("run", "old/Add__ac59107607.taskdesc.json")
    assert result.returncode == 1
    assert "a task file of smttask 0.2; convert it to the current format with `smttask migrate" in result.stderr


def test_a_file_that_cannot_be_migrated_is_one_line_and_the_others_are_written(project):
    _old_project(project)
    project.write(
        "old/fn.taskdesc.json",
        json.dumps({"taskname": "Add", "module": "legacytasks", "reason": None,
                    "inputs": {"a": ["scityping.functions.PureFunction", {"func": "def f(x): return x"}], "b": 1.0}}),
    )
    project.write("old/current.taskdesc.json", "{}")
    result = project.smttask("migrate", "old", "-o", "new")
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert any("fn.taskdesc.json: inputs.a is a function stored as source code" in e for e in errors)
    assert any("current.taskdesc.json: not a task file of smttask 0.2" in e for e in errors)
    assert len(list((project.root / "new").iterdir())) == 6


def test_embed_keeps_array_inputs_in_the_migrated_files(project):
    """Above array_inline_max an array is stored apart and referenced; --embed writes it into the file."""
    _old_project(project)
    (project.root / "smttask.toml").write_text('recorder = "none"\narray_inline_max = 0\n')

    def total_types(directory: str) -> set[str]:
        files = (project.root / directory).glob("Total__*.taskdesc.json")
        return {json.loads(p.read_text())["inputs"]["x"]["$type"] for p in files}

    assert project.smttask("migrate", "old", "-o", "referenced").returncode == 0
    assert project.smttask("migrate", "--embed", "old", "-o", "embedded").returncode == 0
    assert total_types("referenced") == {"ndarray.stored"}
    assert total_types("embedded") == {"ndarray"}
    assert len(list((project.root / "data" / ".arrays").iterdir())) == 2
    for directory in ("referenced", "embedded"):
        run = project.smttask("run", directory)
        assert run.returncode == 0, run.stderr
