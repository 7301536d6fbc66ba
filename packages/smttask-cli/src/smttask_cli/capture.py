"""Holding back what a task module prints while it is imported.

Reading a task file imports the module it names, and a module may print when
imported (``"module": "this"`` prints the Zen of Python; ``unittest.__main__``
runs a test runner). Left alone, that text lands in the middle of the progress
display or the plain per-task lines. :func:`captured_output` takes it instead, at
the Python level (``sys.stdout``/``sys.stderr``) and at the file-descriptor level
(``os.write(1, …)``, C code, child processes), and keeps only how much there was
and how it starts, so the caller can say so in one line.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

#: Characters of captured output kept to quote its first line.
HEAD_LIMIT = 1000


@dataclass
class CapturedOutput:
    """What was printed while capturing: its size (characters or bytes) and its first characters."""

    size: int = 0
    head: str = ""

    def add(self, size: int, head: str) -> None:
        """Count *size* more characters; *head* is their start (kept if nothing came before)."""
        if size:
            self.size += size
            if len(self.head) < HEAD_LIMIT:
                self.head += head[: HEAD_LIMIT - len(self.head)]

    def first_line(self) -> str:
        """The first non-blank line of the output (unescaped, at most :data:`HEAD_LIMIT` characters)."""
        for line in self.head.splitlines():
            if line.strip():
                return line.strip()
        return ""


class _Sink(io.TextIOBase):
    """A text stream that counts what is written and keeps only its first characters."""

    def __init__(self, into: CapturedOutput) -> None:
        self._into = into

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._into.add(len(text), text)
        return len(text)


class _DescriptorSpool:
    """Points file descriptors 1 and 2 at one temporary file, and back again; what reached the file is
    taken in turns, by :meth:`take`."""

    def __init__(self) -> None:
        self._spool: IO[bytes] | None = None
        self._saved: list[tuple[int, int]] = []
        self._taken = 0

    def start(self) -> None:
        try:
            self._spool = tempfile.TemporaryFile()
        except OSError:  # no usable temporary directory: the Python-level capture still works
            return
        for fd in (1, 2):
            try:
                copy = os.dup(fd)
            except OSError:  # not open (started with 1>&- or 2>&-): nothing to hold back there
                continue
            os.dup2(self._spool.fileno(), fd)
            self._saved.append((fd, copy))

    def take(self, into: CapturedOutput) -> None:
        """Add to *into* what reached the file since the last :meth:`take`."""
        if self._spool is None:
            return
        size = os.fstat(self._spool.fileno()).st_size
        if size > self._taken:
            self._spool.seek(self._taken)
            into.add(size - self._taken, self._spool.read(HEAD_LIMIT).decode("utf-8", errors="replace"))
            self._taken = size

    def stop(self) -> None:
        """Put the descriptors back and remove the file."""
        for fd, copy in self._saved:
            os.dup2(copy, fd)
            os.close(copy)
        self._saved.clear()
        if self._spool is not None:
            self._spool.close()
            self._spool = None


class OutputCapture:
    """Captures stdout and stderr, and gives an empty stdin, while it is entered; :meth:`block` tells
    what each of several blocks printed.

    One temporary file takes the file descriptors' output for all the blocks:
    loading a thousand task files, each in a block of its own, then costs one
    file, not a thousand (each created and removed, which on some filesystems
    slows every file created after it).
    """

    def __init__(self) -> None:
        self._spool = _DescriptorSpool()
        self._saved: tuple[object, object, object] | None = None

    def __enter__(self) -> OutputCapture:
        self._saved = (sys.stdout, sys.stderr, sys.stdin)
        _flush(sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)
        try:
            self._spool.start()
            sys.stdin = io.StringIO("")
        except BaseException:
            self._spool.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        _flush(sys.__stdout__, sys.__stderr__)
        sys.stdout, sys.stderr, sys.stdin = self._saved  # type: ignore[assignment]
        self._spool.stop()

    @contextlib.contextmanager
    def block(self) -> Iterator[CapturedOutput]:
        """Capture what the block prints into the yielded :class:`CapturedOutput`, filled in when it ends."""
        result = CapturedOutput()
        outer = (sys.stdout, sys.stderr)
        try:
            sys.stdout, sys.stderr = _Sink(result), _Sink(result)
            yield result
        finally:
            _flush(sys.__stdout__, sys.__stderr__)  # what was written to them belongs to the capture
            sys.stdout, sys.stderr = outer
            self._spool.take(result)


@contextlib.contextmanager
def captured_output() -> Iterator[CapturedOutput]:
    """Capture stdout and stderr, and give an empty stdin, for the duration of the block.

    The yielded :class:`CapturedOutput` is filled in when the block ends;
    streams and descriptors are put back however it ends.
    """
    with OutputCapture() as capture, capture.block() as result:
        yield result


def _flush(*streams: object) -> None:
    for stream in streams:
        with contextlib.suppress(Exception):
            stream.flush()  # type: ignore[attr-defined]
