"""``smttask run --scheduler``: the option smttask-dask adds to smttask-cli's ``run``, and its errors."""

from __future__ import annotations

import subprocess
import sys

from dask_lab import DaskProject, free_port


def test_scheduler_implies_the_dask_executor_and_a_bad_address_is_a_usage_error(project: DaskProject) -> None:
    project.save(project.tasks.square(x=2), "square-2")

    result = project.smttask("--scheduler", "localhost:8786", "tasks")

    assert result.returncode == 2
    assert "'localhost:8786' is not a Dask scheduler address" in result.stderr
    assert "e.g. tcp://10.0.0.5:8786" in result.stderr
    assert not (project.root / "data").exists()


def test_scheduler_with_another_executor_is_refused(project: DaskProject) -> None:
    project.save(project.tasks.square(x=2), "square-2")

    result = project.smttask("--executor", "processes", "--scheduler", "tcp://127.0.0.1:8786", "tasks")

    assert result.returncode == 2
    assert "--scheduler runs tasks on Dask; it cannot be used with --executor processes" in result.stderr


def test_an_unreachable_scheduler_is_one_error_naming_it(project: DaskProject) -> None:
    from smttask import Project
    from smttask_dask import DaskExecutor, SchedulerUnreachableError

    address = f"tcp://127.0.0.1:{free_port()}"
    executor = DaskExecutor(Project(project.root), scheduler=address)
    executor.connect_timeout = 0.5
    try:
        list(executor.run([project.tasks.square(x=2)]))
    except SchedulerUnreachableError as exc:
        assert str(exc).startswith(f"cannot reach the Dask scheduler at {address} (")
        assert "`dask scheduler`" in str(exc)
    else:
        raise AssertionError("no error for a scheduler nobody runs")


def test_the_plugin_and_smttask_load_without_dask() -> None:
    code = (
        "import sys, smttask, smttask_dask, smttask_dask.plugin\n"
        "assert 'dask' in smttask.Project('.').executors\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
