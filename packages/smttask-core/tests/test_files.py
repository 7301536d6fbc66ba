"""The one atomic write helper: all or nothing, a full disk named, temporary files that say who wrote them."""

from __future__ import annotations

import errno
import os
import pickle
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smttask.errors import SmttaskError, StorageFullError
from smttask.files import (
    abandoned,
    atomic_path,
    host_name,
    make_state_dir,
    parse_temp_name,
    temp_name,
    temp_tag,
    write_atomic,
)


def test_write_replaces_the_target_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        Path(tmp).write_bytes(b"half")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["out.json"]
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and sorted(os.listdir(tmp_path)) == ["out.json"]


def test_a_durable_write_keeps_the_mode_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    previous = os.umask(0o022)
    try:
        write_atomic(target, b"{}", durable=True, mode=0o600)
        write_atomic(tmp_path / "plain.json", b"{}")
    finally:
        os.umask(previous)
    assert target.read_bytes() == b"{}" and target.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "plain.json").stat().st_mode & 0o777 == 0o644
    assert sorted(os.listdir(tmp_path)) == ["plain.json", "record.json"]


def test_the_old_private_path_still_imports() -> None:
    from smttask import _files, files

    assert _files.write_atomic is files.write_atomic and _files.atomic_path is files.atomic_path


@pytest.mark.parametrize(
    "error",
    [OSError(errno.ENOSPC, "No space left on device"), OSError(errno.EDQUOT, "Disk quota exceeded")],
    ids=["ENOSPC", "EDQUOT"],
)
def test_a_full_disk_is_a_storage_full_error_naming_the_target(tmp_path: Path, error: OSError) -> None:
    target = tmp_path / "big.npy"
    with pytest.raises(StorageFullError) as caught, atomic_path(target) as tmp:
        Path(tmp).write_bytes(b"partial")
        raise error
    message = str(caught.value)
    assert message.startswith(f"no space left on device while writing {target}: nothing was stored.")
    assert "smttask clean" in message
    assert isinstance(caught.value, SmttaskError) and isinstance(caught.value, OSError)
    assert os.listdir(tmp_path) == []
    assert str(pickle.loads(pickle.dumps(caught.value))) == message


def test_other_errors_pass_unchanged(tmp_path: Path) -> None:
    with pytest.raises(PermissionError), atomic_path(tmp_path / "x") as tmp:
        Path(tmp).write_bytes(b"x")
        raise PermissionError(errno.EACCES, "denied")
    assert os.listdir(tmp_path) == []


def test_temporary_names_say_who_writes_them(tmp_path: Path) -> None:
    name = temp_name("abc_out.npy", temp_tag())
    info = parse_temp_name(name)
    assert info is not None and info.target == "abc_out.npy" and info.pid == os.getpid()
    assert parse_temp_name(".abc.npy.0123456789abcdef0123456789abcdef.tmp") is None  # the old recipe
    mine = tmp_path / name
    mine.write_bytes(b"")
    assert not abandoned(mine, stale_after=3600)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = tmp_path / temp_name("abc.npy", temp_tag(dead.pid, socket.gethostname()))
    gone.write_bytes(b"")
    assert abandoned(gone, stale_after=3600)
    elsewhere = tmp_path / temp_name("abc.npy", temp_tag(dead.pid, "another-host"))
    elsewhere.write_bytes(b"")
    assert not abandoned(elsewhere, stale_after=3600), "on another host only age tells"
    old = os.path.getmtime(elsewhere) - 7200
    os.utime(elsewhere, (old, old))
    assert abandoned(elsewhere, stale_after=3600)


def test_storage_save_failing_on_a_full_disk_leaves_nothing(file_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from core_tasks import make_stats

    from smttask.storage import local

    def full(data: bytes, path: str) -> str:
        with open(path, "xb") as f:
            f.write(b"{")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(local, "write_new_file", full)  # the .npy output is written, the JSON one fails
    with pytest.raises(StorageFullError, match="no space left on device while writing .*make_stats"):
        make_stats(n=3).run()
    assert [p for p in file_project.data_dir.rglob("*") if p.is_file()] == []


def test_the_state_directory_is_never_listed_by_git(tmp_path: Path) -> None:
    """``.smttask/`` gets a ``.gitignore`` of ``*`` when smttask creates it, whatever the project ignores."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    state = Path(make_state_dir(tmp_path))
    (state / "durations.json").write_text("{}")
    listed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                            capture_output=True, text=True, check=True)
    assert state == tmp_path / ".smttask" and listed.stdout == ""


def test_a_state_directory_that_exists_is_left_as_it_is(tmp_path: Path) -> None:
    (tmp_path / ".smttask").mkdir()
    assert Path(make_state_dir(tmp_path)) == tmp_path / ".smttask"
    assert not (tmp_path / ".smttask" / ".gitignore").exists()


def test_this_hosts_name_is_what_socket_gives() -> None:
    """Claims and temporary files name the host from ``os.uname``; other processes compare it with theirs."""
    assert host_name() == socket.gethostname()
