"""``smttask store migrate --to URL``: move a project's SQLite lab book into a PostgreSQL database.

Every record is copied with Sumatra's own API (so the server store holds what
``smt`` itself would have written), then read back from the server and
compared with the original, field by field. Only when every record matches
does the project switch: ``.smt/project`` then names the server store. The
SQLite file is left as it was, as a backup. Running it again after an
interruption copies what is missing; a record already on the server under the
same label but different is reported, never overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smttask.files import write_atomic

from .errors import MigrationError
from .location import ServerStore
from .smtproject import project_file

if TYPE_CHECKING:
    from .smtproject import SumatraProject
    from .store import RecordStore


@dataclass
class MigrationReport:
    """What :func:`migrate_store` did."""

    target: ServerStore
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)


def migrate_store(source: RecordStore, url: str) -> MigrationReport:
    """Copy every record of the SQLite store *source* to the server store *url*, verify, and switch the project."""
    smt, settings = source.smt, source.settings
    if isinstance(source.location, ServerStore):
        raise MigrationError(
            f"The project's records are already on a server ({source.location}); migrate moves an "
            "SQLite lab book."
        )
    if settings.store is not None:
        raise MigrationError(
            f"smttask.toml sets [sumatra] store = {settings.store!r}: remove that setting first, so "
            "that after the move .smt/project alone says where the records are."
        )
    target_location = ServerStore.parse(url)
    target = source.elsewhere(target_location)
    if target.missing():
        target.create()
    report = MigrationReport(target_location)
    originals = read_records(source)
    present = {r.label: r for r in read_records(target)}
    for record in originals:
        there = present.get(record.label)
        if there is None:
            target.save(record, new=False)
            report.copied.append(record.label)
        elif fingerprint(there) == fingerprint(record):
            report.already_there.append(record.label)
        else:
            raise MigrationError(
                f"{target_location} already holds a different record labelled {record.label} in "
                f"project '{smt.name}'; nothing was switched. Migrate into an empty database, or "
                "remove that record there."
            )
    copies = {r.label: r for r in read_records(target)}
    for record in originals:
        copy = copies.get(record.label)
        if copy is None or fingerprint(copy) != fingerprint(record):
            raise MigrationError(
                f"Record {record.label} reads back differently from {target_location}; nothing was "
                "switched: the project still records in its SQLite store."
            )
    _switch(smt, target_location)
    return report


def read_records(store: RecordStore) -> list[Any]:
    """Every record of the project in *store*, oldest first."""
    with store.session() as sumatra_store:
        return sorted(sumatra_store.list(store.project_name), key=lambda r: (r.timestamp, r.label))


def fingerprint(record: Any) -> tuple[Any, ...]:
    """What must be equal in a record and its copy (here, and when stores are merged)."""

    def keys(data: Any) -> list[tuple[str, str, str]]:
        return sorted((k.path, k.digest, str(k.creation)) for k in data)

    return (
        record.label,
        record.timestamp,
        record.reason,
        record.outcome,
        record.duration,
        record.main_file,
        record.version,
        record.script_arguments,
        record.stdout_stderr,
        record.diff,
        record.user,
        record.repeats,
        json.dumps(record.parameters.as_dict(), sort_keys=True) if record.parameters else None,
        sorted(record.tags),
        keys(record.input_data),
        keys(record.output_data),
        sorted((d.name, d.version) for d in record.dependencies),
    )


def _switch(smt: SumatraProject, target: ServerStore) -> None:
    """Name *target* as the record store in ``.smt/project`` (written atomically)."""
    path = project_file(smt.root)
    state = json.loads(path.read_text(encoding="utf-8"))
    store = state.get("record_store")
    if not isinstance(store, dict):
        store = {"type": "sumatra.recordstore.django_store.DjangoRecordStore"}
    store["db_file"] = target.url
    state["record_store"] = store
    write_atomic(path, (json.dumps(state, indent=2) + "\n").encode("utf-8"))
