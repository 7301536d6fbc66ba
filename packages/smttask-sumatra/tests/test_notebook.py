"""In a real Jupyter kernel (nbclient + ipykernel), the lab book works without any setting.

A kernel runs each cell inside an asyncio event loop, where Django refuses
synchronous database access unless told otherwise; the user never has to.
"""

from __future__ import annotations

import os
import textwrap

import pytest
from sumatra_lab import Lab

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

pytestmark = pytest.mark.service  # a Jupyter kernel


def _notebook(module: str) -> object:
    cells = [
        f"import {module} as tasks\nfrom smttask_sumatra import RecordStoreView",
        "square = tasks.Square(x=3)\nprint('square', square.run())",
        "print('double', tasks.Double(x=4).run())",
        "view = RecordStoreView()\nprint('records', [(r.taskname, r.status) for r in view.list])",
        "print('latest', view.latest.get_output())",
        "explanation = square.why()\nprint('why', explanation.status, explanation.record == view.latest.label)",
        "frame = view.dataframe()\nprint('rows', len(frame))",
        "square.save('tasks/square.taskdesc.json')\nprint('saved')",
        "view",
        "view.latest",
    ]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells])


def _outputs(notebook: object) -> list[str]:
    text = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                text.append(output["text"])
    return "".join(text).splitlines()


def _html(notebook: object) -> list[str]:
    return [
        output["data"]["text/html"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "execute_result" and "text/html" in output.get("data", {})
    ]


def test_a_notebook_runs_recorded_tasks_and_browses_the_lab_book(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = _notebook(lab.tasks.__name__)
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(lab.root)}},
    )
    inherited = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(lab.root), inherited) if p))
    client.execute()  # the kernel inherits this environment, and runs in the lab's directory
    lines = _outputs(notebook)
    assert "square 9.0" in lines
    assert "double 8.0" in lines
    assert "records [('Square', 'finished')]" in lines
    assert "latest 9.0" in lines and "rows 1" in lines and "saved" in lines
    assert "why memory True" in lines  # task.why() in a kernel: the result, and the record that made it
    assert (lab.root / "tasks" / "square.taskdesc.json").is_file()
    table, record = _html(notebook)
    assert "1 record(s) of project" in table and "<td>Square</td>" in table and ".json</td>" in table
    assert "input x" in record and "finished" in record
    assert [(r.taskname, r.status) for r in lab.view()] == [("Square", "finished")]
