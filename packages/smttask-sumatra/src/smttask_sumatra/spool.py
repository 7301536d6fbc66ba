"""Records that could not be written to the store wait as JSON files under ``.smt/spool/``.

A record is never lost: when the store stays locked (or unwritable) through
every retry, the recorder writes the record here in Sumatra's own JSON record
format, and ``smttask project flush`` imports it later. A flush claims each
file by renaming it first, so two flushes never import one record twice.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RecordStoreBusyError, SpoolFileError

if TYPE_CHECKING:
    from .smtproject import SumatraProject
    from .store import RecordStore

FORMAT = "smttask-sumatra-spool"
VERSION = 1
SUFFIX = ".json"


def spool_record(smt: SumatraProject, record: Any, *, label_reserved: bool) -> Path:
    """Write *record* under ``.smt/spool/`` atomically; return the file.

    *label_reserved* says whether a first version of the record (``_running_``)
    is already in the store under its label, so the import replaces it.
    """
    from ._imports import load_sumatra

    load_sumatra()
    from sumatra.recordstore.serialization import encode_record

    directory = smt.spool_dir
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "project": smt.name,
        "label_reserved": label_reserved,
        "record": json.loads(encode_record(record)),
    }
    target = directory / f"{record.label}.{uuid.uuid4().hex[:8]}{SUFFIX}"
    tmp = directory / f".{target.name}.tmp"
    try:
        tmp.write_text(json.dumps(document, indent=1), encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def pending(smt: SumatraProject) -> list[Path]:
    """Spooled record files waiting to be imported, oldest label first."""
    if not smt.spool_dir.is_dir():
        return []
    return sorted(
        p for p in smt.spool_dir.iterdir() if p.suffix == SUFFIX and not p.name.startswith(".")
    )


def read_spooled(path: Path, *, shown_as: Path | None = None) -> tuple[Any, bool]:
    """The record in a spool file and whether its label is reserved; :class:`SpoolFileError` if unreadable.

    *shown_as* is the name used in the error (the file's name before a flush claimed it).
    """
    from ._imports import load_sumatra

    load_sumatra()
    from sumatra.recordstore.serialization import build_record

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT or document.get("version") != VERSION:
            raise ValueError(f"not a version-{VERSION} {FORMAT} file")
        return build_record(document["record"]), bool(document.get("label_reserved"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SpoolFileError(
            f"{shown_as or path} cannot be imported ({exc}). Inspect it; delete it once its record is no longer wanted."
        ) from None


@dataclass
class FlushReport:
    """What ``flush`` did."""

    imported: list[str] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def flush(store: RecordStore) -> FlushReport:
    """Import every spooled record into *store*; each imported file is deleted.

    A file that cannot be read is left in place and reported. If the store is
    still busy, the files not yet imported stay for a later flush and
    :class:`RecordStoreBusyError` is raised.
    """
    report = FlushReport()
    for path in pending(store.smt):
        claimed = path.with_name(f".{path.name}.{os.getpid()}.flushing")
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            continue  # another flush took it
        try:
            record, reserved = read_spooled(claimed, shown_as=path)
            label = store.save(record, new=not reserved)
        except SpoolFileError as exc:
            os.rename(claimed, path)
            report.failed.append((path, str(exc)))
            continue
        except BaseException:
            os.rename(claimed, path)
            raise
        claimed.unlink()
        report.imported.append(label)
    return report


__all__ = [
    "FlushReport",
    "RecordStoreBusyError",
    "flush",
    "pending",
    "read_spooled",
    "spool_record",
]
