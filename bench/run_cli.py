"""CLI benchmark: ``smttask run -n 2`` on 200 trivial task files, beside the original smttask 0.2.

Run with ``.venv/bin/python bench/run_cli.py [--rounds N] [--tasks N]``.
Writes the ``## CLI`` section of ``docs/benchmarks.md`` and leaves every other
section of that file as it was.

The original smttask 0.2 (from PyPI; it needs pydantic 1) is installed by this
script into its own virtual environment, ``bench/.venvs/smttask-0.2-cli``
(gitignored), and given what it needs to run: a git repository and a Sumatra
project. It runs the same task (``x + y`` on two ints) with ``--no-record`` and
``--start-spacing 0`` (its default spacing of 1.5 s between task starts would
cap it at 0.67 tasks/s; ``--with-default-spacing`` measures that too).

Both tools run as a user runs them: a fresh ``smttask`` process per run, byte
code cached as in a normal install (in a private ``PYTHONPYCACHEPREFIX``; this
environment may set ``PYTHONDONTWRITEBYTECODE``), one warm-up run each first.
Cold and warm runs alternate between the tools round by round, so a burst of
load on this shared machine hits both; the median round is reported.
Benchmarks are reports, not tests: nothing here fails on a missed target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchdoc import Trash, machine_summary, write_section

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## CLI"
WORK = ROOT / "bench" / "_work" / "cli"
OLD_VENV = ROOT / "bench" / ".venvs" / "smttask-0.2-cli"  # the CLI benchmark's own
OLD_REQUIREMENT = "smttask==0.2.0"
NEW_SMTTASK = Path(sys.executable).with_name("smttask")
COLD_TARGET = 10.0  # x the original's cold throughput
WARM_TARGET = 2.0  # seconds for a warm re-run
OLD_LIMIT = 75.0  # seconds before a run of the original counts as hung (it normally takes 10-25 s here)
OLD_TRIES = 8

NEW_TASKS = '''
from smttask import RecordedTask

@RecordedTask
def add(x: int, y: int) -> int:
    return x + y
'''

OLD_TASKS = '''
from smttask import RecordedTask

@RecordedTask
def add(x: int, y: int) -> int:
    return x + y
'''


class Hung(Exception):
    """A command did not finish within its time limit (it was killed, with its worker processes)."""


def run(
    cmd: list[str], cwd: Path, env: dict[str, str], check: bool = True, limit: float = 600.0
) -> tuple[float, subprocess.CompletedProcess]:
    """Run *cmd* in its own process group; return (wall time, result). :class:`Hung` after *limit* s."""
    # Its own process group (to kill it with its workers) but not its own session: started with
    # setsid, the original's worker pool deadlocks on this machine.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   text=True, process_group=0)
        try:
            process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise Hung(f"{' '.join(map(str, cmd))} still running after {limit:.0f} s") from None
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    done = subprocess.CompletedProcess(cmd, process.returncode, stdout, stderr)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n{stdout[-2000:]}\n{stderr[-3000:]}")
    return elapsed, done


def environment(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


# --- the original, in its own virtual environment ----------------------------------------


def ensure_old_venv() -> Path:
    """Create ``bench/.venvs/smttask-0.2-cli`` with smttask 0.2 (once); return its python."""
    python = OLD_VENV / "bin" / "python"
    if python.exists():
        probe = subprocess.run([python, "-c", "import smttask, pydantic; print(pydantic.VERSION)"],
                               capture_output=True, text=True)
        if probe.returncode == 0:
            return python
        shutil.rmtree(OLD_VENV)
    OLD_VENV.parent.mkdir(parents=True, exist_ok=True)
    print(f"creating {OLD_VENV} with {OLD_REQUIREMENT} (pydantic 1) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", OLD_VENV], check=True)
    installed = subprocess.run([python, "-m", "pip", "install", "-q", OLD_REQUIREMENT],
                               capture_output=True, text=True)
    if installed.returncode != 0:
        raise RuntimeError(f"cannot install {OLD_REQUIREMENT}:\n{installed.stderr[-3000:]}")
    return python


def prepare_old(directory: Path, python: Path, count: int, env: dict[str, str]) -> None:
    """A git repository with the task module, a Sumatra project, and *count* task files."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / "benchtasks.py").write_text(textwrap.dedent(OLD_TASKS))
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    for cmd in (["git", "init", "-q", "."], ["git", "add", "benchtasks.py"], [*git, "commit", "-qm", "tasks"]):
        subprocess.run(cmd, cwd=directory, check=True, capture_output=True)
    # smttask 0.2 vendors Sumatra; its `smt init` is reached through the Python API.
    run([python, "-c", "import sumatra.commands as c; c.init(['bench', '--datapath', 'data/run_dump', "
         "'--input', 'data', '--repository', '.'])"], directory, env)
    (directory / "tasks").mkdir()
    run([python, "-c", f"import benchtasks as b\nfor i in range({count}): "
         "b.add(x=i, y=2, reason='bench').save('tasks')"], directory, env)


