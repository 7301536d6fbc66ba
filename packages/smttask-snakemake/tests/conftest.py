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
