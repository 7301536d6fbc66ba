"""The plugin system: every kind of hook is called, components are chosen by name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from core_tasks import Add, Square

from smttask import Project, hookimpl
from smttask.config import Config
from smttask.errors import ConfigError, PluginConflictError, PluginNotFoundError
from smttask.execution import InlineExecutor
from smttask.plugins import make_plugin_manager
from smttask.recording import Recorder, RunInfo
from smttask.serializers import Serializer
from smttask.storage import JsonFormat, LocalStorage


class Point:
    def __init__(self, x: int) -> None:
        self.x = x


class PointSerializer(Serializer):
    name = "throwaway.Point"
    types = (f"{__name__}.Point",)

    def encode(self, value: Point, encode: Any) -> Any:
        return value.x

    def decode(self, data: Any, decode: Any) -> Point:
        return Point(data)


class UpperJson(JsonFormat):
    name = "upper-json"
    extension = "ujson"

    def handles(self, value: Any) -> bool:
        return isinstance(value, float)


class MemoryBackend(LocalStorage):
    name = "throwaway-storage"


class ListRecorder(Recorder):
    name = "throwaway-recorder"
    records: list[tuple[str, str, Any]] = []

    @contextmanager
    def record(self, run: RunInfo) -> Iterator[RunInfo]:
        try:
            yield run
        except BaseException as exc:
            self.records.append((run.task.taskname, "crashed", repr(exc)))
            raise
        self.records.append((run.task.taskname, run.outcome, run.stored))


class ThrowawayExecutor(InlineExecutor):
    name = "throwaway-executor"


class ThrowawayPlugin:
    """Implements one hook of each kind and logs every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def smttask_storage_backends(self) -> list[type]:
        return [MemoryBackend]

    @hookimpl
    def smttask_recorders(self) -> list[type]:
        return [ListRecorder]

    @hookimpl
    def smttask_value_serializers(self) -> list[Serializer]:
        return [PointSerializer()]

    @hookimpl
    def smttask_output_formats(self) -> list[Any]:
        return [UpperJson()]

    @hookimpl
    def smttask_executors(self) -> list[type]:
        return [ThrowawayExecutor]

    @hookimpl
    def smttask_visualizers(self) -> list[type]:
        return []

    @hookimpl
    def smttask_cli_commands(self, cli: Any) -> None:
        self.calls.append(("cli", cli))

    @hookimpl(wrapper=True)
    def smttask_run_task(self, task: Any, project: Any, compute: Any) -> Iterator[None]:
        self.calls.append(("before", task.taskname))
        result = yield
        self.calls.append(("after", result))
        return result

    @hookimpl
    def smttask_task_started(self, task: Any, project: Any) -> None:
        self.calls.append(("started", task.taskname))

    @hookimpl
    def smttask_task_finished(self, task: Any, project: Any, duration: float) -> None:
        self.calls.append(("finished", task.taskname))

    @hookimpl
    def smttask_task_failed(self, task: Any, project: Any, error: BaseException) -> None:
        self.calls.append(("failed", type(error).__name__))

    @hookimpl
    def smttask_cache_hit(self, task: Any, project: Any, tier: str) -> None:
        self.calls.append(("hit", tier))


@pytest.fixture
def plugin_project(tmp_path: Path) -> Iterator[tuple[Project, ThrowawayPlugin]]:
    plugin = ThrowawayPlugin()
    config = Config(storage="throwaway-storage", recorder="throwaway-recorder", executor="throwaway-executor")
    manager = make_plugin_manager(load_entry_points=False, plugins=[plugin])
    proj = Project(tmp_path, config=config, plugin_manager=manager)
    ListRecorder.records.clear()
    with proj.activate():
        yield proj, plugin


def test_every_kind_of_hook_is_called(plugin_project: tuple[Project, ThrowawayPlugin]) -> None:
    from core_tasks import Identity

    project, plugin = plugin_project
    assert type(project.storage) is MemoryBackend
    assert type(project.executor()) is ThrowawayExecutor
    assert Identity(value=Point(3)).desc["inputs"]["value"] == {"$type": "throwaway.Point", "value": 3}

    assert Square(x=3).run() == 9.0
    assert ("before", "Square") in plugin.calls and ("after", 9.0) in plugin.calls
    assert plugin.calls.index(("started", "Square")) < plugin.calls.index(("finished", "Square"))
    assert ListRecorder.records[0][:2] == ("Square", "finished")
    stored = ListRecorder.records[0][2]
    assert stored.outputs[""].format == "upper-json" and stored.outputs[""].inline == "9.0"  # small: in the manifest

    Square(x=3).run()
    assert ("hit", "memory") in plugin.calls
    project.memory.clear()
    Square(x=3).run()
    assert ("hit", "storage") in plugin.calls

    import click

    group = click.Group()
    project.hook.smttask_cli_commands(cli=group)
    assert ("cli", group) in plugin.calls


