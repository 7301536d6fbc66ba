"""Commands known by name and imported on first lookup; extensions of another's command wait for it."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from smttask_cli.extending import add_lazy_command, extend_command, when_loaded
from smttask_cli.lazycommands import CommandLoadError, LazyCommands
from smttask_cli.main import SmttaskGroup


def _counting(name: str, loads: list[str]) -> click.Command:
    def load() -> click.Command:
        loads.append(name)
        return click.Command(name, callback=lambda: click.echo(f"ran {name}"))

    return load  # type: ignore[return-value]


def test_a_name_is_known_at_once_and_the_command_imported_once_on_first_lookup() -> None:
    loads: list[str] = []
    commands = LazyCommands()
    commands.add_lazy("show", _counting("show", loads))
    commands["run"] = click.Command("run")
    assert "show" in commands and sorted(commands) == ["run", "show"] and len(commands) == 2
    assert loads == []
    assert commands["show"].name == "show" and commands.get("show") is commands["show"]
    assert loads == ["show"]


def test_looking_commands_up_while_iterating_them_loads_each() -> None:
    loads: list[str] = []
    commands = LazyCommands()
    for name in ("a", "b", "c"):
        commands.add_lazy(name, _counting(name, loads))
    assert [command.name for command in commands.values()] == ["a", "b", "c"]
    assert loads == ["a", "b", "c"] and commands.unloaded == []


def test_an_extension_waits_for_its_command_and_may_replace_it() -> None:
    loads: list[str] = []
    cli = SmttaskGroup("smttask")
    add_lazy_command(cli, "run", _counting("run", loads))
    option = click.Option(["--scheduler"])
    when_loaded(cli, "run", lambda group: extend_command(group, "run", params=[option]))
    assert loads == []
    assert [p.name for p in cli.commands["run"].params] == ["scheduler"]
    assert loads == ["run"]


def test_an_extension_of_a_loaded_or_absent_command_runs_now() -> None:
    cli = SmttaskGroup("smttask")
    cli.add_command(click.Command("show"))
    seen: list[str] = []
    when_loaded(cli, "show", lambda group: seen.append("show"))
    when_loaded(cli, "absent", lambda group: seen.append("absent"))
    assert seen == ["show", "absent"]


def test_a_plain_click_group_gets_the_command_and_its_extension_at_once() -> None:
    loads: list[str] = []
    group = click.Group("other")
    add_lazy_command(group, "run", _counting("run", loads))
    when_loaded(group, "run", lambda g: extend_command(g, "run", params=[click.Option(["--x"])]))
    assert loads == ["run"] and [p.name for p in group.commands["run"].params] == ["x"]


def test_a_command_that_fails_to_import_is_one_line_naming_it_and_the_others_still_run() -> None:
    def broken() -> click.Command:
        raise ImportError("No module named 'gone'")

    cli = SmttaskGroup("smttask")
    add_lazy_command(cli, "broken", broken)
    add_lazy_command(cli, "fine", _counting("fine", []))
    with pytest.raises(CommandLoadError, match="'broken' could not be loaded: ImportError: No module named 'gone'"):
        cli.commands["broken"]
    result = CliRunner().invoke(cli, ["broken"])
    assert result.exit_code == 1 and "the command 'broken' could not be loaded" in result.output
    assert CliRunner().invoke(cli, ["fine"]).output == "ran fine\n"


def test_an_extension_that_fails_is_reported_and_the_command_kept(capsys: pytest.CaptureFixture[str]) -> None:
    cli = SmttaskGroup("smttask")
    add_lazy_command(cli, "run", _counting("run", []))

    def broken(group: click.Group) -> None:
        raise RuntimeError("no option today")

    when_loaded(cli, "run", broken)
    assert cli.commands["run"].name == "run"
    assert "failed to extend the command 'run': RuntimeError: no option today" in capsys.readouterr().err
