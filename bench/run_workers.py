"""Worker start-up: ``smttask run -n N`` against ``-n 1`` and against ``joblib.Parallel``, in one run.

Run with ``.venv/bin/python bench/run_workers.py [--rounds N] [--no-doc]``.
Writes the ``## Worker start-up`` section of ``docs/benchmarks.md``.

Issue 12's targets: ``-n N`` is never slower than ``-n 1`` on any batch, and
1,000 trivial task files, cold, with ``-n 2`` take at most 0.8x the time of
``joblib.Parallel(n_jobs=2)`` over a cold ``joblib.Memory`` cache. Every run
is a fresh process timed from outside, as a user runs it (start-up, imports and
the workers' start included; byte code cached in a private
``PYTHONPYCACHEPREFIX``), each from an empty data directory (an empty joblib
cache); the commands alternate round by round and the median round is reported.
Each run but the *first batch* one finds the durations its task type took in
the runs before, which the project keeps (``.smttask/durations.json``); the
first batch runs without them.
The batches: trivial tasks (``x * x``), where start-up is everything, and tasks
that sleep 0.2 s, where workers should pay off; and the 1,000 trivial ones again
while another process keeps one core busy (a shared machine, a laptop at work), where
a worker can only take turns with ``smttask`` on the other core. Benchmarks are
reports, not tests: nothing here fails on a missed target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from benchdoc import Trash, machine_summary, write_section
from run_cli import environment

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "workers"
#: Where the results of earlier runs go until the measurements are done (see :func:`timed`).
TRASH = Trash(WORK / "trash")
#: Where the last bench's files go until this one's measurements are done.
OLD_WORK = Trash(WORK.parent / "workers-old")
#: Seconds for which ext4 without a journal skips a freed inode (5, or 10 while its block is not written back).
FREED_INODES_SKIPPED = 10.0
SMTTASK = str(Path(sys.executable).with_name("smttask"))
SECTION = "## Worker start-up"
JOBLIB_TARGET = 0.8

TASKS = '''
import time

from smttask import RecordedTask


@RecordedTask
def square(x: int) -> int:
    return x * x


@RecordedTask
def nap(x: int) -> int:
    time.sleep(0.2)
    return x
'''

JOBLIB = '''
import sys, time
import joblib

memory = joblib.Memory(sys.argv[1], verbose=0)


@memory.cache
def square(x):
    return x * x


@memory.cache
def nap(x):
    time.sleep(0.2)
    return x


function = {"square": square, "nap": nap}[sys.argv[2]]
joblib.Parallel(n_jobs=int(sys.argv[3]))(joblib.delayed(function)(x) for x in range(int(sys.argv[4])))
'''

#: (name, task, number of task files, rounds per round asked for, whether one core is kept busy meanwhile):
#: the 12-file batch is measured in more rounds, as its differences are a few milliseconds in the machine's noise.
BATCHES = [("12 trivial task files", "square", 12, 3, False), ("1,000 trivial task files", "square", 1000, 1, False),
           ("8 task files sleeping 0.2 s", "nap", 8, 1, False),
           ("1,000 trivial task files, one core busy", "square", 1000, 1, True)]
#: A process that keeps one core busy until it is stopped.
BUSY = "while True:\n    pass\n"


def prepare(directory: Path, task: str, count: int, env: dict[str, str]) -> None:
    directory.mkdir(parents=True)
    (directory / "smttask.toml").write_text('recorder = "none"\n')
    (directory / "benchtasks.py").write_text(textwrap.dedent(TASKS))
    (directory / "joblib_run.py").write_text(textwrap.dedent(JOBLIB))
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, '.')\nimport smttask, benchtasks as b\n"
                    f"with smttask.Project('.').activate():\n    for i in range({count}): b.{task}(x=i).save('tasks')"],
                   cwd=directory, env=env, check=True)


def timed(command: list[str], directory: Path, env: dict[str, str], fresh: tuple[Path, ...]) -> float:
    """Wall time of *command* in *directory*, after moving *fresh* (the results of the last run, and for
    a first batch the project's task durations) to the trash (see :class:`benchdoc.Trash`)."""
    TRASH.move(*fresh)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed


def measure(rounds: int) -> list[dict[str, object]]:
    OLD_WORK.move(WORK)  # moved, not deleted (see timed()): the last bench's files go at the end
    time.sleep(FREED_INODES_SKIPPED)  # files the last bench deleted at its end must not slow this one's
    env = environment(WORK / "pycache")
    rows = []
    for name, task, count, factor, busy in BATCHES:
        directory = WORK / task / str(count) / ("busy" if busy else "idle")
        prepare(directory, task, count, env)
        hog = subprocess.Popen([sys.executable, "-c", BUSY]) if busy else None
        try:
            rows.append(measure_batch(name, task, count, rounds * factor, directory, env))
        finally:
            if hog is not None:
                hog.kill()
                hog.wait()
    for trash in (TRASH, OLD_WORK):  # once every batch is measured: deleting would slow the creates timed
        trash.empty()
    return rows


def measure_batch(name: str, task: str, count: int, rounds: int, directory: Path, env: dict[str, str]) -> dict[str, object]:
    """The median time of each command on one prepared batch, over *rounds* rounds in which they alternate."""
    data, history = (directory / "data",), (directory / "data", directory / ".smttask" / "durations.json")
    commands = {
        "-n 1": ([SMTTASK, "run", "-q", "-n", "1", "tasks"], data),
        "-n 2 first": ([SMTTASK, "run", "-q", "-n", "2", "tasks"], history),
        "-n 2": ([SMTTASK, "run", "-q", "-n", "2", "tasks"], data),
        "-n 4": ([SMTTASK, "run", "-q", "-n", "4", "tasks"], data),
        "joblib": ([sys.executable, "joblib_run.py", "cache", task, "2", str(count)], (directory / "cache",)),
    }
    for command, fresh in commands.values():  # warm-up: byte code, page cache
        timed(command, directory, env, fresh)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(rounds):
        for label, (command, fresh) in commands.items():
            times[label].append(timed(command, directory, env, fresh))
    print(f"{name}: " + ", ".join(f"{label} {statistics.median(v):.2f} s" for label, v in times.items()), flush=True)
    return {"name": name, "rounds": rounds, **{label: statistics.median(values) for label, values in times.items()}}


def report(rows: list[dict[str, object]], rounds: int) -> str:
    more_rounds = " and ".join(f"{row['rounds']} for the {row['name']}" for row in rows if row["rounds"] != rounds)
    lines = [
        SECTION,
        "",
        f"`bench/run_workers.py` on {machine_summary()}: fresh `smttask run` processes timed from outside, "
        f"each from an empty data directory, medians of {rounds} rounds in which the commands alternate "
        f"({more_rounds}) "
        f"(load average {os.getloadavg()[0]:.1f} at the end: the machine is shared, so read the ratios). "
        "joblib: `joblib.Parallel(n_jobs=2)` over a cold `joblib.Memory` cache, a fresh process too. "
        "Every run but *first batch* finds the task type's durations that the project kept from the runs "
        "before (`.smttask/durations.json`), as a re-run of familiar task types does; *first batch* runs "
        "without them, as the first batch of a new task type does. *One core busy*: another process spins "
        "on one of the cores all the while (a shared machine, a laptop doing other work); joblib's run then "
        "shares it too.",
        "",
        "| batch | `-n 1` | `-n 2` | `-n 4` | `-n 2` / `-n 1` | `-n 4` / `-n 1` | `-n 2` first batch / `-n 1` "
        "| joblib, 2 jobs | `-n 2` / joblib |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        one, first, two, four, joblib = (
            float(row[k]) for k in ("-n 1", "-n 2 first", "-n 2", "-n 4", "joblib")  # type: ignore[arg-type]
        )
        lines.append(f"| {row['name']} | {one:.2f} s | {two:.2f} s | {four:.2f} s | {two / one:.2f}x | "
                     f"{four / one:.2f}x | {first / one:.2f}x | {joblib:.2f} s | {two / joblib:.2f}x |")
    trivial = next(r for r in rows if r["name"].startswith("1,000"))
    ratio = float(trivial["-n 2"]) / float(trivial["joblib"])  # type: ignore[arg-type]
    first_ratio = float(trivial["-n 2 first"]) / float(trivial["joblib"])  # type: ignore[arg-type]
    slower = [r["name"] for r in rows if max(float(r["-n 2"]), float(r["-n 4"])) > float(r["-n 1"])]  # type: ignore[arg-type]
    lines += [
        "",
        f"Targets: 1,000 trivial files cold with `-n 2` ≤ {JOBLIB_TARGET}x joblib: {ratio:.2f}x, "
        + ("**pass**" if ratio <= JOBLIB_TARGET else "not met")
        + f" ({first_ratio:.2f}x as a first batch)"
        + "; `-n N` never slower than `-n 1`: "
        + ("**pass**" if not slower else "not met (" + ", ".join(map(str, slower)) + ")")
        + ".",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true", help="print only; do not rewrite docs/benchmarks.md")
    args = parser.parse_args()
    text = report(measure(args.rounds), args.rounds)
    print(text)
    if not args.no_doc:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
