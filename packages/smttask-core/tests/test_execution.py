"""Executors: planning a batch, running it in this process or in workers, and stopping it cleanly."""

from __future__ import annotations

import importlib
import json
import multiprocessing
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from smttask import Project, hookimpl, make_plugin_manager
from smttask.execution import (
    WHY_MISSING,
    WHY_NOT_STORED,
    WHY_RECOMPUTE,
    InlineExecutor,
    ProcessExecutor,
    plan_batch,
)
from smttask.execution.growth import CoreTrial, GrowthTrial
from smttask.execution.history import DurationHistory
from smttask.execution.outcomes import RunOptions, TaskOutcome
from smttask.execution.processes import _Pool, _Worker
from smttask.execution.queueing import QueueDepth
from smttask.execution.worker import WorkerSetup
from smttask.recording import Recorder

TASKS = '''
import os, pathlib, sys, time
from smttask import MemoizedTask, RecordedTask

@RecordedTask
def base(n: int) -> int:
    with open("base-count.txt", "a") as f:
        f.write(f"{os.getpid()}\\n")
    return n * 10

@MemoizedTask
def double(x: int) -> int:
    return 2 * x

@RecordedTask
def add(x: int, y: int) -> int:
    print(f"adding {x} and {y}")
    return x + y

@RecordedTask
def fail(x: int) -> int:
    raise ValueError(f"bad input {x}")

@RecordedTask
def die(x: int) -> int:
    os._exit(3)

@RecordedTask
def pid_after(x: int, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()

@RecordedTask
def pid_unless_zero(x: int) -> int:
    if x == 0:
        os._exit(3)
    return os.getpid()

@RecordedTask
def blocked(x: int) -> int:
    pathlib.Path(f"started-{x}").touch()
    while not pathlib.Path("release").exists():
        time.sleep(0.01)
    return x
'''


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A project with a fresh task module (unique name, importable by workers through sys.path)."""
    (tmp_path / "smttask.toml").write_text('recorder = "none"\n')
    name = f"exec_tasks_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(TASKS)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    project = Project(tmp_path)
    yield project, module
    sys.modules.pop(name, None)


def leftovers(root: Path) -> list[Path]:
    """Temporary or claim files: signs of a half-written result."""
    return [p for p in root.rglob("*") if p.name.endswith((".tmp", ".claim")) or ".stale-" in p.name]


def test_plan_reports_cached_tasks_and_makes_missing_stored_upstream_a_job(env):
    project, t = env
    with project.activate():
        b = t.base(n=1)
        tasks = [t.add(x=i, y=b) for i in range(3)] + [t.add(x=0, y=b), t.double(x=2)]
        t.add(x=2, y=5).run()
        tasks.append(t.add(x=2, y=5))
        plan = plan_batch(tasks, project)
    upstream = [job for job in plan.jobs if job.upstream]
    assert [job.task.taskname for job in upstream] == ["base"]
    assert upstream[0].why == WHY_MISSING
    assert plan.job_for(0).deps == {upstream[0].id}
    assert plan.job_for(0) is plan.job_for(3), "the same task twice is one job"
    assert plan.job_for(4).why == WHY_NOT_STORED
    assert set(plan.cached) == {5}
    assert plan.needed_by(upstream[0]) == [0, 1, 2, 3]

    with project.activate():
        replan = plan_batch(tasks[5:], project, recompute=True)
    assert [job.why for job in replan.jobs] == [WHY_RECOMPUTE]


def test_inline_runs_in_batch_order_then_reports_cached(env):
    project, t = env
    with project.activate():
        tasks = [t.add(x=i, y=1) for i in (3, 1, 2)]
    outcomes = list(InlineExecutor(project).run(tasks))
    assert [(o.index, o.status) for o in outcomes] == [(0, "computed"), (1, "computed"), (2, "computed")]
    assert all(Path(o.outputs[0]).is_file() for o in outcomes)
    again = list(InlineExecutor(project).run(tasks))
    assert [o.status for o in again] == ["cached"] * 3


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_processes_compute_shared_stored_upstream_once(env, start_method):
    project, t = env
    with project.activate():
        b = t.base(n=4)
        tasks = [t.add(x=i, y=b) for i in range(6)]
    executor = ProcessExecutor(project, workers=2, start_method=start_method)
    outcomes = list(executor.run(tasks))
    by_index = {o.index: o for o in outcomes}
    assert [by_index[i].status for i in range(6)] == ["computed"] * 6
    assert by_index[None].task == "base" and by_index[None].status == "computed"
    assert len(Path("base-count.txt").read_text().split()) == 1
    with project.activate():
        assert [task.run() for task in tasks] == [40 + i for i in range(6)]


def test_a_failure_stops_only_the_tasks_that_need_it(env):
    project, t = env
    with project.activate():
        tasks = [t.add(x=1, y=2), t.fail(x=1), t.add(x=3, y=t.fail(x=2)), t.add(x=4, y=5)]
    outcomes = {o.index: o for o in ProcessExecutor(project, workers=2).run(tasks)}
    assert outcomes[0].status == outcomes[3].status == "computed"
    assert outcomes[1].status == "failed" and outcomes[1].error == "ValueError: bad input 1"
    assert "raise ValueError" in outcomes[1].traceback
    assert outcomes[2].status == "failed"
    assert outcomes[2].error.startswith("upstream task fail (key ")
    assert "bad input 2" in outcomes[2].error


def test_a_dying_worker_fails_only_its_task(env):
    project, t = env
    with project.activate():
        tasks = [t.die(x=1)] + [t.add(x=i, y=0) for i in range(4)]
    outcomes = {o.index: o for o in ProcessExecutor(project, workers=2).run(tasks)}
    assert outcomes[0].status == "failed"
    assert "exit code 3" in outcomes[0].error
    assert [outcomes[i].status for i in range(1, 5)] == ["computed"] * 4


def test_quick_task_types_are_queued_deeper_and_slow_or_new_ones_not() -> None:
    depths = QueueDepth()
    assert depths.depth_for("quick") == depths.depth_for("slow") == QueueDepth.min_depth  # nothing seen yet
    for _ in range(10):
        depths.record("quick", 0.002)
        depths.record("slow", 3.0)
    assert depths.depth_for("quick") == int(QueueDepth.queued_seconds / 0.002)
    assert depths.depth_for("slow") == QueueDepth.min_depth
    for _ in range(10):
        depths.record("instant", 0.0)
    assert depths.depth_for("instant") == QueueDepth.max_depth


def _verdict(rate_before: float, rate_after: float) -> tuple[bool | None, int | None]:
    """A trial of a second worker, where jobs finished at *rate_before* per second, then at *rate_after* with
    it: the verdict once it has been measured, and the ceiling set."""
    trial = GrowthTrial()
    now = 10.0
    for _ in range(GrowthTrial.warm_up + int(rate_before * 0.4)):
        now += 1 / rate_before
        trial.finished(now)
    assert trial.may_start(now)
    trial.start(now)
    trial.worker_ready(now + 0.01)
    now += 0.01
    assert trial.verdict(now, workers=2) is None  # nothing measured yet
    for _ in range(int(rate_after * GrowthTrial.max_window * 1.2)):
        now += 1 / rate_after
        trial.finished(now)
    return trial.verdict(now, workers=2), trial.ceiling


def test_a_worker_added_for_quick_jobs_is_kept_only_if_the_batch_goes_faster_with_it() -> None:
    assert _verdict(1000, 1500) == (True, None)
    assert _verdict(1000, 900) == (False, 1)
    assert _verdict(1000, 1000 * GrowthTrial.gain * 0.95) == (False, 1)
    assert not GrowthTrial().may_start(10.0)  # nothing finished yet: nothing to compare with


BUSY_ON_CPU_0 = """
import os, sys, time
os.sched_setaffinity(0, {0})
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    pass
"""

needs_affinity = pytest.mark.skipif(
    not hasattr(__import__("os"), "sched_setaffinity") or not Path("/proc/self/schedstat").exists(),
    reason="needs Linux's CPU affinity and /proc/<pid>/schedstat",
)


@needs_affinity
def test_a_worker_sharing_the_parents_cpu_fails_its_trial_for_a_core() -> None:
    """Two busy processes confined to one CPU wait for it about half the time: the worker is not kept."""
    import os
    import time

    previous = os.sched_getaffinity(0)
    child = subprocess.Popen([sys.executable, "-c", BUSY_ON_CPU_0, "5"])
    try:
        os.sched_setaffinity(0, {0})
        time.sleep(0.2)  # the child is past its start-up, busy on CPU 0
        trial = CoreTrial(child.pid)
        trial.worker_ready(time.perf_counter())
        end = time.perf_counter() + 2 * CoreTrial.window
        verdicts = set()
        while time.perf_counter() < end:
            verdicts.add(trial.verdict(time.perf_counter()))
        assert verdicts == {None, False}
    finally:
        os.sched_setaffinity(0, previous)
        child.kill()
        child.wait()


@needs_affinity
def test_a_worker_that_never_waits_for_a_cpu_passes_its_trial_and_one_not_measurable_is_kept() -> None:
    import time

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        time.sleep(0.1)
        trial = CoreTrial(child.pid)
        trial.worker_ready(time.perf_counter())
        assert trial.verdict(time.perf_counter()) is None  # still measuring
        time.sleep(2 * CoreTrial.window)  # neither process is runnable: neither waits for a CPU
        assert trial.verdict(time.perf_counter()) is True
        assert trial.verdict(time.perf_counter()) is None and not trial.running  # decided once
    finally:
        child.kill()
        child.wait()
    gone = CoreTrial(child.pid)  # the kernel no longer knows it: no trial, the worker stays
    gone.worker_ready(time.perf_counter())
    assert not gone.running and gone.verdict(time.perf_counter() + 1) is None


def test_jobs_queued_deep_behind_a_worker_that_dies_run_elsewhere(env):
    project, t = env
    with project.activate():
        tasks = [t.add(x=i, y=1) for i in range(150)] + [t.die(x=1)] + [t.add(x=i, y=2) for i in range(150)]
    outcomes = {o.index: o for o in ProcessExecutor(project, workers=2).run(tasks)}
    assert outcomes[150].status == "failed" and "exit code 3" in outcomes[150].error
    assert {outcomes[i].status for i in outcomes if i != 150} == {"computed"}
    assert len(outcomes) == 301


def test_a_worker_killed_while_holding_outcomes_fails_only_the_job_it_was_running(env):
    """A worker holds quick jobs' outcomes while quick jobs follow; those it stored before it died are
    computed, not failed, and the one it was running is the failure (not run again, and failing again)."""
    project, t = env
    with project.activate():
        tasks = [t.pid_unless_zero(x=i) for i in range(1, 100)] + [t.pid_unless_zero(x=0)]
        tasks += [t.pid_unless_zero(x=i) for i in range(100, 200)]
    outcomes = {o.index: o for o in ProcessExecutor(project, workers=1, start_method="spawn").run(tasks)}
    assert len(outcomes) == 200
    failed = [i for i, o in outcomes.items() if o.status == "failed"]
    assert failed == [99] and "exit code 3" in outcomes[99].error
    assert {o.status for i, o in outcomes.items() if i != 99} == {"computed"}
    assert all(o.outputs for i, o in outcomes.items() if i != 99)


def test_a_job_sent_to_a_worker_that_just_died_goes_back_to_the_ready_ones(env):
    """The worker's end of the pipe is closed before the pool has seen it exit: the send is refused, not raised."""
    project, t = env
    with project.activate():
        plan = plan_batch([t.add(x=1, y=1)], project)
    setup = WorkerSetup(str(project.root), project.config, tuple(sys.path), (), None)
    worker = _Worker(multiprocessing.get_context("fork"), 0, setup)
    worker.process.kill()
    worker.process.join()
    assert worker.assign([(plan.jobs[0], plan.jobs[0].id, False)], RunOptions()) is False
    assert worker.gone and not worker.jobs
    worker.conn.close()


