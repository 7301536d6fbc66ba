"""Shared by the bench scripts: the machine line, writing one section of
docs/benchmarks.md while keeping the sections other scripts wrote, and moving
the last run's files aside instead of deleting them between timed runs."""

from __future__ import annotations

import os
import platform
import re
import shutil
import uuid
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
_PREAMBLE = [
    "# Benchmarks",
    "",
    "Figures measured side by side with peers, in one run, on the project's development "
    "machine. Each section is written by its package's script under `bench/`.",
]


def machine_summary() -> str:
    """Cores, CPU model and OS, e.g. ``2 cores (AMD EPYC), Linux 6.1``."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}"


def write_section(heading: str, text: str, path: Path = DOC) -> None:
    """Replace the section titled *heading* (e.g. ``"## Core"``) of *path* with *text*."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else list(_PREAMBLE)
    next_heading = re.compile(r"^## (?!#)")
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", *text.splitlines()]
    else:
        end = next((i for i in range(start + 1, len(lines)) if next_heading.match(lines[i])), len(lines))
        tail = lines[end:]
        lines = lines[:start] + text.splitlines() + ([""] + tail if tail else [])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


class Trash:
    """Where a bench moves the files of its last run before the next timed run, to delete them all at the end.

    On a filesystem without a journal (this VM's ext4), Linux skips inodes freed
    in the last 5-10 s when it creates a file, so every create right after
    deleting thousands of files scans past all of them (hundreds of µs per
    create instead of ten). Deleting is not the work measured, and it slowed
    every command alike. *directory* must be on the filesystem of what is moved.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def move(self, *paths: Path) -> None:
        """Move each of *paths* that exists into the trash (a rename: instant, frees nothing)."""
        for path in paths:
            if path.exists():
                self.directory.mkdir(parents=True, exist_ok=True)
                path.rename(self.directory / uuid.uuid4().hex)

    def empty(self) -> None:
        """Delete what was moved here: call it once every measurement is done."""
        shutil.rmtree(self.directory, ignore_errors=True)
