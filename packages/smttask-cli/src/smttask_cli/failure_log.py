"""The log file holding the full traceback of every failure of a ``smttask run``.

Written under the project (``.smttask/logs/run-<time>-<pid>.log``) and created
only when something fails, so a clean run leaves nothing behind.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

LOG_DIR = Path(".smttask") / "logs"


class FailureLog:
    """Appends one section per failure; :attr:`path` is None until the first one."""

    def __init__(self, project_root: Path) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self._target = project_root / LOG_DIR / f"run-{stamp}-{os.getpid()}.log"
        self.path: Path | None = None

    def add(self, label: str, error: str | None, traceback: str | None, *, task: str = "", key: str = "") -> None:
        """Record the failure of *label* (a task file, or an upstream task)."""
        if self.path is None:
            self._target.parent.mkdir(parents=True, exist_ok=True)
            header = f"smttask run, {time.strftime('%Y-%m-%d %H:%M:%S')}: {shlex.join(sys.argv)}\n"
            self._target.write_text(header, encoding="utf-8")
            self.path = self._target
        identity = f" (task {task}, key {key})" if task or key else ""
        lines = [f"\n=== {label}{identity}", f"error: {error}"]
        if traceback:
            lines.append(traceback.rstrip())
        with self.path.open("a", encoding="utf-8") as log:
            log.write("\n".join(lines) + "\n")
