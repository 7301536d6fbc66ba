"""Snakemake benchmark: 1,000 trivial task files through ``smttask snakemake run`` beside the alternatives.

Run with ``.venv/bin/python bench/run_snakemake.py [--tasks N] [--group-size K] [--no-slurm]``.
Writes the ``## Snakemake`` section of ``docs/benchmarks.md`` and leaves every
other section as it was.

In one run, on the same machine and the same task (``x * x`` on an int,
``recorder = "none"``), each measured as a user runs it (a fresh process):

- ``smttask snakemake run tasks --cores 2 --group-size K`` (K task files per job);
- ``smttask run -n 2 tasks`` (smttask's own process pool);
- the same number of bare Snakemake ``shell:`` jobs (``touch {output}``), the floor of Snakemake's own per-job cost;
- a tenth of the task files through ``smttask snakemake run --cores 2`` ungrouped (one job, one process per
  task file), to show what grouping saves;
- 20 task files on a single-node SLURM cluster started by ``scripts/slurm-cluster`` (root with slurm-wlm and
  munge; otherwise that row says why it was skipped), grouped and one job per task file.

Each run starts from an empty data directory and a fresh ``.snakemake``; the
second, "nothing to do" run of the grouped Snakefile is timed too. Benchmarks
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
from pathlib import Path

from benchdoc import Trash, machine_summary, write_section

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Snakemake"
SMTTASK = str(Path(sys.executable).with_name("smttask"))
SLURM_SCRIPT = ROOT / "scripts" / "slurm-cluster"
SLURM_QUICK = ["--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "1"]

TASKS = '''
from smttask import RecordedTask

@RecordedTask
def square(x: int) -> int:
    return x * x
'''

BARE = '''
N = {n}

rule all:
    input: expand("bare/{{i}}.out", i=range(N))

rule bare:
    output: "bare/{{i}}.out"
    shell: "touch {{output}}"
'''


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(args: list[str], cwd: Path, limit: float = 1800) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=environment(), timeout=limit,
                          stdin=subprocess.DEVNULL)
    return time.perf_counter() - start, done.returncode, done.stdout + done.stderr


def reset(project: Path) -> None:
    """Move the last run's files aside (see :class:`benchdoc.Trash`): deleted with the bench's directory."""
    Trash(project.parent / "trash").move(*(project / name for name in ("data", ".snakemake", ".smttask", "bare")))


def make_project(root: Path, count: int, directory: str = "tasks") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "smttask.toml").write_text('recorder = "none"\n')
    (root / "benchtasks.py").write_text(TASKS)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, ".")
        from smttask import Project
        from benchtasks import square
        with Project(".").activate():
            for i in range({count}):
                square(x=i).save("{directory}/square-%d.taskdesc.json" % i)
    """)
    subprocess.run([sys.executable, "-c", script], cwd=root, check=True, env=environment())
    return root


def check(code: int, output: str, what: str) -> None:
    if code != 0:
        raise SystemExit(f"{what} failed (exit {code}):\n{output[-3000:]}")


