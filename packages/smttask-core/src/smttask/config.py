"""Project configuration, read from ``smttask.toml`` or ``[tool.smttask]`` in ``pyproject.toml``."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

CONFIG_FILE = "smttask.toml"


_POSITIVE = {"claim_heartbeat", "claim_stale_after"}
_NON_NEGATIVE = {"memory_cache_size", "memory_cache_bytes", "claim_timeout", "array_inline_max", "result_inline_max"}
_CHOICES = {"on_code_change": ("warn", "recompute", "ignore")}


@dataclass(frozen=True)
class Config:
    """Settings of one project. Every field has a default, so no file is needed."""

    #: Directory (relative to the project root) where results are stored.
    data: str = "data"
    #: Storage backend name (built-in: ``local``).
    storage: str = "local"
    #: Where a storage backend that is not on this disk keeps results (a URL, e.g. ``sftp://host/path``).
    storage_url: str = ""
    #: Recorder name; ``auto`` uses the one installed recorder available here, ``none`` records nothing.
    recorder: str = "auto"
    #: Executor used to run many tasks (built-in: ``processes``, ``inline``).
    executor: str = "processes"
    #: How many results the in-memory tier keeps.
    memory_cache_size: int = 256
    #: How many bytes the results in the in-memory tier may hold (default 1 GiB).
    memory_cache_bytes: int = 1 << 30
    #: Seconds between touches of a claim file while its task computes.
    claim_heartbeat: float = 10.0
    #: Seconds without a touch after which another process takes a claim over.
    claim_stale_after: float = 60.0
    #: Seconds to wait for another process computing the same task (0: no limit).
    claim_timeout: float = 0.0
    #: Directory (relative to the project root) of pinned task files, whose results ``smttask store gc`` keeps.
    pinned: str = "pinned"
    #: What a stored result does when the task's code changed since it was stored: ``warn`` (use it, with a
    #: :class:`~smttask.errors.CodeChangedWarning`), ``recompute`` or ``ignore`` (see docs/why.md).
    on_code_change: str = "warn"
    #: Largest array input (in bytes) a task file holds inline; larger ones are stored once under
    #: ``<data>/.arrays/`` and referenced by hash (default 1 MiB; see docs/taskfiles.md).
    array_inline_max: int = 1 << 20
    #: Largest JSON result output (in bytes) the ``local`` backend keeps inside the result's manifest instead
    #: of a file of its own: one file to write and read per small result (default 4 KiB; 0: always a file).
    result_inline_max: int = 4096
    #: Extra settings for plugins, by plugin name (e.g. ``[tool.smttask.sumatra]``).
    plugins: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_mapping(cls, mapping: dict[str, Any], source: str) -> Config:
        """Validate *mapping*: unknown keys, wrong types and out-of-range values are
        errors naming *source*. Tables (``[name]``) are settings of the plugin *name*."""
        known = {f.name: f for f in dataclasses.fields(cls) if f.name != "plugins"}
        values: dict[str, Any] = {}
        plugins: dict[str, Any] = {}
        for key, value in mapping.items():
            if isinstance(value, dict):
                plugins[key] = value
                continue
            field = known.get(key)
            if field is None:
                raise ConfigError(
                    f"{source}: unknown setting '{key}'. Known settings: {', '.join(sorted(known))}."
                )
            expected = type(getattr(cls(), key))
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
                raise ConfigError(
                    f"{source}: setting '{key}' must be a {expected.__name__}, got {value!r}."
                )
            if key in _POSITIVE and value <= 0 or key in _NON_NEGATIVE and value < 0:
                bound = "greater than 0" if key in _POSITIVE else "0 or more"
                raise ConfigError(f"{source}: setting '{key}' must be {bound}, got {value!r}.")
            if key in _CHOICES and value not in _CHOICES[key]:
                raise ConfigError(
                    f"{source}: setting '{key}' must be one of {', '.join(map(repr, _CHOICES[key]))}, got {value!r}."
                )
            values[key] = value
        return cls(**values, plugins=plugins)


def load_config(root: Path) -> Config:
    """The configuration of the project at *root* (defaults if it has none)."""
    path = root / CONFIG_FILE
    if path.is_file():
        return Config.from_mapping(_read_toml(path), str(path))
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        section = _read_toml(pyproject).get("tool", {}).get("smttask")
        if section is not None:
            return Config.from_mapping(section, f"{pyproject} [tool.smttask]")
    return Config()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def find_project_root(start: Path) -> Path | None:
    """The nearest directory at or above *start* holding an smttask or Sumatra project."""
    for directory in (start, *start.parents):
        if (directory / CONFIG_FILE).is_file() or (directory / ".smt").is_dir():
            return directory
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "[tool.smttask" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return directory
    return None