#: Set by the test below before it forks its worker (a forked child shares it).
_SENT, _RELEASE = None, None


def _done_then_bye(conn, slot, setup) -> None:
    """A worker told to stop: it sends the outcome of its running job, then, once let go, its "bye"."""
    conn.send(("ready",))
    conn.recv()
    conn.send(("done", [TaskOutcome("add", "", "interrupted", 0.1, "interrupted")]))
    _SENT.set()
    _RELEASE.wait(30)
    conn.send(("bye",))


def test_a_worker_that_says_bye_just_before_it_exits_started_none_of_its_queued_jobs(env, monkeypatch):
    """The "bye" that arrives after the parent last read, but before it saw the worker gone, still counts:
    the job queued behind the interrupted one never started (it is run elsewhere or skipped), and is not
    reported interrupted too."""
    project, t = env
    ctx = multiprocessing.get_context("fork")
    monkeypatch.setattr(sys.modules[__name__], "_SENT", ctx.Event())
    monkeypatch.setattr(sys.modules[__name__], "_RELEASE", ctx.Event())
    with project.activate():
        plan = plan_batch([t.add(x=1, y=1), t.add(x=2, y=2)], project)
    setup = WorkerSetup(str(project.root), project.config, tuple(sys.path), (), None)
    pool = _Pool("fork", setup, 1, lambda job: None, lazy=True, history=DurationHistory(project.root))
    worker = _Worker(ctx, 0, setup, target=_done_then_bye)
    pool.workers = [worker]
    assert worker.assign([(job, job.id, False) for job in plan.jobs], RunOptions())
    worker.terminated = True  # as the stop did
    assert _SENT.wait(30)
    process = worker.process

    def exits_meanwhile() -> bool:
        _RELEASE.set()
        process.join(30)
        return False

    monkeypatch.setattr(process, "is_alive", exits_meanwhile)
    outcomes = [(job.id, outcome.status if outcome else None) for job, outcome in pool._read(worker)]
    assert outcomes == [(plan.jobs[0].id, "interrupted"), (plan.jobs[1].id, None)]


