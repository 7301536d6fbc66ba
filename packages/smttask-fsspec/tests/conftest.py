"""Fixtures of smttask-fsspec's tests: a real OpenSSH server on 127.0.0.1, and projects storing through it.

The server (:func:`smttask_fsspec.testing.local_sshd`) runs as the current user (root in CI, allowed
to log in with a key only) from a configuration, host key and user key made for the test session,
and is stopped by PID.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smttask_fsspec.testing import Sshd, local_sshd, sshd_missing

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    reason = sshd_missing()
    if reason is not None:
        pytest.skip(reason)
    with local_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture(autouse=True)
def task_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "computed.log"
    log.touch()
    monkeypatch.setenv("FS_TASKS_LOG", str(log))
    return log
