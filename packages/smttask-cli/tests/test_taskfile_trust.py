"""The critical hole of issue 8: a typed value in a task file must never call what it names.

``{"$type": "enum", "value": {"class": "os:system", ...}}`` once ran ``os.system``
on ``smttask run``, ``run --dry-run`` and ``show``; ``shutil:rmtree`` deleted a
directory outside the project and ``os:chdir`` broke the rest of a batch.
"""

from __future__ import annotations

import json

import pytest


def _hostile(project, name: str, target: str, argument: object) -> str:
    doc = {
        "format": "smttask-task",
        "version": 1,
        "module": "clitasks",
        "task": "square",
        "inputs": {"x": {"$type": "enum", "value": {"class": target, "value": argument}}},
    }
    project.write(f"tasks/{name}.taskdesc.json", json.dumps(doc))
    return f"tasks/{name}.taskdesc.json"


@pytest.mark.parametrize("command", [("run",), ("run", "-n", "2"), ("run", "--dry-run")])
def test_hostile_enum_values_call_nothing_and_the_good_task_still_runs(project, tmp_path_factory, command):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "precious.txt").write_text("keep me")
    canary = project.root / "CANARY"
    files = [
        _hostile(project, "system", "os:system", f"touch {canary}"),
        _hostile(project, "exec", "builtins:exec", f"open({str(canary)!r}, 'w')"),
        _hostile(project, "eval", "builtins:eval", f"open({str(canary)!r}, 'w')"),
        _hostile(project, "rmtree", "shutil:rmtree", str(outside)),
        _hostile(project, "chdir", "os:chdir", "/"),
    ]
    good = project.save(project.tasks.square(x=7), "good")

    result = project.smttask_process(*command, *files, str(good))

    assert not canary.exists()
    assert (outside / "precious.txt").read_text() == "keep me"
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).splitlines()
    for file in files:
        about = [line for line in lines if file in line]
        assert len(about) == 1 and "is not an Enum subclass" in about[0], result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    if "--dry-run" not in command:
        assert project.stored(project.tasks.square(x=7))


def test_show_of_a_hostile_file_calls_nothing(project):
    canary = project.root / "CANARY"
    path = _hostile(project, "system", "os:system", f"touch {canary}")
    result = project.smttask_process("show", path)
    assert not canary.exists()
    assert result.returncode == 1 and "'os:system' is not an Enum subclass" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
