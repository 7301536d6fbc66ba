"""A damaged record store is never replaced: its records are spooled, it is called corrupt, and recovery is one command."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sumatra_lab import Lab, invoke

from smttask_sumatra.errors import RecordSpooledWarning, RecordStoreCorruptError
from smttask_sumatra.smtproject import SumatraProject
from smttask_sumatra.spool import pending
from smttask_sumatra.storecheck import check_store


def _damage(store: Path, how: str) -> None:
    if how == "empty":
        store.write_bytes(b"")
    elif how == "not sqlite":
        store.write_bytes(b"these are my lab notes, not a database\n" * 50)
    elif how == "truncated":
        data = store.read_bytes()
        store.write_bytes(data[: len(data) // 2])
    elif how == "tables dropped":
        with closing(sqlite3.connect(store)) as connection, connection:
            connection.execute("DROP TABLE django_store_record")


@pytest.mark.parametrize("how", ["empty", "not sqlite", "truncated", "tables dropped"])
def test_a_damaged_store_is_left_as_it_is_and_its_records_are_spooled(lab: Lab, how: str) -> None:
    lab.tasks.Square(x=1).run()  # an earlier record, so the store is not just a fresh one
    store = lab.root / ".smt" / "records"
    _damage(store, how)
    damaged = store.read_bytes()

    with pytest.warns(RecordSpooledWarning) as caught:
        assert lab.tasks.Square(x=2).run() == 4
    message = str(caught[0].message)
    assert "corrupt" in message and "busy_timeout" not in message
    assert "--create-store" in message
    assert store.read_bytes() == damaged  # never re-created, never given tables
    assert len(pending(SumatraProject.load(lab.root))) == 1

    flushed = invoke(lab, "project", "flush")
    assert flushed.exit_code == 1
    assert "corrupt" in flushed.output and "busy" not in flushed.output
    assert len(flushed.output.strip().splitlines()) == 1
    listed = invoke(lab, "records")
    assert listed.exit_code == 1 and "corrupt" in listed.output
    assert store.read_bytes() == damaged


def test_recovery_as_the_message_says_keeps_every_spooled_record(lab: Lab) -> None:
    store = lab.root / ".smt" / "records"
    store.write_bytes(b"")
    with pytest.warns(RecordSpooledWarning):
        lab.tasks.Square(x=2).run()
        lab.tasks.Plus(a=1, b=2).run()

    refused = invoke(lab, "project", "flush", "--create-store")
    assert refused.exit_code == 1 and "corrupt" in refused.output  # an existing file is not replaced

    store.rename(store.with_name("records.corrupt"))
    recovered = invoke(lab, "project", "flush", "--create-store")
    assert recovered.exit_code == 0, recovered.output
    assert "created an empty record store" in recovered.output
    assert "2 record(s) imported" in recovered.output
    assert sorted(r.taskname for r in lab.view()) == ["Plus", "Square"]


def test_a_missing_store_is_not_created_behind_the_users_back(lab: Lab) -> None:
    store = lab.root / ".smt" / "records"
    store.unlink()
    with pytest.warns(RecordSpooledWarning, match="does not exist"):
        lab.tasks.Square(x=3).run()
    assert not store.exists()


def test_a_healthy_store_locked_by_a_writer_passes_the_check(lab: Lab) -> None:
    store = lab.root / ".smt" / "records"
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        check_store(store, timeout=0.05)
    finally:
        holder.rollback()
        holder.close()


def test_a_file_of_another_kind_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "records"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    with pytest.raises(RecordStoreCorruptError, match="not a SQLite database"):
        check_store(path)