PIDS = """
import json, os, sys
from smttask import Project
from smttask.execution import ProcessExecutor
from smttask.execution.processes import _Pool
t = __import__(sys.argv[1])
if sys.argv[2]:
    _Pool.min_startup = float(sys.argv[2])
project = Project(".")
with project.activate():
    if sys.argv[5] == "held-a-claim":
        t.pid_after(x=-1, seconds=0).run()  # the claim's heartbeat thread now runs here
    if sys.argv[5] == "frozen-before":
        __import__("gc").freeze()  # as the smttask program does with its libraries' objects
    if sys.argv[5] == "one-cpu":
        os.sched_setaffinity(0, {0})  # as if every other core were busy: the workers inherit it
        # The jobs stay quick however long a loaded machine keeps them waiting for that CPU.
        __import__("smttask.execution.queueing").execution.queueing.QueueDepth.quick_seconds = 0.02
    method = ProcessExecutor.choose_start_method()
    xs = range(int(sys.argv[7]), int(sys.argv[7]) + int(sys.argv[3]))
    tasks = [t.pid_after(x=i, seconds=float(sys.argv[4])) for i in xs]
    if sys.argv[5] == "one-dies-first":
        tasks = [t.pid_unless_zero(x=i) for i in xs]
    before = __import__("gc").get_freeze_count()
    outcomes = list(ProcessExecutor(project, workers=int(sys.argv[6])).run(tasks))
    pids = {o.index: task.run() for o, task in zip(sorted(outcomes, key=lambda o: o.index), tasks) if o.ok}
    print(json.dumps({"statuses": sorted({o.status for o in outcomes}), "pids": sorted(set(pids.values())),
                      "me": os.getpid(), "method": method, "frozen": __import__("gc").get_freeze_count() > 0,
                      "freeze_change": __import__("gc").get_freeze_count() - before,
                      "jobs_here": sum(1 for pid in pids.values() if pid == os.getpid())}))
"""


