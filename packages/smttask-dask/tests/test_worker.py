"""What a Dask worker does with one job, called directly (no cluster): setup errors and failed upstream jobs."""

from __future__ import annotations

from pathlib import Path

from dask_lab import DaskProject

from smttask import Project
from smttask.execution import TaskOutcome
from smttask_dask.worker import JobSpec, WorkerSetup, run_job


def spec_of(project: DaskProject, task: object) -> JobSpec:
    with Project(project.root).activate():
        return JobSpec(0, task.taskname, task.digest, task.desc, False, None, None, None)  # type: ignore[attr-defined]


def test_a_worker_without_the_project_directory_fails_the_task_saying_what_to_share(
    project: DaskProject, tmp_path: Path
) -> None:
    missing = tmp_path / "not-shared"
    setup = WorkerSetup(str(missing), Project(project.root).config, (), (), None, "batch")

    outcome = run_job(setup, spec_of(project, project.tasks.square(x=2)))

    assert outcome.status == "failed"
    assert f"the project directory {missing} does not exist on this Dask worker" in outcome.error
    assert "code, data directory and lab book" in outcome.error


def test_a_job_whose_upstream_failed_fails_without_running(project: DaskProject) -> None:
    setup = WorkerSetup(str(project.root), Project(project.root).config, (), (), None, "batch")
    upstream = TaskOutcome("base", "ab" * 16, "failed", 0.1, "ValueError: no base")

    outcome = run_job(setup, spec_of(project, project.tasks.combine(x=1, base=3)), upstream)

    assert (outcome.status, outcome.error) == (
        "failed", "upstream task base (key abababababab…) failed: ValueError: no base",
    )
    assert project.counts("combine-1") == []


def test_a_job_runs_the_task_in_the_project(project: DaskProject) -> None:
    setup = WorkerSetup(str(project.root), Project(project.root).config, (), (), None, "batch")

    outcome = run_job(setup, spec_of(project, project.tasks.combine(x=1, base=3)))

    assert outcome.status == "computed" and outcome.exception is None
    assert outcome.outputs and Path(outcome.outputs[0]).is_file()
