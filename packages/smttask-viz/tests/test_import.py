"""Importing smttask_viz (and its plugin module) stays light: no matplotlib, bokeh, networkx or click."""

from __future__ import annotations

import json
import subprocess
import sys


def test_import_loads_no_heavy_library():
    code = (
        "import sys, json, smttask_viz, smttask_viz.plugin; "
        "print(json.dumps(sorted(m for m in ('matplotlib', 'bokeh', 'networkx', 'click', 'numpy', 'pydantic') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []



def test_the_commands_are_added_without_the_graph_model_or_pydantic():
    """Every ``smttask`` process builds the command line: adding ``graph`` costs no pydantic (~60 ms)."""
    code = (
        "import sys, json, click, smttask_viz.cli; smttask_viz.cli.register(click.Group()); "
        "print(json.dumps(sorted(m for m in ('pydantic', 'smttask_viz.model', 'smttask_viz.layout') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []

def test_the_plugin_registers_the_command_and_the_visualizers():
    from smttask.plugins import make_plugin_manager

    names = {cls.name for batch in make_plugin_manager().hook.smttask_visualizers() for cls in batch}
    assert {"html", "svg", "matplotlib"} <= names
