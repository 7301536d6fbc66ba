"""Fixtures for smttask-core's own tests: an isolated project with a clean plugin manager."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smttask import Project
from smttask.config import Config
from smttask.plugins import make_plugin_manager

HERE = Path(__file__).parent
# core_tasks must be importable by name, here and in subprocesses, for task files to load.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))


def _test_project(root: Path, **config: Any) -> Project:
    return Project(
        root,
        config=Config(recorder="none", claim_heartbeat=0.2, claim_stale_after=2.0, **config),
        plugin_manager=make_plugin_manager(load_entry_points=False),
    )


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    """A fresh project in a temporary directory, with only the built-in plugins, made current."""
    with _test_project(tmp_path).activate() as proj:
        yield proj


@pytest.fixture
def file_project(tmp_path: Path) -> Iterator[Project]:
    """As ``project``, but every output gets a file of its own (``result_inline_max = 0``): for tests of the
    files themselves."""
    with _test_project(tmp_path, result_inline_max=0).activate() as proj:
        yield proj
