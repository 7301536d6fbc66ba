"""A recorded run keeps its record on a read-only or full lab book, or refuses before computing.

The faults are real: a read-only bind mount (``chmod`` when not root) and a
small tmpfs filled to its last block.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sumatra_lab import Lab, can_mount, fill, read_only, small_filesystem

from smttask_sumatra.errors import RecordingUnavailableError, RecordSpooledWarning
from smttask_sumatra.smtproject import SumatraProject
from smttask_sumatra.spool import flush, pending

needs_mount = pytest.mark.skipif(
    not can_mount(), reason="needs root and `mount` to put the lab book on a small tmpfs"
)


def _stored(lab: Lab, task) -> bool:
    with lab.project.activate():
        return lab.project.storage.locate(task) is not None


def _records(lab: Lab) -> list[tuple[str, str]]:
    return [(r.taskname, r.status) for r in lab.view()]


def test_a_read_only_lab_book_spools_the_record_to_the_per_user_state_directory(
    lab: Lab, state_home: Path
) -> None:
    smt = SumatraProject.load(lab.root)
    with read_only(lab.root / ".smt"):
        with pytest.warns(RecordSpooledWarning) as caught:
            assert lab.tasks.Square(x=3).run() == 9
        (spooled,) = pending(smt)
    assert spooled.is_relative_to(state_home / "smttask" / "spool")
    message = str(caught[0].message)
    assert "cannot be written" in message and "smttask project flush" in message
    assert _records(lab) == []
    report = flush(lab.store())
    assert len(report.imported) == 1 and pending(smt) == []
    assert _records(lab) == [("Square", "finished")]


@needs_mount
def test_a_full_lab_book_spools_the_record_and_flush_imports_it_once_there_is_room(
    lab: Lab, state_home: Path
) -> None:
    smt_dir = lab.root / ".smt"
    before = (smt_dir / "records").read_bytes()
    with small_filesystem(smt_dir, size_kib=512):
        filler = fill(smt_dir)
        with pytest.warns(RecordSpooledWarning) as caught:
            assert lab.tasks.Square(x=4).run() == 16
        assert (smt_dir / "records").read_bytes() == before  # nothing half-written into the store
        (spooled,) = pending(SumatraProject.load(lab.root))
        assert spooled.is_relative_to(state_home)
        assert "smttask project flush" in str(caught[0].message)
        filler.unlink()
        assert len(flush(lab.store()).imported) == 1
        assert _records(lab) == [("Square", "finished")]
    assert _records(lab) == [("Square", "finished")]  # the store kept it after unmounting


def test_with_nowhere_to_keep_its_record_a_recorded_task_refuses_before_computing(
    lab: Lab, state_home: Path
) -> None:
    task = lab.tasks.Square(x=5)
    with read_only(lab.root / ".smt"), read_only(state_home):
        with pytest.raises(RecordingUnavailableError) as info:
            task.run()
    message = str(info.value)
    assert "nothing was computed" in message and "\n" not in message
    assert str(state_home) in message and "--no-record" in message
    assert not _stored(lab, task)
    assert _records(lab) == [] and pending(SumatraProject.load(lab.root)) == []
    assert task.run() == 25  # once there is room again, it runs and records
    assert _records(lab) == [("Square", "finished")]


def test_smttask_run_refuses_such_a_task_file_in_one_line_and_runs_the_rest(
    lab: Lab, state_home: Path
) -> None:
    recorded = lab.tasks.Square(x=6)
    memoized = lab.tasks.Double(x=6)
    recorded.save(lab.root / "tasks" / "square.taskdesc.json")
    memoized.save(lab.root / "tasks" / "double.taskdesc.json")
    lab.commit("task files")
    smttask = Path(sys.executable).with_name("smttask")
    env = {**os.environ, "PYTHONPATH": str(lab.root), "XDG_STATE_HOME": str(state_home)}
    with read_only(lab.root / ".smt"), read_only(state_home):
        result = subprocess.run(
            [str(smttask), "run", "tasks/"], cwd=lab.root, env=env, capture_output=True, text=True
        )
    assert result.returncode != 0
    refused = [line for line in result.stderr.splitlines() if "nothing was computed" in line]
    assert len(refused) == 1 and "square.taskdesc.json" in refused[0], result.stderr
    assert "--no-record" in refused[0]  # the fix comes before the (long) paths
    assert "Traceback" not in result.stderr
    assert "double.taskdesc.json" in result.stdout and "1 failed" in result.stdout, result.stdout
    assert not _stored(lab, recorded)
