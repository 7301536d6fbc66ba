"""Turning ``smttask run`` arguments (files, directories, glob patterns) into task files.

Only regular files are ever read (a symlink to one is fine). Anything else an
argument names or a pattern or directory walk finds (a FIFO, socket or device,
a symlink loop, a dangling symlink, a directory that cannot be listed) becomes
one :class:`PathProblem` line and the rest goes on; nothing here opens a file,
so a FIFO cannot make ``run`` or ``show`` wait. Directory walks and ``**``
never follow symlinked directories and visit each directory once, so loops
(symlinks or bind mounts) end.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from smttask.taskfile import SUFFIX

_GLOB_CHARS = re.compile(r"[*?\[]")
_DIGITS = re.compile(r"(\d+)")
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True)
class PathProblem:
    """An argument, or a file found from one, that gives no task file; *fatal* ones count as failures."""

    argument: str
    problem: str
    fatal: bool = True


def natural_key(path: Path) -> tuple[tuple[str | int, ...], ...]:
    """Sort key putting ``task-9`` before ``task-100``: digit runs compare as numbers, per path part.

    Each part becomes its pieces as :func:`re.split` gives them, text and
    digit runs alternating (text first), so texts only ever meet texts and
    numbers numbers.
    """
    return tuple(_part_key(part) for part in path.parts)


def _part_key(part: str) -> tuple[str | int, ...]:
    pieces: list[str | int] = _DIGITS.split(part.casefold())  # type: ignore[assignment]
    pieces[1::2] = map(int, pieces[1::2])  # type: ignore[arg-type]
    return tuple(pieces)


def natural_sorted(paths: Iterable[Path]) -> list[Path]:
    """*paths* in natural order (ties broken by the plain text)."""
    return sorted(paths, key=lambda p: (natural_key(p), str(p)))


def file_problem(path: str | Path) -> str | None:
    """None if *path* is a regular file (symlinks followed), else why it cannot be read as one.

    Decided with ``os.stat`` alone: the file is never opened.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return _stat_problem(path, exc)
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return f"not a regular file ({kind})"


