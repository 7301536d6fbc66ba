"""Suite-wide test configuration: the ``service`` marker, and a quick way to make a lab book.

A test that needs a running service (a PostgreSQL or SSH server, a SLURM or Dask
cluster, smtweb, a Jupyter kernel, headless Chromium) is marked ``service``,
found by the fixtures it uses, so ``pytest -m "not service"`` (``make
test-quick``) runs every other test. A module that starts a service without
one of these fixtures says so itself with ``pytestmark = pytest.mark.service``.
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

#: Fixtures that start (or connect to) a service; a test using one is a service test.
SERVICE_FIXTURES = frozenset({"pg_server", "sshd", "slurm", "cluster", "cluster_of_three", "smtweb", "chromium"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "service: needs a running service (database, SSH server, cluster, kernel, browser)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVICE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.service)


def class_of(nodeid: str) -> str:
    """The node id of the test class of the test *nodeid* (``path::Class::test[params]``), or *nodeid* itself."""
    names = nodeid.split("[", 1)[0].split("::")
    return "::".join(names[:-1]) if len(names) > 2 else nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``-n N`` (pytest-xdist's ``--dist load``), the tests of a test class go to one worker together.

    A test class here shares a class-scoped fixture among its tests (smttask-snakemake's
    tests reading one real Snakemake run each): spread over two workers, each would make
    it. Every other test is sent on its own, as ``--dist load`` sends it. pytest-xdist's
    ``--dist loadgroup`` (by the ``xdist_group`` mark) would do this, but with pytest 9.2
    it groups nothing (pytest-xdist issue 1386: it writes the group into the node id,
    which pytest 9.2 no longer reads back).
    """
    if config.getvalue("dist") != "load":
        return None  # a --dist the user chose
    from xdist.scheduler import LoadScopeScheduling

    class ClassScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:  # the unit of work a test belongs to
            return class_of(nodeid)

    return ClassScheduling(config, log)


@pytest.fixture(scope="session")
def empty_record_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite record store, made once per test process by smttask-sumatra's ``create_store``.

    Creating one runs Django's migrations (0.1 s idle, 0.6 s on a loaded machine);
    :func:`init_lab_book` gives each test's lab book a copy of it instead, byte for
    byte what ``create_store`` writes (``test_init`` tests ``init_project`` itself).
    """
    from smttask_sumatra.djangodb import create_store

    path = tmp_path_factory.mktemp("empty-store") / "records"
    create_store(path)
    return path


@pytest.fixture(scope="session")
def init_lab_book(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """``smttask_sumatra.init_project(root, name=name)``, its record store copied from :func:`empty_record_store`.

    smttask-sumatra is imported only when it is called, so a test that skips
    without it (``pytest.importorskip``) can still ask for this fixture. It is
    session-scoped so that session-scoped lab templates (see :func:`copy_lab`)
    can use it too.
    """

    def init(root: Path, name: str) -> None:
        from smttask_sumatra import initialize

        store = request.getfixturevalue("empty_record_store")
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(initialize, "create_store", lambda path: shutil.copyfile(store, path))
            initialize.init_project(root, name=name)

    return init


def _copy_lab(template: Path, dest: Path) -> Path:
    """A copy at ``dest`` of a built lab (a git repository holding a Sumatra lab book), its lab book moved there.

    Building a lab (``git init``, commits, ``init_project``) costs about half a
    second per test on a loaded machine; copying a pristine one built once per
    test process costs a few milliseconds, so each test still gets its own lab
    to write into. Sumatra's project file (``.smt/project``, ignored by git)
    names the lab's absolute paths: the copy's name ``dest`` instead.
    """
    shutil.copytree(template, dest, symlinks=True)
    project = dest / ".smt" / "project"
    if project.exists():
        project.write_text(project.read_text(encoding="utf-8").replace(str(template), str(dest)), encoding="utf-8")
    return dest


@pytest.fixture(scope="session")
def copy_lab() -> Callable[[Path, Path], Path]:
    """``copy_lab(template, dest)``: a test's own copy of a lab built once per test process (see :func:`_copy_lab`)."""
    return _copy_lab


@contextlib.contextmanager
def _open_lab(
    template: Path, dest: Path, modules: Sequence[str], monkeypatch: pytest.MonkeyPatch, **project: Any
) -> Iterator[tuple[Path, ModuleType, Any]]:
    """A copy of *template* at *dest* (see :func:`_copy_lab`) as a test works in it: the working directory,
    on ``sys.path``, its *modules* imported afresh (the first is yielded), its ``Project(**project)``
    activated; the modules are forgotten after."""
    from smttask import Project

    root = _copy_lab(template, dest)
    monkeypatch.chdir(root)
    monkeypatch.syspath_prepend(str(root))
    for name in modules:
        sys.modules.pop(name, None)
    tasks = importlib.import_module(modules[0])
    lab_project = Project(root, **project)
    try:
        with lab_project.activate():
            yield root, tasks, lab_project
    finally:
        for name in modules:
            sys.modules.pop(name, None)


@pytest.fixture(scope="session")
def open_lab() -> Callable[..., contextlib.AbstractContextManager[tuple[Path, ModuleType, Any]]]:
    """``with open_lab(template, dest, modules, monkeypatch, **project_options) as (root, tasks, project)``:
    a test's own copy of a lab template, opened (see :func:`_open_lab`)."""
    return _open_lab
