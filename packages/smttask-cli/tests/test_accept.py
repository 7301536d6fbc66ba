"""``smttask accept``: a cosmetic code change keeps results valid; bad arguments are one line each."""

from __future__ import annotations

import json


def test_accept_stores_the_new_code_fingerprint(project):
    task = project.tasks.square(x=4)
    path = project.save(task, "s")
    assert project.smttask("run", str(path)).returncode == 0
    manifest = project.root / "data" / "square" / f"{task.digest}.manifest.json"
    before = json.loads(manifest.read_text())["code"]["functions"]["clitasks:square"]
    module = project.root / "clitasks.py"
    module.write_text(module.read_text().replace("return x * x", "return x ** 2"))
    accepted = project.smttask("accept", str(path))
    assert accepted.returncode == 0, accepted.stderr
    assert f"accepted square (key {task.digest})" in accepted.stdout
    assert json.loads(manifest.read_text())["code"]["functions"]["clitasks:square"] != before


def test_accept_names_each_bad_argument(project):
    project.write("broken.taskdesc.json", "nope")
    never_run = project.save(project.tasks.square(x=5), "n")
    result = project.smttask("accept", "broken.taskdesc.json", str(never_run))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: broken.taskdesc.json: not valid JSON")
    assert lines[1].endswith("square has no stored result to accept")
