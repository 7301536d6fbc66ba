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


def test_the_plugin_registers_the_command_and_the_visualizers():
    from smttask.plugins import make_plugin_manager

    names = {cls.name for batch in make_plugin_manager().hook.smttask_visualizers() for cls in batch}
    assert {"html", "svg", "matplotlib"} <= names
