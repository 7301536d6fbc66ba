"""Canaries outside the project, and a snapshot of a directory tree: the evidence of a side effect.

Every hostile payload aims at the canaries: it would create :attr:`Canaries.file`,
delete the :attr:`Canaries.precious` directory or the :attr:`Canaries.victim`
file, or run a command mentioning them, if smttask ever called what a task file
names. Their directory's name is the *marker* the audit hook looks for.
"""

from __future__ import annotations

import base64
import os
import pickle
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Directory names never compared by :func:`snapshot` (smttask may write there, or Python caches bytecode).
UNWATCHED = ("data", ".smttask", "__pycache__")


def _malicious_pickle(command: str) -> bytes:
    """Protocol-0 pickle text that would run ``os.system(command)`` when unpickled (never done here)."""
    return f"cos\nsystem\n(S{command!r}\ntR.".encode()


@dataclass(frozen=True)
class Canaries:
    """A directory outside every project, planted with things a payload would create or destroy."""

    root: Path

    @classmethod
    def plant(cls, parent: Path) -> Canaries:
        canaries = cls(parent / f"smttask-fuzz-canary-{uuid.uuid4().hex[:12]}")
        (canaries.precious).mkdir(parents=True)
        (canaries.precious / "keep.txt").write_text("keep me\n")
        canaries.victim.write_text("do not remove\n")
        return canaries

    @property
    def marker(self) -> str:
        return self.root.name

    @property
    def file(self) -> Path:
        """Must never exist: every 'create' payload would make it."""
        return self.root / "CANARY"

    @property
    def precious(self) -> Path:
        """Must survive: every 'delete a tree' payload names it."""
        return self.root / "precious"

    @property
    def victim(self) -> Path:
        """Must survive: every 'remove a file' payload names it."""
        return self.root / "victim.txt"

    def problems(self) -> list[str]:
        """What a payload did to the canaries (empty if nothing)."""
        found = []
        if self.file.exists():
            found.append(f"{self.file} was created")
        if not (self.precious / "keep.txt").is_file():
            found.append(f"{self.precious} was deleted")
        if not self.victim.is_file():
            found.append(f"{self.victim} was removed")
        return found

    def payload(self, token: str) -> Any:
        """The JSON value of payload *token* (see :data:`PAYLOAD_TOKENS`)."""
        file, precious = str(self.file), str(self.precious)
        values: dict[str, Any] = {
            "shell": f"touch {file}",
            "shell-rm": f"rm -rf {precious}",
            "argv": ["touch", file],
            "python": f"open({file!r}, 'w').close()",
            "python-rm": f"__import__('shutil').rmtree({precious!r})",
            "tree": precious,
            "file": str(self.victim),
            "create": file,
            "dir": str(self.root),
            "url": f"file://{file}",
            "pickle": base64.b64encode(_malicious_pickle(f"touch {file}")).decode("ascii"),
            "pickle-typed": {"$type": "bytes", "value": base64.b64encode(pickle.dumps(file)).decode("ascii")},
            "kwargs": {"command": f"touch {file}", "args": ["touch", file], "path": precious,
                       "source": f"open({file!r}, 'w').close()", "url": f"file://{file}"},
        }
        return values[token]


#: Names of the payloads a hostile file can carry (values depend on where the canaries are).
PAYLOAD_TOKENS = (
    "shell", "shell-rm", "argv", "python", "python-rm", "tree", "file", "create", "dir", "url",
    "pickle", "pickle-typed", "kwargs",
)


def snapshot(root: Path) -> dict[str, tuple[str, int, int]]:
    """``{relative path: (kind, size, mtime_ns)}`` of everything under *root* but :data:`UNWATCHED` dirs.

    Compared before and after a run, it shows any file created, changed or
    removed outside smttask's data directory and ``.smttask``.
    """
    found: dict[str, tuple[str, int, int]] = {}
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in UNWATCHED]
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            kind = "dir" if name in dirs else "file"
            size = 0 if kind == "dir" else info.st_size
            found[os.path.relpath(path, root)] = (kind, size, 0 if kind == "dir" else info.st_mtime_ns)
    return found


def tree_changes(before: dict[str, tuple[str, int, int]], after: dict[str, tuple[str, int, int]]) -> list[str]:
    """Human-readable differences between two :func:`snapshot` results."""
    changes = [f"created {p}" for p in sorted(after.keys() - before.keys())]
    changes += [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    changes += [f"changed {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return changes
