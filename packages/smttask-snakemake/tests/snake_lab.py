"""Helpers of smttask-snakemake's tests: a project with a task module, the real ``smttask`` and Snakemake."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

CLI_RUNNER = Path(__file__).resolve().parents[2] / "smttask-cli" / "tests" / "shared"
if str(CLI_RUNNER) not in sys.path:
    sys.path.insert(0, str(CLI_RUNNER))

from cli_runner import in_process  # noqa: E402

SMTTASK = str(Path(sys.executable).with_name("smttask"))
TASK_MODULE = "snaketasks"
TASKS = '''
"""Tasks of the smttask-snakemake tests: each computation appends 'name pid' to computed.txt."""
import os
import pathlib
import time
from smttask import MemoizedTask, RecordedIterativeTask, RecordedTask, TaskOutput
from smttask.typing import separate_outputs
from smttask_snakemake import resources


def _note(name):
    with open("computed.txt", "a") as f:
        f.write(f"{name} {os.getpid()}\\n")


@RecordedTask
def base(x: int) -> int:
    _note(f"base{x}")
    return x


@RecordedTask
def left(b: int) -> int:
    _note("left")
    return b + 1


@RecordedTask
def right(b: int) -> int:
    _note("right")
    return b + 2


@RecordedTask
def join(l: int, r: int) -> int:
    _note("join")
    return l * r


@RecordedTask
def square(x: int) -> int:
    _note(f"square{x}")
    return x * x


@RecordedTask
def boom(x: int) -> int:
    raise ValueError(f"boom {x}")


@MemoizedTask
def offset(x: int) -> int:
    return x + 1000


@resources(threads=2, mem_mb=123, runtime=5)
@RecordedTask
def heavy(x: int) -> int:
    _note(f"heavy{x}")
    return x


class WalkOutput(TaskOutput):
    n: int
    x: int


@resources(mem_mb=200, runtime=7, partition="debug")
@RecordedTask
def light(x: int) -> int:
    _note(f"light{x}")
    return x


@RecordedTask
def blocked(x: int) -> int:
    pathlib.Path(f"started-{x}").touch()
    while not pathlib.Path("release").exists():
        time.sleep(0.02)
    _note(f"blocked{x}")
    return x


@RecordedIterativeTask("n", map={"n": "start_n", "x": "x"})
def walk(start_n: int, n: int, x: int) -> WalkOutput:
    _note(f"walk{n}")
    return n, x + n - start_n


@RecordedTask
def parts(count: int) -> separate_outputs(int, lambda count: [f"p{i}" for i in range(count)]):
    _note(f"parts{count}")
    return list(range(count))
'''


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class SnakeProject:
    """A project directory holding ``snaketasks.py``: write task files, run smttask, read what ran."""

    root: Path
    tasks: object

    def save(self, task: object, name: str, directory: str = "tasks") -> Path:
        from smttask import Project

        target = self.root / directory / f"{name}.taskdesc.json"
        with Project(self.root).activate():
            task.save(target)  # type: ignore[attr-defined]
        return target

    def smttask(self, *args: str, timeout: float = 110) -> Done:
        done = subprocess.run(
            [SMTTASK, *args], cwd=self.root, capture_output=True, text=True, timeout=timeout, env=env(),
            stdin=subprocess.DEVNULL,
        )
        return Done(done.returncode, done.stdout, done.stderr)

    def write(self, *args: str) -> Done:
        """``smttask snakemake write ARGS`` run in this process, isolated as a fresh process is (smttask-cli's
        ``cli_runner``): writing a Snakefile starts no process, and a process costs 0.2-0.3 CPU-seconds."""
        done = in_process(self.root, ("snakemake", "write", *args))
        return Done(done.returncode, done.stdout, done.stderr)

    def snakemake(self, *args: str, timeout: float = 110) -> Done:
        done = subprocess.run(
            [sys.executable, "-m", "snakemake", *args], cwd=self.root, capture_output=True, text=True,
            timeout=timeout, env=env(), stdin=subprocess.DEVNULL,
        )
        return Done(done.returncode, done.stdout, done.stderr)

    def computed(self) -> list[tuple[str, int]]:
        """``(name, pid)`` of every computation so far, in order."""
        path = self.root / "computed.txt"
        if not path.exists():
            return []
        return [(name, int(pid)) for name, pid in (line.split() for line in path.read_text().splitlines())]

    def start(self, *args: str) -> subprocess.Popen:
        """Start smttask in its own process group (as a terminal's foreground job is)."""
        return subprocess.Popen([SMTTASK, *args], cwd=self.root, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True, env=env())

    @staticmethod
    def wait_until(condition: Callable[[], bool], what: str, limit: float = 60.0) -> None:
        """Poll *condition*; the limit only guards against a hung test, it asserts nothing about speed."""
        end = time.monotonic() + limit
        while not condition():
            if time.monotonic() > end:
                raise AssertionError(f"gave up waiting for {what}")
            time.sleep(0.05)

    def stored(self, task: object) -> bool:
        from smttask import Project

        project = Project(self.root)
        with project.activate():
            return project.storage.locate(task) is not None  # type: ignore[arg-type]

    def marker(self, task: object) -> Path:
        from smttask import Project

        project = Project(self.root)
        with project.activate():
            return project.storage.marker(task)  # type: ignore[arg-type,return-value]


def env() -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("PYTHONPATH", None)  # the task module is found from the working directory
    environment["COLUMNS"] = "200"
    return environment


def make_project(root: Path, monkeypatch: pytest.MonkeyPatch, config: str = 'recorder = "none"\n') -> SnakeProject:
    (root / "smttask.toml").write_text(config)
    (root / f"{TASK_MODULE}.py").write_text(TASKS)
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.chdir(root)
    sys.modules.pop(TASK_MODULE, None)
    return SnakeProject(root, importlib.import_module(TASK_MODULE))
