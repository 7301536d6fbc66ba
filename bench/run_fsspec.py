"""smttask-fsspec benchmark: results through SFTP on localhost and a file:// URL, against ``local`` and joblib.

Run with ``.venv/bin/python bench/run_fsspec.py``. It starts a throwaway OpenSSH
server on 127.0.0.1 (:func:`smttask_fsspec.testing.local_sshd`, skipped with a
line when sshd is missing), and measures in one run, for the ``local`` backend,
the ``fsspec`` backend on ``file://`` and on ``sftp://``, and ``joblib.Memory``
(whose only store is a local directory: it has no remote backend, so it is the
nearest equivalent of ``local``):

- a disk hit of a small result (the memory tier cleared before each load);
- storing a 10^7-float64 array (80 MB);
- loading it back: ``fsspec`` cold (an empty read cache: a download, hashed) and
  warm (from the read cache, hashed again), and ``local`` from the page cache.

Times are the best of several repeats. Writes the "## Shared storage (fsspec)"
section of docs/benchmarks.md. Benchmarks are reports, not tests.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

from benchdoc import machine_summary, write_section

SECTION = "## Shared storage (fsspec)"
TASKS = textwrap.dedent(
    """
    import numpy as np
    from smttask import RecordedTask
    from smttask.typing import Array

    @RecordedTask
    def small(x: int) -> float:
        return x / 3

    @RecordedTask
    def big(n: int, seed: int) -> Array[float, 1]:
        return np.random.default_rng(seed).normal(size=n)
    """
)
N = 10_000_000


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def project_for(root: Path, storage: str, url: str = "", **fsspec: object):
    import smttask_fsspec.plugin
    from smttask import Config, Project, make_plugin_manager

    config = Config(storage=storage, storage_url=url, recorder="none", plugins={"fsspec": fsspec})
    manager = make_plugin_manager(load_entry_points=False, plugins=[smttask_fsspec.plugin])
    return Project(root, config=config, plugin_manager=manager)


def measure(project, bench, cache_dir: Path | None) -> dict[str, float]:
    """Times of one storage configuration: small hit, big save, big load cold and warm."""
    import numpy as np

    with project.activate():
        small = bench.small(x=1)
        small.run()

        def hit() -> None:
            small.clear()
            small.run()

        hit()
        hit_time = statistics.median([best(hit, 50) for _ in range(3)])
        saves = []
        for seed in range(3):
            task = bench.big(n=N, seed=seed)
            arr = np.random.default_rng(seed).normal(size=N)
            start = time.perf_counter()
            project.storage.save(task, {"": arr})
            saves.append(time.perf_counter() - start)
        task = bench.big(n=N, seed=0)
        colds = []
        for _ in range(3):
            if cache_dir is not None:
                shutil.rmtree(cache_dir, ignore_errors=True)
            start = time.perf_counter()
            values = project.storage.load(task)
            colds.append(time.perf_counter() - start)
            assert values is not None and values[""].shape == (N,)
        warm = best(lambda: project.storage.load(task), 3)
    return {"hit": hit_time, "save": min(saves), "cold": min(colds), "warm": warm}


def joblib_times(root: Path) -> dict[str, float]:
    import joblib
    import numpy as np

    memory = joblib.Memory(root / "joblib", verbose=0)

    @memory.cache
    def small(x: int) -> float:
        return x / 3

    @memory.cache
    def big(n: int, seed: int):
        return np.random.default_rng(seed).normal(size=n)

    small(1)
    hit = statistics.median([best(lambda: small(1), 50) for _ in range(3)])
    start = time.perf_counter()
    big(N, 0)
    save = time.perf_counter() - start  # computing included: joblib stores only what it computes
    load = best(lambda: big(N, 0), 3)
    return {"hit": hit, "save": save, "cold": load, "warm": load}


def main() -> None:
    warnings.simplefilter("ignore")
    from smttask_fsspec.testing import local_sshd, sshd_missing

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "fsbench.py").write_text(TASKS)
        sys.path.insert(0, tmp)
        os.chdir(tmp)
        import fsbench

        results: dict[str, dict[str, float]] = {}
        results["local"] = measure(project_for(root / "local", "local"), fsbench, None)
        (root / "shared").mkdir()
        cache = root / "cache-file"
        results["fsspec file://"] = measure(
            project_for(root / "file", "fsspec", f"file://{root / 'shared'}", cache_dir=str(cache)), fsbench, cache
        )
        reason = sshd_missing()
        if reason is None:
            with local_sshd() as server:
                (root / "sftp-store").mkdir()
                cache = root / "cache-sftp"
                project = project_for(root / "sftp", "fsspec", server.url(root / "sftp-store"),
                                      key_filename=str(server.key), cache_dir=str(cache))
                results["fsspec sftp://127.0.0.1"] = measure(project, fsbench, cache)
        else:
            print(f"SKIP sftp: {reason}")
        results["joblib.Memory (local dir)"] = joblib_times(root)
        import fsspec
        import paramiko

    base = results["local"]
    rows = ["| storage | small-result disk hit | store 10^7 float64 | load it: cold | load it: warm (read cache) |",
            "|---|---|---|---|---|"]
    for name, r in results.items():
        def cell(key: str, unit: str, r=r) -> str:
            value = r[key] * (1e6 if unit == "µs" else 1e3)
            return f"{value:,.0f} {unit} ({r[key] / base[key]:.1f}x)"

        rows.append(f"| {name} | {cell('hit', 'µs')} | {cell('save', 'ms')} | {cell('cold', 'ms')} | {cell('warm', 'ms')} |")
    table = "\n".join(rows)
    print(table)
    text = "\n".join([
        SECTION,
        "",
        f"`bench/run_fsspec.py`, {machine_summary()}, fsspec {fsspec.__version__}, paramiko "
        f"{paramiko.__version__}, OpenSSH's sshd on 127.0.0.1 (ratios to `local`, one run). A disk hit "
        "clears the memory tier, then loads a small result (the remote manifest is read every time); an "
        "80 MB array is stored, then loaded with an empty read cache (cold: downloaded and hashed) and "
        "again from the read cache (warm: hashed again). joblib.Memory has no remote store; its "
        "local directory is the nearest equivalent (its store time includes computing the array, "
        "its loads are from the page cache).",
        "",
        table,
    ])
    write_section(SECTION, text)


if __name__ == "__main__":
    main()
