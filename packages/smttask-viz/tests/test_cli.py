"""``smttask graph`` and ``smttask records plot`` run as the console script runs them, in this process.

smttask-cli's ``cli_runner`` isolates the command as a fresh process would be (its
docstring says how); none of these tests is about the process itself.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

CLI_RUNNER = Path(__file__).resolve().parents[2] / "smttask-cli" / "tests" / "shared"
if str(CLI_RUNNER) not in sys.path:
    sys.path.insert(0, str(CLI_RUNNER))

from cli_runner import Result, in_process  # noqa: E402


def smttask(cwd: Path, *args: str) -> Result:
    return in_process(cwd, args)


def test_graph_of_a_directory_of_task_files(lab):
    t = lab.tasks
    data = t.Data(n=3, seed=1)
    for dt in (0.1, 0.2):
        t.Analyze(xs=data, dt=dt).save(lab.root / "taskdir")
    t.Analyze(xs=data, dt=0.1).run()
    done = smttask(lab.root, "graph", "taskdir", "-o", "graph.svg")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote graph.svg: 3 tasks and 2 edges: 1 stored, 2 not computed")
    root = ET.parse(lab.root / "graph.svg").getroot()
    assert sum(1 for g in root.iter("{http://www.w3.org/2000/svg}g") if "node" in g.get("class", "").split()) == 3


def test_a_bad_task_file_is_one_line_and_the_others_are_drawn(lab):
    t = lab.tasks
    t.Analyze(xs=[1.0], dt=0.1).save(lab.root / "taskdir")
    (lab.root / "taskdir" / "broken.taskdesc.json").write_text("{not json")
    done = smttask(lab.root, "graph", "taskdir", "-o", "graph.html")
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "broken.taskdesc.json" in errors[0]
    assert "wrote graph.html: 1 tasks" in done.stdout
    assert (lab.root / "graph.html").read_text().count('class="node ') == 1


def test_an_unknown_picture_format_is_refused_before_anything_is_read(lab):
    done = smttask(lab.root, "graph", "nothing-here", "-o", "graph.jpeg")
    assert done.returncode == 2
    assert "must end in one of .html, .htm, .svg, .png, .pdf" in done.stderr


def test_nothing_readable_is_an_error(lab):
    done = smttask(lab.root, "graph", "missing.taskdesc.json", "-o", "graph.png")
    assert done.returncode == 1
    assert "nothing to draw" in done.stderr
    assert not (lab.root / "graph.png").exists()


def test_a_thousand_task_files_draw_as_a_collapsed_graph(lab):
    t = lab.tasks
    data = t.Data(n=3, seed=1)
    for i in range(1000):
        t.Analyze(xs=data, dt=i / 1000).save(lab.root / "sweep")
    done = smttask(lab.root, "graph", "sweep", "-o", "sweep.html")
    assert done.returncode == 0, done.stderr
    assert "1001 tasks and 1000 edges" in done.stdout and "drawn as 2 nodes" in done.stdout
    done = smttask(lab.root, "graph", "sweep", "--collapse", "0", "-o", "full.svg")
    assert done.returncode == 0, done.stderr
    assert "(layout: layered)" in done.stdout  # dot would take minutes here
    assert (lab.root / "full.svg").read_text().count('class="node ') == 1001


def test_records_plot_writes_the_lab_book_pictures(recorded_lab):
    t = recorded_lab.tasks
    data = t.Data(n=3, seed=1)
    for dt in (0.1, 0.2, 0.4):
        t.Analyze(xs=data, dt=dt).run()
    with pytest.raises(ValueError):
        t.Fail(x=1.0).run()
    root = recorded_lab.root
    done = smttask(root, "records", "plot", "-o", "records.png")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wrote records.png: 4 records of 2 task(s)"
    assert (root / "records.png").read_bytes().startswith(b"\x89PNG")
    done = smttask(root, "records", "plot", "--task", "Analyze", "--sweep", "dt", "-o", "sweep.html")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wrote sweep.html: 3 records of 1 task(s), 3 in the dt sweep"
    done = smttask(root, "records", "plot", "--task", "Analyze", "--sweep", "nbins", "-o", "x.html")
    assert done.returncode == 1
    assert "parameter 'nbins'" in done.stderr and "dt" in done.stderr and "xs" in done.stderr
    done = smttask(root, "records", "plot", "--task", "Nope", "-o", "x.html")
    assert done.returncode == 1 and "No record matches" in done.stderr
