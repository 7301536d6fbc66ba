"""Exception and warning classes raised by smttask.

Every error names the offending value and says what to do about it. All derive
from :class:`SmttaskError` so callers can catch smttask's errors as a group.
"""

from __future__ import annotations

from pathlib import Path

# -------------------------------------------------------------------------
# Bases
# -------------------------------------------------------------------------


class SmttaskError(Exception):
    """Base class of every error raised by smttask."""


class SmttaskWarning(UserWarning):
    """Base class of every warning emitted by smttask."""


class OptionalDependencyError(SmttaskError, ImportError):
    """A feature needs a package that is not installed; the message names the extra to install."""


# -------------------------------------------------------------------------
# Declaring tasks, parameter collections, seed generators and types
# -------------------------------------------------------------------------


class DefinitionError(SmttaskError, TypeError):
    """A task, parameter collection, seed generator or type is declared in a way smttask cannot use."""


class TaskDefinitionError(DefinitionError):
    """A function or class cannot be turned into a task (e.g. a missing annotation)."""


class ParamCollError(SmttaskError, ValueError):
    """A parameter collection cannot be built or expanded as asked."""


class ExpansionArgumentError(SmttaskError, TypeError):
    """``expand()`` or an expansion method of a parameter collection got arguments it cannot use."""


class SeedError(SmttaskError, TypeError):
    """A value cannot serve as a seed, or a seed generator is used as it cannot be."""


class WorkflowError(SmttaskError, RuntimeError):
    """A workflow module cannot be run with the parameters given."""


# -------------------------------------------------------------------------
# Inputs, outputs and their serialization
# -------------------------------------------------------------------------


class TaskInputError(SmttaskError, ValueError):
    """The inputs given to a task do not match its signature or types."""


class InvalidValueError(SmttaskError, ValueError):
    """A value does not match its annotation; the message is pydantic's complaint in one line.

    Raised by :class:`smttask.validation.Validator`; tasks turn it into a
    :class:`TaskInputError` or :class:`TaskOutputError` naming the input or output.
    """


class TaskOutputError(SmttaskError, ValueError):
    """A task returned a value that does not match its declared outputs.

    The computed value is kept in :attr:`result`, so a long computation is never lost.
    """

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


class SerializationError(SmttaskError, TypeError):
    """A value cannot be written as JSON data or keyed (e.g. an object array)."""


class UnserializableValueError(SerializationError):
    """A value has a type for which no serializer is registered."""

    def __init__(self, value_type: type, where: str = "") -> None:
        qualified = f"{value_type.__module__}.{value_type.__qualname__}"
        location = f" (in {where})" if where else ""
        super().__init__(
            f"Cannot serialize a value of type '{qualified}'{location}: smttask has no "
            "serializer for it. Use a supported type (see smttask.typing), or register "
            "one with smttask.typing.register_serializer(...) or the "
            "'smttask_value_serializers' plugin hook."
        )
        self.value_type = value_type


class NotPureError(SmttaskError, TypeError):
    """A function not marked pure is used where only a :class:`~smttask.typing.PureFunction` may be."""


class DeserializationError(SmttaskError, ValueError):
    """Serialized data cannot be turned back into a value."""


class MissingArrayError(DeserializationError):
    """A task file or record refers to a stored array that is not in this project's data directory."""


class SerializerConflictError(SmttaskError, ValueError):
    """A serializer is registered under a name another serializer already has."""


# -------------------------------------------------------------------------
# Configuration and plugins
# -------------------------------------------------------------------------


class ConfigError(SmttaskError, ValueError):
    """The project configuration is invalid."""


class PluginNotFoundError(SmttaskError, LookupError):
    """A component (storage backend, recorder, executor, ...) was requested by an unknown name."""

    def __init__(self, kind: str, name: str, available: list[str]) -> None:
        choices = ", ".join(sorted(available)) or "none installed"
        super().__init__(
            f"No {kind} named '{name}'. Available: {choices}. Install the plugin that "
            f"provides it, or set another {kind} in the project configuration."
        )
        self.kind, self.name, self.available = kind, name, available


class PluginConflictError(SmttaskError):
    """Two installed plugins provide a component under the same name."""


class ComponentError(SmttaskError):
    """A plugin named a component (``Component(name, "module:Class")``) that is malformed or does not load."""


# -------------------------------------------------------------------------
# Task files
# -------------------------------------------------------------------------


class TaskFileError(SmttaskError, ValueError):
    """A task file cannot be turned back into a task. Subclasses say why."""

    def __init__(self, source: str | Path, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = str(source)
        self.problem = problem


class MalformedTaskFileError(TaskFileError):
    """The task file is not valid JSON or lacks required fields."""


class TaskFileVersionError(TaskFileError):
    """The task file was written in a format version this smttask cannot read."""


class UnknownTaskError(TaskFileError):
    """The module or task named in a task file cannot be found."""


class TaskFileInputError(TaskFileError):
    """The inputs in a task file are invalid for the task they name."""


class TaskKeyMismatchError(TaskFileError):
    """The key recomputed from a task file differs from the key stored in it."""


# -------------------------------------------------------------------------
# Results and storage
# -------------------------------------------------------------------------


class ResultNotFoundError(SmttaskError, LookupError):
    """A task has no stored result to read (it never ran, or its kind is never stored)."""


class CorruptResultError(SmttaskError):
    """A stored result cannot be read, or belongs to another key.

    Storage backends and output formats raise it; the engine then warns with
    :class:`CorruptResultWarning` and recomputes.
    """


class ClaimTimeoutError(SmttaskError, TimeoutError):
    """Waited too long for another process computing the same task."""


class GarbageCollectionError(SmttaskError):
    """``smttask store gc`` cannot run: the storage backend cannot list its results, or a pin is unreadable."""


class StorageFullError(SmttaskError, OSError):
    """The disk (or quota) filled up while a result was being written; nothing was stored."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(
            f"no space left on device while writing {path}: nothing was stored. Free space on that "
            "filesystem (`smttask clean` removes what interrupted runs left behind) or point the "
            "project's `data` setting at a larger one, then run again."
        )
        self.path = str(path)

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return type(self), (self.path,)


# -------------------------------------------------------------------------
# Helpers (smttask.utils)
# -------------------------------------------------------------------------


class DurationError(SmttaskError, ValueError):
    """A duration text (``1h30m``, ``90s``, ``2 days``) cannot be read."""


class SizeError(SmttaskError, ValueError):
    """A size text (``50G``, ``500MB``, ``2GiB``) cannot be read."""


# -------------------------------------------------------------------------
# Warnings
# -------------------------------------------------------------------------


class CorruptResultWarning(SmttaskWarning):
    """A stored result was unreadable or did not match its key; it is being recomputed."""


class NotRecordingWarning(SmttaskWarning):
    """A recorded task ran, but no recorder is installed or configured."""


class UnpureKeyChangedWarning(SmttaskWarning):
    """An unpure task was recomputed and its output (hence its key) changed."""


class CodeChangedWarning(SmttaskWarning):
    """A stored result was used although the code of its task changed since it was stored (``on_code_change``)."""


class PluginLoadWarning(SmttaskWarning):
    """An installed plugin failed to load; smttask runs without it."""


class MainModuleTaskWarning(SmttaskWarning):
    """A task defined in ``__main__`` was saved: no other process can import it by name."""


class WorkflowParameterWarning(SmttaskWarning):
    """A parameter given to :func:`~smttask.run_workflow` is not defined by the workflow module."""
