"""Installed plugins are found once per environment: later processes read a small cache, never a stale one."""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
from pathlib import Path

import pytest

from smttask import entrypoints
from smttask.entrypoints import CACHE_VARIABLE, PluginEntry, installed_plugins
from smttask.errors import PluginLoadWarning
from smttask.plugins import make_plugin_manager


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(CACHE_VARIABLE, raising=False)
    return tmp_path / "cache" / "smttask"


def refuse_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> list:
        raise AssertionError("the installed distributions were scanned")

    monkeypatch.setattr(importlib.metadata, "entry_points", refuse)


def test_the_second_look_reads_the_cache_instead_of_scanning(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = installed_plugins()
    assert {p.name for p in first} >= {"sumatra", "cli"}  # this workspace installs them
    (written,) = cache.glob("plugins-*.json")
    assert json.loads(written.read_text())["plugins"]
    refuse_scans(monkeypatch)
    assert installed_plugins() == first
    assert make_plugin_manager().get_plugin("sumatra") is not None


def test_installing_something_changes_the_key(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    installed_plugins()
    (site / "newpkg-1.0.dist-info").mkdir()  # what an install adds: the directory's time changes
    os.utime(site, ns=(site.stat().st_atime_ns, site.stat().st_mtime_ns + 10**9))
    scans = []
    real = importlib.metadata.entry_points
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kw: scans.append(kw) or real(**kw))
    installed_plugins()
    assert scans == [{"group": "smttask"}]
    assert len(list(cache.glob("plugins-*.json"))) == 2


def test_a_directory_without_metadata_leaves_the_key_alone(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project (or script) directory first on sys.path, written to, reuses the cache: no scan, no new file."""
    first = installed_plugins()
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.syspath_prepend(str(project))
    (project / "tasks.py").write_text("x = 1\n")  # the directory's time changes
    refuse_scans(monkeypatch)
    assert installed_plugins() == first
    assert len(list(cache.glob("plugins-*.json"))) == 1


def test_a_damaged_or_unwritable_cache_only_costs_a_scan(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = installed_plugins()
    (written,) = cache.glob("plugins-*.json")
    written.write_text('{"format": 1, "plugins": [{"name": 5}]')
    assert installed_plugins() == expected
    monkeypatch.setenv("XDG_CACHE_HOME", str(written))  # a file where the directory should be
    assert installed_plugins() == expected


def test_the_cache_can_be_turned_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, "0")
    installed_plugins()
    assert not cache.exists()


def test_a_plugin_uninstalled_since_the_cache_was_written_is_not_blamed(
    cache: Path, monkeypatch: pytest.MonkeyPatch, recwarn: pytest.WarningsRecorder
) -> None:
    real = installed_plugins()
    ghost = PluginEntry("ghost", "no_such_module_xyz", "ghost-dist")
    monkeypatch.setattr(entrypoints, "_read", lambda path: [*real, ghost])  # a cache from before the uninstall
    manager = make_plugin_manager()
    assert manager.get_plugin("ghost") is None and manager.get_plugin("sumatra") is not None
    assert not [w for w in recwarn if issubclass(w.category, PluginLoadWarning)]


def test_entries_load_module_attributes() -> None:
    assert PluginEntry("x", "smttask.entrypoints:PluginEntry", "d").load() is PluginEntry
    assert PluginEntry("x", "os", "d").load() is sys.modules["os"]
