"""The hand-written-Snakefile helpers: the worked example of docs/snakemake.md, run with real Snakemake."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from snake_lab import SnakeProject, env

DOCS = Path(__file__).resolve().parents[3] / "docs" / "snakemake.md"


def documented(name: str) -> str:
    """The code block of docs/snakemake.md whose first line is ``# NAME``."""
    blocks = re.findall(r"```python\n(# (\S+)\n.*?)```", DOCS.read_text(), re.S)
    found = [text for text, title in blocks if title == name]
    assert len(found) == 1, f"docs/snakemake.md has {len(found)} blocks starting '# {name}'"
    return found[0]


@pytest.fixture(scope="module")
def example_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worked example's files and the task files its ``make_tasks.py`` writes, made once for this module."""
    root = tmp_path_factory.mktemp("example")
    (root / "smttask.toml").write_text('recorder = "none"\n')
    for name in ("analysis.py", "make_tasks.py", "Snakefile"):
        (root / name).write_text(documented(name))
    subprocess.run([sys.executable, "make_tasks.py"], cwd=root, check=True, env=env(), capture_output=True)
    return root


@pytest.fixture
def example(example_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of :func:`example_template` of the test's own, the working directory."""
    shutil.copytree(example_template, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    sys.modules.pop("analysis", None)


def test_the_documented_snakefile_runs_tasks_and_an_ordinary_rule(example: Path) -> None:
    project = SnakeProject(example, None)
    done = project.snakemake("--cores", "2")
    assert done.returncode == 0, done.output
    assert re.fullmatch(r"mean = -?\d\.\d{4}\n", (example / "report.txt").read_text())
    assert "threads: 2" in done.output and "mem_mb=500" in done.output
    again = project.snakemake("--cores", "2")
    assert again.returncode == 0 and "Nothing to be done" in again.output


def test_helpers_name_the_storage_backend_s_markers(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(example))
    from smttask import Project
    from smttask.taskfile import task_from_desc
    from smttask_snakemake import target, taskfile_rule

    project = Project(example)
    with project.activate():
        simulate = task_from_desc(example / "tasks/simulate.taskdesc.json")
        fit = task_from_desc(example / "tasks/fit.taskdesc.json")
        markers = [str(project.storage.marker(t).relative_to(example)) for t in (simulate, fit)]
    assert target("tasks/simulate.taskdesc.json", "tasks/fit.taskdesc.json") == markers
    rule = taskfile_rule("tasks/fit.taskdesc.json")
    assert rule.input == markers[:1] and rule.output == markers[1:]
    assert (rule.threads, rule.resources) == (2, {"mem_mb": 500})
    assert rule.shell.endswith("run -q -- tasks/fit.taskdesc.json")


def test_a_bad_task_file_stops_snakemake_with_one_line_naming_it(example: Path) -> None:
    (example / "tasks" / "fit.taskdesc.json").write_text("{not json")
    done = SnakeProject(example, None).snakemake("--cores", "2")
    assert done.returncode == 1
    assert re.search(r"tasks/fit\.taskdesc\.json: .*not valid JSON", done.output)
