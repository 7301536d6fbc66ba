"""Importing smttask_viz (and its plugin module) stays light: no matplotlib, bokeh, networkx or click."""

from __future__ import annotations

import json
import subprocess
import sys


def loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of *modules* a fresh interpreter has imported after running *code*."""
    probe = f"{code}; import sys, json; print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_import_loads_no_heavy_library():
    heavy = ("matplotlib", "bokeh", "networkx", "click", "numpy", "pydantic")
    assert loaded_after("import smttask_viz, smttask_viz.plugin", heavy) == []



def test_the_commands_are_added_without_the_graph_model_or_pydantic():
    """Every ``smttask`` process builds the command line: adding ``graph`` costs no pydantic (~60 ms), even in
    a plain click group, which imports the command at once."""
    code = "import click, smttask_viz.plugin; smttask_viz.plugin.smttask_cli_commands(cli=click.Group())"
    assert loaded_after(code, ("pydantic", "smttask_viz.model", "smttask_viz.layout")) == []

def test_the_plugin_registers_the_command_and_the_visualizers():
    from smttask.plugins import make_plugin_manager

    names = {cls.name for batch in make_plugin_manager().hook.smttask_visualizers() for cls in batch}
    assert {"html", "svg", "matplotlib"} <= names
