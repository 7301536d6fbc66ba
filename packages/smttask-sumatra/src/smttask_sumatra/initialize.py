"""``smttask project init``: create a Sumatra project for an smttask project.

Creates ``.smt/project`` (Sumatra's own settings file, so ``smt`` commands
work), the SQLite record store ``.smt/records`` with Sumatra's tables, the
data directory, ``.gitignore`` entries for both and for ``.smttask/`` (failure logs), and the ``[sumatra]`` table of
``smttask.toml``. Refuses outside a git repository and where a project exists.
"""

from __future__ import annotations

import json
import platform
import re
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from smttask.config import CONFIG_FILE, load_config

from ._imports import git_repository_class, load_sumatra
from .djangodb import create_store, database
from .errors import InvalidProjectNameError, ProjectExistsError, SumatraConfigError
from .gitstate import git, repository_root
from .location import ServerStore, StoreLocation
from .servercheck import classify_server, unreachable
from .settings import POLICIES
from .smtproject import SMT_DIR, STORE_FILE, project_file
from .store import sumatra_django_store

_NAME = re.compile(r"\w[\w\- ]*")


@dataclass
class InitResult:
    """What :func:`init_project` created, and what the user should do next."""

    root: Path
    name: str
    repository: Path
    data_dir: Path
    #: The record store: its SQLite file, or the PostgreSQL database it is in.
    store_path: StoreLocation
    config_file: Path | None
    gitignore: Path | None
    notes: list[str] = field(default_factory=list)


def default_name(root: Path) -> str:
    """A valid project name derived from the directory name."""
    name = re.sub(r"[^\w\- ]+", "-", root.resolve().name).strip("- ")
    return name or "project"


def check_name(name: str) -> str:
    """*name* if Sumatra can store it; :class:`InvalidProjectNameError` otherwise."""
    if not _NAME.fullmatch(name):
        raise InvalidProjectNameError(
            f"Invalid project name {name!r}: use letters, digits, '_', '-' and spaces, starting with "
            f"a letter or digit (e.g. {default_name(Path(name or 'project'))!r})."
        )
    return name


def default_data(root: Path) -> str:
    """The data directory the project's configuration already names, else ``data``."""
    return load_config(root).data


def init_project(
    root: Path,
    *,
    name: str | None = None,
    data: str | None = None,
    repository: Path | None = None,
    on_changed: str = "error",
    allow_dirty: Sequence[str] = (),
    description: str = "",
    store: str | None = None,
) -> InitResult:
    """Create the Sumatra project at *root*; see the module docstring.

    *store* puts the records in a database on a PostgreSQL server
    (``postgresql://USER@HOST[:PORT]/DATABASE``, the password in PGPASSWORD or
    ~/.pgpass); Sumatra's tables are created there unless they exist.
    Default: the SQLite file ``.smt/records``.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise FileNotFoundError(
            f"Cannot create a project in {root}: no such directory. Create it first."
        )
    existing = project_file(root)
    if existing.exists():
        raise ProjectExistsError(
            f"A Sumatra project already exists in {root} ({existing}). Use it as it is, or move "
            f"{root / SMT_DIR} away to start a new one."
        )
    repo = repository_root(Path(repository).expanduser().resolve() if repository else root)
    name = check_name(name if name is not None else default_name(root))
    if on_changed not in POLICIES:
        raise SumatraConfigError(
            f"Invalid code-change policy {on_changed!r}: choose {' or '.join(repr(p) for p in POLICIES)}."
        )
    git_repository_class()  # Sumatra's git support must load before anything is written
    configured_data = default_data(root)
    data = data if data is not None else configured_data
    config_file, notes = _write_config(root, data, configured_data, on_changed, allow_dirty)
    data_dir = (root / data).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = ServerStore.parse(store) if store is not None else None
    if server is not None:
        _prepare_server(server)
    store_path: StoreLocation = server if server is not None else root / SMT_DIR / STORE_FILE
    (root / SMT_DIR).mkdir(exist_ok=True)
    _write_sumatra_project(root, name, repo, data_dir, store_path, on_changed, description)
    if server is None:
        create_store(root / SMT_DIR / STORE_FILE)
    # .smttask/ holds `smttask run`'s failure logs and task durations: local state, like the lab book and results.
    gitignore = _ignore(root, [f"/{SMT_DIR}/", "/.smttask/", *_relative_entry(root, data_dir)])
    if not git(repo, "rev-parse", "--verify", "-q", "HEAD", ok_codes=(0, 1)).strip():
        notes.append(
            f"The repository {repo} has no commit yet: commit your code before running recorded tasks."
        )
    changed = [p.name for p in (gitignore, config_file) if p is not None]
    if changed:
        notes.append(
            f"Commit {' and '.join(changed)} (`git add {' '.join(changed)} && git commit`): recorded "
            "tasks refuse to run while the code has uncommitted changes."
        )
    return InitResult(root, name, repo, data_dir, store_path, config_file, gitignore, notes)


def _prepare_server(server: ServerStore) -> None:
    """Connect to the server store and create Sumatra's tables there unless they exist (before anything is written)."""
    from django.db import DatabaseError

    try:
        with database(server, create=True):
            pass
    except DatabaseError as exc:
        raise classify_server(exc, server) or unreachable(server, 1, exc) from None


