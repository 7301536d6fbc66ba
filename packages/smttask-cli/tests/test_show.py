"""``smttask show``: name, key, inputs as a tree, and where results are."""

from __future__ import annotations


def test_show_tells_key_inputs_and_whether_results_exist(project):
    t = project.tasks
    task = t.combine(x=2, base=t.load(n=5))
    path = project.save(task, "c")
    before = project.smttask("show", str(path))
    assert before.returncode == 0, before.stderr
    assert "combine (RecordedTask from module clitasks)" in before.stdout
    assert task.digest in before.stdout
    assert "x = 2" in before.stdout
    assert "base ← load RecordedTask" in before.stdout and "n = 5" in before.stdout
    assert before.stdout.count("not computed yet") == 2

    project.smttask("run", str(path))
    after = project.smttask("show", str(path))
    assert after.stdout.count("cached: data/") == 2
    assert f"data/combine/{task.digest}.manifest.json" in after.stdout


def test_show_of_a_memory_only_upstream_says_so(project):
    t = project.tasks
    path = project.save(t.combine(x=1, base=t.offset(x=1)), "m")
    result = project.smttask("show", str(path))
    assert "not stored (MemoizedTask): computed when needed" in result.stdout


def test_show_names_a_bad_file_and_its_problem(project):
    project.write("broken.taskdesc.json", "nope")
    result = project.smttask("show", "broken.taskdesc.json")
    assert result.returncode == 1
    assert result.stderr.startswith("error: broken.taskdesc.json: not valid JSON")
