"""A lab book on a real PostgreSQL server: recording, browsing, many writers, a server that is down or refuses us."""

from __future__ import annotations

import contextlib
import importlib
import io
import multiprocessing
import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pg_server import PASSWORD
from smtweb_server import check_every_page, serving
from sumatra_lab import TASKS_SOURCE, Lab, commit_all, invoke, make_repo, plugin_manager

from smttask import Project
from smttask_sumatra.errors import RecordSpooledWarning, SumatraConfigError
from smttask_sumatra.initialize import init_project
from smttask_sumatra.location import ServerStore
from smttask_sumatra.smtproject import SumatraProject
from smttask_sumatra.spool import flush, pending
from smttask_sumatra.view import RecordStoreView


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The role's password, where libpq looks for it (never in the URL)."""
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))


@pytest.fixture
def pg_lab(
    pg_server: Any, password: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Lab]:
    """A lab whose records are in a fresh database on the test server."""
    url = pg_server.createdb(f"lab_{uuid.uuid4().hex[:8]}")
    root = make_repo(tmp_path / "lab")
    module_name = f"pgtasks_{uuid.uuid4().hex[:8]}"
    (root / f"{module_name}.py").write_text(TASKS_SOURCE, encoding="utf-8")
    commit_all(root, "tasks")
    init_project(root, name="lab", store=url)
    commit_all(root, "smttask project")
    monkeypatch.chdir(root)
    monkeypatch.syspath_prepend(str(root))
    tasks = importlib.import_module(module_name)
    project = Project(root, plugin_manager=plugin_manager())
    with project.activate():
        yield Lab(root, project, tasks)
    sys.modules.pop(module_name, None)


def test_records_are_written_to_the_server_and_read_back(pg_lab: Lab, pg_server: Any) -> None:
    smt = SumatraProject.load(pg_lab.root)
    assert isinstance(smt.store, ServerStore) and smt.store.port == pg_server.port
    assert not (pg_lab.root / ".smt" / "records").exists()
    assert PASSWORD not in (pg_lab.root / ".smt" / "project").read_text()
    for x in (1.0, 2.0, 3.0):
        pg_lab.tasks.Square(x=x, reason=f"square {x}").run()
    pg_lab.tasks.Plus(a=pg_lab.tasks.Square(x=2.0), b=1.0).run()
    view = RecordStoreView(pg_lab.project)
    assert len(view) == 4
    assert [r.taskname for r in view] == ["Plus", "Square", "Square", "Square"]
    assert view.filter(task="Square").params(eq={"x": 2.0}).latest.reason == "square 2.0"
    assert [r.status for r in view.filter(tags="_finished_")] == ["finished"] * 4
    record = view.latest
    assert record.get_output() == 5.0 and record.output_files
    result = invoke(pg_lab, "records", "--task", "Square")
    assert result.exit_code == 0 and result.output.count("Square") == 3
    assert [r.label for r in pg_lab.sumatra_records()] != []  # Sumatra's own reader sees them too


def record_twenty(root: Path, tasks: ModuleType, worker: int) -> None:
    with Project(root, plugin_manager=plugin_manager()).activate():
        for i in range(20):
            tasks.Square(x=worker * 100 + i).run()


def test_eight_processes_of_twenty_recorded_tasks_leave_160_records(pg_lab: Lab) -> None:
    pg_lab.tasks.Square(x=-1).run()  # the parent has a connection open before the fork
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=record_twenty, args=(pg_lab.root, pg_lab.tasks, n)) for n in range(8)
    ]
    with contextlib.redirect_stdout(io.StringIO()):
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert [w.exitcode for w in workers] == [0] * 8
    assert pending(SumatraProject.load(pg_lab.root)) == []
    records = [r for r in RecordStoreView(pg_lab.project).list if r.inputs["x"] >= 0]
    assert len(records) == 160
    assert len({r.label for r in records}) == 160
    assert sorted(r.inputs["x"] for r in records) == sorted(
        float(w * 100 + i) for w in range(8) for i in range(20)
    )
    assert {r.status for r in records} == {"finished"}