def _write_config(
    root: Path, data: str, configured_data: str, on_changed: str, allow_dirty: Sequence[str]
) -> tuple[Path | None, list[str]]:
    """Write or extend ``smttask.toml``; never edits ``pyproject.toml`` (a note says what to add)."""
    path = root / CONFIG_FILE
    pyproject = root / "pyproject.toml"
    in_pyproject = (
        not path.is_file()
        and pyproject.is_file()
        and "smttask" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    )
    sumatra_table = (
        f"on_changed = {json.dumps(on_changed)}\nallow_dirty = {json.dumps(list(allow_dirty))}\n"
    )
    if in_pyproject:
        notes = []
        if data != configured_data:
            raise SumatraConfigError(
                f"{pyproject} [tool.smttask] sets data = {configured_data!r}, but --data is {data!r}. "
                "Change it there, or omit --data."
            )
        if allow_dirty:
            notes.append(f"Add to {pyproject.name}:\n[tool.smttask.sumatra]\n{sumatra_table}")
        return None, notes
    if not path.is_file():
        path.write_text(
            "# smttask project settings; see docs/recording.md for the [sumatra] table.\n"
            f"data = {json.dumps(data)}\n\n[sumatra]\n{sumatra_table}",
            encoding="utf-8",
        )
        return path, []
    text = path.read_text(encoding="utf-8")
    table = tomllib.loads(text)
    if data != configured_data:
        raise SumatraConfigError(
            f"{path} gives data = {configured_data!r} (the default if unset), but --data is {data!r}. "
            "Set data there, or omit --data."
        )
    if "sumatra" in table:
        return None, [f"{path.name} already has a [sumatra] table; it was left as it is."]
    path.write_text(text.rstrip("\n") + f"\n\n[sumatra]\n{sumatra_table}", encoding="utf-8")
    return path, []


def _write_sumatra_project(
    root: Path,
    name: str,
    repo: Path,
    data_dir: Path,
    store_path: StoreLocation,
    on_changed: str,
    description: str,
) -> None:
    """Write ``.smt/project`` with Sumatra's own classes, exactly as ``smt init`` would."""
    load_sumatra()
    import sumatra
    from sumatra.core import TIMESTAMP_FORMAT
    from sumatra.datastore import FileSystemDataStore
    from sumatra.launch import SerialLaunchMode
    from sumatra.programs import PythonExecutable
    from sumatra.projects import Project
    from sumatra.recordstore.django_store import DjangoRecordStore

    store = sumatra_django_store(store_path, DjangoRecordStore)
    project = Project.__new__(Project)  # __init__ works in the current directory and prints
    project.path = str(root)
    project.name = name
    project.default_executable = PythonExecutable(sys.executable, version=platform.python_version())
    project.default_repository = git_repository_class()(str(repo))
    project.default_main_file = None
    project.default_launch_mode = SerialLaunchMode(working_directory=str(root))
    project.data_store = FileSystemDataStore(str(data_dir))
    project.input_datastore = FileSystemDataStore(str(root))
    project.record_store = store
    project.on_changed = on_changed
    project.description = description
    project.data_label = None
    project.label_generator = "timestamp"
    project.timestamp_format = TIMESTAMP_FORMAT
    project.sumatra_version = sumatra.__version__
    project.allow_command_line_parameters = True
    project.ignore_parameters = False
    project._most_recent = None
    project.plugins = []
    project.save()


def _relative_entry(root: Path, directory: Path) -> list[str]:
    try:
        return [f"/{directory.relative_to(root).as_posix()}/"]
    except ValueError:
        return []  # outside the project: nothing to ignore here


def _ignore(root: Path, entries: list[str]) -> Path | None:
    """Append the missing *entries* to ``root/.gitignore``; the file if it changed."""
    path = root / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    present = {line.strip().strip("/") for line in text.splitlines()}
    missing = [e for e in entries if e.strip("/") not in present]
    if not missing:
        return None
    prefix = "" if not text or text.endswith("\n") else "\n"
    block = "# smttask: the lab book, the results and the run logs\n" + "\n".join(missing) + "\n"
    path.write_text(text + prefix + block, encoding="utf-8")
    return path
