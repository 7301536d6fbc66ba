"""The ``dask`` executor against real Dask: a LocalCluster of worker processes, and a scheduler with workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from dask_lab import Cluster, DaskProject, Result, wait_until


def finish(process: subprocess.Popen[str]) -> Result:
    stdout, stderr = process.communicate(timeout=120)
    return Result(process.returncode, stdout, stderr)


def save_diamond(project: DaskProject) -> None:
    """Three task files sharing a stored upstream task, two of them a memory-only one too."""
    tasks = project.tasks
    shared = tasks.base(n=7)
    project.save(tasks.combine(x=1, base=shared), "combine-1")
    project.save(tasks.combine(x=tasks.offset(x=2), base=shared), "combine-2")
    project.save(tasks.combine(x=3, base=tasks.base(n=tasks.offset(x=2))), "combine-3")


def test_a_diamond_on_a_local_cluster_computes_the_shared_stored_upstream_once(project: DaskProject) -> None:
    save_diamond(project)
    process = project.start("--executor", "dask", "-n", "2", "tasks")
    result = finish(process)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.statuses() == {f"combine-{i}.taskdesc.json": "computed" for i in (1, 2, 3)}
    assert "upstream task base" in result.stdout  # computed as a job of its own, before its users
    assert len(project.counts("base-7")) == 1
    ran_in = {pid for i in (1, 2, 3) for pid in project.counts(f"combine-{i}")}
    assert process.pid not in ran_in  # on the cluster's worker processes, not in smttask itself
    assert 1 <= len(project.counts("offset-2")) <= 2  # memory-only: computed where needed, once per worker at most
    assert "3 tasks: 3 computed" in result.stdout

    again = project.smttask("--executor", "dask", "-n", "2", "tasks")
    assert again.returncode == 0
    assert set(again.statuses().values()) == {"cached"}
    assert len(project.counts("base-7")) == 1


def test_a_failing_task_is_one_line_and_the_others_still_finish(project: DaskProject) -> None:
    tasks = project.tasks
    project.save(tasks.boom(x=1), "boom-1")
    project.save(tasks.square(x=2), "square-2")
    project.save(tasks.square(x=3), "square-3")
    project.save(tasks.combine(x=1, base=tasks.boom(x=2)), "needs-boom")

    result = project.smttask("--executor", "dask", "-n", "2", "tasks")

    assert result.returncode == 1
    assert result.statuses() == {
        "boom-1.taskdesc.json": "failed", "needs-boom.taskdesc.json": "failed",
        "square-2.taskdesc.json": "computed", "square-3.taskdesc.json": "computed",
    }
    assert result.line_of("boom-1").endswith("boom-1.taskdesc.json: ValueError: boom 1")
    assert "upstream task boom" in result.line_of("needs-boom") and "ValueError: boom 2" in result.line_of("needs-boom")
    assert "Traceback" not in result.stdout + result.stderr  # tracebacks go to the log, named once
    assert "Full tracebacks: .smttask/logs/" in result.stderr


def test_the_notebook_one_liner_runs_on_an_existing_client(project: DaskProject) -> None:
    from distributed import Client, LocalCluster

    from smttask import Project
    from smttask_dask import run_tasks

    tasks = project.tasks
    batch = [tasks.square(x=4), tasks.combine(x=1, base=tasks.base(n=5)), tasks.boom(x=9)]
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                     scheduler_kwargs={"dashboard": False}) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        outcomes = run_tasks(batch, client=client, project=Project(project.root))
        assert client.status == "running"  # the notebook's client is left as it was

    by_index = {outcome.index: outcome for outcome in outcomes}
    assert [by_index[i].status for i in range(3)] == ["computed", "computed", "failed"]
    assert by_index[2].error == "ValueError: boom 9"
    assert [o.task for o in outcomes if o.index is None] == ["base"]
    with Project(project.root).activate():
        assert tasks.combine(x=1, base=tasks.base(n=5)).run() == 6  # loaded from storage, not computed
    assert len(project.counts("combine-1")) == 1


def test_a_local_cluster_gets_large_arrays_by_reference_written_once(project: DaskProject) -> None:
    """Its workers read this project's files: an array input goes to them as the stored array, not a copy
    in every task's description."""
    import numpy as np

    from smttask import Project

    values = np.random.default_rng(5).random(200_000)  # 1.6 MB: over array_inline_max's 1 MiB
    with Project(project.root).activate() as smt:
        tasks = [project.tasks.scaled_sum(values=values, factor=f) for f in (1.0, 2.0, 3.0)]
        outcomes = list(smt.executor("dask", workers=2).run(tasks))
        assert {o.status for o in outcomes} == {"computed"}
        assert [task.run() for task in tasks] == [float(values.sum()) * f for f in (1.0, 2.0, 3.0)]
    (stored,) = (project.root / "data" / ".arrays").glob("*.npy")
    assert np.array_equal(np.load(stored, allow_pickle=False), values)


