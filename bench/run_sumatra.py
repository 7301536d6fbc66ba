"""Recording benchmark: per-task cost of a trivial RecordedTask with a Sumatra lab book, beside smttask 0.2.

Run with ``.venv/bin/python bench/run_sumatra.py [--misses N] [--old-misses N]``.
Writes the ``## Sumatra`` section of ``docs/benchmarks.md``, leaving every other
section as it was. Benchmarks are reports, not tests: nothing fails on a missed target.

Both tools run the same trivial task (``x + y`` on two ints) in a fresh
process, in a fresh git repository holding a fresh Sumatra project:

- **miss**: a new input, so the task is computed, its result stored and a
  record written (the first miss of a process, which imports Sumatra and
  Django, is reported apart);
- **hit**: a fresh task object for an input computed before, found in storage
  (no record is written);
- **record store size** after many records.

The original smttask 0.2 (PyPI; it needs pydantic 1) vendors a 2020 Sumatra
that needs Django < 2, hence a Python of at most 3.9 (Django 1.11), while its
``scityping`` 0.6.5 needs Python >= 3.10; so this script installs it with
Python 3.8 and ``scityping==0.6.4`` into ``bench/.venvs/smttask-0.2-recording``
(gitignored), once, and makes that directory a clean git repository of its
own (see :func:`isolate_old_venv`). It spends ~9 s per recorded task in
Sumatra's dependency scan, so only ``--old-misses`` records (default 4) are
measured for it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from benchdoc import machine_summary, write_section

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Sumatra"
#: A git identity for the throwaway repositories, whatever the machine's git config says.
GIT_IDENT = ["-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgsign=false"]
WORK = ROOT / "bench" / "_work" / "sumatra"
OLD_VENV = ROOT / "bench" / ".venvs" / "smttask-0.2-recording"
OLD_PYTHONS = ("3.8", "3.9")
OLD_REQUIREMENTS = [
    "smttask==0.2.0",
    "pydantic<2",
    "scityping==0.6.4",  # 0.6.5 uses `X | None` annotations (Python >= 3.10)
    "Django<2",  # the vendored Sumatra's models predate on_delete
    "django-tagging<0.5",
    "future",
    "importlib_resources",
    "docutils",
    "httplib2",
    "pyyaml",
    "jinja2",
]
MISS_TARGET = 30.0  # x less overhead per recorded miss than the original

TASKS = """
from smttask import RecordedTask

@RecordedTask
def add(x: int, y: int) -> int:
    return x + y
"""

NEW_WORKER = """
import dataclasses, json, os, statistics, sys, time
sys.path.insert(0, ".")
from smttask import Project
import benchtasks

misses, checkpoints = int(sys.argv[1]), {int(c) for c in sys.argv[2].split(",")}
store = os.path.join(".smt", "records")
out = {"sizes": {}}
with Project(".").activate():
    start = time.perf_counter()
    benchtasks.add(x=0, y=2).run()
    out["first_miss"] = time.perf_counter() - start
    times = []
    for i in range(1, misses):
        start = time.perf_counter()
        benchtasks.add(x=i, y=2).run()
        times.append(time.perf_counter() - start)
        if i + 1 in checkpoints:
            out["sizes"][i + 1] = os.path.getsize(store)
    out["miss"] = times
hits = []
with Project(".").activate():  # a fresh memory tier: every run is a storage hit
    for i in range(min(misses, 200)):
        start = time.perf_counter()
        benchtasks.add(x=i, y=2).run()
        hits.append(time.perf_counter() - start)
out["hit"] = hits
project = Project(".")
plain = Project(".", config=dataclasses.replace(project.config, recorder="none"))
unrecorded = []
with plain.activate():
    for i in range(200):
        start = time.perf_counter()
        benchtasks.add(x=10**6 + i, y=2).run()
        unrecorded.append(time.perf_counter() - start)
out["unrecorded_miss"] = unrecorded
print(json.dumps(out))
"""

OLD_WORKER = """
import json, os, sys, time
sys.path.insert(0, ".")
import benchtasks

