"""The README demo, end to end: run with `make demo`.

Creates a throwaway project in ./demo-project, defines tasks there, runs them,
saves task files, reloads and reruns them, and shows what was cached where.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
PROJECT = HERE.parent / "demo-project"


def main() -> None:
    if PROJECT.exists():
        shutil.rmtree(PROJECT)
    PROJECT.mkdir()
    shutil.copy(HERE / "readme" / "tasks.py", PROJECT / "tasks.py")
    (PROJECT / "smttask.toml").write_text('data = "data"\n')
    sys.path.insert(0, str(PROJECT))

    import numpy as np

    import smttask
    from smttask import Project, Task

    with Project(PROJECT).activate() as project:
        from tasks import Add, Mul, analyze, spectrum

        print("== 1. Tasks are lazy: creating one computes only its key")
        tasks = [analyze(arr=np.array([1, 2, 3]), dt=dt, nbins=2) for dt in [0.1, 0.3, 0.5]]
        for task in tasks:
            print(f"   {task!r:55} key {task.digest[:12]}…")

        print("== 2. run() computes, stores under data/, and returns the result")
        for task in tasks:
            print("  ", task.run())

        print("== 3. Composition: upstream tasks enter by their key")
        combo = Mul(a=Add(a=1, b=2), b=3)
        print(f"   {combo!r} = {combo.run()}")

        print("== 4. A fresh session finds results on disk (no recomputation)")
        project.memory.clear()
        start = time.perf_counter()
        again = analyze(arr=np.array([1, 2, 3]), dt=0.5, nbins=2).run()
        print(f"   {again} loaded in {1e3 * (time.perf_counter() - start):.2f} ms")

        print("== 5. Named outputs, one file per output (.npy for arrays)")
        result = spectrum(n=4096, seed=0).run()
        print(f"   {len(result.freqs)} frequencies, mean power {result.power.mean():.1f}")

        print("== 6. Task files: save, then rebuild and run later or elsewhere")
        taskdir = PROJECT / "taskdir"
        paths = [task.save(taskdir) for task in [*tasks, combo, spectrum(n=4096, seed=1)]]
        for path in paths:
            print(f"   {path.relative_to(PROJECT)}")
        for path in paths:
            rebuilt = Task.from_desc(path)
            assert rebuilt == Task.from_desc(path.read_text())
            print(f"   {rebuilt.taskname:10} -> {_brief(rebuilt.run())}")

        print("== 7. What is stored")
        for path in sorted((PROJECT / "data").rglob("*")):
            if path.is_file():
                print(f"   {path.relative_to(PROJECT)}  ({path.stat().st_size} bytes)")
    print(f"smttask {smttask.__version__}: demo finished; browse {PROJECT}")


def _brief(value: object) -> str:
    text = repr(value)
    return text if len(text) < 70 else text[:67] + "..."


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("default")
    main()
