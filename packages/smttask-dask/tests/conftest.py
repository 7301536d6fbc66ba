"""Fixtures of smttask-dask's tests; the helpers live in ``dask_lab`` (importable by name)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from dask_lab import Cluster, DaskProject, write_project  # noqa: E402


@pytest.fixture
def make_project() -> Iterator[Callable[..., DaskProject]]:
    """Makes projects (see ``write_project``); their task modules leave ``sys.path`` and ``sys.modules`` after."""
    made: list[DaskProject] = []

    def make(root: Path, config: str = 'recorder = "none"\n') -> DaskProject:
        made.append(write_project(root, config))
        return made[-1]

    yield make
    for each in made:
        sys.path.remove(str(each.root))
        sys.modules.pop(each.tasks.__name__, None)


@pytest.fixture
def project(tmp_path: Path, make_project: Callable[..., DaskProject]) -> DaskProject:
    """A project with no recorder, its task module imported."""
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A scheduler and two single-threaded workers, shared by the tests that do not stop any of them."""
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
