"""Turning ``smttask run`` arguments (files, directories, glob patterns) into task files."""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from smttask.taskfile import SUFFIX

_GLOB_CHARS = re.compile(r"[*?\[]")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class PathProblem:
    """An argument that names no task file. *fatal* problems count as failures."""

    argument: str
    problem: str
    fatal: bool = True


def natural_key(path: Path) -> tuple[tuple[tuple[str, int], ...], ...]:
    """Sort key putting ``task-9`` before ``task-100``: digit runs compare as numbers, per path part."""
    return tuple(
        tuple((text.casefold(), int(number or -1)) for text, number in _pairs(_DIGITS.split(part)))
        for part in path.parts
    )


def _pairs(pieces: list[str]) -> Iterable[tuple[str, str]]:
    # re.split with a group alternates text, digits, text, ...: pair each text with the digits after it.
    pieces = pieces + [""]
    return zip(pieces[::2], pieces[1::2], strict=False)


def natural_sorted(paths: Iterable[Path]) -> list[Path]:
    """*paths* in natural order (ties broken by the plain text)."""
    return sorted(paths, key=lambda p: (natural_key(p), str(p)))


def task_files_in(directory: Path) -> list[Path]:
    """Every ``*.taskdesc.json`` under *directory* (recursively), in natural order."""
    return natural_sorted(p for p in directory.rglob(f"*{SUFFIX}") if p.is_file())


def collect_task_files(arguments: Sequence[str]) -> tuple[list[Path], list[PathProblem]]:
    """Expand *arguments* into task files, in argument order, each once.

    A directory gives the task files under it, a glob pattern (for shells that
    did not expand it) the files it matches; a file is taken as given.
    """
    found: list[Path] = []
    problems: list[PathProblem] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            files = task_files_in(path)
            if not files:
                problems.append(PathProblem(argument, f"directory has no *{SUFFIX} files", fatal=False))
            found.extend(files)
        elif path.is_file():
            found.append(path)
        elif _GLOB_CHARS.search(argument):
            matches = natural_sorted(Path(m) for m in glob.glob(argument, recursive=True))
            if not matches:
                problems.append(PathProblem(argument, "no file matches this pattern"))
            for match in matches:
                found.extend(task_files_in(match) if match.is_dir() else [match])
        else:
            problems.append(PathProblem(argument, "no such file or directory"))
    seen: set[Path] = set()
    unique = []
    for path in found:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    return unique, problems
