"""Fixtures for driving the ``smttask`` command line on a small project.

``project.smttask(...)`` runs a command in this pytest process, isolated as a fresh
process would be; ``project.smttask_process(...)`` and ``project.start(...)`` start
the installed console script. :mod:`cli_runner` (in ``shared/``, importable by
name) says what is isolated, and which tests need a real process.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

SHARED = Path(__file__).parent / "shared"  # alone in its directory: the test modules' names stay unshadowed
if str(SHARED) not in sys.path:
    sys.path.insert(0, str(SHARED))

from cli_runner import SMTTASK, Result, in_process, process_env, run_process  # noqa: E402

TASK_MODULE = "clitasks"
TASKS = '''
"""Tasks used by the smttask-cli tests (the project's own module, found from the working directory)."""
import os, pathlib, sys, time
from smttask import MemoizedTask, RecordedTask

@RecordedTask
def square(x: int) -> int:
    return x * x

@RecordedTask
def boom(x: int) -> int:
    raise ValueError(f"boom {x}")

@RecordedTask
def load(n: int) -> int:
    with open("load-count.txt", "a") as f:
        f.write(f"{os.getpid()}\\n")
    return n

@RecordedTask
def combine(x: int, base: int) -> int:
    return x + base

@MemoizedTask
def offset(x: int) -> int:
    return x + 1000

@RecordedTask
def blocked(x: int) -> int:
    pathlib.Path(f"started-{x}").touch()
    while not pathlib.Path("release").exists():
        time.sleep(0.01)
    return x

@RecordedTask
def sees_module(name: str) -> bool:
    return name in sys.modules
'''


@dataclass
class CliProject:
    """A project directory holding ``clitasks.py``, with helpers to write task files and run smttask."""

    root: Path
    tasks: object

    def save(self, task: object, name: str, directory: str = "tasks") -> Path:
        from smttask import Project

        target = self.root / directory / f"{name}.taskdesc.json"
        with Project(self.root).activate():
            task.save(target)  # type: ignore[attr-defined]
        return target

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def smttask(self, *args: str, input: str | None = None) -> Result:
        """Run ``smttask ARGS`` in this process, isolated as a process would be (see cli_runner)."""
        return in_process(self.root, args, input=input)

    def smttask_process(self, *args: str, input: str | None = None) -> Result:
        """Run ``smttask ARGS`` as a real process of the installed console script, in the project root."""
        return run_process(self.root, args, input=input)

    def start(self, *args: str) -> subprocess.Popen:
        """Start smttask in its own process group (as a terminal's foreground job is)."""
        return subprocess.Popen(
            [SMTTASK, *args], cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True, env=process_env(),
        )

    def stored(self, task: object) -> bool:
        from smttask import Project

        project = Project(self.root)
        with project.activate():
            return project.storage.locate(task) is not None  # type: ignore[arg-type]

    @staticmethod
    def wait_until(condition: Callable[[], bool], what: str, limit: float = 60.0) -> None:
        """Poll *condition*; the limit only guards against a hung test, it asserts nothing about speed."""
        end = time.monotonic() + limit
        while not condition():
            if time.monotonic() > end:
                raise AssertionError(f"gave up waiting for {what}")
            time.sleep(0.02)

    @staticmethod
    def interrupt(process: subprocess.Popen, *, group: bool) -> None:
        """Ctrl-C: to the whole process group (as a terminal sends it) or to smttask alone."""
        if group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)

    def leftovers(self) -> list[Path]:
        """Temporary or claim files under the data directory: signs of a half-written result."""
        data = self.root / "data"
        return [p for p in data.rglob("*") if p.name.endswith((".tmp", ".claim"))] if data.exists() else []



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliProject:
    (tmp_path / "smttask.toml").write_text('recorder = "none"\n')
    (tmp_path / f"{TASK_MODULE}.py").write_text(TASKS)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop(TASK_MODULE, None)
    module = importlib.import_module(TASK_MODULE)
    yield CliProject(tmp_path, module)
    sys.modules.pop(TASK_MODULE, None)