misses = int(sys.argv[1])
store = os.path.join(".smt", "records")
out = {"sizes": {0: os.path.getsize(store)}}
start = time.perf_counter()
benchtasks.add(x=0, y=2, reason="bench").run()
out["first_miss"] = time.perf_counter() - start
out["sizes"][1] = os.path.getsize(store)
times = []
for i in range(1, misses):
    start = time.perf_counter()
    benchtasks.add(x=i, y=2, reason="bench").run()
    times.append(time.perf_counter() - start)
    out["sizes"][i + 1] = os.path.getsize(store)
out["miss"] = times
hits = []
for i in range(misses):
    start = time.perf_counter()
    benchtasks.add(x=i, y=2, reason="bench").run()  # a fresh task object: loaded from disk
    hits.append(time.perf_counter() - start)
out["hit"] = hits

# Store growth to `total` records: the original's own record store saves copies of its
# last real record (new label, parameters and output key each time) without re-running
# the ~9 s dependency scan, which would take hours.
from datetime import datetime
from sumatra.datastore import DataKey
from sumatra.projects import load_project

total, checkpoints = int(sys.argv[2]), {int(c) for c in sys.argv[3].split(",")}
project = load_project()
record = project.get_record(project.most_recent().label)
template = record.parameters.as_dict()
key = record.output_data[0]
replayed = {}
for n in range(misses, total):
    record.label = "replay_%06d" % n
    values = dict(template, inputs=dict(template["inputs"], x=n, digest="%010x" % n, hashed_digest="%010x" % n))
    record.parameters = type(record.parameters)(values)
    record.output_data = [DataKey("add/%010x_.json" % n, "%040x" % n, datetime.now(), **key.metadata)]
    project.save_record(record)
    if n + 1 in checkpoints:
        replayed[n + 1] = os.path.getsize(store)
out["replayed_sizes"] = replayed
print(json.dumps(out))
"""


def run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    return done


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def git_repo(directory: Path) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / "benchtasks.py").write_text(textwrap.dedent(TASKS))
    (directory / ".gitignore").write_text(".smt/\ndata/\n")
    run(["git", "init", "-q", "."], directory)
    run(["git", "add", "-A"], directory)
    run(["git", *GIT_IDENT, "commit", "-qm", "tasks"], directory)


# --- the original ----------------------------------------------------------------------------


def old_python() -> Path | None:
    """A Python of version 3.8 or 3.9 (pyenv's, or on PATH); Django 1.11 needs one."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for version in OLD_PYTHONS:
        for candidate in sorted(pyenv.glob(f"{version}.*"), reverse=True):
            if (candidate / "bin" / "python").exists():
                return candidate / "bin" / "python"
        found = shutil.which(f"python{version}")
        if found:
            return Path(found)
    return None


def ensure_old_venv() -> Path:
    """Create ``bench/.venvs/smttask-0.2-recording`` once; return its python (or raise saying why not)."""
    python = OLD_VENV / "bin" / "python"
    probe = "import smttask, pydantic, django, tagging; assert pydantic.VERSION < '2'"
    if (
        python.exists()
        and subprocess.run([python, "-c", probe], capture_output=True, cwd=ROOT).returncode == 0
    ):
        return python
    base = old_python()
    if base is None:
        raise RuntimeError(
            "smttask 0.2 records through a vendored Sumatra that needs Django < 2 (Python <= 3.9), "
            "and no Python 3.8 or 3.9 was found (pyenv versions or python3.8/python3.9 on PATH)."
        )
    if OLD_VENV.exists():
        shutil.rmtree(OLD_VENV)
    print(f"creating {OLD_VENV} with {base} ...", flush=True)
    run([base, "-m", "venv", OLD_VENV], ROOT)
    run([python, "-m", "pip", "install", "-q", *OLD_REQUIREMENTS], ROOT)
    return python


def isolate_old_venv() -> None:
    """Make the old venv a clean git working copy of its own.

    The venv lives inside this monorepo, so Sumatra's dependency scan would
    find the monorepo for every installed package and store its uncommitted
    diff with each of them (~60 KiB x 23 packages per distinct diff), which
    says nothing about the original's own store growth.
    """
    if not (OLD_VENV / ".git").exists():
        run(["git", "init", "-q", "."], OLD_VENV)
        run(["git", *GIT_IDENT, "commit", "-q", "--allow-empty", "-m", "venv"], OLD_VENV)


def measure_old(python: Path, misses: int, total: int, checkpoints: list[int]) -> dict:
    isolate_old_venv()
    directory = WORK / "old"
    git_repo(directory)
    run(
        [
            python,
            "-c",
            "import sumatra.commands as c; c.init(['bench', '--datapath', 'data/run_dump', "
            "'--input', 'data', '--repository', '.'])",
        ],
        directory,
        clean_env(),
    )
    print(f"original: {misses} recorded misses (~9 s each) ...", flush=True)
    cps = ",".join(map(str, checkpoints))
    done = run([python, "-c", OLD_WORKER, misses, total, cps], directory, clean_env())
    return json.loads(done.stdout.splitlines()[-1])


# --- this smttask ------------------------------------------------------------------------------


def measure_new(misses: int, checkpoints: list[int]) -> dict:
    directory = WORK / "new"
    git_repo(directory)
    run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path; from smttask_sumatra.initialize import init_project; "
            "init_project(Path('.'), name='bench')",
        ],
        directory,
        clean_env(),
    )
    run(["git", "add", "-A"], directory)
    run(["git", *GIT_IDENT, "commit", "-qm", "smttask project"], directory)
    print(f"smttask: {misses} recorded misses ...", flush=True)
    cps = ",".join(map(str, checkpoints))
    return json.loads(
        run(
            [sys.executable, "-c", NEW_WORKER, misses, cps], directory, clean_env()
        ).stdout.splitlines()[-1]
    )


