"""Reading a Sumatra project's settings (``.smt/project``) without importing Sumatra.

The file is Sumatra's own JSON; reading it directly costs a millisecond, where
``sumatra.projects.load_project`` imports Sumatra and probes git.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import NoSumatraProjectError, SumatraError, UnsupportedRecordStoreError
from .location import ServerStore, StoreLocation

SMT_DIR = ".smt"
PROJECT_FILE = "project"
STORE_FILE = "records"
SPOOL_DIR = "spool"
DJANGO_STORE = "sumatra.recordstore.django_store.DjangoRecordStore"


def project_file(root: Path) -> Path:
    """Where Sumatra keeps the project settings of the project at *root*."""
    return root / SMT_DIR / PROJECT_FILE


def has_project(root: Path) -> bool:
    """Whether *root* holds a Sumatra project."""
    return project_file(root).is_file()


@dataclass(frozen=True)
class SumatraProject:
    """The settings of a Sumatra project that recording and browsing need."""

    #: Directory holding ``.smt/``.
    root: Path
    #: Sumatra's project name (records are stored under it).
    name: str
    #: The record store: its SQLite file, or its PostgreSQL database.
    store: StoreLocation
    #: Root of the output data store (smttask's data directory).
    data_root: Path
    #: Root relative to which input data paths are recorded.
    input_root: Path
    #: The git working copy holding the code, if the project names one.
    repository: Path | None
    #: Sumatra's code-change policy: ``"error"`` or ``"store-diff"``.
    on_changed: str

    @property
    def spool_dir(self) -> Path:
        """Where records that could not be written to the store wait for ``smttask project flush``."""
        return self.root / SMT_DIR / SPOOL_DIR

    @classmethod
    def load(cls, root: Path) -> SumatraProject:
        """Read ``root/.smt/project``; a missing or unreadable file is a clear error."""
        path = project_file(root)
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NoSumatraProjectError(root) from None
        except (OSError, ValueError) as exc:
            raise SumatraError(
                f"{path} cannot be read as a Sumatra project file ({exc}). Restore it from a backup, "
                "or move .smt/ away and run `smttask project init` again."
            ) from None
        name = state.get("name")
        if not isinstance(name, str) or not name:
            raise SumatraError(
                f"{path} has no project name. Run `smt configure` or `smttask project init` again."
            )
        return cls(
            root=root,
            name=name,
            store=_store_location(root, path, state.get("record_store")),
            data_root=_datastore_root(state.get("data_store"), root / "data"),
            input_root=_datastore_root(state.get("input_datastore"), root),
            repository=_repository(state.get("default_repository")),
            on_changed=state.get("on_changed") or "error",
        )


def _store_location(root: Path, project_path: Path, store: Any) -> StoreLocation:
    default = root / SMT_DIR / STORE_FILE
    if store in (None, "default"):
        return default
    kind = store.get("type") if isinstance(store, dict) else type(store).__name__
    if kind != DJANGO_STORE or not isinstance(store.get("db_file"), str):
        raise UnsupportedRecordStoreError(
            f"{project_path}: the record store is {kind!r}; smttask-sumatra writes only Sumatra's "
            f"Django store ({DJANGO_STORE}) on SQLite or PostgreSQL. Run `smt configure --store "
            f".smt/records` in {root}."
        )
    db_file = store["db_file"]
    if db_file.startswith(("mysql", "mariadb")):
        raise UnsupportedRecordStoreError(
            f"{project_path}: the record store is the MySQL server {db_file.split('@')[-1]!r}; "
            "smttask-sumatra writes Sumatra's store on SQLite or PostgreSQL. "
            f"Run `smt configure --store .smt/records` in {root}."
        )
    if "://" in db_file:
        return ServerStore.parse(db_file)
    path = Path(db_file).expanduser()
    if not path.is_absolute():
        path = root / path
    if not path.exists() and default.exists():
        return default  # the project was moved: Sumatra stores an absolute path
    return path


def _datastore_root(store: Any, default: Path) -> Path:
    if isinstance(store, dict) and isinstance(store.get("root"), str):
        return Path(store["root"]).expanduser()
    return default


def _repository(repo: Any) -> Path | None:
    if isinstance(repo, dict) and isinstance(repo.get("url"), str) and "://" not in repo["url"]:
        return Path(repo["url"]).expanduser()
    return None
