"""The code version of a recorded run: git commit, uncommitted changes, and the policy for them.

One ``git status`` call per run gives both the commit and the changed files
(GitPython's ``is_dirty`` needs two). Git runs with ``GIT_OPTIONAL_LOCKS=0``, so
many parallel runs never contend for the repository's index lock.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import GitError, NoCommitError, NotAGitRepositoryError, UncommittedChangesError

#: At most this many changed files are named in an error message.
LIST_LIMIT = 20
_GIT_ENV = {"GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
_tracked: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class CodeState:
    """The code a run used."""

    #: Root of the git working copy.
    repository: Path
    #: The commit checked out (HEAD).
    commit: str
    #: Changed files (relative to the repository root) that count as code changes.
    changed: tuple[str, ...]
    #: ``git diff`` of those changes when the policy is ``store-diff`` (else "").
    diff: str


def git(repo: Path, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
    """Run ``git -C repo ARGS``; return its standard output. Raises :class:`GitError`."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            env={**os.environ, **_GIT_ENV},
            check=False,
        )
    except FileNotFoundError:
        raise GitError(
            "The `git` command is not installed or not on PATH; recording needs it."
        ) from None
    if proc.returncode not in ok_codes:
        message = proc.stderr.decode(errors="replace").strip()
        raise GitError(f"`git {' '.join(args)}` failed in {repo}: {message}")
    return proc.stdout.decode("utf-8", errors="surrogateescape")


def repository_root(path: Path) -> Path:
    """The root of the git working copy containing *path*; :class:`NotAGitRepositoryError` if none."""
    try:
        top = git(path, "rev-parse", "--show-toplevel").strip()
    except GitError:
        top = ""
    if not top:
        raise NotAGitRepositoryError(
            f"{path} is not inside a git repository. Run `git init` there and commit your code "
            "(Sumatra records the commit of every run), or pass --repository PATH."
        )
    return Path(top).resolve()


def code_state(
    repo: Path, *, policy: str, allow_dirty: Sequence[str] = (), main_file: Path | None = None
) -> CodeState:
    """The commit and code changes of *repo*, after applying the change *policy*.

    Changes under *allow_dirty* (paths relative to the repository root) do
    not count. An untracked *main_file* counts as a change, since the commit
    would not contain the task's code. With policy ``"error"`` any change
    raises :class:`UncommittedChangesError` naming the files; with
    ``"store-diff"`` the diff is returned for the record.
    """
    commit, changed = _status(repo)
    changed = [p for p in changed if not _allowed(p, allow_dirty)]
    untracked_main = _untracked_main(repo, main_file)
    if untracked_main:
        changed.append(untracked_main)
    if not changed:
        return CodeState(repo, commit, (), "")
    if policy == "error":
        shown = "\n  ".join(changed[:LIST_LIMIT])
        more = f"\n  … and {len(changed) - LIST_LIMIT} more" if len(changed) > LIST_LIMIT else ""
        raise UncommittedChangesError(
            f"The code in {repo} has uncommitted changes, and recorded tasks run only on committed "
            f'code (on_changed = "error"):\n  {shown}{more}\n'
            'Commit them; or set on_changed = "store-diff" in [sumatra] of smttask.toml to record '
            "the diff instead; or list directories that may change (notebooks, reports) in "
            "allow_dirty there.",
            changed,
        )
    excludes = [f":(top,exclude){p}" for p in allow_dirty]
    diff = git(repo, "diff", "HEAD", "--no-color", "--no-ext-diff", "--", ":(top)", *excludes)
    if untracked_main:
        diff += git(
            repo,
            "diff",
            "--no-index",
            "--no-color",
            "--",
            os.devnull,
            untracked_main,
            ok_codes=(0, 1),
        )
    return CodeState(repo, commit, tuple(changed), diff)


def _status(repo: Path) -> tuple[str, list[str]]:
    out = git(repo, "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=no")
    commit = ""
    changed: list[str] = []
    fields = iter(out.split("\0"))
    for entry in fields:
        if entry.startswith("# branch.oid "):
            commit = entry[len("# branch.oid ") :]
        elif entry.startswith("1 "):
            changed.append(entry.split(" ", 8)[8])
        elif entry.startswith("2 "):
            changed.append(entry.split(" ", 9)[9])
            next(fields, None)  # the original path of a rename
        elif entry.startswith("u "):
            changed.append(entry.split(" ", 10)[10])
    if not commit or commit == "(initial)":
        raise NoCommitError(
            f"The repository {repo} has no commit yet, so a record could not name the code version. "
            "Commit your code (`git add` + `git commit`), then run the task again."
        )
    return commit, changed


def _allowed(path: str, allow_dirty: Sequence[str]) -> bool:
    return any(path == a or path.startswith(a + "/") for a in allow_dirty)


def _untracked_main(repo: Path, main_file: Path | None) -> str | None:
    if main_file is None:
        return None
    try:
        rel = main_file.resolve().relative_to(repo).as_posix()
    except ValueError:
        return None  # the task's module lives outside the repository (an installed package)
    key = (str(repo), rel)
    if key in _tracked:
        return None
    if git(repo, "ls-files", "-z", "--", f":(top){rel}").strip("\0"):
        _tracked.add(key)
        return None
    return rel
