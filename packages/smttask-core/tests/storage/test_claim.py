"""Claims: concurrent processes compute a task once; stale claims are taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from smttask.errors import ClaimTimeoutError
from smttask.storage import Claim

RUN_SLOW = """
import sys
from smttask import Project
from smttask.config import Config
from core_tasks import slow_square
with Project(sys.argv[1], config=Config(recorder="none", claim_heartbeat=0.2)).activate():
    print(slow_square(x=3, log=sys.argv[2]).run())
"""


def test_two_processes_compute_the_same_task_once(tmp_path: Path) -> None:
    log = tmp_path / "computations.log"
    procs = [
        subprocess.Popen([sys.executable, "-c", RUN_SLOW, str(tmp_path), str(log)], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0]
    assert outputs == ["9.0", "9.0", "9.0"]
    assert len(log.read_text().splitlines()) == 1
    assert not list(tmp_path.rglob("*.claim"))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_claim_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "k.claim"
    path.write_text(json.dumps({"pid": _dead_pid(), "host": socket.gethostname(), "token": "x", "time": 0}))
    with Claim(path, done=lambda: False, stale_after=3600) as claim:
        assert claim.held
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert not path.exists()


def test_claim_without_heartbeat_goes_stale(tmp_path: Path) -> None:
    path = tmp_path / "k.claim"
    path.write_text(json.dumps({"pid": 1, "host": "another-host", "token": "x", "time": 0}))
    old = time.time() - 10
    os.utime(path, (old, old))
    with Claim(path, done=lambda: False, stale_after=5) as claim:
        assert claim.held


def test_live_claim_is_waited_for_until_done(tmp_path: Path) -> None:
    path = tmp_path / "k.claim"
    path.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "token": "other", "time": 0}))
    checks = iter([False, False, True])
    with Claim(path, done=lambda: next(checks), stale_after=3600) as claim:
        assert claim.waited and not claim.held
    assert path.exists()  # someone else's claim is left alone


def test_waiting_can_time_out_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "k.claim"
    path.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "token": "other", "time": 0}))
    with pytest.raises(ClaimTimeoutError, match="k.claim"):
        with Claim(path, done=lambda: False, stale_after=3600, timeout=0.1):
            pass


def test_heartbeat_keeps_a_long_claim_fresh(tmp_path: Path) -> None:
    path = tmp_path / "k.claim"
    with Claim(path, done=lambda: False, heartbeat=0.05, stale_after=3600):
        before = path.stat().st_mtime
        time.sleep(0.3)
        assert path.stat().st_mtime > before


def test_claim_released_when_the_task_fails(project: Any) -> None:
    from smttask import RecordedTask

    @RecordedTask
    def broken(x: int) -> int:
        raise RuntimeError("fails")

    with pytest.raises(RuntimeError):
        broken(x=1).run()
    assert not list(project.data_dir.rglob("*.claim"))


def test_a_claim_is_released_though_its_heartbeat_touched_it_and_another_s_is_left(tmp_path: Path) -> None:
    from smttask.storage.claim import release_claim

    path = tmp_path / "k.claim"
    claim = Claim(path, done=lambda: False, heartbeat=3600, stale_after=7200)
    claim.__enter__()
    os.utime(path, (time.time() + 5, time.time() + 5))  # as the heartbeat does, at any moment
    claim.release()
    assert not path.exists() and not list(tmp_path.iterdir())
    path.write_text(json.dumps({"pid": 1, "host": "elsewhere", "token": "theirs", "time": 0}))
    release_claim(str(path), "mine", "ab12")  # a claim of another token: never removed
    assert json.loads(path.read_text())["token"] == "theirs" and len(list(tmp_path.iterdir())) == 1


FORKED_HEARTBEAT = """
import json, os, sys, threading, time
from pathlib import Path
from smttask.storage.claim import Claim

def beats() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "smttask-heartbeat"]

root = Path(sys.argv[1])
with Claim(root / "parent.claim", done=lambda: False, heartbeat=3600):
    pass  # the heartbeat thread now runs in this process, and stays
pid = os.fork()
if pid == 0:
    before = beats()
    path = root / "child.claim"
    with Claim(path, done=lambda: False, heartbeat=0.05, stale_after=3600):
        os.utime(path, (1, 1))
        time.sleep(0.5)
        touched = path.stat().st_mtime > 1
        after = beats()
    print(json.dumps({"before": before, "after": after, "touched": touched}), flush=True)
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_a_forked_child_beats_its_own_claims(tmp_path: Path) -> None:
    """A child forked while the parent's heartbeat runs has no heartbeat thread until it holds a claim; then
    it starts one, which touches the child's claim (a process forked with threads copies none of them)."""
    done = subprocess.run(
        [sys.executable, "-c", FORKED_HEARTBEAT, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found == {"before": [], "after": ["smttask-heartbeat"], "touched": True}
