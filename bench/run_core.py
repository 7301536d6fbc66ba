"""Core benchmark: smttask-core measured side by side with its peers, in one run.

Run with ``make bench`` (or ``.venv/bin/python bench/run_core.py [--quick]``).
Writes the ``## Core`` section of ``docs/benchmarks.md`` and leaves every other
section of that file (``## CLI``, ``## Sumatra``, ...) as it was.

Each figure is the median over many repetitions, and a task and its peer are
measured in alternating rounds, so a burst of load on this noisy machine hits
both. Benchmarks are reports, not tests: nothing here fails on a missed target.

Everything runs in a temporary project (``smttask.Project(tmpdir)``, recorder
``none``, core plugins only), so nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import xxhash
from benchdoc import machine_summary, write_section

import smttask
from smttask.config import Config
from smttask.plugins import make_plugin_manager
from smttask.typing import Array

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Core"
ARRAY_SIZE = 10**7

# --------------------------------------------------------------------------
# The functions measured (module level, so joblib and smttask see real functions)


def add(a: int, b: int) -> int:
    return a + b


def big_array(n: int) -> Array[float, 1]:
    # Returns a precomputed array: "computing" costs nothing, so a run measures storage.
    return BIG


def array_sum(x: Array) -> float:
    return float(x.sum())


def leaf(i: int) -> int:
    return i


def node(a: int, b: int, i: int) -> int:
    return a + b + i


# The same function becomes two task types, so each gets its own identity (and keys).
MemAdd = smttask.MemoizedTask(name="bench.MemAdd")(add)
RecAdd = smttask.RecordedTask(name="bench.RecAdd")(add)
RecBig = smttask.RecordedTask(big_array)
ArraySum = smttask.MemoizedTask(array_sum)
Leaf = smttask.MemoizedTask(leaf)
Node = smttask.MemoizedTask(node)

BIG: np.ndarray = np.empty(0)

# --------------------------------------------------------------------------
# Timing helpers


def _timed(fn: Callable[[], Any], number: int, setup: Callable[[], Any] | None) -> float:
    if setup is not None:
        setup()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()
    return elapsed / number


def calibrate(fn: Callable[[], Any], target: float = 0.02) -> int:
    """Calls per round so that one round lasts about *target* seconds (as timeit does)."""
    number = 1
    while True:
        if _timed(fn, number, None) * number >= target or number >= 1_000_000:
            return number
        number *= 2


def compare(
    cases: dict[str, tuple[Callable[[], Any], Callable[[], Any] | None]],
    *,
    repeat: int,
    number: int | dict[str, int] = 1,
    warmup: int = 2,
) -> dict[str, float]:
    """Median seconds per call of each case; the cases alternate round by round.

    *cases* maps a name to ``(fn, setup)``; *setup* runs before each round, untimed
    (with a setup, keep *number* at 1 so that every call gets its setup).
    """
    numbers = number if isinstance(number, dict) else dict.fromkeys(cases, number)
    names = list(cases)
    for name in names:
        fn, setup = cases[name]
        for _ in range(warmup):
            _timed(fn, 1, setup)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeat):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            fn, setup = cases[name]
            samples[name].append(_timed(fn, numbers[name], setup))
    return {name: statistics.median(values) for name, values in samples.items()}


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


# --------------------------------------------------------------------------
# Results table


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.verdicts: list[tuple[str, bool]] = []

    def add(
        self,
        what: str,
        ours: float,
        peer_name: str,
        peer: float | None,
        target: str = "—",
        ok: bool | None = None,
    ) -> None:
        ratio = f"{ours / peer:.2f}x" if peer else "—"
        verdict = "—" if ok is None else ("**pass**" if ok else "**MISS**")
        if ok is not None:
            self.verdicts.append((what, ok))
        self.rows.append(
            (what, fmt_time(ours), peer_name, fmt_time(peer) if peer else "—", ratio, target, verdict)
        )

    def markdown(self) -> str:
        head = ("measurement", "smttask", "peer", "peer time", "ratio", "target", "result")
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


# --------------------------------------------------------------------------
# 1. import time


IMPORT_PROBE = (
    "import sys, time\n"
    "t = time.perf_counter()\n"
    "{code}\n"
    "t = time.perf_counter() - t\n"
    "print(t, int('numpy' in sys.modules), int('pydantic' in sys.modules))\n"
)
PROBES = {
    "smttask": "import smttask",
    "pydantic": "import pydantic",
    "smttask+task": "import smttask\n@smttask.MemoizedTask\ndef f(x: int) -> int:\n    return x",
    "pydantic+model": "import pydantic\nclass M(pydantic.BaseModel):\n    x: int",
    "nothing": "pass",
}


def bench_import(table: Table, repeat: int, workdir: Path) -> dict[str, Any]:
    """`import X` in fresh interpreters: time of the import statement and of the whole process."""
    inner: dict[str, list[float]] = {m: [] for m in PROBES}
    wall: dict[str, list[float]] = {m: [] for m in PROBES}
    loaded = {"numpy": False, "pydantic": False}
    names = list(PROBES)
    # Byte-code caching as in a normal install (this environment may set PYTHONDONTWRITEBYTECODE,
    # which would make smttask's editable sources compile on every import while pydantic's
    # installed .pyc files load), kept in a private cache so nothing is written into the repo.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    for r in range(repeat + 2):
        for name in names if r % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", IMPORT_PROBE.format(code=PROBES[name])],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            elapsed = time.perf_counter() - start
            if r < 2:  # warm-up: file-system cache, .pyc files
                continue
            inner[name].append(float(out[0]))
            wall[name].append(elapsed)
            if name == "smttask":
                loaded["numpy"] |= out[1] == "1"
                loaded["pydantic"] |= out[2] == "1"
    med_inner = {m: statistics.median(v) for m, v in inner.items()}
    med_wall = {m: statistics.median(v) for m, v in wall.items()}
    ok = med_inner["smttask"] <= 1.5 * med_inner["pydantic"]
    table.add("`import smttask` (import statement, fresh interpreter)", med_inner["smttask"],
              "`import pydantic`", med_inner["pydantic"], "≤ 1.5x", ok)
    table.add("`python -c 'import smttask'` (whole process)", med_wall["smttask"],
              "`python -c 'import pydantic'`", med_wall["pydantic"])
    table.add("`import smttask` + define one `MemoizedTask` (fresh interpreter)",
              med_inner["smttask+task"], "`import pydantic` + define one `BaseModel`",
              med_inner["pydantic+model"])
    return {"startup": med_wall["nothing"], **loaded}


# --------------------------------------------------------------------------
# 2. in-memory hit


def bench_memory_hit(table: Table, project: smttask.Project, repeat: int) -> None:
    task = MemAdd(a=1, b=2)
    task.run()
    cached_add = lru_cache(maxsize=None)(add)
    cached_add(1, 2)

    def run_again() -> None:
        task.run()

    def create_and_run() -> None:
        MemAdd(a=1, b=2).run()

    def lru_hit() -> None:
        cached_add(1, 2)

    cases = {"run": (run_again, None), "create": (create_and_run, None), "lru": (lru_hit, None)}
    number = {name: calibrate(fn) for name, (fn, _) in cases.items()}
    t = compare(cases, repeat=repeat, number=number)
    table.add("memory hit: `task.run()` on a run MemoizedTask", t["run"],
              "`functools.lru_cache` hit", t["lru"])
    table.add("memory hit: `MemoizedTask(a=1, b=2).run()` (create + run)", t["create"],
              "`functools.lru_cache` hit", t["lru"], f"≤ 5 µs (is {t['create'] * 1e6:.1f} µs)", t["create"] <= 5e-6)


# --------------------------------------------------------------------------
# 3. disk hit vs joblib.Memory


def bench_disk_hit(table: Table, project: smttask.Project, repeat: int, tmp: Path) -> None:
    RecAdd(a=1, b=2).run()
    memory = joblib.Memory(location=tmp / "joblib-small", verbose=0)
    joblib_add = memory.cache(add)
    joblib_add(1, 2)

    def smttask_hit() -> None:
        RecAdd(a=1, b=2).run()

    def joblib_hit() -> None:
        joblib_add(1, 2)

    def joblib_fresh_hit() -> None:
        joblib.Memory(location=tmp / "joblib-small", verbose=0).cache(add)(1, 2)

    cases = {
        "smttask": (smttask_hit, project.memory.clear),
        "joblib": (joblib_hit, None),
        "joblib_fresh": (joblib_fresh_hit, None),
    }
    t = compare(cases, repeat=repeat)
    ratio = t["joblib"] / t["smttask"]
    table.add("disk hit: fresh `RecordedTask(a=1, b=2).run()`, memory tier cleared", t["smttask"],
              "`joblib.Memory` hit (same `cache(f)` reused)", t["joblib"],
              f"≥ 3x faster (is {ratio:.1f}x)", ratio >= 3)
    table.add("disk hit: fresh `RecordedTask(a=1, b=2).run()`, memory tier cleared", t["smttask"],
              "`joblib.Memory(...).cache(f)(1, 2)` (all fresh)", t["joblib_fresh"])


# --------------------------------------------------------------------------
# 4. save and load of a 10^7-element float64 output


def bench_array_io(table: Table, project: smttask.Project, repeat: int, tmp: Path) -> None:
    storage = project.storage
    task = RecBig(n=ARRAY_SIZE)
    values = {"": BIG}
    npy = tmp / "plain" / "big.npy"
    npy.parent.mkdir(parents=True, exist_ok=True)

    def delete_stored() -> None:
        storage.delete(task)

    def delete_npy() -> None:
        npy.unlink(missing_ok=True)

    def cleared_and_deleted() -> None:
        project.memory.clear()
        storage.delete(task)

    save = compare(
        {
            "storage.save": (lambda: storage.save(task, values), delete_stored),
            "run_first": (lambda: RecBig(n=ARRAY_SIZE).run(), cleared_and_deleted),
            "np.save": (lambda: np.save(npy, BIG), delete_npy),
        },
        repeat=repeat,
    )
    # Leave one stored copy of each for the loads.
    storage.save(task, values)
    np.save(npy, BIG)
    assert np.array_equal(storage.load(task)[""], np.load(npy))

    load = compare(
        {
            "storage.load": (lambda: storage.load(task), None),
            "run": (lambda: RecBig(n=ARRAY_SIZE).run(), project.memory.clear),
            "np.load": (lambda: np.load(npy), None),
            "storage.load mmap": (lambda: storage.load(task, mmap=True), None),
            "run mmap": (lambda: RecBig(n=ARRAY_SIZE).run(mmap=True), project.memory.clear),
            "np.load mmap": (lambda: np.load(npy, mmap_mode="r"), None),
        },
        repeat=repeat,
    )
    n = f"10^{len(str(ARRAY_SIZE)) - 1}"
    for label, ours, peer_label, peer, target in [
        (f"save {n} float64: storage backend `save()`", save["storage.save"],
         "`np.save`", save["np.save"], 1.2),
        (f"save {n} float64: first `run()`, nothing stored (compute ≈ 0)", save["run_first"],
         "`np.save`", save["np.save"], None),
        (f"load {n} float64: storage backend `load()`", load["storage.load"],
         "`np.load`", load["np.load"], 1.5),
        (f"load {n} float64: fresh task `run()` from disk", load["run"],
         "`np.load`", load["np.load"], None),
        (f"load {n} float64, mmap: storage backend `load(mmap=True)`", load["storage.load mmap"],
         "`np.load(mmap_mode='r')`", load["np.load mmap"], None),
        (f"load {n} float64, mmap: fresh task `run(mmap=True)`", load["run mmap"],
         "`np.load(mmap_mode='r')`", load["np.load mmap"], None),
    ]:
        if target is None:
            table.add(label, ours, peer_label, peer)
        else:
            table.add(label, ours, peer_label, peer, f"≤ {target}x", ours <= target * peer)


# --------------------------------------------------------------------------
# 5. key of a task with a 10^7-element array input


def bench_array_key(table: Table, project: smttask.Project, repeat: int) -> None:
    def key() -> None:
        ArraySum(x=BIG).digest  # noqa: B018  (reading the property is the point)

    def hash_once() -> None:
        xxhash.xxh3_128_hexdigest(BIG)

    t = compare({"key": (key, None), "hash": (hash_once, None)}, repeat=repeat)
    table.add("key of a task with a 10^7-element array input (create + `.digest`)", t["key"],
              "`xxhash.xxh3_128` of its buffer", t["hash"], "≤ 2x", t["key"] <= 2 * t["hash"])


# --------------------------------------------------------------------------
# 6. diamond task graph


def diamond(depth: int) -> Any:
    """Top task of a graph of *depth* levels; each level's two tasks use both of the level below."""
    level = [Leaf(i=0), Leaf(i=1)]
    for k in range(1, depth):
        level = [Node(a=level[0], b=level[1], i=2 * k), Node(a=level[0], b=level[1], i=2 * k + 1)]
    return Node(a=level[0], b=level[1], i=-1)


