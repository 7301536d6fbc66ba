"""Capturing what a task prints, for its record, while still showing it.

Both ``sys.stdout`` and ``sys.stderr`` are replaced by tees that write through
to the original streams and keep a copy, interleaved in the order written.
Progress bars that redraw a line with ``\\r`` keep only their final state, and
past ``limit`` characters only the start and the end are kept.

This captures Python-level writes (``print``, ``warnings``, tqdm, logging
handlers created during the run). Output written straight to file descriptors
1 and 2 (C extensions, subprocesses) and logging handlers created before the
run (which hold the original stream) are not captured.
"""

from __future__ import annotations

import io
import sys
from typing import Any, TextIO


class OutputCapture:
    """Context manager collecting stdout and stderr; :attr:`text` holds the result."""

    def __init__(self, limit: int = 1_000_000) -> None:
        self.limit = limit
        self._head: list[str] = []
        self._head_size = 0
        self._tail: list[str] = []
        self._tail_size = 0
        self._dropped = 0
        self._saved: tuple[TextIO, TextIO] | None = None

    def __enter__(self) -> OutputCapture:
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = _Tee(sys.stdout, self)  # type: ignore[assignment]
        sys.stderr = _Tee(sys.stderr, self)  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._saved is not None
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = self._saved
        self._saved = None

    def _append(self, text: str) -> None:
        half = self.limit // 2
        if self._head_size < half:
            take = text[: half - self._head_size]
            self._head.append(take)
            self._head_size += len(take)
            text = text[len(take) :]
            if not text:
                return
        self._tail.append(text)
        self._tail_size += len(text)
        if self._tail_size > 2 * (self.limit - half) + 4096:
            joined = "".join(self._tail)
            keep = self.limit - half
            self._dropped += len(joined) - keep
            self._tail = [joined[-keep:]] if keep else []
            self._tail_size = min(keep, len(joined))

    @property
    def text(self) -> str:
        """Everything captured, with carriage-return redraws collapsed and the middle cut if too long."""
        head = "".join(self._head)
        tail = "".join(self._tail)
        keep = self.limit - self.limit // 2
        dropped = self._dropped + max(0, len(tail) - keep)
        if dropped:
            tail = tail[-keep:] if keep else ""
            return (
                collapse_redraws(head)
                + f"\n[… {dropped} characters of output omitted …]\n"
                + collapse_redraws(tail)
            )
        return collapse_redraws(head + tail)


def collapse_redraws(text: str) -> str:
    """Keep, on each line, only what follows its last carriage return (a progress bar's final state)."""
    if "\r" not in text:
        return text
    lines = []
    for line in text.split("\n"):
        stripped = line.rstrip("\r")
        lines.append(stripped.rsplit("\r", 1)[-1])
    return "\n".join(lines)


class _Tee(io.TextIOBase):
    """A text stream writing to *stream* and to a capture."""

    def __init__(self, stream: TextIO, capture: OutputCapture) -> None:
        self._stream = stream
        self._capture = capture

    def write(self, text: str) -> int:
        self._capture._append(text)
        try:
            self._stream.write(text)
        except (OSError, ValueError):
            pass  # a closed console must not crash the task
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
