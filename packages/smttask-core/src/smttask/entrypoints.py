"""The installed smttask plugins (entry-point group ``smttask``), found once per environment.

Scanning the metadata of every installed distribution costs tens of
milliseconds, paid by every short script, every CLI worker and every cluster
job. What it finds depends only on what is installed, so it is kept in a small
JSON file under the user's cache directory, keyed by the interpreter,
``sys.path`` and the modification times of the ``sys.path`` directories:
installing or removing a distribution adds or removes a ``*.dist-info``
directory, which changes its directory's time, and so the key. A missing,
stale, damaged or unwritable cache only costs the scan. Set
``SMTTASK_PLUGIN_CACHE=0`` to scan every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

GROUP = "smttask"
#: Seconds after which another environment's cache file is removed when a new one is written.
STALE_AFTER = 30 * 24 * 3600
#: Set to ``0`` to scan the installed distributions in every process.
CACHE_VARIABLE = "SMTTASK_PLUGIN_CACHE"
_FORMAT = 1


@dataclass(frozen=True)
class PluginEntry:
    """One installed plugin: its name, its ``module[:attribute]`` and the distribution providing it."""

    name: str
    value: str
    distribution: str

    def load(self) -> object:
        """The plugin object (importing its module)."""
        import importlib

        module_name, _, attribute = self.value.partition(":")
        plugin: object = importlib.import_module(module_name.strip())
        for part in attribute.strip().split(".") if attribute.strip() else ():
            plugin = getattr(plugin, part)
        return plugin


def installed_plugins(*, fresh: bool = False) -> list[PluginEntry]:
    """The plugins installed in this environment (from the cache unless *fresh* or it is stale)."""
    path = None if os.environ.get(CACHE_VARIABLE) == "0" else _cache_path()
    if path is not None and not fresh:
        cached = _read(path)
        if cached is not None:
            return cached
    found = _scan()
    if path is not None:
        _write(path, found)
    return found


def _scan() -> list[PluginEntry]:
    from importlib.metadata import entry_points

    return [
        PluginEntry(ep.name, ep.value, ep.dist.name if ep.dist is not None else "?")
        for ep in entry_points(group=GROUP)
    ]


def _environment_key() -> str:
    parts = [sys.executable, sys.prefix, *sys.path]
    for entry in sys.path:
        try:
            parts.append(str(os.stat(entry or ".").st_mtime_ns))
        except OSError:
            parts.append("-")
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()


def _cache_path() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    return Path(base) / "smttask" / f"plugins-{_environment_key()}.json"


def _read(path: Path) -> list[PluginEntry] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            return None
        return [PluginEntry(str(e["name"]), str(e["value"]), str(e["distribution"])) for e in data["plugins"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write(path: Path, plugins: list[PluginEntry]) -> None:
    from ._files import write_atomic

    data = {"format": _FORMAT, "plugins": [asdict(p) for p in plugins]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data).encode("utf-8"))
        for old in path.parent.glob("plugins-*.json"):  # keys of environments since changed
            if old != path and time.time() - old.stat().st_mtime > STALE_AFTER:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: scanning each time is correct, only slower
