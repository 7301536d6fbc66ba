"""The installed smttask plugins (entry-point group ``smttask``), found once per environment.

Scanning the metadata of every installed distribution costs tens of
milliseconds, paid by every short script, every CLI worker and every cluster
job. What it finds depends only on what is installed, so it is kept in a small
JSON file under the user's cache directory, keyed by the interpreter and
the ``sys.path`` directories holding distribution metadata, with their
modification times: installing or removing a distribution adds or removes a
``*.dist-info`` directory, which changes its directory's time, and so the key.
A directory without metadata (a project or a script's directory, which
``smttask`` puts first on ``sys.path``) is left out, so working in a new
project, or writing files in it, reuses the cache. A missing,
stale, damaged or unwritable cache only costs the scan. Set
``SMTTASK_PLUGIN_CACHE=0`` to scan every time.

The cache also remembers which hooks each plugin implements, learnt the first
time it is loaded, with the modification time of the file defining it: the
plugin manager then imports a plugin only when one of those hooks is first used
(:mod:`smttask.lazyplugins`). Editing that file (an editable install) makes the
plugin load at once again, and be learnt anew.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from .hashes import blake2b

GROUP = "smttask"
#: Seconds after which another environment's cache file is removed when a new one is written.
STALE_AFTER = 30 * 24 * 3600
#: Set to ``0`` to scan the installed distributions in every process.
CACHE_VARIABLE = "SMTTASK_PLUGIN_CACHE"
#: Names of the distribution metadata directories a scan reads.
_METADATA_SUFFIXES = (".dist-info", ".egg-info")
_FORMAT = 2


class PluginEntry(NamedTuple):
    """One installed plugin: its name, its ``module[:attribute]`` and the distribution providing it.

    Once loaded, also the hooks it implements, the file defining it and that
    file's modification time (``None`` until then). A named tuple, as it is
    defined on the way to every first result (a frozen dataclass costs ~0.4 ms more).
    """

    name: str
    value: str
    distribution: str
    hooks: tuple[str, ...] | None = None
    source: str | None = None
    source_mtime_ns: int | None = None

    def known_hooks(self) -> tuple[str, ...] | None:
        """The hooks this plugin implements, if learnt from the file that still defines it unchanged."""
        if self.hooks is None or self.source is None:
            return None
        try:
            changed = os.stat(self.source).st_mtime_ns != self.source_mtime_ns
        except OSError:
            return None
        return None if changed else self.hooks

    def learnt(self, plugin: object, hooks: tuple[str, ...]) -> PluginEntry:
        """This entry, knowing that its loaded *plugin* implements *hooks*."""
        module = plugin if isinstance(plugin, ModuleType) else sys.modules.get(getattr(plugin, "__module__", ""))
        source = getattr(module, "__file__", None)
        try:
            mtime = os.stat(source).st_mtime_ns if source else None
        except OSError:
            mtime = None
        if mtime is None:
            return self
        return PluginEntry(self.name, self.value, self.distribution, tuple(hooks), source, mtime)

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


def remember(plugins: list[PluginEntry]) -> None:
    """Write *plugins* (what :func:`installed_plugins` gave, some now knowing their hooks) to the cache."""
    path = None if os.environ.get(CACHE_VARIABLE) == "0" else _cache_path()
    if path is not None:
        _write(path, plugins)


def _scan() -> list[PluginEntry]:
    from importlib.metadata import entry_points

    return [
        PluginEntry(ep.name, ep.value, ep.dist.name if ep.dist is not None else "?")
        for ep in entry_points(group=GROUP)
    ]


def _environment_key() -> str:
    parts = [sys.executable, sys.prefix]
    for entry in sys.path:
        stamp = _metadata_stamp(entry)
        if stamp is not None:
            parts += [entry, stamp]
    return blake2b("\0".join(parts).encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()


def _metadata_stamp(entry: str) -> str | None:
    """The modification time of the ``sys.path`` *entry*, or ``None`` for a directory holding no distribution metadata.

    What a scan finds comes only from ``*.dist-info`` and ``*.egg-info`` in the
    entries (or inside zip files); a directory gaining one is keyed from then on.
    A missing entry is ``"-"``: one appearing later changes the key.
    """
    try:
        if os.path.isdir(entry or "."):
            with os.scandir(entry or ".") as found:
                if not any(item.name.endswith(_METADATA_SUFFIXES) for item in found):
                    return None
        return str(os.stat(entry or ".").st_mtime_ns)
    except OSError:
        return "-"


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
        return [_entry(e) for e in data["plugins"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _entry(data: dict[str, object]) -> PluginEntry:
    hooks, source, mtime = data.get("hooks"), data.get("source"), data.get("source_mtime_ns")
    learnt = isinstance(hooks, list) and isinstance(source, str) and isinstance(mtime, int)
    return PluginEntry(
        str(data["name"]),
        str(data["value"]),
        str(data["distribution"]),
        tuple(str(h) for h in hooks) if learnt else None,  # type: ignore[union-attr]
        source if learnt else None,  # type: ignore[arg-type]
        mtime if learnt else None,  # type: ignore[arg-type]
    )


def _write(path: Path, plugins: list[PluginEntry]) -> None:
    from .files import write_atomic

    data = {"format": _FORMAT, "plugins": [p._asdict() for p in plugins]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data).encode("utf-8"))
        for old in path.parent.glob("plugins-*.json"):  # keys of environments since changed
            if old != path and time.time() - old.stat().st_mtime > STALE_AFTER:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: scanning each time is correct, only slower
