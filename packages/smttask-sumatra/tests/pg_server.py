"""A real PostgreSQL server for the tests: Debian's binaries, a throwaway cluster in a temporary directory.

``initdb`` and ``pg_ctl`` refuse to run as root, so under root (CI) the
cluster belongs to the ``postgres`` system user that Debian's package creates
and the commands run through ``runuser``. The server listens on 127.0.0.1 on a
free port; the test role logs in over TCP with a password (scram-sha-256), as
a user on a cluster would. It is stopped by the PID in ``postmaster.pid``.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "lab"
PASSWORD = "s3cret-for-tests"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    socket_dir: Path
    bindir: Path
    run_as: tuple[str, ...]

    def url(self, database: str) -> str:
        """The store URL (no password: that comes from the environment or ~/.pgpass)."""
        return f"postgresql://{USER}@{self.host}:{self.port}/{database}"

    def createdb(self, name: str) -> str:
        """A new empty database owned by the test role; its store URL."""
        self.admin(f'CREATE DATABASE "{name}" OWNER {USER}')
        return self.url(name)

    def admin(self, sql: str) -> None:
        subprocess.run(
            [
                *self.run_as,
                str(self.bindir / "psql"),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )

    def pid(self, data: Path) -> int:
        return int((data / "postmaster.pid").read_text().split()[0])


def bindir() -> Path | None:
    """Debian's PostgreSQL server binaries (the newest version installed), if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(base: Path) -> Iterator[Server]:
    """Start a PostgreSQL cluster under *base*; stop it by PID when the block ends."""
    binaries = bindir()
    if binaries is None:
        raise FileNotFoundError(
            "PostgreSQL server binaries (Debian package postgresql) are not installed"
        )
    run_as: tuple[str, ...] = ()
    if os.geteuid() == 0:
        run_as = ("runuser", "-u", "postgres", "--")
    base.mkdir(parents=True, exist_ok=True)
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if run_as:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, text=True, cwd=base)

    run(str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
    (data / "pg_hba.conf").write_text(
        "local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8"
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"
    run(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(base / "server.log"),
        "-w",
        "start",
    )
    server = Server("127.0.0.1", port, sockets, binaries, run_as)
    pid = server.pid(data)
    try:
        server.admin(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        yield server
    finally:
        os.kill(pid, signal.SIGINT)  # PostgreSQL's "fast" shutdown
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