def _pids(
    t, count: int, seconds: float, min_startup: str = "", *, case: str = "", workers: int = 4, first: int = 0
) -> tuple[set[int], int, dict]:
    """Which processes computed *count* tasks of *seconds* each (``x`` from *first* on), in a fresh process
    (one running no other threads, so workers are forked: the pool starts them lazily): the workers' PIDs,
    and whether this process (the parent) computed some too. *case* ``held-a-claim`` runs a task first
    (leaving the claim heartbeat's thread running), ``one-dies-first`` runs ``pid_unless_zero`` instead,
    ``frozen-before`` freezes the garbage collector's objects first (``found["frozen"]``: still, after;
    ``found["freeze_change"]``: how many objects the batch left frozen, or unfroze, beyond those), and
    ``one-cpu`` confines the batch to one CPU (``found["jobs_here"]``: how many tasks the parent computed)."""
    done = subprocess.run(
        [sys.executable, "-c", PIDS, t.__name__, min_startup, str(count), str(seconds), case, str(workers),
         str(first)],
        capture_output=True, text=True, check=True, timeout=120,
    )
    found = json.loads(done.stdout.splitlines()[-1])
    me = found["me"]
    return set(found["pids"]) - {me}, me in found["pids"], found


def test_a_batch_of_quick_tasks_stays_on_the_one_worker_that_is_worth_starting(env):
    """A pool starts one worker, and another only when the jobs ready to start are worth a start-up."""
    _, t = env
    workers, _, found = _pids(t, 40, 0.0, min_startup="60")  # no batch of quick tasks is worth a minute
    assert len(workers) == 1 and found["statuses"] == ["computed"]


