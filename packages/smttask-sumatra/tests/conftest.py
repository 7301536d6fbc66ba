"""Fixtures of smttask-sumatra's tests; the helpers live in ``sumatra_lab`` (importable by name)."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from sumatra_lab import TASKS_SOURCE, Lab, commit_all, make_repo, plugin_manager  # noqa: E402


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A per-test ``$XDG_STATE_HOME``: the per-user spool directory never touches the real home."""
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


@pytest.fixture(scope="session")
def lab_template(tmp_path_factory: pytest.TempPathFactory, init_lab_book: Callable[[Path, str], None]) -> Path:
    """A pristine lab built once per test process: the task module and the Sumatra project, each committed."""
    root = make_repo(tmp_path_factory.mktemp("lab-template") / "lab")
    module_name = f"labtasks_{uuid.uuid4().hex[:8]}"
    (root / f"{module_name}.py").write_text(TASKS_SOURCE, encoding="utf-8")
    commit_all(root, "tasks")
    init_lab_book(root, "lab")
    commit_all(root, "smttask project")
    return root


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lab_template: Path, open_lab: Callable[..., Any]) -> Iterator[Lab]:
    """This test's own copy of :func:`lab_template`, its task module imported afresh, activated."""
    (module_file,) = lab_template.glob("labtasks_*.py")
    opened = open_lab(lab_template, tmp_path / "lab", [module_file.stem], monkeypatch, plugin_manager=plugin_manager())
    with opened as (root, tasks, project):
        yield Lab(root, project, tasks)
        for connection in getattr(tasks, "HOLD", []):
            connection.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A real PostgreSQL server for this test session (skips, saying why, where none can be started)."""
    import pwd
    import tempfile

    import pg_server as pg

    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'smttask-sumatra[postgresql]')")
    if pg.bindir() is None:
        pytest.skip("PostgreSQL tests need Debian's postgresql package (initdb, pg_ctl); .ci/run installs it")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root, and no 'postgres' user to run the server as")
    base = Path(tempfile.mkdtemp(prefix="smttask-pg-"))
    try:
        with pg.running(base) as server:
            yield server
    finally:
        shutil.rmtree(base, ignore_errors=True)
