"""Helpers of smttask-dask's tests: a small project of task files, and real Dask clusters on 127.0.0.1.

Importable by name (``conftest`` puts this directory on ``sys.path``).
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
#: The console scripts installed beside this interpreter (``make setup`` installs them).
SMTTASK = str(BIN / "smttask")
DASK = str(BIN / "dask")

TASKS = '''
"""Tasks of the smttask-dask tests (the project's own module, found from the project directory)."""
import os
import time
from pathlib import Path

from smttask import MemoizedTask, RecordedTask, UnpureMemoizedTask
from smttask.typing import Array

HERE = Path(__file__).parent


def count(name: str) -> None:
    """Append this process's id to counts/<name> (beside this module, whatever the worker's directory)."""
    (HERE / "counts").mkdir(exist_ok=True)
    with open(HERE / "counts" / name, "a") as f:
        f.write(f"{os.getpid()}\\n")


def hold(name: str) -> None:
    """Say this process started *name*, then wait until the test creates the file 'release'."""
    count(name)
    while not (HERE / "release").exists():
        time.sleep(0.01)


@RecordedTask
def base(n: int) -> int:
    count(f"base-{n}")
    time.sleep(0.2)
    return n


@RecordedTask
def combine(x: int, base: int) -> int:
    count(f"combine-{x}")
    return x + base


@MemoizedTask
def offset(x: int) -> int:
    count(f"offset-{x}")
    return x + 1000


@RecordedTask
def boom(x: int) -> int:
    raise ValueError(f"boom {x}")


@RecordedTask
def square(x: int) -> int:
    print(f"square {x} in process {os.getpid()}")
    return x * x


@RecordedTask
def held(x: int) -> int:
    hold(f"held-{x}")
    return x


@UnpureMemoizedTask
def unpure_held(x: int) -> int:
    hold(f"unpure_held-{x}")
    return x


@RecordedTask
def scaled_sum(values: Array[float, 1], factor: float) -> float:
    return float(values.sum()) * factor
'''


@dataclass
class Result:
    """What ``smttask run`` did: exit code and output."""

    returncode: int
    stdout: str
    stderr: str

    def statuses(self) -> dict[str, str]:
        """``{task file name: status}`` from the plain (non-terminal) progress lines."""
        import re

        found = {}
        for line in (self.stdout + self.stderr).splitlines():
            match = re.match(r"\[\s*\d+/\d+\] (\w+)\s+\S+\s+\S*?([^/\s]+\.taskdesc\.json)", line)
            if match:
                found[match.group(2)] = match.group(1)
        return found

    def line_of(self, name: str) -> str:
        """The one progress line naming task file *name*."""
        (line,) = [line for line in (self.stdout + self.stderr).splitlines() if f"{name}.taskdesc.json" in line]
        return line


@dataclass
class DaskProject:
    """A project directory holding a task module, with helpers to write task files and run smttask."""

    root: Path
    tasks: Any

    def save(self, task: Any, name: str, directory: str = "tasks") -> Path:
        from smttask import Project

        target = self.root / directory / f"{name}.taskdesc.json"
        with Project(self.root).activate():
            task.save(target)
        return target

    def command(self, *args: str) -> list[str]:
        return [SMTTASK, "run", *args]

    def smttask(self, *args: str) -> Result:
        done = subprocess.run(
            self.command(*args), cwd=self.root, capture_output=True, text=True, timeout=120, env=_env()
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def start(self, *args: str, new_session: bool = False) -> subprocess.Popen[str]:
        """Start ``smttask run``; with *new_session*, in a process group of its own (as a terminal's job is)."""
        return subprocess.Popen(
            self.command(*args), cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=_env(), start_new_session=new_session,
        )

    def counts(self, name: str) -> list[int]:
        """The ids of the processes that ran *name* (see ``count`` in the task module), in order."""
        path = self.root / "counts" / name
        return [int(line) for line in path.read_text().split()] if path.exists() else []


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the task module is found from the project directory
    env["COLUMNS"] = "200"
    return env


def wait_until(condition: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Poll *condition*; the limit only guards against a hung test."""
    end = time.monotonic() + limit
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def write_project(root: Path, config: str = 'recorder = "none"\n') -> DaskProject:
    """A project at *root*: ``smttask.toml`` and a task module under a name of its own, imported here."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "smttask.toml").write_text(config)
    module_name = f"dasktasks_{uuid.uuid4().hex[:8]}"
    (root / f"{module_name}.py").write_text(TASKS)
    sys.path.insert(0, str(root))
    return DaskProject(root, importlib.import_module(module_name))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """A ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, started (and stopped by PID) by a test."""

    directory: Path
    port: int = field(default_factory=free_port)
    scheduler: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self, workers: int) -> Cluster:
        env = dict(os.environ)
        # One task per worker thread at a time, so the tests know which tasks run side by side.
        env["DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION"] = "1.0"
        self.scheduler = self._spawn(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"], "scheduler", env
        )
        for _ in range(workers):
            self.add_worker()
        self.wait_for_workers(workers)
        return self

    def add_worker(self) -> subprocess.Popen[bytes]:
        # No nanny: the worker process itself runs the tasks, so killing it is a worker dying.
        worker = self._spawn(
            [DASK, "worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"],
            f"worker-{len(self.workers)}", dict(os.environ),
        )
        self.workers.append(worker)
        return worker

    def _spawn(self, command: list[str], name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(self.directory / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        env.pop("PYTHONPATH", None)
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.directory, env=env)

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=30)

    def kill_worker(self, pid: int) -> None:
        """``kill -9`` the worker process *pid* and reap it (as its parent would: a zombie still looks alive)."""
        (worker,) = [w for w in self.workers if w.pid == pid]
        os.kill(pid, signal.SIGKILL)
        worker.wait()

    def stop(self) -> None:
        """Stop the workers, then the scheduler, each by its PID (SIGTERM, then SIGKILL after 10 s)."""
        for group in (self.workers, [self.scheduler] if self.scheduler is not None else []):
            for process in group:
                if process.poll() is None:
                    os.kill(process.pid, signal.SIGTERM)
            for process in group:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()
