"""Many writers at once, and a store that cannot be written: no record is ever lost."""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import sqlite3
import warnings
from pathlib import Path
from types import ModuleType

from sumatra_lab import Lab, plugin_manager

from smttask import Project
from smttask_sumatra.errors import RecordSpooledWarning
from smttask_sumatra.smtproject import SumatraProject
from smttask_sumatra.spool import flush, pending


def record_ten(root: Path, tasks: ModuleType, worker: int) -> None:
    """One worker process: ten recorded tasks of its own."""
    with Project(root, plugin_manager=plugin_manager()).activate():
        for i in range(10):
            tasks.Square(x=worker * 100 + i).run()


def test_eight_processes_of_ten_recorded_tasks_leave_eighty_records(lab: Lab) -> None:
    # Forked like `smttask run -n 8` workers: each a process of its own, holding its own
    # connection to the store (this process has written records before the fork).
    lab.tasks.Square(x=-1).run()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=record_ten, args=(lab.root, lab.tasks, n)) for n in range(8)]
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        # Python 3.12+ warns of any thread at a fork: here smttask's claim heartbeat (a forked
        # child resets it, as `smttask run -n N` relies on) and pytest-xdist's own.
        warnings.filterwarnings("ignore", r"This process .* is multi-threaded", DeprecationWarning)
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert [w.exitcode for w in workers] == [0] * 8
    smt = SumatraProject.load(lab.root)
    if pending(smt):  # a store busy beyond every retry spools; flushing completes the book
        flush(lab.store())
    records = [r for r in lab.sumatra_records() if r.parameters.as_dict()["inputs"]["x"] >= 0]
    assert len(records) == 80
    assert len({r.label for r in records}) == 80
    assert {r.script_arguments for r in records} == {"Square"}
    assert all(r.tags == {"_finished_"} for r in records)
    inputs = sorted(r.parameters.as_dict()["inputs"]["x"] for r in records)
    assert inputs == sorted(float(w * 100 + i) for w in range(8) for i in range(10))


def lock(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    return connection


def test_a_locked_store_spools_the_record_and_flush_imports_it(lab: Lab) -> None:
    project = lab.with_settings(busy_timeout=0.05, save_attempts=2)
    holder = lock(lab.root / ".smt" / "records")
    try:
        with project.activate(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert lab.tasks.Square(x=3).run() == 9.0  # the task's result is unaffected
    finally:
        holder.rollback()
        holder.close()
    assert any(
        issubclass(w.category, RecordSpooledWarning) and "smttask project flush" in str(w.message)
        for w in caught
    )
    smt = SumatraProject.load(lab.root)
    (spooled,) = pending(smt)
    assert lab.sumatra_records() == []

    report = flush(lab.store())
    assert report.imported == [spooled.name.split(".")[0]]
    assert pending(smt) == []
    (record,) = lab.sumatra_records()
    assert record.tags == {"_finished_"}
    assert record.stdout_stderr == "squaring 3.0\n"
    assert flush(lab.store()).imported == []  # nothing left, nothing imported twice


def test_a_record_locked_out_after_it_started_replaces_its_running_version(lab: Lab) -> None:
    project = lab.with_settings(busy_timeout=0.05, save_attempts=2)
    with project.activate(), warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        lab.tasks.LockStore(x=1).run()  # saved as running, then the task itself locks the store
    for connection in lab.tasks.HOLD:
        connection.rollback()
    (running,) = lab.sumatra_records()
    assert running.tags == {"_running_"}

    flush(lab.store())
    (record,) = lab.sumatra_records()
    assert record.label == running.label
    assert record.tags == {"_finished_"}
