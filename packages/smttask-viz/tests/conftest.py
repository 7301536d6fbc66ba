"""Fixtures of smttask-viz's tests: a project with a fresh task module, a real lab book, a real Chromium."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from smttask import Project
from smttask.plugins import make_plugin_manager

#: The console script installed beside this interpreter.
SMTTASK = str(Path(sys.executable).with_name("smttask"))

TASKS_SOURCE = textwrap.dedent(
    '''
    """Tasks of smttask-viz's tests."""
    from smttask import MemoizedTask, NonMemoizedTask, RecordedTask, UnpureMemoizedTask

    CALLS = []


    @MemoizedTask
    def Data(n: int, seed: int) -> list[float]:
        return [float(i + seed) for i in range(n)]


    @RecordedTask
    def Analyze(xs: list[float], dt: float) -> float:
        return sum(xs) * dt


    @RecordedTask
    def Combine(a: float, b: float) -> float:
        return a + b


    @RecordedTask
    def Summary(values: list[float]) -> float:
        return sum(values)


    @NonMemoizedTask
    def Noise(seed: int) -> float:
        return seed * 0.5


    @RecordedTask
    def Fail(x: float) -> float:
        raise ValueError(f"bad input {x}")


    @UnpureMemoizedTask
    def Listing(directory: str) -> list[str]:
        CALLS.append(directory)
        return [directory]
    '''
)


@dataclass
class Lab:
    root: Path
    project: Project
    tasks: ModuleType


def _write_module(root: Path) -> str:
    name = f"viztasks_{uuid.uuid4().hex[:8]}"
    (root / f"{name}.py").write_text(TASKS_SOURCE, encoding="utf-8")
    return name


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    """A project (no lab book) with the test tasks importable by name, activated."""
    root = tmp_path / "project"
    root.mkdir()
    name = _write_module(root)
    monkeypatch.chdir(root)
    monkeypatch.syspath_prepend(str(root))
    tasks = importlib.import_module(name)
    project = Project(root, plugin_manager=make_plugin_manager())
    with project.activate(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no recorder": this project has no lab book
        yield Lab(root, project, tasks)
    sys.modules.pop(name, None)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@dataclass(frozen=True)
class LabTemplate:
    """A pristine recorded lab built once per test process, and the name of its task module."""

    root: Path
    module: str


@pytest.fixture(scope="session")
def recorded_lab_template(
    tmp_path_factory: pytest.TempPathFactory, init_lab_book: Callable[[Path, str], None]
) -> LabTemplate:
    """A git repository with a real Sumatra lab book (smttask project init) and the test tasks, never run in."""
    pytest.importorskip("smttask_sumatra", reason="smttask-sumatra is not installed")
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("recorded-lab-template") / "lab"
    root.mkdir()
    _git(root, "init", "-q")
    _git(root, "config", "user.email", "viz@example.invalid")
    _git(root, "config", "user.name", "viz tests")
    name = _write_module(root)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "tasks")
    init_lab_book(root, "vizlab")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "smttask project")
    return LabTemplate(root, name)


@pytest.fixture
def recorded_lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recorded_lab_template: LabTemplate, open_lab: Callable[..., Any]
) -> Iterator[Lab]:
    """This test's own copy of :func:`recorded_lab_template`, its task module imported afresh, activated."""
    template = recorded_lab_template
    with open_lab(
        template.root, tmp_path / "lab", [template.module], monkeypatch, plugin_manager=make_plugin_manager()
    ) as (root, tasks, project):
        yield Lab(root, project, tasks)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """One real headless Chromium per test module (skips when it is not installed)."""
    from smttask_viz.browser import Chromium, find_chromium

    if find_chromium() is None:
        pytest.skip("chromium is not installed (Debian package 'chromium'; .ci/setup.d/20-browser.sh installs it)")
    browser = Chromium(width=1280, height=800)
    try:
        yield browser
    finally:
        browser.close()
