"""The in-process runner of these tests (``project.smttask``) runs a command as a fresh process would."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path

import pytest


def test_the_task_module_is_imported_afresh_and_the_tests_own_put_back(project):
    project.save(project.tasks.square(x=3), "a")
    project.write("clitasks.py", (project.root / "clitasks.py").read_text().replace("x * x", "x * x + 1"))
    result = project.smttask("run", "tasks")
    assert result.returncode == 0, result.stderr
    assert sys.modules["clitasks"] is project.tasks
    shown = project.smttask("store", "find-output", "tasks/a.taskdesc.json")
    assert shown.returncode == 0, shown.stderr
    stored = shown.lines()[0].split("\t")[1]
    assert '"inline": "10"' in Path(stored).read_text()  # the edited code ran: 3 * 3 + 1


def test_what_a_run_changes_in_this_process_is_put_back(project):
    path, cwd, environ = sys.path[:], os.getcwd(), dict(os.environ)
    root, filters = logging.getLogger(), warnings.filters[:]
    handlers, level = root.handlers[:], root.level
    project.write("chatty.py", "import logging\nlogging.getLogger('chatty').warning('hello')\n")
    project.save(project.tasks.square(x=1), "a")
    result = project.smttask("run", "-vv", "--import", "chatty", "tasks")
    assert "WARNING chatty: hello" in result.stderr  # the command's own log handler, to its stderr
    assert (sys.path, os.getcwd(), dict(os.environ)) == (path, cwd, environ)
    assert (root.handlers, root.level, warnings.filters) == (handlers, level, filters)
    assert "chatty" not in sys.modules


def test_a_command_that_starts_workers_or_a_debugger_is_refused(project):
    project.save(project.tasks.square(x=1), "a")
    for args in (("-n", "2"), ("-n2",), ("--cores=0",), ("--executor", "processes"), ("--pdb",)):
        with pytest.raises(AssertionError, match=r"project\.smttask_process"):
            project.smttask("run", *args, "tasks")
    assert project.smttask("run", "-n", "1", "tasks").returncode == 0
