"""Errors and warnings of smttask-sumatra.

Each error names the value that is wrong and says what to do. All derive from
:class:`smttask.SmttaskError`, so ``except SmttaskError`` catches them too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from smttask.errors import ConfigError, SmttaskError, SmttaskWarning

if TYPE_CHECKING:
    from .location import ServerStore


class SumatraError(SmttaskError):
    """Base class of every error raised by smttask-sumatra."""


class SumatraConfigError(SumatraError, ConfigError):
    """A setting in the ``[sumatra]`` table of the project configuration is invalid."""


class NoSumatraProjectError(SumatraError, LookupError):
    """There is no Sumatra project (``.smt/project``) where one was expected."""

    def __init__(self, root: Path) -> None:
        super().__init__(
            f"No Sumatra project in {root} (no {root / '.smt' / 'project'}). "
            "Run `smttask project init` there to create one."
        )
        self.root = root


class ProjectExistsError(SumatraError, FileExistsError):
    """``smttask project init`` was asked to create a project where one exists."""


class NotAGitRepositoryError(SumatraError, ValueError):
    """The project's code is not in a git working copy."""


class InvalidProjectNameError(SumatraError, ValueError):
    """A project name Sumatra cannot store."""


class UnsupportedRecordStoreError(SumatraError, ValueError):
    """The Sumatra project uses a record store smttask-sumatra cannot write (only SQLite is supported)."""


class UncommittedChangesError(SumatraError, RuntimeError):
    """A recorded task was run with uncommitted code changes and the policy is ``error``."""

    def __init__(self, message: str, changed: list[str]) -> None:
        super().__init__(message)
        self.changed = changed


class NoCommitError(SumatraError, RuntimeError):
    """The project's repository has no commit yet, so a record has no code version."""


class GitError(SumatraError, RuntimeError):
    """A git command needed for recording failed."""


class RecordNotFoundError(SumatraError, KeyError):
    """No record has the requested label."""

    def __init__(self, label: str, project: str) -> None:
        super().__init__(
            f"No record labelled '{label}' in Sumatra project '{project}'. "
            "List the labels with `smttask records`."
        )
        self.label = label

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class RecordFilterError(SumatraError, ValueError):
    """A filter of a :class:`~smttask_sumatra.RecordStoreView` got a value it cannot use (a date, a status)."""


class FilterArgumentError(SumatraError, TypeError):
    """A filter was called wrongly: an unknown comparison, no tag, a bad ``record_filter`` function."""


class RecordEditError(SumatraError, RuntimeError):
    """Records could not be changed (tags) or removed; the message says which were, and which not."""


class RecordStoreError(SumatraError, RuntimeError):
    """The record store cannot take a record now; the record is spooled instead."""


class RecordStoreBusyError(RecordStoreError):
    """The record store stayed locked by other writers through every retry."""


class RecordStoreUnreachableError(RecordStoreBusyError):
    """The record store's database server did not answer through every retry."""


class RecordStoreCorruptError(RecordStoreError):
    """The record store file exists but is not a usable Sumatra store (empty, not SQLite, truncated, malformed).

    It is never replaced or repaired in place: the message says how to recover.
    """

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The record store {path} is corrupt ({detail}); smttask leaves it untouched, and "
            "records are spooled meanwhile, not lost. To recover, restore it from a backup, or move "
            f"it aside (mv {path} {path}.corrupt) and run `smttask project flush --create-store` "
            "to start an empty store holding the spooled records."
        )
        self.path = path
        self.detail = detail


class RecordStoreMissingError(RecordStoreError):
    """The project names a record store file that does not exist."""

    def __init__(self, path: Path | ServerStore, detail: str | None = None) -> None:
        if detail is not None:
            message = f"The record store {path} is not ready ({detail}); records are spooled meanwhile, not lost."
        else:
            message = (
                f"The record store {path} does not exist; records are spooled meanwhile, not lost. "
                "Restore it from a backup, or run `smttask project flush --create-store` to start an "
                "empty store holding the spooled records."
            )
        super().__init__(message)
        self.path = path


class RecordStoreExistsError(SumatraError, FileExistsError):
    """A new record store was asked for where a file already is (a store is never replaced)."""


class RecordStoreUnwritableError(RecordStoreError):
    """The record store cannot be written: a read-only or full filesystem, or no permission."""


class MigrationError(SumatraError, RuntimeError):
    """The lab book could not be moved to another store; the project still records where it did."""


class MergeError(SumatraError, RuntimeError):
    """A record store could not be merged into the project's (not a store, or the project's own)."""


class RecordingUnavailableError(SumatraError, RuntimeError):
    """A recorded task refused to run: its record could be neither saved nor spooled anywhere."""


class SpoolFileError(SumatraError, ValueError):
    """A spooled record file cannot be read back."""


class SpoolWriteError(SumatraError, OSError):
    """No spool directory could take a record."""


class RecordingWarning(SmttaskWarning):
    """Something went wrong while writing a record; the task's result is unaffected."""


class RecordSpooledWarning(RecordingWarning):
    """The record store could not be written, so the record was saved under ``.smt/spool``."""
