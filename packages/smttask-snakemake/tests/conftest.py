"""Fixtures of smttask-snakemake's tests; the helpers live in ``snake_lab`` (importable by name)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from snake_lab import TASK_MODULE, SnakeProject, make_project  # noqa: E402


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A per-test ``$XDG_STATE_HOME``: the lab book's spool directory never touches the real home."""
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SnakeProject]:
    yield make_project(tmp_path, monkeypatch)
    sys.modules.pop(TASK_MODULE, None)


@pytest.fixture(scope="class")
def class_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnakeProject]:
    """A project shared by the tests of one class, which read what one real Snakemake run left there.

    Each Snakemake start costs about a CPU-second (Snakemake imports every installed
    executor plugin), so the tests of a run that only read its outcome share it. With
    ``-n N`` one pytest-xdist worker runs all the tests of a class (the root
    ``conftest.py``), so the run is made once.
    """
    root = tmp_path_factory.mktemp("snake-class")
    with pytest.MonkeyPatch.context() as patch:
        state = root / "state"
        state.mkdir()
        patch.setenv("XDG_STATE_HOME", str(state))  # as state_home does for each test (made after this)
        yield make_project(root, patch)
    sys.modules.pop(TASK_MODULE, None)