def test_a_run_calls_no_hook_that_only_core_implements_or_none_does(tmp_path: Path) -> None:
    """Core's own ``smttask_run_task`` only calls ``compute()``, and the notifications have no
    implementation: a miss computes and stores without going through pluggy (~5 us a call, four per
    task), while a plugin implementing them is called (test_every_kind_of_hook_is_called)."""
    manager = make_plugin_manager(load_entry_points=False)
    called: list[str] = []
    manager.add_hookcall_monitoring(lambda name, impls, kwargs: called.append(name), lambda *args: None)
    project = Project(tmp_path, config=Config(recorder="none"), plugin_manager=manager)
    with project.activate():
        task = Square(x=4)
        assert task.run() == 16.0
        assert project.storage.locate(task) is not None
        project.memory.clear()
        assert Square(x=4).run() == 16.0  # a disk hit
    assert [name for name in called if name.startswith("smttask_task") or name in (
        "smttask_run_task", "smttask_cache_hit")] == []


def test_failures_are_notified_and_recorded(plugin_project: tuple[Project, ThrowawayPlugin]) -> None:
    from smttask import RecordedTask

    @RecordedTask
    def explode(x: int) -> int:
        raise KeyError("nope")

    project, plugin = plugin_project
    with pytest.raises(KeyError):
        explode(x=1).run()
    assert ("failed", "KeyError") in plugin.calls
    name, status, error = ListRecorder.records[-1]
    assert name.endswith("explode") and status == "crashed" and "nope" in error


def test_memoized_tasks_are_never_recorded(plugin_project: tuple[Project, ThrowawayPlugin]) -> None:
    Add(a=1, b=2).run()
    assert ListRecorder.records == []


def test_record_false_skips_the_recorder(plugin_project: tuple[Project, ThrowawayPlugin]) -> None:
    Square(x=7).run(record=False)
    assert ListRecorder.records == []


def test_unknown_component_names_list_the_choices(tmp_path: Path) -> None:
    proj = Project(tmp_path, config=Config(storage="s3"), plugin_manager=make_plugin_manager(load_entry_points=False))
    with pytest.raises(PluginNotFoundError, match="No storage backend named 's3'. Available: local"):
        proj.storage  # noqa: B018 - the lookup is what fails


def test_duplicate_component_names_are_an_error(tmp_path: Path) -> None:
    class Clash:
        @hookimpl
        def smttask_storage_backends(self) -> list[type]:
            class Other(LocalStorage):
                name = "local"

            return [Other]

    manager = make_plugin_manager(load_entry_points=False, plugins=[Clash()])
    with pytest.raises(PluginConflictError, match="Two plugins provide a storage backend named 'local'"):
        Project(tmp_path, plugin_manager=manager).storage  # noqa: B018


def test_auto_recorder_refuses_to_guess_between_two(tmp_path: Path) -> None:
    class Second(ListRecorder):
        name = "second"

    class Two:
        @hookimpl
        def smttask_recorders(self) -> list[type]:
            return [ListRecorder, Second]

    manager = make_plugin_manager(load_entry_points=False, plugins=[Two()])
    with pytest.raises(ConfigError, match="Several recorders are available"):
        Project(tmp_path, plugin_manager=manager).recorder  # noqa: B018


def test_installed_plugins_load_through_entry_points() -> None:
    manager = make_plugin_manager()
    assert manager.get_plugin("core") is not None
    assert manager.list_name_plugin()  # the built-ins at least


def test_record_false_reaches_upstream_tasks(plugin_project: tuple[Project, ThrowawayPlugin]) -> None:
    from core_tasks import Square as Upstream

    from smttask import RecordedTask

    @RecordedTask
    def plus(x: float, y: float) -> float:
        return x + y

    plus(x=Upstream(x=5), y=1).run(record=False)
    assert ListRecorder.records == []


def test_a_broken_plugin_is_skipped_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    from smttask.errors import PluginLoadWarning

    broken = importlib.metadata.EntryPoint(name="broken", value="no_such_module_xyz", group="smttask")
    monkeypatch.setenv("SMTTASK_PLUGIN_CACHE", "0")  # scan, so the broken entry point is found
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [broken])
    with pytest.warns(PluginLoadWarning, match="plugin 'broken'.*failed to load and is skipped") as caught:
        manager = make_plugin_manager()
    assert caught[0].filename == __file__
    assert manager.get_plugin("core") is not None and manager.get_plugin("broken") is None


def _hookspecs() -> dict[str, Any]:
    from smttask import hookspecs

    return {name: fn for name, fn in vars(hookspecs).items() if name.startswith("smttask_") and callable(fn)}


@pytest.mark.parametrize("name", sorted(_hookspecs()))
def test_each_hookspec_documents_its_arguments_result_and_calling_rule(name: str) -> None:
    """pytest's hookspec manners: a ``:param:`` line per argument, ``:returns:`` when a value is wanted,
    and the fixed sentence exactly on the hooks where the first non-None result wins."""
    import inspect

    spec = _hookspecs()[name]
    doc = inspect.getdoc(spec) or ""
    for argument in inspect.signature(spec).parameters:
        assert f":param {argument}:" in doc, f"{name} has no ':param {argument}:' line"
    returns_value = inspect.signature(spec).return_annotation not in ("None", None)
    assert (":returns:" in doc) == returns_value, f"{name}: ':returns:' wanted exactly when it returns a value"
    first_result = spec.smttask_spec["firstresult"]
    assert ("Stops at first non-None result." in doc) == first_result, name
