"""What the original suite never tested: Join, bind, run_workflow, record filters and DataFrames, file inputs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from smttask import Join, Task


def test_join_of_recorded_tasks(lab: Any) -> None:
    t = lab.tasks
    joined = Join([t.Square_x(x=2.0, reason="pytest"), t.Square_x(x=3.0, reason="pytest")])
    assert joined.run() == [4.0, 9.0]
    assert Task.from_desc(joined.desc) == joined
    assert {r.taskname for r in lab.view()} == {"Square_x", "JoinTask"}


def test_bound_tasks_are_partial_tasks(lab: Any) -> None:
    Times = lab.tasks.ClassTask.partial(b=10.0)
    assert Times(a=2.0).run() == 21.0
    assert Times(a=2.0) == lab.tasks.ClassTask(a=2.0, b=10.0)
    assert Times(a=2.0, b=1.0).run() == 3.0


def test_run_workflow_replaces_a_scripts_parameters(lab: Any) -> None:
    from smttask.workflows import run_workflow

    (lab.root / "myworkflow.py").write_text(
        "from smttask.workflows import set_workflow_args\n"
        "from tasks_for_testing import Square_x\n"
        "x = 1.0\n"
        "set_workflow_args(__name__, globals())\n"
        "task = Square_x(x=x, reason='workflow')\n"
    )
    module = run_workflow("myworkflow", x=4.0)
    assert module.task.run() == 16.0 and module.exenv == "workflow"
    assert run_workflow("myworkflow").task.inputs["x"] == 1.0
    sys.modules.pop("myworkflow", None)


def test_record_filters_and_dataframes(lab: Any) -> None:
    t = lab.tasks
    for x in (1.0, 2.0, 3.0):
        t.Square_x(x=x, reason="sweep").run()
    t.Polar(x=1.0, y=1.0, reason="other").run()
    view = lab.view()
    squares = view.filter(task="Square_x")
    assert len(squares) == 3
    assert [r.param("x") for r in squares.params(gt={"x": 1.5})] == [3.0, 2.0]
    assert len(view.filter(reason="sweep")) == 3 and len(view.filter(task=t.Polar)) == 1
    frame = squares.dataframe(params=["x"])
    assert sorted(frame["x"]) == [1.0, 2.0, 3.0] and len(frame) == 3


def test_a_file_input_is_keyed_by_its_path_and_recorded(lab: Any) -> None:
    data = lab.root / "input.csv"
    data.write_text("1,2,3\n")
    task = lab.tasks.FileSize(path=data, reason="pytest")
    assert task.run() == 6
    assert lab.tasks.FileSize(path=Path(str(data))).digest == task.digest
    (record,) = lab.view()
    assert record.param("path") in (str(data), data)