def _stat_problem(path: str | Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "dangling symlink" if os.path.islink(path) else "no such file or directory"
    return f"cannot be read: {exc.strerror or exc}"


def task_files_in(directory: Path, problems: list[PathProblem] | None = None) -> list[Path]:
    """Every ``*.taskdesc.json`` under *directory* (recursively), in natural order.

    A matching name that is not a regular file, or a directory that cannot be
    listed, is added to *problems* (if given) instead.
    """
    found: list[Path] = []
    for entry_path in _walk(directory, problems):
        if entry_path.name.endswith(SUFFIX):
            problem = file_problem(entry_path)
            if problem is None:
                found.append(entry_path)
            elif problems is not None:
                problems.append(PathProblem(str(entry_path), problem))
    return natural_sorted(found)


def _walk(
    top: Path, problems: list[PathProblem] | None, *, dirs_only: bool = False, skip_hidden: bool = False
) -> Iterator[Path]:
    """Every entry below *top* (or every directory, *top* included, if *dirs_only*).

    Symlinked directories are not entered, and a directory reached twice (a
    bind mount of a parent) is entered once; *skip_hidden* leaves out
    directories whose name starts with ``.`` (as ``**`` does).
    """
    seen: set[tuple[int, int]] = set()
    pending = [top]
    while pending:
        directory = pending.pop()
        try:
            info = os.stat(directory)
            identity = (info.st_dev, info.st_ino)
            if identity in seen:
                continue
            seen.add(identity)
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            if problems is not None:
                problems.append(PathProblem(str(directory), f"cannot list directory: {exc.strerror or exc}"))
            continue
        if dirs_only:
            yield directory
        for entry in entries:
            path = directory / entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if not (skip_hidden and _hidden(entry.name)):
                    pending.append(path)
            elif not dirs_only:
                yield path


def expand_pattern(pattern: str, problems: list[PathProblem] | None = None) -> list[Path]:
    """The paths matching the glob *pattern* (``**`` for any depth), in natural order.

    Like :func:`glob.glob` with ``recursive=True`` (names starting with ``.``
    match only a part starting with ``.``), but ``**`` does not follow
    symlinked directories and enters each directory once, so it ends on loops.
    Matches are returned whatever they are (files, FIFOs, broken links): the
    caller checks them.
    """
    anchor, parts = _split(pattern)
    current = [Path(anchor)] if anchor else [Path()]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following: list[Path] = []
        for base in current:
            following.extend(_match_part(base, part, last, problems))
        current = following
    unique = list(dict.fromkeys(current))
    return natural_sorted(unique)


def _split(pattern: str) -> tuple[str, list[str]]:
    drive, rest = os.path.splitdrive(pattern)
    anchor = drive
    while rest[:1] in (os.sep, os.altsep or os.sep) and rest:
        anchor += rest[0]
        rest = rest[1:]
    separators = f"[{re.escape(os.sep + (os.altsep or ''))}]+"
    return anchor, [part for part in re.split(separators, rest) if part]


def _match_part(base: Path, part: str, last: bool, problems: list[PathProblem] | None) -> list[Path]:
    """What one part of a pattern matches below *base*."""
    if part == "**":
        if not os.path.isdir(base):
            return []
        directories = list(_walk(base, problems, dirs_only=True, skip_hidden=True))
        if not last:
            return directories
        return directories + [p for d in directories for p in _listing(d) if not _hidden(p.name)]
    if not _GLOB_CHARS.search(part):
        path = base / part
        return [path] if os.path.lexists(path) else []
    return [
        path for path in _listing(base)
        if fnmatch.fnmatch(path.name, part) and (part.startswith(".") or not _hidden(path.name))
    ]


def _listing(directory: Path) -> list[Path]:
    try:
        with os.scandir(directory) as entries:
            return [directory / entry.name for entry in entries]
    except OSError:
        return []


def _hidden(name: str) -> bool:
    return name.startswith(".")


def collect_task_files(arguments: Sequence[str]) -> tuple[list[Path], list[PathProblem]]:
    """Expand *arguments* into task files, in argument order, each once.

    A directory gives the task files under it, a glob pattern (for shells that
    did not expand it) what it matches (directories it matches are searched); a
    regular file is taken as given, whatever its name. Anything else is a problem.
    """
    found: list[Path] = []
    problems: list[PathProblem] = []
    for argument in arguments:
        path = Path(argument)
        if os.path.isdir(argument):
            known = len(problems)
            files = task_files_in(path, problems)
            if not files and len(problems) == known:
                problems.append(PathProblem(argument, f"directory has no *{SUFFIX} files", fatal=False))
            found.extend(files)
        elif os.path.lexists(argument) or not _GLOB_CHARS.search(argument):
            _add_file(path, found, problems)
        else:
            matches = expand_pattern(argument, problems)
            if not matches:
                problems.append(PathProblem(argument, "no file matches this pattern"))
            for match in matches:
                if os.path.isdir(match):
                    found.extend(task_files_in(match, problems))
                else:
                    _add_file(match, found, problems)
    return _unique(found), problems


def _add_file(path: Path, found: list[Path], problems: list[PathProblem]) -> None:
    problem = file_problem(path)
    if problem is None:
        found.append(path)
    else:
        problems.append(PathProblem(str(path), problem))


def _unique(paths: Iterable[Path]) -> list[Path]:
    """*paths* without repeats of one file (by device and inode, so links and ``a/../a`` count once)."""
    seen: set[tuple[int, int]] = set()
    unique = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:  # gone since it was found: loading it will say so
            unique.append(path)
            continue
        identity = (info.st_dev, info.st_ino)
        if identity not in seen:
            seen.add(identity)
            unique.append(path)
    return unique
