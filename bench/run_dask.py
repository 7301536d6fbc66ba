"""Dask benchmark: task files through ``smttask run --executor dask`` beside the built-in ``-n 2``.

Run with ``.venv/bin/python bench/run_dask.py [--trivial N] [--sleepy M]``.
Writes the ``## Dask`` section of ``docs/benchmarks.md`` and leaves every
other section as it was.

In one run, on the same machine and the same task files (``recorder = "none"``),
each measured as a user runs it (a fresh ``smttask run`` process, an empty data
directory):

- 1,000 trivial task files (``x * x``) and 100 task files sleeping one second,
  through ``--executor dask -n 2`` (a ``LocalCluster`` of 2 worker processes,
  started and closed by the run) and through ``-n 2`` (smttask's own pool);
- one trivial task file through each, which is the start-up cost of a run
  (interpreter, imports, workers or cluster, one task).

Per-task overhead is (time for N files − time for one file) / (N − 1). Benchmarks
are reports, not tests: nothing here fails on a missed target.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from importlib.metadata import version
from pathlib import Path

from benchdoc import Trash, machine_summary, write_section

SECTION = "## Dask"
SMTTASK = str(Path(sys.executable).with_name("smttask"))

TASKS = '''
import time

from smttask import RecordedTask

@RecordedTask
def square(x: int) -> int:
    return x * x

@RecordedTask
def nap(x: int) -> int:
    time.sleep(1.0)
    return x
'''

RUNS = {"dask": ["--executor", "dask", "-n", "2"], "processes": ["-n", "2"]}


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def make_project(root: Path, trivial: int, sleepy: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "smttask.toml").write_text('recorder = "none"\n')
    (root / "benchtasks.py").write_text(TASKS)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, ".")
        from smttask import Project
        from benchtasks import nap, square
        with Project(".").activate():
            square(x=-1).save("one/square-one.taskdesc.json")
            for i in range({trivial}):
                square(x=i).save("trivial/square-%d.taskdesc.json" % i)
            for i in range({sleepy}):
                nap(x=i).save("sleepy/nap-%d.taskdesc.json" % i)
    """)
    subprocess.run([sys.executable, "-c", script], cwd=root, check=True, env=environment())


def timed(project: Path, options: list[str], directory: str) -> float:
    """Wall time of one ``smttask run`` on *directory* from an empty data directory (the last run's moved
    aside, see :class:`benchdoc.Trash`); exits if it fails."""
    Trash(project / "trash").move(project / "data", project / ".smttask")  # deleted with the bench's directory
    start = time.perf_counter()
    done = subprocess.run([SMTTASK, "run", *options, "-q", directory], cwd=project, capture_output=True,
                          text=True, env=environment(), stdin=subprocess.DEVNULL, timeout=1800)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"smttask run {' '.join(options)} {directory} failed (exit {done.returncode}):\n"
                         f"{(done.stdout + done.stderr)[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trivial", type=int, default=1000, help="trivial task files (default 1000)")
    parser.add_argument("--sleepy", type=int, default=100, help="one-second task files (default 100)")
    args = parser.parse_args()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="smttask-bench-dask-") as tmp:
        project = Path(tmp)
        make_project(project, args.trivial, args.sleepy)
        times: dict[tuple[str, str], float] = {}
        for directory in ("one", "trivial", "sleepy"):  # side by side, alternating executors
            for name, options in RUNS.items():
                times[name, directory] = timed(project, options, directory)
                print(f"{name:10} {directory:8} {times[name, directory]:8.2f} s", file=sys.stderr)
    rows = []
    for directory, label in (("one", "1 trivial task file: start-up"),
                             ("trivial", f"{args.trivial} trivial task files"),
                             ("sleepy", f"{args.sleepy} one-second task files (ideal on 2 workers: "
                                        f"{args.sleepy / 2:.0f} s)")):
        dask, pool = times["dask", directory], times["processes", directory]
        rows.append(f"| {label} | {dask:.2f} s | {pool:.2f} s | {dask / pool:.2f}x |")
    overhead = {
        name: ((times[name, "trivial"] - times[name, "one"]) / (args.trivial - 1),
               (times[name, "sleepy"] - times[name, "one"] - args.sleepy / 2) / args.sleepy)
        for name in RUNS
    }
    for index, label in ((0, "per trivial task file, beyond start-up"),
                         (1, "per one-second task file, beyond start-up and the ideal")):
        dask, pool = overhead["dask"][index], overhead["processes"][index]
        ratio = f"{dask / pool:.2f}x" if pool > 0 else "—"
        rows.append(f"| overhead {label} | {dask * 1000:.1f} ms | {pool * 1000:.1f} ms | {ratio} |")
    text = "\n".join([
        SECTION,
        "",
        f"`bench/run_dask.py`, {machine_summary()}, Python {sys.version.split()[0]}, Dask {version('distributed')}, "
        f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in {time.perf_counter() - began:.0f} s: "
        "task files with `recorder = \"none\"`, each run a fresh `smttask run -q` process from an empty data "
        "directory. `--executor dask -n 2` starts a `LocalCluster` of 2 worker processes (one thread each) for "
        "the run and closes it after; `-n 2` is smttask's own pool of 2 worker processes. Ratio = Dask / `-n 2`, "
        "measured in the same run.",
        "",
        "| run | `--executor dask -n 2` | `-n 2` | ratio |",
        "|---|---|---|---|",
        *rows,
        "",
        "Overhead per task file = (time for N files − time for one file) / (N − 1); for the one-second tasks, "
        "less the ideal (N / 2 s). The Dask client submits every job at once and the scheduler places them; "
        "its per-task cost (a scheduler round trip and a worker-side rebuild of the task) shows on trivial "
        "tasks and matters little for tasks of a second or more; a negative overhead is measurement noise.",
    ])
    write_section(SECTION, text)
    print(text)


if __name__ == "__main__":
    main()
