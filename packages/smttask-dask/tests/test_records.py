"""Recorded tasks run on Dask workers write their Sumatra records into the project's lab book."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from dask_lab import Cluster, DaskProject


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_each_recorded_run_on_a_worker_writes_its_record(
    tmp_path: Path, cluster: Cluster, make_project: Callable[..., DaskProject]
) -> None:
    from smttask_sumatra.initialize import init_project
    from smttask_sumatra.settings import SumatraSettings
    from smttask_sumatra.smtproject import SumatraProject
    from smttask_sumatra.store import RecordStore

    root = tmp_path / "lab"
    project = make_project(root, config="")  # the recorder: Sumatra, once the project exists
    git(root, "init", "-q")
    git(root, "config", "user.name", "Tester")
    git(root, "config", "user.email", "tester@example.org")
    git(root, "config", "commit.gpgsign", "false")
    init_project(root, name="lab")
    for x in (1, 2, 3):
        project.save(project.tasks.square(x=x), f"square-{x}")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tasks and project")

    result = project.smttask("--scheduler", cluster.address, "tasks")

    assert result.returncode == 0, result.stdout + result.stderr
    store = RecordStore(SumatraProject.load(root), SumatraSettings())
    with store.session() as smt_store:
        records = smt_store.list(store.project_name)
    assert sorted(record.script_arguments for record in records) == ["square"] * 3
    assert all(record.tags == {"_finished_"} for record in records)
    printed = {int(pid) for record in records for pid in re.findall(r"square \d in process (\d+)", record.stdout_stderr)}
    assert len(printed) >= 1 and printed <= {worker.pid for worker in cluster.workers}  # written on the workers
    assert sorted(int(re.search(r"square (\d)", r.stdout_stderr).group(1)) for r in records) == [1, 2, 3]