def bench_diamond(table: Table, project: smttask.Project, repeat: int) -> list[tuple[int, float]]:
    depths = (5, 10, 15, 20)

    def key_of(depth: int) -> Callable[[], Any]:
        return lambda: diamond(depth).digest

    t = compare({d: (key_of(d), None) for d in depths}, repeat=repeat)  # type: ignore[misc]
    base = t[5]
    for d in depths:
        ok = t[d] <= 2 * (d / 5) * base  # linear, with room for noise; exponential is 2^(d-5)
        table.add(f"diamond graph, {d} levels: build + key of the top task", t[d],
                  "5 levels" if d != 5 else "—", base if d != 5 else None,
                  f"linear (≤ {2 * d / 5:.0f}x)" if d != 5 else "—", ok if d != 5 else None)
    return [(d, t[d]) for d in depths]


def bench_diamond_taskfile(table: Table, project: smttask.Project, repeat: int) -> None:
    """Not a target: the task file (`desc`) of the same graph, which writes upstream tasks inline."""
    depths = (5, 8, 11)
    sizes = {d: len(json.dumps(diamond(d).desc)) for d in depths}

    def desc_of(depth: int) -> Callable[[], Any]:
        return lambda: diamond(depth).desc

    t = compare({d: (desc_of(d), None) for d in depths}, repeat=repeat)  # type: ignore[misc]
    for d in depths:
        table.add(f"diamond graph, {d} levels: task file `desc` ({sizes[d] / 1e3:,.0f} kB of JSON)",
                  t[d], "5 levels" if d != 5 else "—", t[5] if d != 5 else None)


