"""The errors smttask-snakemake raises, each deriving from :class:`smttask.errors.SmttaskError`."""

from __future__ import annotations

from smttask.errors import SmttaskError


class SnakemakeBridgeError(SmttaskError):
    """Base class of the errors of smttask-snakemake."""


class ResourceError(SnakemakeBridgeError, ValueError):
    """Per-task resources (a task type's ``@resources`` or a task file's ``"resources"``) are not usable."""


class NoMarkerError(SnakemakeBridgeError):
    """The storage backend keeps results where Snakemake cannot see them (it has no marker file)."""


class UnusablePathError(SnakemakeBridgeError, ValueError):
    """A path cannot be written into a Snakefile (Snakemake would read its braces as wildcards)."""


class TaskFileLoadError(SnakemakeBridgeError):
    """A task file given to a Snakefile helper cannot be loaded; the message is smttask's one-line error."""
