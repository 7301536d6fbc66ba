"""The README demo, end to end: run with `make demo`.

Creates a throwaway project in ./demo-project — a git repository with a Sumatra
lab book — defines the README's tasks there, runs them (some recorded), saves
task files and runs them with `smttask run -n 2`, lists the records, runs
everything again to show the cache hits, and asks `smttask why` about a task
not computed yet.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
PROJECT = HERE.parent / "demo-project"
BIN = Path(sys.executable).parent


def sh(*args: str, show: bool = True) -> str:
    """Run a command in the demo project, echoing it like a terminal session."""
    if show:
        print(f"$ {' '.join(args)}")
    command = [str(BIN / args[0]), *args[1:]] if (BIN / args[0]).exists() else list(args)
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True)
    output = (done.stdout + done.stderr).rstrip()
    if show and output:
        print("\n".join(f"  {line}" for line in output.splitlines()))
    if done.returncode != 0:
        raise SystemExit(f"demo step failed: {' '.join(args)}\n{output}")
    return output


def set_up_project() -> None:
    print("== 0. A project: a git repository with a Sumatra lab book")
    if PROJECT.exists():
        shutil.rmtree(PROJECT)
    PROJECT.mkdir()
    shutil.copy(HERE / "readme" / "tasks.py", PROJECT / "tasks.py")
    sh("git", "init", "-q", show=False)
    sh("git", "config", "user.email", "demo@example.invalid", show=False)
    sh("git", "config", "user.name", "smttask demo", show=False)
    sh("git", "add", "tasks.py", show=False)
    sh("git", "commit", "-q", "-m", "analysis code", show=False)
    sh("smttask", "project", "init", "--yes", "--name", "demo")
    sh("git", "add", "-A", show=False)
    sh("git", "commit", "-q", "-m", "smttask project", show=False)


def run_in_python() -> list[Path]:
    import numpy as np

    from smttask import Project, Task

    os.chdir(PROJECT)
    sys.path.insert(0, str(PROJECT))
    with Project(PROJECT).activate() as project:
        from tasks import Add, Mul, analyze, spectrum

        print("== 1. Tasks are lazy: creating one computes only its key")
        tasks = [analyze(arr=np.array([1, 2, 3]), dt=dt, nbins=2, reason="README demo") for dt in [0.1, 0.3, 0.5]]
        for task in tasks:
            print(f"   {task!r:55} key {task.digest[:12]}…")

        print("== 2. run() computes, stores under data/, and records each run in the lab book")
        for task in tasks:
            print("  ", task.run())

        print("== 3. Composition: upstream tasks enter by their key")
        combo = Mul(a=Add(a=1, b=2), b=3)
        print(f"   {combo!r} = {combo.run()}")

        print("== 4. A fresh session finds results on disk (no recomputation, no new record)")
        project.memory.clear()
        start = time.perf_counter()
        again = analyze(arr=np.array([1, 2, 3]), dt=0.5, nbins=2).run()
        print(f"   {again} loaded in {1e3 * (time.perf_counter() - start):.2f} ms")

        print("== 5. Task files: save now, run later (here: with smttask run -n 2)")
        taskdir = PROJECT / "taskdir"
        saved = [spectrum(n=4096, seed=s, reason="README demo").save(taskdir) for s in range(4)]
        saved.append(tasks[0].save(taskdir))
        for path in saved:
            print(f"   {path.relative_to(PROJECT)}")
        assert all(Task.from_desc(p) for p in saved)
        analyze(arr=np.array([1, 2, 3]), dt=0.7, nbins=2, reason="README demo").save(PROJECT / "next" / "dt07.json")
        return saved


def main() -> None:
    set_up_project()
    run_in_python()
    sh("smttask", "run", "-n", "2", "taskdir")
    print("== 6. The lab book: one record per computed run")
    sh("smttask", "records")
    print("== 7. Run again: everything is cached, nothing is recomputed or recorded")
    sh("smttask", "run", "-n", "2", "taskdir")
    records = json.loads(sh("smttask", "records", "--json", show=False))
    print(f"   the lab book still holds {len(records)} records")
    print("== 8. Why would a task be computed? The nearest stored results, and what differs")
    sh("smttask", "why", "next/dt07.json")
    print("== 9. Sumatra's own tools read the lab book")
    sh("smt", "list")
    print("== 10. Pictures: the task graph and the lab book (open them in a browser)")
    sh("smttask", "graph", "taskdir", "-o", "pictures/graph.html")
    sh("smttask", "records", "plot", "--task", "analyze", "--sweep", "dt", "--result", "0", "-o", "pictures/records.html")
    print(f"   task graph: {PROJECT / 'pictures' / 'graph.html'}\n   records plot: {PROJECT / 'pictures' / 'records.html'}")
    print(f"demo finished; browse {PROJECT} (data/, taskdir/, .smt/, pictures/)")


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("default")
    main()
