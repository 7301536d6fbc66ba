"""smttask 0.2's commands: ``debug compare | key-parents | humanize``, ``store find-output`` and ``run``'s options."""

from __future__ import annotations

import json
from pathlib import Path


def test_compare_names_the_first_difference_by_parameter_path(project):
    t = project.tasks
    a = project.save(t.combine(x=t.square(x=2), base=10), "a")
    b = project.save(t.combine(x=t.square(x=3), base=11), "b")
    result = project.smttask("debug", "compare", str(a), str(b))
    assert result.returncode == 1
    assert result.lines()[1].strip() == "x.x: 2  ≠  3"
    every = project.smttask("debug", "compare", "--all", str(a), str(b))
    assert [line.strip() for line in every.lines()[1:]] == ["x.x: 2  ≠  3", "base: 10  ≠  11"]
    other = project.save(t.combine(x=t.offset(x=2), base=10), "c")
    swapped = project.smttask("debug", "compare", str(a), str(other))
    assert swapped.lines()[1].strip() == "x: task clitasks:square  ≠  task clitasks:offset"
    same = project.smttask("debug", "compare", str(a), str(a))
    assert same.returncode == 0 and same.stdout.startswith("Same task: combine")


def test_compare_of_a_file_that_is_no_task_file_is_one_line(project):
    a = project.save(project.tasks.square(x=1), "a")
    bad = project.write("tasks/bad.taskdesc.json", "{nope")
    result = project.smttask("debug", "compare", str(a), str(bad))
    assert result.returncode == 1
    assert result.lines("stderr") == [f"Error: {bad}: not JSON (Expecting property name enclosed in double "
                                      "quotes: line 1 column 2 (char 1)), so not a task file."]
    other = project.write("tasks/other.json", '{"a": 1}')
    assert "not a task file (no 'task' name and 'inputs' table)" in project.smttask(
        "debug", "compare", str(a), str(other)).stderr


def test_key_parents_prints_paths_to_what_matches(project):
    t = project.tasks
    path = project.save(t.combine(x=t.square(x=2), base=10), "a")
    result = project.smttask("debug", "key-parents", "^x$", str(path))
    assert result.lines() == ["x = task clitasks:square", "x.x = 2"]
    by_task = project.smttask("debug", "key-parents", "square", str(path))
    assert by_task.lines() == ["x  (task clitasks:square)"]
    nothing = project.smttask("debug", "key-parents", "zzz", str(path))
    assert nothing.returncode == 1 and "matches 'zzz'" in nothing.stderr
    bad = project.smttask("debug", "key-parents", "(", str(path))
    assert bad.returncode == 2 and "'(' is not a regular expression" in bad.stderr


def test_humanize_reindents_without_changing_content(project):
    path = project.save(project.tasks.square(x=2), "a")
    result = project.smttask("debug", "humanize", str(path))
    human = path.with_name("a.taskdesc.human.json")
    assert result.stdout.strip() == str(human)
    assert json.loads(human.read_text()) == json.loads(path.read_text())
    assert '\n   "format"' in human.read_text()
    assert project.smttask("run", "tasks").statuses() == {"tasks/a.taskdesc.json": "computed"}  # not run twice
    project.smttask("debug", "humanize", "--inplace", str(path))
    assert '\n   "format"' in path.read_text()


def test_find_output_prints_the_stored_files(project):
    path = project.save(project.tasks.square(x=3), "a")
    missing = project.smttask("store", "find-output", str(path))
    assert missing.returncode == 1 and "no stored result for square" in missing.stderr
    project.smttask("run", str(path))
    found = project.smttask("store", "find-output", str(path))
    assert found.returncode == 0, found.stderr
    ((name, stored),) = [line.split("\t") for line in found.lines()]
    assert name == "(result)" and stored.endswith(".manifest.json")  # a small value is kept in the manifest
    assert json.loads(json.loads(Path(stored).read_text())["outputs"][""]["inline"]) == 9
    memo = project.save(project.tasks.offset(x=1), "m")
    never = project.smttask("store", "find-output", str(memo))
    assert never.returncode == 1 and never.lines("stderr") == [
        f"Error: {memo}: offset is a MemoizedTask, whose results are never stored; nothing to find."]


def test_run_takes_the_options_of_smttask_0_2(project):
    for i in (1, 2, 3):
        project.save(project.tasks.square(x=i), f"task-{i}")
    reverse = project.smttask("run", "--reverse", "tasks")
    assert list(reverse.statuses()) == [f"tasks/task-{i}.taskdesc.json" for i in (3, 2, 1)]
    quiet = project.smttask("run", "-qq", "--recompute", "tasks")
    assert quiet.returncode == 0 and quiet.stdout == ""
    project.write("chatty.py", "import logging\nlogging.getLogger('chatty').debug('hello')\n"
                  "logging.getLogger('chatty').info('hi')\n")
    verbose = project.smttask("run", "-vv", "--import", "chatty", "tasks")
    assert verbose.returncode == 0 and "DEBUG chatty: hello" in verbose.lines("stderr")
    info = project.smttask("run", "-v", "--import", "chatty", "tasks")
    assert "INFO chatty: hi" in info.lines("stderr") and "hello" not in info.stderr
    interval = project.smttask("run", "--progress-interval", "5", "tasks")
    assert interval.returncode == 0
    assert interval.lines("stderr")[0].startswith("smttask run: --progress-interval is ignored")
    assert project.smttask("run", "--progress-interval", "soon", "tasks").returncode == 2