def test_the_parent_runs_quick_jobs_the_workers_have_no_room_for(env):
    """Once a task type is known to be quick, the parent takes a slot: with -n 2, it and one worker."""
    _, t = env
    workers, parent_ran_some, found = _pids(t, 400, 0.0, min_startup="60", workers=2)
    assert found["statuses"] == ["computed"] and found["method"] == "fork"
    assert len(workers) == 1 and parent_ran_some


def test_a_task_type_that_ended_a_worker_never_runs_in_the_parent(env):
    """Its job that ended a worker fails alone; its quick jobs after it all run in workers."""
    _, t = env
    workers, parent_ran_some, found = _pids(t, 400, 0.0, min_startup="60", case="one-dies-first", workers=2)
    assert found["statuses"] == ["computed", "failed"]  # the one with x=0, and the batch went on
    assert workers and not parent_ran_some


def test_a_batch_of_task_types_known_from_earlier_batches_to_be_few_and_quick_starts_no_worker(env):
    """The project keeps its task types' durations: the first batch starts a worker before it knows its
    jobs are quick; a later one of 12 such jobs runs them all in the parent, sooner than a worker starts."""
    project, t = env
    workers, _, found = _pids(t, 12, 0.0, workers=2)
    assert workers and found["statuses"] == ["computed"]
    assert found["freeze_change"] == 0  # frozen for the fork, then all collectable again
    history = DurationHistory.of(project)
    assert history.depths.is_quick(t.pid_after.identity)
    # A minute's start-up: 12 known-quick jobs are sooner done here however loaded the machine is.
    workers, parent_ran_some, found = _pids(t, 12, 0.0, "60", workers=2, first=100, case="frozen-before")
    assert not workers and parent_ran_some and found["statuses"] == ["computed"]
    assert found["frozen"]  # no worker forked: what the program froze stays frozen, to the end
    workers, parent_ran_some, found = _pids(t, 2000, 0.0, workers=2, first=200, case="frozen-before")
    # More than a worker's start-up: a worker starts, and the parent takes its slot (one worker while the jobs
    # stay under 5 ms; on a slow disk they may not, and a second worker is then right).
    assert workers and parent_ran_some
    # What the program froze stays frozen, and the batch's tasks stay collectable: the pool left freezing to it.
    # (A module first imported during the batch, as multiprocessing's `socket` is, may free a few frozen
    # objects it replaces: -3 here. Unfreezing would drop the count by thousands; freezing would raise it.)
    assert found["frozen"] and -10 <= found["freeze_change"] <= 0


