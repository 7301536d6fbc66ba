"""Plugins and components load when first needed: a hook may name a component, a plugin may wait for its hooks."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from core_tasks import Add

from smttask import Component, Project, hookimpl
from smttask.config import Config
from smttask.errors import ComponentError, PluginConflictError
from smttask.plugins import components_by_name, make_plugin_manager, select
from smttask.storage import LocalStorage


class NamedStorage(LocalStorage):
    name = "named-storage"


class MisnamedStorage(LocalStorage):
    name = "another-name"


def fake_module(name: str, **attributes: object) -> types.ModuleType:
    module = types.ModuleType(name)
    vars(module).update(attributes)
    return module


def test_a_hook_naming_its_backend_gives_the_class_only_when_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "throwaway_backends", fake_module("throwaway_backends", NamedStorage=NamedStorage))

    class Plugin:
        @hookimpl
        def smttask_storage_backends(self) -> list[Component]:
            return [Component("named-storage", "throwaway_backends:NamedStorage")]

    manager = make_plugin_manager(load_entry_points=False, plugins=[Plugin()])
    project = Project(tmp_path, config=Config(storage="named-storage", recorder="none"), plugin_manager=manager)
    assert isinstance(project.storage_backends["named-storage"], Component)  # named, not loaded
    assert isinstance(project.storage_backends["local"], Component)  # the built-in one too
    with project.activate():
        assert Add(a=1, b=2).run() == 3
    assert type(project.storage) is NamedStorage
    assert project.storage_backends["named-storage"] is NamedStorage  # loaded once, kept


def test_a_component_that_does_not_load_or_is_misnamed_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "throwaway_misnamed", fake_module("throwaway_misnamed", S=MisnamedStorage))
    with pytest.raises(ComponentError, match=r"'ghost'.*'no_such_module_xyz:Backend'.*ModuleNotFoundError"):
        select("storage backend", {"ghost": Component("ghost", "no_such_module_xyz:Backend")}, "ghost")
    with pytest.raises(ComponentError, match=r"'wanted'.*is named 'another-name'"):
        Component("wanted", "throwaway_misnamed:S").load()
    with pytest.raises(ComponentError, match="write its target as 'module:ClassName'"):
        Component("x", "a_module_without_a_class")


def test_the_same_component_named_twice_is_no_conflict_but_two_targets_are() -> None:
    same = [[Component("a", "m:A")], [Component("a", "m:A")]]
    assert components_by_name("executor", same) == {"a": Component("a", "m:A")}
    with pytest.raises(PluginConflictError, match="named 'a'"):
        components_by_name("executor", [[Component("a", "m:A")], [Component("a", "n:A")]])


class Calls:
    def __init__(self) -> None:
        self.loaded: list[str] = []


def deferred_manager(calls: Calls, plugins: dict[str, object]) -> object:
    manager = make_plugin_manager(load_entry_points=False)

    def loader(name: str) -> object:
        def load() -> None:
            calls.loaded.append(name)
            manager.register(plugins[name], name=name)

        return load

    for name, plugin in plugins.items():
        hooks = [attr for attr in dir(plugin) if attr.startswith("smttask_")]
        assert manager.defer(name, hooks, loader(name))
    return manager


class RecorderPlugin:
    @hookimpl
    def smttask_recorders(self) -> list[Component]:
        return [Component("throwaway", "throwaway_recorders:R")]


class CommandsPlugin:
    @hookimpl
    def smttask_cli_commands(self, cli: list[str]) -> None:
        cli.append("commands")


class BothPlugin:
    @hookimpl
    def smttask_recorders(self) -> list[Component]:
        return []

    @hookimpl
    def smttask_cli_commands(self, cli: list[str]) -> None:
        cli.append("both")


def test_a_deferred_plugin_loads_when_a_hook_it_implements_is_first_used() -> None:
    calls = Calls()
    manager = deferred_manager(calls, {"rec": RecorderPlugin(), "cmd": CommandsPlugin(), "both": BothPlugin()})
    manager.hook.smttask_cache_hit(task=None, project=None, tier="memory")  # nobody deferred implements it
    assert calls.loaded == []
    found = [c.name for batch in manager.hook.smttask_recorders() for c in batch]
    assert sorted(calls.loaded) == ["both", "rec"]  # both implementers, not the commands plugin
    assert sorted(found) == ["none", "throwaway"]
    cli: list[str] = []
    manager.hook.smttask_cli_commands(cli=cli)  # "both" registered earlier still answers this hook
    assert sorted(cli) == ["both", "commands"] and sorted(calls.loaded) == ["both", "cmd", "rec"]


def test_listing_the_plugins_loads_every_deferred_one() -> None:
    calls = Calls()
    manager = deferred_manager(calls, {"rec": RecorderPlugin(), "cmd": CommandsPlugin()})
    assert manager.deferred == ["rec", "cmd"]
    names = [name for name, _ in manager.list_name_plugin()]
    assert {"core", "rec", "cmd"} <= set(names) and manager.deferred == []
    hooks = {c.name for c in manager.get_hookcallers(manager.get_plugin("cmd"))}
    assert hooks == {"smttask_cli_commands"}


def test_a_plugin_registered_by_name_replaces_the_deferred_one_and_a_blocked_one_never_loads() -> None:
    calls = Calls()
    manager = deferred_manager(calls, {"rec": RecorderPlugin(), "cmd": CommandsPlugin()})
    manager.register(CommandsPlugin(), name="cmd")
    manager.set_blocked("rec")
    cli: list[str] = []
    manager.hook.smttask_cli_commands(cli=cli)
    assert cli == ["commands"] and calls.loaded == []
    assert manager.get_plugin("rec") is None


def test_a_plugin_with_a_hook_nobody_specified_cannot_wait() -> None:
    manager = make_plugin_manager(load_entry_points=False)
    assert not manager.defer("odd", ["smttask_no_such_hook"], lambda: None)
    assert manager.deferred == []