def test_a_server_that_is_down_spools_the_record_and_flush_imports_it(pg_lab: Lab) -> None:
    down = pg_lab.with_settings(
        store="postgresql://lab@127.0.0.1:1/nowhere", busy_timeout=1, save_attempts=2
    )
    with down.activate(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pg_lab.tasks.Square(x=7).run() == 49.0  # computed and stored regardless
    (warning,) = [w for w in caught if issubclass(w.category, RecordSpooledWarning)]
    assert "did not answer" in str(warning.message) and "smttask project flush" in str(
        warning.message
    )
    smt = SumatraProject.load(pg_lab.root)
    (spooled,) = pending(smt)
    assert len(RecordStoreView(pg_lab.project)) == 0

    result = invoke(pg_lab, "project", "flush")
    assert result.exit_code == 0, result.output
    assert pending(smt) == []
    (record,) = RecordStoreView(pg_lab.project)
    assert record.inputs["x"] == 7.0 and record.status == "finished"


def test_a_wrong_password_is_one_line_saying_where_to_put_it(
    pg_lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", "Wr0ng-Passw0rd")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pg_lab.tasks.Square(x=5).run() == 25.0
    (warning,) = [w for w in caught if issubclass(w.category, RecordSpooledWarning)]
    message = str(warning.message)
    assert "refused user 'lab'" in message and "PGPASSWORD" in message and "~/.pgpass" in message
    assert "Wr0ng-Passw0rd" not in message
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    flush(pg_lab.store())
    assert len(RecordStoreView(pg_lab.project)) == 1


def test_init_on_a_server_creates_the_tables_once(
    pg_server: Any, password: None, tmp_path: Path
) -> None:
    url = pg_server.createdb(f"shared_{uuid.uuid4().hex[:8]}")
    for name in ("first", "second"):  # two projects may share one database
        root = make_repo(tmp_path / name)
        (root / "README").write_text("x")
        commit_all(root)
        result = init_project(root, name=name, store=url)
        assert str(result.store_path) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql://lab:hunter2@db.example.org/labbook",
            "holds a password: leave it out of the URL",
        ),
        ("postgresql://db.example.org/labbook", "must name a user, a host and a database"),
        ("mysql://lab@db/x", "the scheme must be postgresql://"),
        ("postgresql://lab@host:notaport/db", "is malformed"),
    ],
)
def test_a_bad_store_url_is_refused_before_anything_is_written(
    tmp_path: Path, url: str, message: str
) -> None:
    root = make_repo(tmp_path / "lab")
    (root / "README").write_text("x")
    commit_all(root)
    with pytest.raises(SumatraConfigError, match=message) as caught:
        init_project(root, name="lab", store=url)
    assert "hunter2" not in str(caught.value)
    assert not (root / ".smt").exists()


def test_a_database_that_does_not_exist_says_how_to_create_it(
    pg_server: Any, password: None, tmp_path: Path
) -> None:
    root = make_repo(tmp_path / "lab")
    (root / "README").write_text("x")
    commit_all(root)
    result = invoke_init(root, pg_server.url("no_such_db"))
    assert result.exit_code != 0
    assert "does not exist: create it (createdb" in result.output
    assert not (root / ".smt").exists()


def invoke_init(root: Path, url: str) -> Any:
    import click
    from click.testing import CliRunner

    from smttask_sumatra.cli import register

    group = click.Group("smttask")
    register(group)
    return CliRunner().invoke(group, ["project", "init", str(root), "--yes", "--store", url])


def test_migrate_moves_an_sqlite_lab_book_record_for_record(
    lab: Lab, pg_server: Any, password: None
) -> None:
    for x in (1.0, 2.0):
        lab.tasks.Square(x=x, reason=f"square {x}").run()
    with pytest.raises(ValueError):
        lab.tasks.Fail(x=0).run()
    before = [
        (r.label, r.timestamp, r.inputs, r.status, r.outcome, r.stdout_stderr) for r in lab.view()
    ]
    sqlite_file = lab.root / ".smt" / "records"
    sqlite_bytes = sqlite_file.read_bytes()
    url = pg_server.createdb(f"moved_{uuid.uuid4().hex[:8]}")

    result = invoke(lab, "store", "migrate", "--to", url)
    assert result.exit_code == 0, result.output
    assert "3 record(s) now in" in result.output and "3 copied" in result.output

    assert str(SumatraProject.load(lab.root).store) == url
    after = [
        (r.label, r.timestamp, r.inputs, r.status, r.outcome, r.stdout_stderr) for r in lab.view()
    ]
    assert after == before
    assert lab.view().filter(task="Square").latest.get_output() == 4.0
    assert sqlite_file.read_bytes() == sqlite_bytes  # the backup is untouched
    lab.tasks.Square(x=3.0).run()  # new runs record on the server
    assert len(lab.view()) == 4 and len(lab.sumatra_records()) == 4

    again = invoke(lab, "store", "migrate", "--to", url)
    assert again.exit_code != 0 and "already on a server" in again.output


def test_migrate_never_overwrites_a_different_record_and_does_not_switch(
    lab: Lab, pg_server: Any, password: None
) -> None:
    lab.tasks.Square(x=1.0).run()
    (label,) = lab.view().labels
    project_file = lab.root / ".smt" / "project"
    on_sqlite = project_file.read_text()
    url = pg_server.createdb(f"conflict_{uuid.uuid4().hex[:8]}")
    assert invoke(lab, "store", "migrate", "--to", url).exit_code == 0
    with lab.store().session():
        from sumatra.recordstore.django_store import models

        models.Record.objects.using("default").filter(label=label).update(reason="changed there")
    project_file.write_text(on_sqlite)  # back on SQLite, as if the first move had not switched

    result = invoke(lab, "store", "migrate", "--to", url)
    assert result.exit_code != 0
    assert f"already holds a different record labelled {label}" in result.output
    assert project_file.read_text() == on_sqlite


def test_smt_and_smtweb_read_the_server_store(pg_lab: Lab) -> None:
    pg_lab.tasks.Fit(x=2).run()
    (record,) = pg_lab.view()
    listed = subprocess.run(
        [str(Path(sys.executable).with_name("smt")), "list"],
        cwd=pg_lab.root,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0 and record.label in listed.stdout, listed.stderr
    with serving(pg_lab.root) as base:
        check_every_page(pg_lab, base)
