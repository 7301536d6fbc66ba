"""The log file holding the full traceback of every failure of a ``smttask run``.

Written under the project (``.smttask/logs/run-<time>-<pid>.log``) and created
only when something fails, so a clean run leaves nothing behind. The log is
best-effort: if it cannot be written (read-only project, ``.smttask`` not a
directory, disk full) that is said once, through the *warn* callback, and the
batch goes on. Each entry is bounded (:data:`LINE_LIMIT` per line,
:data:`ENTRY_LIMIT` in all, with a note where text was cut), so a hostile
100 MB message cannot fill the disk, and control characters are escaped.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

from smttask.files import STATE_DIR, make_state_dir

from .display import escape_controls

LOG_DIR = Path(STATE_DIR) / "logs"
#: Longest line kept in the log (a huge exception message is cut here, with a note).
LINE_LIMIT = 10_000
#: Most characters one entry keeps: the start and the end of a longer traceback, with a note between.
ENTRY_LIMIT = 100_000


def cut_line(text: str, limit: int = LINE_LIMIT) -> str:
    """*text* escaped to one line and cut to *limit* characters, saying how much was cut."""
    escaped = escape_controls(text[:limit])
    if len(text) > limit:
        return f"{escaped[:limit]}… [{len(text) - limit} more characters cut]"
    return escaped[:limit]


def bounded_block(text: str, line_limit: int = LINE_LIMIT, total_limit: int = ENTRY_LIMIT) -> str:
    """Multi-line *text* (a traceback) with each line cut by :func:`cut_line` and its middle cut to *total_limit*."""
    if len(text) > total_limit:
        half = total_limit // 2
        text = f"{text[:half]}\n[… {len(text) - 2 * half} characters cut …]\n{text[-half:]}"
    return "\n".join(cut_line(line, line_limit) for line in text.split("\n"))


class FailureLog:
    """Appends one section per failure; :attr:`path` is None until the first one is written."""

    def __init__(self, project_root: Path, warn: Callable[[str], None] | None = None) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self._root = project_root
        self._target = project_root / LOG_DIR / f"run-{stamp}-{os.getpid()}.log"
        self._warn = warn
        self.path: Path | None = None
        #: Why the log cannot be written, once that happened (then nothing more is tried).
        self.problem: str | None = None

    @property
    def target(self) -> Path:
        """Where the log is (or would be) written."""
        return self._target

    def add(self, label: str, error: str | None, traceback: str | None, *, task: str = "", key: str = "") -> None:
        """Record the failure of *label* (a task file, or an upstream task); never raises ``OSError``."""
        if self.problem is not None:
            return
        identity = f" (task {cut_line(task, 1000)}, key {cut_line(key, 100)})" if task or key else ""
        lines = [f"\n=== {cut_line(label)}{identity}", f"error: {cut_line(error or '')}"]
        if traceback:
            lines.append(bounded_block(traceback.rstrip()))
        try:
            if self.path is None:
                make_state_dir(self._root)
                self._target.parent.mkdir(parents=True, exist_ok=True)
                header = f"smttask run, {time.strftime('%Y-%m-%d %H:%M:%S')}: {cut_line(shlex.join(sys.argv))}\n"
                self._target.write_text(header, encoding="utf-8")
                self.path = self._target
            with self.path.open("a", encoding="utf-8") as log:
                log.write("\n".join(lines) + "\n")
        except OSError as exc:
            self.problem = exc.strerror or str(exc)
            if self._warn is not None:
                where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(self._target) else ""
                self._warn(f"cannot write the failure log {self._target}: {self.problem}{where}; "
                           "full tracebacks are not kept, the batch goes on")
