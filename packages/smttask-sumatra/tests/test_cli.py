"""The commands smttask-sumatra adds: records, records show, store rebuild/recreate, project flush."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import warnings
from pathlib import Path

import click
import pytest
from sumatra_lab import Lab, invoke

from smttask_sumatra import plugin


@pytest.fixture
def book(lab: Lab) -> Lab:
    lab.tasks.Square(x=1, reason="first try").run()
    lab.tasks.Fit(x=2).run()
    with pytest.raises(ValueError):
        lab.tasks.Fail(x=3).run()
    return lab


def test_plugin_hook_adds_the_commands_and_joins_existing_groups() -> None:
    group = click.Group("smttask")
    store = click.Group("store")
    store.add_command(click.Command("gc"))
    group.add_command(store)
    plugin.smttask_cli_commands(cli=group)
    assert set(group.commands) == {"project", "records", "store", "smt", "export"}
    assert set(group.commands["store"].commands) == {
        "gc", "rebuild", "recreate", "upgrade-keys", "migrate", "merge", "delete", "create-surrogates"
    }
    assert set(group.commands["project"].commands) == {"init", "flush"}
    assert set(group.commands["records"].commands) == {"show"}


def test_records_lists_newest_first_with_filters(book: Lab) -> None:
    result = invoke(book, "records")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert "Label" in lines[0]
    assert [line.split()[3] for line in lines[1:]] == ["Fail", "Fit", "Square"]
    assert "crashed" in lines[1] and "first try" in lines[3]

    data = json.loads(invoke(book, "records", "--json", "--status", "finished").output)
    assert [r["task"] for r in data] == ["Fit", "Square"]
    assert set(data[0]["outputs"]) == {"value", "outcome"}
    assert data[0]["outcome"] == "converged at 2.0"

    data = json.loads(invoke(book, "records", "--json", "--param", "x=2").output)
    assert [r["task"] for r in data] == ["Fit"]
    data = json.loads(
        invoke(book, "records", "--json", "--task", "Square", "--since", "2000-01-01").output
    )
    assert [r["task"] for r in data] == ["Square"]
    assert "1 older record(s) not shown" in invoke(book, "records", "-n", "2").output


def test_records_reports_bad_filters_clearly(book: Lab) -> None:
    result = invoke(book, "records", "--since", "yesterday")
    assert result.exit_code == 1 and "Error: after='yesterday' is not an ISO date" in result.output
    result = invoke(book, "records", "--param", "x")
    assert result.exit_code == 2 and "PATH=VALUE" in result.output


def test_records_show_prints_the_whole_record(book: Lab) -> None:
    label = book.view().filter(task="Square").latest.label
    result = invoke(book, "records", "show", label)
    assert result.exit_code == 0, result.output
    for expected in (
        f"Label     : {label}",
        "Task      : Square",
        "Status    : finished",
        "first try",
        '"x": 1.0',
        "xxh3_128:",
        "squaring 1.0",
        "pydantic ",
    ):
        assert expected in result.output
    record = json.loads(invoke(book, "records", "show", label, "--json").output)
    assert record["label"] == label and record["stdout_stderr"] == "squaring 1.0\n"
    missing = invoke(book, "records", "show", "no-such-label")
    assert missing.exit_code == 1 and "No record labelled 'no-such-label'" in missing.output


def test_store_recreate_writes_a_task_file_that_runs_the_same_task(
    book: Lab, tmp_path: Path
) -> None:
    from smttask import Task

    record = book.view().filter(task="Fit").latest
    result = invoke(book, "store", "recreate", record.label, "-o", str(tmp_path / "tasks"))
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.parent == tmp_path / "tasks" and path.name.endswith(".taskdesc.json")
    assert Task.from_desc(path) == book.tasks.Fit(x=2)
    assert (
        invoke(book, "store", "recreate", record.label, "-o", str(tmp_path / "tasks")).exit_code
        == 0
    )  # same content
    path.write_text("{}")
    refused = invoke(book, "store", "recreate", record.label, "-o", str(tmp_path / "tasks"))
    assert refused.exit_code == 1 and "--force" in refused.output
    assert (
        invoke(
            book, "store", "recreate", record.label, "-o", str(tmp_path / "tasks"), "--force"
        ).exit_code
        == 0
    )


def test_store_rebuild_recreates_links_even_where_links_exist(book: Lab) -> None:
    latest = book.project.data_dir / "latest"
    fit = latest / "Fit" / "manifest.json"  # the outputs of both are small: kept in their manifests
    square = latest / "Square" / "manifest.json"
    target = fit.resolve()
    square.unlink()  # a missing link
    fit.unlink()
    os.symlink("../../Square", fit)  # a wrong link
    stale = latest / "Fit" / "old.json"
    os.symlink("nowhere", stale)  # a link to a result that is not the latest

    result = invoke(book, "store", "rebuild")
    assert result.exit_code == 0, result.output
    assert "1 created, 1 updated" in result.output and "1 stale removed" in result.output
    assert fit.resolve() == target
    assert square.resolve() == book.project.storage.locate(book.tasks.Square(x=1)).outputs[""].path
    assert not stale.is_symlink()

    square.unlink()
    square.write_text("my notes")  # a regular file is never replaced
    again = invoke(book, "store", "rebuild")
    assert "0 created, 0 updated" in again.output
    assert square.read_text() == "my notes" and "Not replaced" in again.output


def test_store_rebuild_leaves_a_file_where_a_tasks_link_directory_belongs_and_links_the_others(book: Lab) -> None:
    latest = book.project.data_dir / "latest"
    shutil.rmtree(latest)
    latest.mkdir()
    (latest / "Fit").write_text("my notes on Fit")

    result = invoke(book, "store", "rebuild")
    assert result.exit_code == 0, result.output
    assert (latest / "Fit").read_text() == "my notes on Fit"
    assert f"Not replaced (a file that is not a link is there): {latest / 'Fit'}" in result.output
    assert (latest / "Square" / "manifest.json").resolve() == (
        book.project.storage.locate(book.tasks.Square(x=1)).outputs[""].path
    )


def test_project_flush_imports_spooled_records(lab: Lab) -> None:
    holder = sqlite3.connect(lab.root / ".smt" / "records", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    project = lab.with_settings(busy_timeout=0.05, save_attempts=1)
    try:
        with project.activate(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lab.tasks.Square(x=5).run()
    finally:
        holder.rollback()
        holder.close()
    listed = invoke(lab, "records")
    assert "1 spooled record(s) wait" in listed.output
    result = invoke(lab, "project", "flush")
    assert result.exit_code == 0, result.output
    assert "1 record(s) imported, 0 completed, 0 failed." in result.output
    assert [r.taskname for r in lab.view()] == ["Square"]


def test_project_flush_reports_unreadable_spool_files(lab: Lab) -> None:
    spool = lab.root / ".smt" / "spool"
    spool.mkdir()
    (spool / "broken.json").write_text("{not json")
    result = invoke(lab, "project", "flush")
    assert result.exit_code == 1
    assert "broken.json cannot be imported" in result.output
    assert (spool / "broken.json").exists()


def test_records_shows_differing_parameters_and_finds_a_files_record(lab: Lab) -> None:
    for x in (1.5, 2.5, 3.5):
        lab.tasks.Square(x=x).run()
    listed = invoke(lab, "records")
    header = listed.output.splitlines()[0].split()
    assert header[:4] == ["Label", "Started", "Task", "x"]
    assert all(f"{x}" in listed.output for x in (1.5, 2.5, 3.5))

    stored = lab.project.storage.locate(lab.tasks.Square(x=2.5)).outputs[""].path
    found = invoke(lab, "records", "--output", str(stored))
    assert found.exit_code == 0, found.output
    rows = found.output.strip().splitlines()[1:]
    assert len(rows) == 1 and "Square" in rows[0]
    none = invoke(lab, "records", "--output", str(lab.root / "smttask.toml"))
    assert "No records." in none.output
