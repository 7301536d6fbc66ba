"""Cost of the code-fingerprint check on a disk hit (``on_code_change``), measured in one run.

Three ways to load the same stored result through the ``local`` backend, in
alternating rounds (the median of each): its manifest without a code
fingerprint (as before fingerprints existed), with one and ``on_code_change =
"warn"`` (the check runs), and with one and ``"ignore"``. Prints the ratios;
a report, not a test.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from smttask import Project, RecordedTask
from smttask.config import Config
from smttask.plugins import make_plugin_manager


@RecordedTask
def scaled(x: int) -> int:
    return helper(x) * 2


def helper(x: int) -> int:
    return x + 1


def main(rounds: int = 30, number: int = 2000) -> None:
    root = Path(tempfile.mkdtemp(prefix="smttask-bench-codecheck-"))
    manager = make_plugin_manager(load_entry_points=False)
    projects = {mode: Project(root, config=Config(recorder="none", on_code_change=mode), plugin_manager=manager)
                for mode in ("warn", "ignore")}
    with projects["warn"].activate():
        task = scaled(x=3)
        task.run()
    manifest = projects["warn"].storage.marker(task)
    with_code = manifest.read_bytes()
    without = json.loads(with_code)
    del without["code"]
    without_code = json.dumps(without).encode()
    cases = {
        "no fingerprint": (projects["ignore"], without_code),
        "fingerprint, warn": (projects["warn"], with_code),
        "fingerprint, ignore": (projects["ignore"], with_code),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (project, content) in cases.items():
            manifest.write_bytes(content)
            storage = project.storage
            with project.activate():
                assert storage.load(task) == {"": 8}
                start = time.perf_counter()
                for _ in range(number):
                    storage.load(task)
                times[name].append((time.perf_counter() - start) / number)
    base = statistics.median(times["no fingerprint"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<22} {median * 1e6:8.2f} us per disk hit   ratio {median / base:.3f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
