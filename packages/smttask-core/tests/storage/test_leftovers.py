"""What interrupted writers leave behind is removed when its key is next claimed, and by clean()."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from core_tasks import Square, big_array

from smttask.files import temp_name, temp_tag
from smttask.storage.claim import ClaimInfo


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _plant_claim(path: Path, pid: int, token: str) -> str:
    """A claim file of process *pid*; returns the tag its temporary files carry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "token": token, "time": 0}))
    return ClaimInfo(pid, socket.gethostname(), token, (0, 0, 0), 0).tag or ""


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_claiming_a_key_removes_its_dead_writers_leftovers_only(project: Any) -> None:
    task, other = big_array(n=50), big_array(n=60)
    directory = project.storage.directory(task)
    key = task.digest
    tag = _plant_claim(directory / f"{key}.claim", _dead_pid(), "d" * 32)
    leftovers = [temp_name(f"{key}.npy", tag), temp_name(f"{key}.manifest.json", tag), f"{key}.npy"]
    for name in leftovers:
        (directory / name).write_bytes(b"x" * 1000)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as live:
        kept = [
            temp_name(f"{key}.npy", temp_tag(live.pid, socket.gethostname(), "e" * 16)),  # a live writer's
            temp_name(f"{other.digest}.npy", tag),  # another key's
            f"{other.digest}.npy",
        ]
        for name in kept:
            (directory / name).write_bytes(b"y")
        np.testing.assert_array_equal(task.run(), np.linspace(0, 1, 50))
        live.kill()
    assert _files(directory) == sorted([*kept, f"{key}.manifest.json", f"{key}.npy"])
    assert (directory / f"{key}.npy").read_bytes() != b"x" * 1000


WRITER = """
import os, sys, time
from smttask import Project
from smttask.config import Config
from smttask.storage import NpyFormat
from core_tasks import big_array

def stuck_write(self, value, path, project):
    with open(path, "xb") as f:
        f.write(b"\\0" * 3_000_000)
        f.flush()
    open(sys.argv[2], "w").write(path)
    time.sleep(600)

NpyFormat.write = stuck_write
with Project(sys.argv[1], config=Config(recorder="none")).activate():
    big_array(n=1_000_000).run()
"""


def test_a_writer_killed_mid_write_leaves_nothing_after_the_next_run(project: Any, tmp_path: Path) -> None:
    signal_file = tmp_path / "writing"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(project.root), str(signal_file)])
    end = time.monotonic() + 60
    while not signal_file.exists() or not signal_file.read_text():
        assert time.monotonic() < end and writer.poll() is None, "the writer did not start writing"
        time.sleep(0.02)
    temp = Path(signal_file.read_text())
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert temp.exists() and temp.stat().st_size == 3_000_000
    task = big_array(n=1_000_000)
    assert task.run().shape == (1_000_000,)
    assert _files(temp.parent) == sorted([f"{task.digest}.manifest.json", f"{task.digest}.npy"])


def test_clean_removes_only_what_no_result_or_live_writer_needs(project: Any) -> None:
    Square(x=2).run()
    big_array(n=10).run()
    storage = project.storage
    square_dir, array_dir = storage.directory(Square(x=2)), storage.directory(big_array(n=10))
    intact = sorted(p for p in project.data_dir.rglob("*") if p.is_file())

    dead = temp_tag(_dead_pid(), socket.gethostname(), "a" * 16)
    orphan_temp = array_dir / temp_name(f"{big_array(n=11).digest}.npy", dead)
    orphan_temp.write_bytes(b"t" * 5000)
    unvouched = array_dir / f"{big_array(n=12).digest}.npy"  # complete, but its manifest never written
    unvouched.write_bytes(b"u" * 3000)
    stale_claim = square_dir / f"{Square(x=9).digest}.claim"
    _plant_claim(stale_claim, _dead_pid(), "b" * 32)
    live_claim_output = array_dir / f"{big_array(n=13).digest}.npy"  # a live writer between output and manifest
    live_claim_output.write_bytes(b"l")
    _plant_claim(array_dir / f"{big_array(n=13).digest}.claim", os.getpid(), "c" * 32)
    live_temp = array_dir / temp_name(f"{big_array(n=14).digest}.npy", temp_tag(os.getpid(), None, "f" * 16))
    live_temp.write_bytes(b"w")
    unrelated = array_dir / "notes.txt"
    unrelated.write_text("mine")

    expected = {orphan_temp: 5000, unvouched: 3000, stale_claim: stale_claim.stat().st_size}
    listed = storage.clean(dry_run=True)
    assert {left.path: left.size for left in listed} == expected
    assert all(path.exists() for path in expected), "a dry run removes nothing"

    removed = storage.clean()
    assert {left.path: left.size for left in removed} == expected
    assert not any(path.exists() for path in expected)
    assert all(path.exists() for path in (*intact, live_claim_output, live_temp, unrelated))
    assert storage.check(Square(x=2)) is not None and storage.check(big_array(n=10)) is not None
    assert storage.clean() == []
