"""A notebook shows the graph: nbclient runs a real kernel, and the cell's output is opened in Chromium."""

from __future__ import annotations

import pytest

from .conftest import _write_module

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (dev dependency group)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (dev dependency group)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (dev dependency group)")


def _run_notebook(tmp_path):
    root = tmp_path / "nb"
    root.mkdir()
    module = _write_module(root)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import warnings; warnings.simplefilter('ignore')\n"
            "from smttask import Project\n"
            f"import {module} as t\n"
            "from smttask_viz import task_graph\n"
            "project = Project('.')\n"
            "with project.activate():\n"
            "    data = t.Data(n=3, seed=1)\n"
            "    first = t.Analyze(xs=data, dt=0.1)\n"
            "    first.run()\n"
            "    graph = task_graph(t.Combine(a=first, b=t.Analyze(xs=data, dt=0.2)))"
        ),
        nbformat.v4.new_code_cell("graph"),
    ]
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(root)}})
    client.execute()
    return nb.cells[-1].outputs


def test_a_notebook_cell_shows_the_interactive_graph(tmp_path, chromium):
    outputs = _run_notebook(tmp_path)
    assert [o["output_type"] for o in outputs] == ["execute_result"]
    data = outputs[0]["data"]
    assert {"text/html", "image/svg+xml", "text/plain"} <= set(data)
    assert data["text/plain"].startswith("<TaskGraph of 4 tasks and 4 edges")
    assert data["image/svg+xml"].count('class="node ') == 4
    # what the notebook page would show: the HTML output, in a browser
    page = tmp_path / "output.html"
    page.write_text(f"<!DOCTYPE html><html><body>{data['text/html']}</body></html>", encoding="utf-8")
    chromium.open(page)
    frame = "document.querySelector('iframe.smttask-graph-frame').contentWindow"
    assert chromium.evaluate(f"""new Promise(r => {{ const f = () => {frame}.smttaskGraph ? r(true) : setTimeout(f, 50); f(); }})""")
    assert chromium.evaluate(f"{frame}.document.querySelectorAll('g.node').length") == 4
    assert chromium.errors() == []
