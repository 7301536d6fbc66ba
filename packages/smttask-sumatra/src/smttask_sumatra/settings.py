"""The ``[sumatra]`` settings of a project (``smttask.toml`` or ``[tool.smttask.sumatra]``).

Every setting has a default, so the table is optional. Unknown keys and wrong
types are errors naming the key, so a typo never silently changes behaviour.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import SumatraConfigError

if TYPE_CHECKING:
    from smttask.config import Config

#: Where the settings live, for error messages.
SOURCE = "the [sumatra] table of smttask.toml (or [tool.smttask.sumatra] in pyproject.toml)"
#: The code-change policies, with Sumatra's own names (``smt configure --on-changed``).
POLICIES = ("error", "store-diff")
#: Largest array input (bytes) a record's parameters hold inline: 128 float64 values.
ARRAY_INLINE_MAX = 1024


@dataclass(frozen=True)
class SumatraSettings:
    """How recorded runs are written. See docs/recording.md for each setting."""

    #: What to do when a recorded task runs with uncommitted changes: ``"error"``
    #: refuses to run, ``"store-diff"`` records the diff. ``None``: use the Sumatra
    #: project's own ``on_changed`` (set by ``smttask project init``).
    on_changed: str | None = None
    #: Paths (relative to the repository root) whose changes never count as code
    #: changes, e.g. ``["notebooks", "reports/"]``.
    allow_dirty: tuple[str, ...] = ()
    #: Capture what the task prints (stdout and stderr) into the record.
    capture_output: bool = True
    #: At most this many characters of output are kept (the start and the end).
    max_output: int = 1_000_000
    #: Seconds one attempt waits for a record store locked by another writer.
    busy_timeout: float = 10.0
    #: Attempts to write a record (with growing pauses) before it is spooled to disk.
    save_attempts: int = 5
    #: Directory under the data directory with links to each task's latest outputs
    #: (``""`` turns the links off).
    latest_dir: str = "latest"
    #: The record store, overriding ``.smt/project``'s: a ``postgresql://USER@HOST[:PORT]/DB``
    #: URL (no password) or an SQLite file relative to the project (``None``: ``.smt/project``'s).
    store: str | None = None
    #: Largest array input (in bytes) a record's parameters hold inline; a larger one is stored once
    #: under ``<data>/.arrays/``, referenced by dtype, shape and hash, and listed as input data.
    array_inline_max: int = ARRAY_INLINE_MAX

    @classmethod
    def from_config(cls, config: Config) -> SumatraSettings:
        """Read and validate the ``sumatra`` plugin table of *config*."""
        table = config.plugins.get("sumatra", {})
        return cls.from_mapping(table)

    @classmethod
    def from_mapping(cls, table: dict[str, Any]) -> SumatraSettings:
        """Validate *table*; an unknown key or a wrong type raises :class:`SumatraConfigError`."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in fields:
                raise SumatraConfigError(
                    f"{SOURCE}: unknown setting '{key}'. Known settings: {', '.join(sorted(fields))}."
                )
            values[key] = _check(key, value)
        return cls(**values)


def _check(key: str, value: Any) -> Any:
    def fail(expected: str) -> SumatraConfigError:
        return SumatraConfigError(f"{SOURCE}: setting '{key}' must be {expected}, got {value!r}.")

    if key == "on_changed":
        if value not in POLICIES:
            raise fail(" or ".join(f'"{p}"' for p in POLICIES))
        return value
    if key == "allow_dirty":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail('a list of paths relative to the repository root, e.g. ["notebooks"]')
        return tuple(_normalize_dir(v) for v in value)
    if key == "capture_output":
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if key in ("max_output", "save_attempts", "array_inline_max"):
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < (1 if key == "save_attempts" else 0)
        ):
            raise fail(
                "a positive whole number" if key == "save_attempts" else "a whole number >= 0"
            )
        return value
    if key == "busy_timeout":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise fail("a number of seconds >= 0")
        return float(value)
    if key == "latest_dir":
        if not isinstance(value, str) or value.startswith(("/", "..")):
            raise fail('a directory name relative to the data directory (or "" for none)')
        return value
    if key == "store":
        if not isinstance(value, str) or not value.strip():
            raise fail("a postgresql://USER@HOST[:PORT]/DATABASE URL or an SQLite file path")
        if "://" in value:
            from .location import ServerStore

            ServerStore.parse(value)  # a malformed URL, or one holding a password, is an error now
        return value
    raise AssertionError(key)  # pragma: no cover - every field is handled above


def _normalize_dir(path: str) -> str:
    return path.strip().replace("\\", "/").strip("/")
