"""A throwaway OpenSSH SFTP server on 127.0.0.1, for tests and benchmarks of SFTP storage.

:func:`local_sshd` starts Debian's ``/usr/sbin/sshd`` in the foreground with a
configuration, host key and user key made in a temporary directory, as the current
user (root may log in with the key only), and stops it by PID when the context ends.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SSHD = "/usr/sbin/sshd"


@dataclass(frozen=True)
class Sshd:
    """A running sshd: where to reach it, and the key to log in with."""

    port: int
    user: str
    key: Path

    def url(self, path: str | os.PathLike[str]) -> str:
        """The ``storage_url`` of the directory *path* through this server."""
        return f"sftp://{self.user}@127.0.0.1:{self.port}{os.fspath(path)}"


def sshd_missing() -> str | None:
    """Why :func:`local_sshd` cannot run here (a sentence), or None."""
    if not os.path.exists(SSHD) or shutil.which("ssh-keygen") is None:
        return "OpenSSH server not installed (Debian package openssh-server: .ci/setup.d/40-sftp.sh)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_sshd(home: Path | None = None) -> Iterator[Sshd]:
    """Run sshd on a free port of 127.0.0.1 while the context is open (keys and config under *home*)."""
    with tempfile.TemporaryDirectory(prefix="smttask-sshd-") as tmp:
        home = Path(home or tmp)
        for name in ("host_key", "user_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / name)], check=True)
        (home / "authorized_keys").write_text((home / "user_key.pub").read_text())
        port = _free_port()
        config = home / "sshd_config"
        config.write_text(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {home / 'host_key'}\nPidFile {home / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {home / 'authorized_keys'}\nPubkeyAuthentication yes\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
            "StrictModes no\nUsePAM no\nMaxStartups 50\nMaxSessions 50\nSubsystem sftp internal-sftp\n"
            "LogLevel ERROR\n"
        )
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 20
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"sshd exited with {proc.returncode}: {proc.stderr.read()}")  # type: ignore[union-attr]
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"sshd did not listen on 127.0.0.1:{port} within 20 s")
                time.sleep(0.05)
            yield Sshd(port, getpass.getuser(), home / "user_key")
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