# --------------------------------------------------------------------------
# Machine description and the Markdown file


def machine() -> str:
    import pydantic

    return (
        f"{machine_summary()}; "
        f"Python {platform.python_version()}, smttask {smttask.__version__}, numpy {np.__version__}, "
        f"pydantic {pydantic.VERSION}, joblib {joblib.__version__}, xxhash {xxhash.VERSION}"
    )


def main() -> None:
    global BIG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a rough check)")
    parser.add_argument("--output", type=Path, default=DOC, help=f"Markdown file (default {DOC})")
    args = parser.parse_args()
    scale = 0.2 if args.quick else 1.0

    def reps(n: int) -> int:
        return max(3, int(n * scale))

    BIG = np.random.default_rng(0).random(ARRAY_SIZE)
    table = Table()
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="smttask-bench-"))
    try:
        print("import times ...", flush=True)
        info = bench_import(table, reps(40), tmp)
        project = smttask.Project(
            tmp / "project",
            config=Config(recorder="none"),
            plugin_manager=make_plugin_manager(load_entry_points=False),
        )
        with project.activate():
            print("memory hit ...", flush=True)
            bench_memory_hit(table, project, reps(25))
            print("disk hit ...", flush=True)
            bench_disk_hit(table, project, reps(300), tmp)
            print("array save/load ...", flush=True)
            bench_array_io(table, project, reps(25), tmp)
            print("array key ...", flush=True)
            bench_array_key(table, project, reps(40))
            print("diamond graph ...", flush=True)
            bench_diamond(table, project, reps(40))
            bench_diamond_taskfile(table, project, reps(10))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    passed = sum(ok for _, ok in table.verdicts)
    section = "\n".join(
        [
            SECTION,
            "",
            f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `bench/run_core.py` "
            f"(`make bench`){' with --quick' if args.quick else ''} in "
            f"{time.perf_counter() - started:.0f} s.",
            "",
            f"Machine: {machine()}.",
            "",
            table.markdown(),
            "",
            f"Targets met: {passed} of {len(table.verdicts)}.",
            "",
            "How it is measured: medians over many rounds, a task and its peer alternating round "
            "by round. Ratio = smttask time / peer time (for the disk hit the target is stated as "
            "joblib time / smttask time). The project is a temporary directory with recorder "
            "`none` and only core's built-in plugins. Import times come from fresh interpreters "
            "(byte code cached as in a normal install, in a private `PYTHONPYCACHEPREFIX`; first "
            "rounds discarded to warm the caches); the import statement is timed "
            "inside the process, and the whole process from outside (bare interpreter start-up: "
            f"{fmt_time(info['startup'])}). `import smttask` "
            f"{'DID' if info['numpy'] else 'did not'} import numpy and "
            f"{'did' if info['pydantic'] else 'did not'} import pydantic. The array output is "
            "stored by the `local` backend as `.npy` with an XXH3-128 hash checked on load; "
            "a first `run()` includes the claim file and the manifest. Diamond graphs are built "
            "afresh for every measurement, so no key is reused between rounds.",
        ]
    )
    write_section(SECTION, section, args.output)
    print(section)


if __name__ == "__main__":
    main()