@needs_affinity
def test_a_first_worker_for_quick_jobs_without_a_core_of_its_own_is_retired(env):
    """With every other core busy (here: the batch confined to one CPU), the parent and the worker started
    for quick jobs only take turns: the worker is retired once the kernel shows them waiting for the CPU,
    and the parent runs the rest (they would share the jobs about evenly)."""
    project, t = env
    _pids(t, 12, 0.0, workers=2)  # the task type's durations are known from now on: its jobs are quick
    assert DurationHistory.of(project).depths.is_quick(t.pid_after.identity)
    workers, parent_ran_some, found = _pids(t, 3000, 0.0, workers=2, first=400, case="one-cpu")
    assert found["statuses"] == ["computed"] and found["method"] == "fork"
    assert len(workers) == 1 and parent_ran_some
    assert found["jobs_here"] > 0.75 * 3000


def test_a_task_type_that_ended_a_worker_never_runs_in_the_parent_in_later_batches_either(env):
    project, t = env
    _pids(t, 400, 0.0, min_startup="60", case="one-dies-first", workers=2)
    assert DurationHistory.of(project).ended_a_worker == {t.pid_unless_zero.identity}
    workers, parent_ran_some, found = _pids(t, 400, 0.0, case="one-dies-first", workers=2, first=1000)
    assert found["statuses"] == ["computed"] and workers and not parent_ran_some


def test_slow_jobs_never_run_in_the_parent(env):
    """A slow task type is not queued behind itself while the pool can still grow, nor run by the parent."""
    _, t = env
    workers, parent_ran_some, _ = _pids(t, 4, 0.5)
    assert len(workers) == 4 and not parent_ran_some


def test_a_process_that_held_a_claim_still_forks_its_workers(env):
    """The claim heartbeat's thread, left running by an earlier task, does not make workers spawn."""
    _, t = env
    workers, _, found = _pids(t, 4, 0.5, case="held-a-claim")
    assert found["method"] == "fork" and found["statuses"] == ["computed"] and len(workers) == 4


def test_worker_output_reaches_this_process(env, capsys):
    project, t = env
    with project.activate():
        tasks = [t.add(x=7, y=8)]
    list(ProcessExecutor(project, workers=1).run(tasks))
    assert "adding 7 and 8" in capsys.readouterr().out