def local_rows(project: Path, count: int, group: int) -> list[tuple[str, float, str]]:
    rows = []
    reset(project)
    seconds, code, out = timed([SMTTASK, "run", "-n", "2", "-q", "tasks"], project)
    check(code, out, "smttask run -n 2")
    pool = seconds
    rows.append((f"`smttask run -n 2`, {count} task files", seconds, "1.00x"))

    reset(project)
    seconds, code, out = timed([SMTTASK, "snakemake", "run", "tasks", "--cores", "2", "--group-size", str(group)],
                               project)
    check(code, out, "smttask snakemake run (grouped)")
    rows.append((f"`smttask snakemake run --cores 2 --group-size {group}` ({-(-count // group)} jobs)", seconds,
                 f"{seconds / pool:.2f}x"))
    seconds, code, out = timed([SMTTASK, "snakemake", "run", "tasks", "--cores", "2", "--group-size", str(group)],
                               project)
    check(code, out, "smttask snakemake run (nothing to do)")
    rows.append(("the same again: nothing to do (load, plan, write the Snakefile, Snakemake's check)", seconds,
                 f"{seconds / pool:.2f}x"))

    reset(project)
    (project / "Bare.smk").write_text(BARE.format(n=count))
    seconds, code, out = timed([sys.executable, "-m", "snakemake", "-s", "Bare.smk", "--cores", "2", "--quiet"],
                               project)
    check(code, out, "bare Snakemake jobs")
    bare = seconds
    rows.append((f"{count} bare Snakemake `shell: touch` jobs, `--cores 2`", seconds, f"{seconds / pool:.2f}x"))

    tenth = max(1, count // 10)
    reset(project)
    small = make_project(project / "tenth", tenth)
    reset(small)
    seconds, code, out = timed([SMTTASK, "snakemake", "run", "tasks", "--cores", "2"], small)
    check(code, out, "smttask snakemake run (ungrouped)")
    per_job = seconds / tenth
    rows.append((f"`smttask snakemake run --cores 2`, ungrouped: {tenth} task files, one job each "
                 f"({per_job * 1000:.0f} ms per task file; {bare / count * 1000:.0f} ms per bare job)",
                 seconds, f"{seconds / pool:.2f}x"))
    return rows


def slurm_rows(root: Path) -> list[tuple[str, float, str]] | str:
    state = root / "slurm-state"
    started = subprocess.run([str(SLURM_SCRIPT), "start", str(state)], capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        return started.stderr.strip() or f"scripts/slurm-cluster start exited {started.returncode}"
    try:
        project = make_project(root / "slurm", 20)
        rows = []
        first = None
        for group in (5, 1):
            reset(project)
            seconds, code, out = timed(
                [SMTTASK, "snakemake", "run", "tasks", "--executor", "slurm", "--jobs", "20",
                 "--group-size", str(group), "--", *SLURM_QUICK], project)
            check(code, out, f"SLURM run, group size {group}")
            first = first or seconds
            jobs = -(-20 // group)
            rows.append((f"20 task files on SLURM (1 node, 2 CPUs), `--group-size {group}` ({jobs} jobs)", seconds,
                         f"{seconds / first:.2f}x"))
        return rows
    finally:
        subprocess.run([str(SLURM_SCRIPT), "stop", str(state)], capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--group-size", type=int, default=100)
    parser.add_argument("--no-slurm", action="store_true", help="skip the SLURM rows")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-snakemake-") as tmp:
        root = Path(tmp)
        project = make_project(root / "local", args.tasks)
        rows = local_rows(project, args.tasks, args.group_size)
        slurm = "skipped (--no-slurm)" if args.no_slurm else slurm_rows(root)
    lines = [
        SECTION,
        "",
        f"`bench/run_snakemake.py`, {machine_summary()}, Snakemake {snakemake_version()}: trivial task files "
        "(`x * x`, no record), each run from an empty data directory, a fresh process as a user runs it. "
        "Ratios are to `smttask run -n 2` on the same task files, in the same run.",
        "",
        "| run | wall time | ratio |",
        "|---|---|---|",
        *(f"| {what} | {seconds:.1f} s | {ratio} |" for what, seconds, ratio in rows),
        "",
    ]
    if isinstance(slurm, str):
        lines += [f"SLURM rows: {slurm}.", ""]
    else:
        lines += [
            "On a real single-node SLURM cluster (`scripts/slurm-cluster`), through Snakemake's SLURM executor with "
            "status checks every second (ratio to the grouped run):",
            "",
            "| run | wall time | ratio |",
            "|---|---|---|",
            *(f"| {what} | {seconds:.1f} s | {ratio} |" for what, seconds, ratio in slurm),
            "",
        ]
    text = "\n".join(lines)
    print(text)
    write_section(SECTION, text)


def snakemake_version() -> str:
    from importlib.metadata import version

    return version("snakemake")


if __name__ == "__main__":
    main()
