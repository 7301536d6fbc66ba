"""The local backend's claim on computing one result, which cleans what a dead writer of it left.

Apart from :mod:`smttask.storage.local`, so a process that only loads results
never imports the claim machinery.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .claim import LOCK_SUFFIX, Claim, ClaimInfo
from .cleanup import remove_unvouched, remove_writer_files
from .layout import CLAIM_SUFFIX, MANIFEST_SUFFIX

if TYPE_CHECKING:
    from .local import LocalStorage


class ResultClaim(Claim):
    """The claim on computing one result; it cleans what a dead writer of that result left.

    While held, the result's files are written under the claim's tag, so a
    process taking over this claim after this one died knows their names.
    """

    def __init__(self, storage: LocalStorage, directory: str, key: str, files: list[str],
                 done: Callable[[], bool], **options: Any) -> None:
        super().__init__(f"{directory}{os.sep}{key}{CLAIM_SUFFIX}", done, **options)
        self._storage = storage
        self._directory = directory
        self._key = key
        self._files = files  # the outputs this key may have, in every format

    def on_acquired(self) -> None:
        self._storage.note_claim(self._directory, self._key, self.tag)
        try:
            remove_unvouched(self._directory, f"{self._key}{MANIFEST_SUFFIX}", self._files)
        except OSError:  # cleaning is a courtesy; computing goes on
            pass

    def on_released(self) -> None:
        self._storage.note_claim(self._directory, self._key, None)

    def on_taken_over(self, stale: ClaimInfo) -> None:
        claim = f"{self._key}{CLAIM_SUFFIX}"
        names = [*self._files, f"{self._key}{MANIFEST_SUFFIX}", claim, claim + LOCK_SUFFIX]
        try:
            remove_writer_files(self._directory, names, stale)
        except OSError:
            pass
