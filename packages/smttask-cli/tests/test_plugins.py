"""``smttask plugins``: what is installed, with versions and hooks."""

from __future__ import annotations

import json

from click.testing import CliRunner

from smttask import hookimpl, make_plugin_manager
from smttask_cli.main import build_cli


class ExecutorPlugin:
    @hookimpl
    def smttask_executors(self):
        return []


def test_plugins_json_lists_core_and_cli_with_versions_and_hooks(project):
    result = project.smttask("plugins", "--json")
    assert result.returncode == 0
    plugins = {p["name"]: p for p in json.loads(result.stdout)}
    assert plugins["core"]["distribution"] == "smttask-core"
    assert "smttask_storage_backends" in plugins["core"]["hooks"]
    assert plugins["cli"]["distribution"] == "smttask-cli"
    assert plugins["cli"]["version"]
    assert plugins["cli"]["hooks"] == ["smttask_cli_commands"]


def test_plugins_table_shows_a_plugin_registered_in_code():
    manager = make_plugin_manager(load_entry_points=False, plugins=[ExecutorPlugin()])
    result = CliRunner().invoke(build_cli(manager), ["plugins"])
    assert result.exit_code == 0
    assert "smttask_executors" in result.output
    assert "smttask-core" in result.output
