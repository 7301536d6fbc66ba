"""``smttask store merge SOURCE...``: copy the records of other SQLite record stores into the project's.

A source is a Sumatra SQLite store holding records of this project (one
written with ``smttask run --record-store PATH``, or another machine's
``.smt/records``). Each record missing from the project's store is copied
with Sumatra's own API and read back; a record already there is counted; a
different record under a label the project's store already has is reported
and never overwritten. A source is removed (``--clean``) only when every one
of its records reads back identical from the project's store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import MergeError
from .migrate import fingerprint, read_records

if TYPE_CHECKING:
    from .store import RecordStore


@dataclass
class SourceReport:
    """What merging one source did."""

    source: Path
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    #: Labels the project's store holds for a different record (nothing copied for them).
    conflicts: list[str] = field(default_factory=list)
    removed: bool = False


def merge_store(target: RecordStore, source: Path, *, clean: bool = False) -> SourceReport:
    """Copy the project's records in the SQLite store *source* into its store *target* (see the module)."""
    source = source.absolute()
    if not source.is_file():
        raise MergeError(f"{source}: no such record store file; give the path of an SQLite record store.")
    if isinstance(target.location, Path) and source.resolve() == target.location.resolve():
        raise MergeError(f"{source} is the project's own record store; give another store to merge into it.")
    reading = target.elsewhere(source)
    try:
        originals = read_records(reading)
    except Exception as exc:  # noqa: BLE001 - Django/SQLite (or our store checks) say why it is no record store
        detail = getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"
        raise MergeError(
            f"{source} cannot be read as a Sumatra record store ({detail}); nothing was merged."
        ) from None
    report = SourceReport(source)
    present = {r.label: fingerprint(r) for r in read_records(target)}
    for record in originals:
        there = present.get(record.label)
        if there is None:
            target.save(record, new=False)
            report.copied.append(record.label)
        elif there == fingerprint(record):
            report.already_there.append(record.label)
        else:
            report.conflicts.append(record.label)
    if clean and not report.conflicts:
        copies = {r.label: fingerprint(r) for r in read_records(target)}
        if all(copies.get(r.label) == fingerprint(r) for r in originals):
            source.unlink()
            report.removed = True
    return report
