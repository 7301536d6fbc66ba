"""``smttask why``: hits and misses explained from task files, stored files and bad arguments, one line each."""

from __future__ import annotations


def test_why_explains_a_hit_and_a_miss(project):
    stored = project.save(project.tasks.square(x=4), "four")
    assert project.smttask("run", str(stored)).returncode == 0
    missing = project.save(project.tasks.square(x=5), "five")
    result = project.smttask("why", str(stored), str(missing))
    assert result.returncode == 0, result.stderr
    hit, miss = result.stdout.split("\nsquare (key ")
    assert "stored; a run loads it." in hit and "code     unchanged since" in hit
    assert "not stored; a run computes it." in miss
    assert "1 stored result of square, nearest first:" in miss
    assert "x: 4 -> 5" in miss


def test_why_follows_an_upstream_task(project):
    old = project.tasks.combine(x=project.tasks.square(x=2), base=1)
    assert project.smttask("run", str(project.save(old, "old"))).returncode == 0
    new = project.save(project.tasks.combine(x=project.tasks.square(x=3), base=1), "new")
    result = project.smttask("why", str(new))
    assert result.returncode == 0, result.stderr
    assert "x.x: 2 -> 3  (in upstream square, key" in result.stdout


def test_why_explains_a_stored_file_once_and_names_a_code_change(project):
    (project.root / "smttask.toml").write_text('recorder = "none"\nresult_inline_max = 0\n')  # an output file
    task = project.tasks.square(x=6)
    assert project.smttask("run", str(project.save(task, "six"))).returncode == 0
    module = project.root / "clitasks.py"
    module.write_text(module.read_text().replace("return x * x", "return x ** 2"))
    files = sorted((project.root / "data" / "square").glob(f"{task.digest}*.json"))
    assert len(files) == 2  # the output and its manifest: one result, explained once
    result = project.smttask("why", *map(str, files))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(f"square (key {task.digest})") == 1
    assert "code     changed since: function clitasks:square" in result.stdout


def test_why_explains_every_task_file_of_a_directory(project):
    project.save(project.tasks.square(x=7), "a", directory="batch")
    project.save(project.tasks.square(x=8), "b", directory="batch")
    result = project.smttask("why", "batch")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("not stored; a run computes it.") == 2


def test_why_gives_one_line_per_bad_argument_and_explains_the_rest(project):
    project.write("broken.taskdesc.json", "nope")
    good = project.save(project.tasks.square(x=9), "nine")
    result = project.smttask("why", "no-such-thing", "broken.taskdesc.json", str(good))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: no-such-thing: no such file, and no lab-book record has this label (list them with `smttask records`)",
        result.stderr.splitlines()[1],
    ]
    assert result.stderr.splitlines()[1].startswith("error: broken.taskdesc.json: not valid JSON")
    assert "square (key" in result.stdout and "Traceback" not in result.stderr


def test_a_bad_file_in_a_directory_is_named_by_its_own_path(project):
    project.write("batch/broken.taskdesc.json", "nope")
    project.save(project.tasks.square(x=10), "ok", directory="batch")
    result = project.smttask("why", "batch")
    assert result.returncode == 1
    assert result.stderr.startswith("error: batch/broken.taskdesc.json: not valid JSON")
    assert "not stored; a run computes it." in result.stdout
