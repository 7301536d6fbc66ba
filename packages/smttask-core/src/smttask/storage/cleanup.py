"""Removing what interrupted runs left in the local data directory, and nothing else.

An interrupted writer can leave temporary files (``.<name>.<pid>-<host>.<tag>.tmp``,
up to the size of its largest output), output files without the manifest that
would vouch for them (killed, or out of disk space, between the two), a stale
claim, or a takeover lock. Two cleaners remove them:

- when a key is claimed, :func:`remove_writer_files` deletes the temporary
  files of the dead holder whose claim was taken over (their names follow from
  its claim), and :func:`remove_unvouched` the key's output files when it has
  no manifest: a few ``stat`` calls, no directory listing;
- ``smttask clean`` (:func:`find_leftovers`) walks every task directory.

Neither ever removes a file a manifest names, nor a temporary file whose writer
may be alive (see :func:`smttask.files.abandoned`), and an output file is only
removed while holding its key's claim, so no writer can be storing it then.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CorruptResultError
from ..files import TEMP_SUFFIX, abandoned, host_id, parse_temp_name, temp_name, temp_tag
from .claim import LOCK_SUFFIX, Claim, ClaimInfo, inspect_claim, remove_if_unchanged
from .formats import parse_json, read_bytes
from .layout import CLAIM_SUFFIX, MANIFEST_SUFFIX, USED_SUFFIX
from .manifest import entry_files

if TYPE_CHECKING:
    from .inventory import Leftover

_KEY = re.compile(r"[0-9a-f]{32}(?:__[A-Za-z_]\w*_\d+)?")


def _unlink(path: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


def remove_writer_files(directory: str, names: Iterable[str], stale: ClaimInfo) -> None:
    """Remove the temporary files the holder of the stale claim *stale* may have left for *names*."""
    tag = stale.tag
    if tag is None:  # it died before writing its claim, so before writing anything
        return
    for name in names:
        _unlink(os.path.join(directory, temp_name(name, tag)))


def remove_unvouched(directory: str, manifest: str, outputs: Iterable[str]) -> None:
    """Remove the output files *outputs* of a key whose manifest does not exist (call holding its claim)."""
    if os.path.exists(os.path.join(directory, manifest)):
        return
    for name in outputs:
        path = os.path.join(directory, name)
        if os.path.lexists(path):  # a lookup; removing a missing file would lock the directory
            _unlink(path)


def candidate_keys(name: str) -> list[str]:
    """The keys a file *name* of the layout may belong to (``<key>.<ext>`` or ``<key>_<output>.<ext>``).

    An iterative key (``<digest>__<parameter>_<count>``) followed by ``_<output>``
    can be read more than one way; every reading is returned.
    """
    return [name[:i] for i, char in enumerate(name) if char in "._" and _KEY.fullmatch(name[:i])]


def _vouched(directory: str, manifest_name: str) -> set[str] | None:
    """The file names a manifest lists, or None if it cannot be read (then its key's files are kept)."""
    try:
        path = os.path.join(directory, manifest_name)
        return set(entry_files(path, parse_json(read_bytes(path))))
    except FileNotFoundError:
        return set()
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, CorruptResultError):
        return None


def file_size(path: str) -> int:
    """The size of the file at *path* (0 if it is gone)."""
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0


def find_leftovers(root: Path, stale_after: float, *, dry_run: bool) -> list[Leftover]:
    """What interrupted runs left in every task directory under *root*; removed unless *dry_run*."""
    found: list[Leftover] = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        if entry.is_dir():
            # A dot directory is no task's (stored arrays, ``.arrays``): only its temporary files are leftovers.
            found.extend(_clean_directory(entry.path, stale_after, dry_run, outputs=not entry.name.startswith(".")))
    return found


def _clean_directory(directory: str, stale_after: float, dry_run: bool, *, outputs: bool = True) -> list[Leftover]:
    # Imported here: every miss imports this module for its claim's clean-up, and needs no records.
    from .inventory import Leftover

    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    found: list[Leftover] = []

    def remove(name: str, why: str, size: int | None = None) -> None:
        path = os.path.join(directory, name)
        size = file_size(path) if size is None else size
        if not dry_run:
            _unlink(path)
        found.append(Leftover(Path(path), size, why))

    # Temporary files whose writer is gone.
    mine = host_id()
    for name in names:
        if name.startswith(".") and name.endswith(TEMP_SUFFIX) and abandoned(os.path.join(directory, name), stale_after):
            writer = parse_temp_name(name)
            if writer is not None and writer.host == mine:
                why = f"temporary file of process {writer.pid}, which is gone"
            else:
                why = f"temporary file untouched for over {stale_after:g} s"
            remove(name, why)

    # Takeover locks and claims whose holder is gone.
    for name in names:
        path = os.path.join(directory, name)
        if name.endswith(CLAIM_SUFFIX + LOCK_SUFFIX):
            info = inspect_claim(path)
            if info is not None and info.stale(stale_after):
                size = file_size(path)
                if dry_run or remove_if_unchanged(path, info, temp_tag()):
                    found.append(Leftover(Path(path), size, "takeover lock of a process that is gone"))
        elif name.endswith(CLAIM_SUFFIX) and not name.startswith("."):
            info = inspect_claim(path)
            if info is not None and info.stale(stale_after):
                size = file_size(path)
                claim = Claim(Path(path), lambda: False, stale_after=stale_after)
                if dry_run or claim.try_acquire():
                    claim.release()
                    found.append(Leftover(Path(path), size, "claim of a process that is gone"))

    if not outputs:
        return found
    # Output files no manifest vouches for.
    listed = set(names)
    vouched: set[str] = set()
    unreadable: set[str] = set()
    for name in names:
        if name.endswith(MANIFEST_SUFFIX):
            files = _vouched(directory, name)
            if files is None:
                unreadable.add(name[: -len(MANIFEST_SUFFIX)])
            else:
                vouched |= files
                vouched.add(name[: -len(MANIFEST_SUFFIX)] + USED_SUFFIX)
    for name in names:
        if name.startswith(".") or name in vouched or name.endswith((MANIFEST_SUFFIX, CLAIM_SUFFIX, LOCK_SUFFIX)):
            continue
        keys = candidate_keys(name)
        if not keys or unreadable.intersection(keys) or not os.path.isfile(os.path.join(directory, name)):
            continue
        if dry_run:
            live = [k for k in keys if f"{k}{CLAIM_SUFFIX}" in listed and _live(directory, k, stale_after)]
            if not live:
                remove(name, "output file that no manifest lists")
            continue
        with ExitStack() as held:
            claims = [Claim(Path(directory, f"{k}{CLAIM_SUFFIX}"), lambda: False, stale_after=stale_after)
                      for k in keys]
            if not all(claim.try_acquire() for claim in claims):
                for claim in claims:
                    claim.release()
                continue
            for claim in claims:
                held.callback(claim.release)
            # Under the claims no writer stores these keys: look at their manifests once more.
            if any(_still_needed(directory, k, name) for k in keys):
                continue
            remove(name, "output file that no manifest lists")
    return found


def _live(directory: str, key: str, stale_after: float) -> bool:
    info = inspect_claim(os.path.join(directory, f"{key}{CLAIM_SUFFIX}"))
    return info is not None and not info.stale(stale_after)


def _still_needed(directory: str, key: str, name: str) -> bool:
    files = _vouched(directory, f"{key}{MANIFEST_SUFFIX}")
    if name == key + USED_SUFFIX:
        return os.path.exists(os.path.join(directory, f"{key}{MANIFEST_SUFFIX}"))
    return files is None or name in files