# --- this smttask -----------------------------------------------------------------------


def prepare_new(directory: Path, count: int, env: dict[str, str]) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / "smttask.toml").write_text('recorder = "none"\n')
    (directory / "benchtasks.py").write_text(textwrap.dedent(NEW_TASKS))
    run([sys.executable, "-c", "import sys; sys.path.insert(0, '.')\nimport smttask, benchtasks as b\n"
         f"with smttask.Project('.').activate():\n    for i in range({count}): "
         "b.add(x=i, y=2, reason='bench').save('tasks')"], directory, env)


def stored_results(directory: Path) -> int:
    return len(list((directory / "data").glob("add/*.manifest.json")))


# --- measuring ----------------------------------------------------------------------------


def measure(rounds: int, count: int, with_default_spacing: bool) -> dict[str, object]:
    WORK.mkdir(parents=True, exist_ok=True)
    env_new = environment(WORK / "pycache-new")
    env_old = environment(WORK / "pycache-old")
    new_dir, old_dir = WORK / "new", WORK / "old"
    trash = Trash(WORK / "trash")  # each cold run's results: deleted once all rounds are measured
    prepare_new(new_dir, count, env_new)
    old_python = ensure_old_venv()
    old_smttask = str(old_python.with_name("smttask"))
    prepare_old(old_dir, old_python, count, env_old)
    old_version = subprocess.run(
        [old_python, "-c", "from importlib.metadata import version as v; print(v('smttask'), v('pydantic'))"],
        capture_output=True, text=True,
    ).stdout.split()

    new_cmd = [str(NEW_SMTTASK), "run", "-n", "2", "-q", "tasks"]
    old_cmd = [old_smttask, "run", "-n", "2", "--no-record", "--start-spacing", "0", "tasks"]

    def new_cold() -> float:
        trash.move(new_dir / "data")
        elapsed, _ = run(new_cmd, new_dir, env_new)
        assert stored_results(new_dir) == count, "every task stored"
        return elapsed

    def new_warm() -> float:
        elapsed, done = run([str(NEW_SMTTASK), "run", "-n", "2", "tasks"], new_dir, env_new)
        assert f"{count} tasks: {count} cached" in done.stdout, done.stdout[-500:]
        return elapsed

    hangs: list[str] = []
    runs = [0]

    def old_run(cmd: list[str] = old_cmd) -> float:
        # The original's fork-based pool often deadlocks on this machine; such a run is killed, counted, redone.
        for _ in range(OLD_TRIES):
            runs[0] += 1
            try:
                elapsed, done = run(cmd, old_dir, env_old, limit=OLD_LIMIT)
            except Hung as exc:
                hangs.append(str(exc))
                print(f"the original hung: {exc}", flush=True)
                continue
            assert "Runs completed" in done.stdout, done.stdout[-500:] + done.stderr[-1500:]
            return elapsed
        raise RuntimeError(f"the original hung {OLD_TRIES} times in a row")

    # Warm-up: byte code and page caches, as on a machine where the tools were used before.
    new_cold(), old_run()
    # The original's re-run is the same work as its first run (--no-record stores nothing), so it
    # runs once per round: old_cold stands for both.
    times: dict[str, list[float]] = {"new_cold": [], "new_warm": [], "old_cold": []}
    for number in range(rounds):
        times["new_cold"].append(new_cold())
        times["old_cold"].append(old_run())
        times["new_warm"].append(new_warm())
        print(f"round {number + 1}/{rounds}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)
    result: dict[str, object] = {k: statistics.median(v) for k, v in times.items()}
    result["all"] = times
    result["old_version"] = old_version
    if with_default_spacing:
        few = 20
        prepare_old(old_dir, old_python, few, env_old)
        result["old_default_spacing"] = (few, old_run([old_smttask, "run", "-n", "2", "--no-record", "tasks"]))
    result["hangs"] = len(hangs)
    result["old_runs"] = runs[0]
    trash.empty()
    return result


def report(result: dict, count: int, rounds: int, seconds: float) -> str:
    import smttask

    new_cold, old_cold = result["new_cold"], result["old_cold"]
    new_warm, old_warm = result["new_warm"], result["old_cold"]
    new_rate, old_rate = count / new_cold, count / old_cold
    ratio = new_rate / old_rate
    old_version, old_pydantic = (result["old_version"] + ["?", "?"])[:2]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    verdict = lambda ok: "**pass**" if ok else "**MISS**"  # noqa: E731
    rows = [
        "| measurement | smttask " + smttask.__version__ + f" | smttask {old_version} | ratio | target | result |",
        "|---|---|---|---|---|---|",
        f"| cold: {count} task files, nothing stored, `-n 2` | {new_cold:.2f} s = **{new_rate:.0f} tasks/s** | "
        f"{old_cold:.2f} s = {old_rate:.1f} tasks/s | {ratio:.1f}x | ≥ {COLD_TARGET:.0f}x | {verdict(ratio >= COLD_TARGET)} |",
        f"| warm re-run: the same {count} files, all cached | **{new_warm:.2f} s** | {old_warm:.2f} s (the same "
        f"work again: `--no-record` stores nothing) | {old_warm / new_warm:.1f}x | < {WARM_TARGET:.0f} s | "
        f"{verdict(new_warm < WARM_TARGET)} |",
    ]
    spacing = result.get("old_default_spacing")
    if spacing:
        few, elapsed = spacing
        rows.append(f"| original with its default `--start-spacing 1.5`: {few} files | — | {elapsed:.1f} s = "
                    f"{few / elapsed:.2f} tasks/s | {new_rate / (few / elapsed):.0f}x | — | — |")
    hangs = result.get("hangs", 0)
    hang_text = (
        f" The original hung (its worker processes deadlocked) in {hangs} of {result['old_runs']} runs; each hung "
        f"run was killed after {OLD_LIMIT:.0f} s and run again, and is not in the figures."
        if hangs else ""
    )
    rounds_text = "; ".join(
        f"{name} " + ", ".join(f"{v:.2f}" for v in values) for name, values in result["all"].items()
    )
    return "\n".join([
        SECTION,
        "",
        f"Measured {when} by `bench/run_cli.py` in {seconds:.0f} s.",
        "",
        f"Machine: {machine_summary()}; Python {platform.python_version()}. The original: smttask {old_version} with "
        f"pydantic {old_pydantic}, from PyPI, in its own virtual environment (`bench/.venvs/smttask-0.2-cli`).",
        "",
        *rows,
        "",
        f"How it is measured: {count} task files of a trivial `RecordedTask` (`x + y` on two ints), run by the "
        "real console scripts, a fresh process per run, median of "
        f"{rounds} rounds in which the tools alternate (after one warm-up run each). Wall time of the whole "
        "command, start-up included. This smttask: `smttask run -n 2 -q tasks` in a project with recorder "
        "`none`, every result then stored (checked); the warm run finds all of them stored and starts no "
        "worker. The original: `smttask run -n 2 --no-record --start-spacing 0 tasks` in a git repository "
        "with a Sumatra project (its `--no-record` neither records nor stores results, so its re-run computes "
        "again; its default `--start-spacing 1.5` would cap it at 0.67 tasks/s, hence 0 here). Byte code "
        "cached as in a normal install (private `PYTHONPYCACHEPREFIX`). This machine is shared with other "
        f"work, so single runs vary; all rounds (s): {rounds_text}.{hang_text}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--tasks", type=int, default=200, help="task files (default 200)")
    parser.add_argument("--with-default-spacing", action="store_true",
                        help="also time the original with its default --start-spacing (20 files, ~30 s)")
    parser.add_argument("--output", type=Path, default=DOC, help=f"Markdown file (default {DOC})")
    args = parser.parse_args()
    start = time.perf_counter()
    result = measure(args.rounds, args.tasks, args.with_default_spacing)
    section = report(result, args.tasks, args.rounds, time.perf_counter() - start)
    write_section(SECTION, section, args.output)
    print(section)


if __name__ == "__main__":
    main()
