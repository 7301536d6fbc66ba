"""Extending another package's command: the copy has the additions, the original none."""

from __future__ import annotations

import click
import pytest

from smttask_cli.extending import extend_command


def _cli() -> tuple[click.Group, click.Command, click.Group]:
    run = click.Command("run", params=[click.Option(["--quiet"], is_flag=True)], callback=lambda quiet: "run")
    records = click.Group("records", commands={"list": click.Command("list")})
    return click.Group("smttask", commands={"run": run, "records": records}), run, records


def test_an_extended_command_is_a_copy_with_the_additions_and_the_original_is_untouched() -> None:
    cli, run, records = _cli()
    extended = extend_command(cli, "run", params=[click.Option(["--scheduler"])], callback=lambda **kw: "wrapped")
    assert cli.commands["run"] is extended is not run
    assert [p.name for p in extended.params] == ["quiet", "scheduler"]
    assert [p.name for p in run.params] == ["quiet"]
    assert extended.callback() == "wrapped" and run.callback(False) == "run"
    group = extend_command(cli, "records", commands={"plot": click.Command("plot")})
    assert isinstance(group, click.Group) and sorted(group.commands) == ["list", "plot"]
    assert sorted(records.commands) == ["list"]


def test_subcommands_go_only_into_a_group_and_a_missing_command_is_none() -> None:
    cli, run, _ = _cli()
    with pytest.raises(TypeError, match="smttask run is not a group of commands"):
        extend_command(cli, "run", commands={"plot": click.Command("plot")})
    assert cli.commands["run"] is run
    assert extend_command(cli, "nothing", params=[click.Option(["--x"])]) is None
