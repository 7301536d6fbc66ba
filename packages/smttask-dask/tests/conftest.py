"""Fixtures of smttask-dask's tests; the helpers live in ``dask_lab`` (importable by name)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from dask_lab import Cluster, DaskProject, write_project  # noqa: E402


@pytest.fixture
def project(tmp_path: Path) -> Iterator[DaskProject]:
    made = write_project(tmp_path / "project")
    yield made
    sys.path.remove(str(made.root))
    sys.modules.pop(made.tasks.__name__, None)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A scheduler and two single-threaded workers, shared by a module's tests."""
    started = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        yield started.start(workers=2)
    finally:
        started.stop()


@pytest.fixture
def cluster_of_three(tmp_path: Path) -> Iterator[Cluster]:
    """A scheduler and three single-threaded workers of one test's own (it kills some of them)."""
    (tmp_path / "cluster").mkdir()
    started = Cluster(tmp_path / "cluster")
    try:
        yield started.start(workers=3)
    finally:
        started.stop()
