"""A fresh recorded project per test: a git repository with a real Sumatra lab book and the suite's task module.

Each test gets its own copy of a project built once per test process.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).parent
MODULES = ("tasks_for_testing", "types_for_testing")


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=suite", "-c", "user.email=suite@example.org", *args],
        cwd=root, check=True, capture_output=True,
    )


class Lab:
    """The project of one test: its root, the activated Project, and the task module."""

    def __init__(self, root: Path, project: Any, tasks: ModuleType) -> None:
        self.root, self.project, self.tasks = root, project, tasks

    def view(self) -> Any:
        from smttask_sumatra import RecordStoreView

        return RecordStoreView(self.project)


@pytest.fixture(scope="session")
def lab_template(tmp_path_factory: pytest.TempPathFactory, init_lab_book: Callable[[Path, str], None]) -> Path:
    """A pristine recorded project built once per test process: the suite's modules and the lab book, committed."""
    root = tmp_path_factory.mktemp("suite-lab-template") / "lab"
    root.mkdir()
    _git(root, "init", "-q")
    for name in MODULES:
        shutil.copy(HERE / f"{name}.py", root / f"{name}.py")
    (root / ".gitignore").write_text("data/\n*.txt\n")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "tasks")
    init_lab_book(root, "suite")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "smttask project")
    return root


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lab_template: Path, open_lab: Callable[..., Any]) -> Iterator[Lab]:
    """This test's own copy of :func:`lab_template`, the suite's modules imported afresh, activated."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with open_lab(lab_template, tmp_path / "lab", MODULES, monkeypatch) as (root, tasks, project):
        yield Lab(root, project, tasks)