def test_task_files_run_on_a_running_scheduler_and_its_workers(project: DaskProject, cluster: Cluster) -> None:
    save_diamond(project)

    result = project.smttask("--scheduler", cluster.address, "tasks")

    assert result.returncode == 0, result.stdout + result.stderr
    assert set(result.statuses().values()) == {"computed"}
    assert len(project.counts("base-7")) == 1
    workers = {worker.pid for worker in cluster.workers}
    assert {pid for i in (1, 2, 3) for pid in project.counts(f"combine-{i}")} <= workers


def test_a_killed_worker_fails_only_its_own_task(project: DaskProject, cluster_of_three: Cluster) -> None:
    """kill -9 two workers mid-task: the stored task is retried elsewhere, the unpure one fails, others finish."""
    tasks = project.tasks
    project.save(tasks.held(x=1), "a-held")
    project.save(tasks.unpure_held(x=2), "b-unpure")
    for x in range(3, 7):
        project.save(tasks.square(x=x), f"c-square-{x}")
    process = project.start("--scheduler", cluster_of_three.address, "tasks")
    wait_until(lambda: project.counts("held-1") and project.counts("unpure_held-2"), "both held tasks to start")
    (first,) = project.counts("held-1")
    (unpure,) = project.counts("unpure_held-2")
    assert first != unpure  # side by side on two workers
    for pid in (first, unpure):
        cluster_of_three.kill_worker(pid)
    (project.root / "release").touch()
    result = finish(process)

    assert result.returncode == 1
    statuses = result.statuses()
    assert statuses.pop("a-held.taskdesc.json") == "computed"
    assert statuses.pop("b-unpure.taskdesc.json") == "failed"
    assert set(statuses.values()) == {"computed"} and len(statuses) == 4
    retried = project.counts("held-1")
    assert len(retried) == 2 and retried[1] not in (first, unpure)  # run again, on the surviving worker
    assert project.counts("unpure_held-2") == [unpure]  # never run a second time
    assert "unpure tasks are not run a second time" in result.line_of("b-unpure")
    assert not list(Path(project.root, ".smttask", "dask").glob("*"))  # the batch's start markers are gone


def test_ctrl_c_stops_the_batch_and_leaves_nothing_half_written(project: DaskProject) -> None:
    tasks = project.tasks
    project.save(tasks.held(x=1), "a-held-1")
    project.save(tasks.held(x=2), "a-held-2")
    for x in (3, 4, 5):
        project.save(tasks.square(x=x), f"b-square-{x}")
    process = project.start("--executor", "dask", "-n", "2", "tasks", new_session=True)
    wait_until(lambda: project.counts("held-1") and project.counts("held-2"), "both held tasks to start")
    os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches smttask and the workers alike
    result = finish(process)  # the held tasks never see 'release': they are interrupted

    assert result.returncode == 130, result.stdout + result.stderr
    statuses = result.statuses()
    assert statuses["a-held-1.taskdesc.json"] == statuses["a-held-2.taskdesc.json"] == "interrupted"
    assert {statuses[f"b-square-{x}.taskdesc.json"] for x in (3, 4, 5)} <= {"computed", "skipped"}  # Dask's order
    assert "KeyboardInterrupt" not in result.stderr  # the workers ignored the Ctrl-C; smttask stopped them
    leftovers = [p.name for p in (project.root / "data").rglob("*") if p.name.endswith((".tmp", ".claim"))]
    assert leftovers == []  # the interrupted tasks released their claims
    assert not (project.root / "data" / "held").exists() or not any((project.root / "data" / "held").glob("*.json"))
    for pid in (*project.counts("held-1"), *project.counts("held-2")):
        wait_until(lambda pid=pid: not Path(f"/proc/{pid}").exists(), f"worker {pid} to exit", limit=10)


def test_tasks_defined_in_a_script_run_on_the_workers(project: DaskProject) -> None:
    """A task class of ``__main__`` (a script, a notebook) is shipped to the workers, as with ``-n N``."""
    script = project.root / "script.py"
    script.write_text(
        "from smttask import Project, RecordedTask\n"
        "import smttask_dask\n\n"
        "@RecordedTask\n"
        "def cube(x: int) -> int:\n"
        "    return x ** 3\n\n"
        "if __name__ == '__main__':\n"
        "    outcomes = smttask_dask.run_tasks([cube(x=2), cube(x=3)], workers=2, project=Project('.'))\n"
        "    print(sorted(o.status for o in outcomes))\n"
        "    with Project('.').activate():\n"
        "        print(cube(x=3).run())\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=project.root, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["['computed', 'computed']", "27"]
