"""The local read cache: remote result files kept on this machine, by content hash, within a byte bound.

A file is stored as ``<cache_dir>/<xxh3_128[:2]>/<xxh3_128>.<ext>`` once its bytes have
been hashed to the digest the result's manifest records, so a name is only ever given
to the right bytes, and a result rewritten remotely (a new manifest, a new hash) never
reads an old copy. Reading a cached file goes through the output format, which hashes
it again (a damaged copy is dropped and fetched anew). Least recently used files are
removed when a new one comes in, until the cache holds at most ``cache_bytes`` besides
the files of the result being stored or loaded.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from smttask.files import TEMP_SUFFIX, abandoned, make_dirs, temp_name, temp_tag

#: A temporary file of another host's process (a cache directory in a shared home) is left this long (s).
_FOREIGN_TEMP_AGE = 86400.0


class ReadCache:
    """Content-addressed copies of remote files under *directory*, at most *limit* bytes."""

    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = directory
        self.limit = limit

    def path(self, digest: str, extension: str) -> str:
        return os.path.join(self.directory, digest[:2], f"{digest}.{extension}")

    def hit(self, digest: str, extension: str) -> str | None:
        """The cached copy's path (its use time refreshed), or None."""
        path = self.path(digest, extension)
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def temp(self) -> str:
        """A new temporary path inside the cache (same filesystem as its entries: moving one in is a rename).

        Named like every smttask temporary file, so ``smttask clean``'s rules apply: the caller removes
        it when anything goes wrong."""
        make_dirs(self.directory)
        return os.path.join(self.directory, temp_name("incoming", temp_tag()))

    def add(self, tmp: str, digest: str, extension: str) -> str:
        """Move the verified file *tmp* into the cache as *digest*; return its path."""
        path = self.path(digest, extension)
        make_dirs(os.path.dirname(path))
        os.replace(tmp, path)
        return path

    def drop(self, path: str) -> None:
        with suppress(FileNotFoundError):
            os.unlink(path)

    def size(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def _entries(self) -> list[tuple[float, int, str]]:
        found = []
        try:
            subdirs = list(os.scandir(self.directory))
        except FileNotFoundError:
            return found
        for sub in subdirs:
            if not sub.is_dir() or len(sub.name) != 2:
                continue
            for entry in os.scandir(sub.path):
                with suppress(FileNotFoundError):
                    st = entry.stat()
                    found.append((st.st_mtime, st.st_size, entry.path))
        return found

    def remove_abandoned(self) -> None:
        """Remove temporary files of writers that are gone (a process killed while storing or fetching)."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return
        for name in names:
            path = os.path.join(self.directory, name)
            if name.startswith(".") and name.endswith(TEMP_SUFFIX) and abandoned(path, _FOREIGN_TEMP_AGE):
                self.drop(path)

    def make_room(self, incoming: int, keep: set[str]) -> None:
        """Remove least recently used files until *incoming* more bytes fit (never those in *keep*)."""
        self.remove_abandoned()
        entries = sorted(e for e in self._entries() if e[2] not in keep)
        total = sum(size for _, size, _ in entries) + incoming
        for _, size, path in entries:
            if total <= self.limit:
                break
            self.drop(path)
            total -= size
