"""A stored result and its record end consistently, whatever signal lands while the run finishes.

Each run is a real process with a real signal sent from inside the step named
(the store's final save, the result's write): Ctrl-C and SIGTERM take effect
right after the record is closed; ``kill -9`` between the two leaves a
``_running_`` record that ``smttask project flush`` completes from the stored result.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sumatra_lab import Lab, invoke

from smttask_sumatra.repair import NOTE

RUN = textwrap.dedent(
    """
    import os, signal, sys
    # Python's own Ctrl-C handler, as in a terminal, even when this test runs as a background job (SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from smttask_sumatra.store import RecordStore
    import {module} as tasks

    task = tasks.Square(x=7)
    signum = {signum}

    def interrupting(original):
        # *original*, with the signal sent to this process as it starts
        def wrapper(*args, **kwargs):
            os.kill(os.getpid(), signum)
            return original(*args, **kwargs)
        return wrapper

    if "{step}" == "record":
        save = RecordStore.save
        def final_save(self, record, *, new):
            if not new:  # the closing save of the record saved as _running_
                os.kill(os.getpid(), signum)
            return save(self, record, new=new)
        RecordStore.save = final_save
    else:  # the write of the result
        from smttask import Project
        backend = type(Project().storage)
        backend.save = interrupting(backend.save)
    print("result", task.run(), flush=True)
    """
)


def _run(lab: Lab, step: str, signum: int) -> subprocess.CompletedProcess[str]:
    script = RUN.format(module=lab.tasks.__name__, step=step, signum=int(signum))
    env = {**os.environ, "PYTHONPATH": str(lab.root)}
    return subprocess.run(
        [sys.executable, "-c", script], cwd=lab.root, env=env, capture_output=True, text=True, timeout=120
    )


def _stored(lab: Lab) -> bool:
    task = lab.tasks.Square(x=7)
    with lab.project.activate():
        return lab.project.storage.locate(task) is not None


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("step", ["result", "record"])
def test_a_signal_while_the_run_finishes_leaves_a_stored_result_and_a_finished_record(
    lab: Lab, step: str, signum: int
) -> None:
    done = _run(lab, step, signum)
    assert done.returncode != 0, done.stdout  # the signal still stops the process…
    assert "result" not in done.stdout
    assert _stored(lab)  # …right after the result is stored and its record closed
    (record,) = lab.view()
    assert record.status == "finished", done.stderr
    assert record.output_data


def test_flush_completes_the_record_of_a_run_killed_between_result_and_record(lab: Lab) -> None:
    done = _run(lab, "record", signal.SIGKILL)
    assert done.returncode == -signal.SIGKILL
    (record,) = lab.view()
    assert record.status == "running" and _stored(lab)

    flushed = invoke(lab, "project", "flush")
    assert flushed.exit_code == 0, flushed.output
    assert f"completed {record.label}" in flushed.output
    (repaired,) = lab.view()
    assert repaired.status == "finished" and NOTE in repaired.outcome
    assert repaired.output_data

    again = invoke(lab, "project", "flush")
    assert "0 completed" in again.output


def test_flush_leaves_a_running_record_without_a_stored_result_alone(lab: Lab) -> None:
    done = _run(lab, "result", signal.SIGKILL)  # killed before the result was written
    assert done.returncode == -signal.SIGKILL
    (record,) = lab.view()
    assert record.status == "running" and not _stored(lab)
    flushed = invoke(lab, "project", "flush")
    assert "0 completed" in flushed.output
    assert [r.status for r in lab.view()] == ["running"]