# --- report ----------------------------------------------------------------------------------


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def fmt_size(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(size) < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError


def machine() -> str:
    import pydantic

    import smttask

    try:
        import django
        import sumatra

        extra = f", Sumatra {sumatra.__version__}, Django {django.get_version()}"
    except ImportError:
        extra = ""
    return (
        f"{machine_summary()}; Python "
        f"{platform.python_version()}, smttask {smttask.__version__}, pydantic {pydantic.VERSION}{extra}."
    )


def report(
    new: dict, old: dict | None, old_error: str | None, seconds: float, old_python_text: str
) -> str:
    med = statistics.median
    new_miss, new_hit, plain = med(new["miss"]), med(new["hit"]), med(new["unrecorded_miss"])
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        SECTION,
        "",
        f"Measured {now} by `bench/run_sumatra.py` in {seconds:.0f} s.",
        "",
        f"Machine: {machine()} The original: smttask 0.2.0 with its vendored Sumatra, {old_python_text}.",
        "",
        "A trivial recorded task (`add(x, y) = x + y`), each run in a fresh git repository with a fresh "
        "Sumatra project (SQLite record store). Medians per task; the machine is shared, so expect noise.",
        "",
        "| measurement | smttask | smttask 0.2 | ratio | target | result |",
        "|---|---|---|---|---|---|",
    ]
    if old is not None:
        old_miss, old_hit = med(old["miss"]), med(old["hit"])
        ratio = old_miss / new_miss
        verdict = "**pass**" if ratio >= MISS_TARGET else "**MISS**"
        lines += [
            f"| recorded miss (compute, store, write the record) | {fmt_time(new_miss)} | {fmt_time(old_miss)} | "
            f"{ratio:.0f}x less | ≥ {MISS_TARGET:.0f}x less | {verdict} |",
            f"| first recorded miss of a process (imports Sumatra, Django) | {fmt_time(new['first_miss'])} | "
            f"{fmt_time(old['first_miss'])} | {old['first_miss'] / new['first_miss']:.0f}x less | — | — |",
            f"| hit (fresh task object, result from storage, no record) | {fmt_time(new_hit)} | {fmt_time(old_hit)} | "
            f"{old_hit / new_hit:.0f}x less | — | — |",
        ]
    else:
        lines += [
            f"| recorded miss (compute, store, write the record) | {fmt_time(new_miss)} | not measured | — | "
            f"≥ {MISS_TARGET:.0f}x less | not measured |",
            f"| first recorded miss of a process | {fmt_time(new['first_miss'])} | not measured | — | — | — |",
            f"| hit (fresh task object, result from storage) | {fmt_time(new_hit)} | not measured | — | — | — |",
        ]
    lines += [
        f'| same miss with `recorder = "none"` (no record) | {fmt_time(plain)} | — | — | — | — |',
        f"| recording overhead per miss (recorded − unrecorded) | {fmt_time(new_miss - plain)} | — | — | — | — |",
        "",
        "Record store size (`.smt/records`), and bytes per record since the previous row:",
        "",
        "| records | smttask | per record | smttask 0.2 (replayed, see below) | per record |",
        "|---|---|---|---|---|",
    ]
    old_sizes = {int(k): v for k, v in (old or {}).get("replayed_sizes", {}).items()}
    previous: dict[str, tuple[int, int]] = {}

    def cell(name: str, count: int, size: int | None) -> str:
        if size is None:
            return "— | —"
        last = previous.get(name)
        previous[name] = (count, size)
        growth = "—" if last is None else f"{(size - last[1]) / (count - last[0]):,.0f} B"
        return f"{fmt_size(size)} | {growth}"

    for count, size in sorted((int(k), v) for k, v in new["sizes"].items()):
        lines.append(
            f"| {count} | {cell('new', count, size)} | {cell('old', count, old_sizes.get(count))} |"
        )
    if old is not None:
        sizes = sorted((int(k), v) for k, v in old["sizes"].items())
        lines += [
            "",
            f"smttask 0.2 wrote {len(sizes) - 1} real records ({fmt_size(sizes[0][1])} empty store, "
            f"{fmt_size(sizes[-1][1])} after them). A thousand real records would take it "
            f"~{1000 * med(old['miss']) / 3600:.1f} hours, so its store was filled further by saving copies "
            "of its last real record (each with a new label, parameters and output key) through its own "
            "`Project.save_record`, without its dependency scan.",
        ]
    else:
        lines += ["", f"smttask 0.2 could not be measured here: {old_error}"]
    lines += [
        "",
        f"{len(new['miss']) + 1} recorded misses for smttask, {len(old['miss']) + 1 if old else 0} for the original. "
        "The original spends its time in Sumatra's launch path (`new_record` → `register`: a dependency scan of "
        "the task's module and a network probe); smttask builds the record itself and saves it through "
        "Sumatra's `DjangoRecordStore` in two short transactions (`_running_`, then final).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--misses", type=int, default=1000, help="recorded misses for smttask (default 1000)"
    )
    parser.add_argument(
        "--old-misses", type=int, default=4, help="recorded misses for smttask 0.2 (default 4)"
    )
    parser.add_argument("--skip-old", action="store_true", help="do not measure smttask 0.2")
    parser.add_argument("--output", type=Path, default=DOC, help=f"Markdown file (default {DOC})")
    args = parser.parse_args()
    started = time.perf_counter()
    checkpoints = sorted({c for c in (10, 100, 250, 500, args.misses) if c <= args.misses})
    new = measure_new(args.misses, checkpoints)
    old = old_error = None
    old_python_text = "not installed"
    if not args.skip_old:
        try:
            python = ensure_old_venv()
            version = run(
                [
                    python,
                    "-c",
                    "import platform, django, pydantic; print(platform.python_version(), "
                    "django.get_version(), pydantic.VERSION)",
                ],
                ROOT,
            ).stdout.split()
            old_python_text = f"Python {version[0]}, Django {version[1]}, pydantic {version[2]}"
            old = measure_old(python, args.old_misses, args.misses, checkpoints)
        except RuntimeError as exc:
            old_error = " ".join(str(exc).split())[-600:]
    text = report(new, old, old_error, time.perf_counter() - started, old_python_text)
    write_section(SECTION, text, args.output)
    print(text)


if __name__ == "__main__":
    main()
