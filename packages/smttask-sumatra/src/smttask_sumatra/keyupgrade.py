"""Bringing data keys of records written before smttask-sumatra 0.3 into the form Sumatra's tools read.

Older records carried the file's XXH3-128 hash as the key's digest and a
creation time with microseconds: ``smtweb`` answered HTTP 500 on their data
file pages (it cannot parse the microseconds) and 404 on downloads (it checks
the digest as SHA-1). :func:`upgrade_data_keys` (``smttask store upgrade-keys``)
rounds every creation time down to whole seconds and, where the file is still
there with the same XXH3-128 hash, replaces the digest by its SHA-1, keeping
the XXH3-128 hash in the metadata. A file that is gone or changed keeps its old
digest: nothing is claimed that was not checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import djangodb
from .datakeys import XXH3, file_hashes

if TYPE_CHECKING:
    from .store import RecordStore

#: The metadata entry older records used to name their digest's hash.
OLD_HASH_ENTRY = "hash"


@dataclass
class KeyUpgradeReport:
    """What :func:`upgrade_data_keys` changed."""

    #: Keys whose creation time was rounded to whole seconds.
    rounded: int = 0
    #: Keys whose XXH3-128 digest was replaced by the file's SHA-1.
    rehashed: int = 0
    #: Paths of keys left with their XXH3-128 digest (file missing, or changed since).
    unverified: list[str] | None = None


def upgrade_data_keys(store: RecordStore) -> KeyUpgradeReport:
    """Upgrade every data key of the project's records in *store*; see the module docstring."""
    from django.db.models import Q
    from sumatra.recordstore.django_store import models

    report = KeyUpgradeReport(unverified=[])
    project = store.project_name
    with store.session(), djangodb.atomic():
        keys = models.DataKey.objects.using("default").filter(
            Q(output_from_record__project_id=project) | Q(input_to_records__project_id=project)
        ).distinct()
        for key in keys:
            changed = False
            if key.creation is not None and key.creation.microsecond:
                key.creation = key.creation.replace(microsecond=0)
                report.rounded += 1
                changed = True
            metadata = key.get_metadata()
            if metadata.get(OLD_HASH_ENTRY) == XXH3:
                sha1 = _verified_sha1(key, metadata)
                if sha1 is None:
                    report.unverified.append(key.path)
                else:
                    metadata.pop(OLD_HASH_ENTRY)
                    metadata[XXH3] = key.digest
                    key.digest = sha1
                    key.metadata = json.dumps(metadata)
                    report.rehashed += 1
                    changed = True
            if changed:
                key.save(using="default")
    return report


def _verified_sha1(key: Any, metadata: dict[str, Any]) -> str | None:
    """The SHA-1 of the file *key* names, if it is there with the XXH3-128 hash the key recorded."""
    for root in _roots(key):
        path = Path(root) / key.path
        try:
            stat = path.stat()
        except OSError:
            continue
        hashes = file_hashes(path, stat.st_size, stat.st_mtime_ns)
        if hashes.xxh3_128 == key.digest:
            return hashes.sha1
    return None


def _roots(key: Any) -> list[str]:
    """Where the file of *key* may be: its record's data store, or its readers' input data store."""
    roots = []
    if key.output_from_record is not None:
        roots.append(key.output_from_record.datastore.access_parameters().get("root", ""))
    for record in key.input_to_records.all():
        roots.append(record.input_datastore.access_parameters().get("root", ""))
    return [root for root in dict.fromkeys(roots) if root]
