"""Taking over a stale claim is atomic: however processes interleave, one holds the claim at a time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from smttask import Project
from smttask.config import Config

#: A process that takes the claim at sys.argv[1] and holds it until the file <argv[2]>-release exists,
#: logging "enter NAME" / "exit NAME" to <dir>/log. sys.argv[3] names a hook installed first.
HOLDER = r"""
import json, os, sys, time
from pathlib import Path
import smttask.storage.claim as claim_module
from smttask.storage import Claim

path, name, hook = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
here = path.parent

def wait_for(file):
    while not (here / file).exists():
        time.sleep(0.01)

real_remove, real_create = claim_module.remove_if_unchanged, claim_module.create_claim

def pausing_remove(target, judged, tag):
    # Between judging the claim stale and acting on it: the window another process could use.
    if target == str(path):
        (here / f"{name}-paused").touch()
        wait_for(f"{name}-go")
    removed = real_remove(target, judged, tag)
    if target == str(path):
        (here / f"{name}-removed").write_text(json.dumps(removed))
    return removed

def watching_create(target, token):
    created = real_create(target, token)
    if target.endswith(".lock") and not created:
        (here / f"{name}-refused").touch()
    return created

if hook == "pause":
    claim_module.remove_if_unchanged = pausing_remove
elif hook == "watch":
    claim_module.create_claim = watching_create

def log(line):
    with open(here / "log", "a") as f:
        f.write(line + "\n")

with Claim(path, done=lambda: (here / "done").exists(), heartbeat=0.05, stale_after=3600) as claim:
    held = claim.held
    if held:
        log(f"enter {name}")
        wait_for(f"{name}-release")
        log(f"exit {name}")
print(json.dumps({"held": held, "waited": claim.waited}))
"""


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _plant_stale(path: Path, token: str = "dead") -> None:
    path.write_text(json.dumps({"pid": _dead_pid(), "host": socket.gethostname(), "token": token, "time": 0}))


def _start(path: Path, name: str, hook: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), name, hook], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(file: Path, limit: float = 60.0, *, written: bool = False) -> None:
    """Wait until *file* exists (with *written*: holds a line, not only created by its writer's open).
    The limit only guards against a hung test; it asserts nothing about speed."""
    end = time.monotonic() + limit
    while not file.exists() or written and not file.read_text().endswith("\n"):
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {file.name}")
        time.sleep(0.01)


def _finish(proc: subprocess.Popen) -> dict[str, Any]:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out)


def test_a_second_process_cannot_take_over_while_the_first_is_between_check_and_act(tmp_path: Path) -> None:
    claim = tmp_path / "k.claim"
    _plant_stale(claim)
    first = _start(claim, "first", "pause")
    _wait_for(tmp_path / "first-paused")  # it judged the claim stale, and stops before removing it
    second = _start(claim, "second", "watch")
    _wait_for(tmp_path / "second-refused")  # it found the claim stale too, and was refused the takeover
    (tmp_path / "first-go").touch()
    # The stale claim is gone now; whichever process creates the new claim first holds it, alone.
    _wait_for(tmp_path / "log", written=True)
    entered = (tmp_path / "log").read_text().split()
    assert len(entered) == 2 and entered[0] == "enter", entered
    holder = entered[1]
    other = "second" if holder == "first" else "first"
    (tmp_path / f"{holder}-release").touch()
    (tmp_path / f"{other}-release").touch()
    assert _finish(first)["held"] and _finish(second)["held"]
    assert (tmp_path / "log").read_text().splitlines() == [
        f"enter {holder}", f"exit {holder}", f"enter {other}", f"exit {other}"
    ]
    assert sorted(p.name for p in tmp_path.iterdir() if "claim" in p.name) == []


def test_a_claim_renewed_between_check_and_act_is_put_back(tmp_path: Path) -> None:
    """The stale claim's owner comes back (or a new claim appears) just before the takeover acts."""
    claim = tmp_path / "k.claim"
    _plant_stale(claim)
    taker = _start(claim, "taker", "pause")
    _wait_for(tmp_path / "taker-paused")
    live = tmp_path / "live.tmp"
    live.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "token": "live", "time": 0}))
    os.replace(live, claim)  # a live claim, another file
    (tmp_path / "taker-go").touch()
    _wait_for(tmp_path / "taker-removed")
    assert json.loads((tmp_path / "taker-removed").read_text()) is False
    assert json.loads(claim.read_text())["token"] == "live", "the live claim is back in place"
    (tmp_path / "done").touch()  # the live holder stored its result
    assert _finish(taker) == {"held": False, "waited": True}
    assert not (tmp_path / "log").exists(), "the taker never held the claim"
    assert json.loads(claim.read_text())["token"] == "live"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


RUN_SLOW = """
import sys
from smttask import Project
from smttask.config import Config
from core_tasks import slow_square
with Project(sys.argv[1], config=Config(recorder="none", claim_heartbeat=0.2)).activate():
    print(*(slow_square(x=float(x), log=sys.argv[2]).run() for x in sys.argv[3:]))
"""


def test_many_processes_racing_for_stale_claims_compute_each_task_once(tmp_path: Path) -> None:
    from core_tasks import slow_square

    log = tmp_path / "computations.log"
    project = Project(tmp_path, config=Config(recorder="none"))
    xs = ["2", "3", "4"]
    for x in xs:
        with project.activate():
            task = slow_square(x=float(x), log=str(log))
            claim = project.storage.directory(task) / f"{task.digest}.claim"
        claim.parent.mkdir(parents=True, exist_ok=True)
        _plant_stale(claim)
    procs = [
        subprocess.Popen([sys.executable, "-c", RUN_SLOW, str(tmp_path), str(log), *xs],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in results]
    assert {out.strip() for out, _ in results} == {"4.0 9.0 16.0"}
    assert len(log.read_text().splitlines()) == 3, "each task computed exactly once"
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".claim", ".lock", ".tmp"))]