@pytest.mark.parametrize("executor_name", ["processes", "inline-thread"])
def test_stop_interrupts_running_tasks_and_keeps_finished_ones(env, executor_name):
    project, t = env
    with project.activate():
        tasks = [t.add(x=1, y=1)] + [t.blocked(x=i) for i in range(4)]
    if executor_name == "processes":
        executor = ProcessExecutor(project, workers=2)

        def on_tick() -> None:
            if len(list(Path().glob("started-*"))) >= 2:
                executor.stop()

        outcomes = list(executor.run(tasks, on_tick=on_tick))
    else:  # stop() from another thread while a task runs in this (non-main) thread
        import threading

        executor = InlineExecutor(project)
        outcomes = []

        def consume() -> None:
            outcomes.extend(executor.run(tasks))

        thread = threading.Thread(target=consume)
        thread.start()
        while not list(Path().glob("started-*")):
            thread.join(0.01)
        executor.stop()
        Path("release").touch()  # a thread cannot be interrupted: let the running task finish
        thread.join()
    statuses = {o.index: o.status for o in outcomes}
    assert statuses[0] == "computed"
    assert set(statuses) == set(range(5)), "every task gets an outcome"
    assert "skipped" in statuses.values()
    if executor_name == "processes":
        assert sorted(statuses.values()).count("interrupted") == 2
    assert leftovers(project.data_dir) == []
    with project.activate():
        stored = [task for task in tasks if project.storage.locate(task) is not None]
    assert all(statuses[tasks.index(task)] == "computed" for task in stored)


class _ListRecorder(Recorder):
    name = "list"
    runs: list = []

    @classmethod
    def is_available(cls, project):
        return True

    def record(self, run):
        from contextlib import contextmanager

        @contextmanager
        def recording():
            yield run
            type(self).runs.append((run.task.taskname, run.reason))

        return recording()


class _ListRecorderPlugin:
    @hookimpl
    def smttask_recorders(self):
        return [_ListRecorder]


def test_record_and_reason_options_reach_the_recorder(env, tmp_path):
    _, t = env
    (tmp_path / "smttask.toml").write_text('recorder = "list"\n')
    project = Project(tmp_path, plugin_manager=make_plugin_manager(
        load_entry_points=False, plugins=[_ListRecorderPlugin()]))
    _ListRecorder.runs.clear()
    with project.activate():
        first, second = t.add(x=1, y=100), t.add(x=2, y=100)
    list(InlineExecutor(project).run([first], reason="because"))
    list(InlineExecutor(project).run([second], record=False))
    assert _ListRecorder.runs == [("add", "because")]


MAIN_SCRIPT = '''
import math
from smttask import Project, RecordedTask, TaskOutput
from smttask.execution import ProcessExecutor

SCALE = 3

def helper(x):
    return math.sqrt(x) * SCALE

if __name__ == "__main__":  # workers re-import this script without defining the tasks
    class Out(TaskOutput):
        root: float
        twice: int

    @RecordedTask
    def measure(x: int) -> Out:
        return helper(x), 2 * x

    project = Project(".")
    with project.activate():
        tasks = [measure(x=x) for x in (1, 4, 9)]
    outcomes = list(ProcessExecutor(project, workers=2, start_method="spawn").run(tasks))
    print(sorted(o.status for o in outcomes), [o.error for o in outcomes if o.error])
    with project.activate():
        print([tuple(t.run()) for t in tasks])
'''


def test_tasks_defined_in_main_are_shipped_to_spawned_workers(tmp_path):
    pytest.importorskip("dill")
    (tmp_path / "smttask.toml").write_text('recorder = "none"\n')
    (tmp_path / "script.py").write_text(MAIN_SCRIPT)
    result = subprocess.run(
        [sys.executable, "script.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "['computed', 'computed', 'computed'] []"
    assert lines[1] == "[(3.0, 2), (6.0, 8), (9.0, 18)]"


def test_start_method_is_fork_only_without_other_threads():
    import threading

    if sys.platform == "darwin":
        assert ProcessExecutor.choose_start_method() == "spawn"
        return
    if threading.active_count() == 1:
        assert ProcessExecutor.choose_start_method() == "fork"
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert ProcessExecutor.choose_start_method() == "spawn"
    finally:
        stop.set()
        thread.join()


def test_outcome_is_ok_only_with_a_result():
    from smttask.execution import TaskOutcome

    assert TaskOutcome("t", "k", "cached", 0.0).ok
    assert not TaskOutcome("t", "k", "skipped", 0.0).ok
