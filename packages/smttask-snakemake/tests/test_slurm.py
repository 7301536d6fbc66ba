"""Task files on a real single-node SLURM cluster, started by scripts/slurm-cluster and stopped by PID.

Skips (with the reason) when the cluster cannot start here: not root, or
Debian's slurm-wlm / munge not installed (``.ci/setup.d/30-slurm.sh`` installs them).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from snake_lab import SnakeProject

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "slurm-cluster"
#: Snakemake's SLURM executor waits 40 s before its first status check by default; a test cluster answers at once.
QUICK = ("--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "1")
CANNOT_START = 3


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running cluster: the path of its slurm.conf."""
    state = tmp_path_factory.mktemp("slurm")
    started = subprocess.run([str(SCRIPT), "start", str(state)], capture_output=True, text=True, timeout=120)
    if started.returncode == CANNOT_START:
        pytest.skip(f"SLURM tests skipped: {started.stderr.strip()}")
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield str(state / "slurm.conf")
    finally:
        subprocess.run([str(SCRIPT), "stop", str(state)], capture_output=True, timeout=120)


def test_a_diamond_runs_as_slurm_jobs_grouped_by_layer(
    slurm: str, project: SnakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLURM_CONF", slurm)
    t = project.tasks
    base = t.base(x=1)
    left, right = t.left(b=base), t.right(b=base)
    join = t.join(l=left, r=right)
    light = t.light(x=1)  # asks for mem_mb=200, runtime=7, partition="debug": runs beside base
    for task, name in ((left, "left"), (right, "right"), (join, "join"), (light, "light")):
        project.save(task, name)
    done = project.smttask("snakemake", "run", "tasks", "--executor", "slurm", "--jobs", "4", "--group-size", "2",
                           "--", *QUICK)
    assert done.returncode == 0, done.output
    assert "--slurm-status-command squeue" in done.output  # no accounting here: sacct cannot answer
    submitted = dict(re.findall(r"has been submitted with SLURM jobid (\d+) \(log: \S*/rule_([a-z]+)_\d+/", done.output))
    assert sorted(submitted.values()) == ["base", "join", "light", "tasks"]  # "tasks": left and right, one job
    assert all(project.stored(task) for task in (base, left, right, join, light))
    light_job = next(job for job, rule in submitted.items() if rule == "light")
    asked = subprocess.run(["squeue", "-h", "-t", "all", "-j", light_job, "-o", "%C %m %l %P"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert asked == ["1", "200M", "7:00", "debug"]
    computed = project.computed()
    assert sorted(name for name, _ in computed) == ["base1", "join", "left", "light1", "right"]
    pids = {name: pid for name, pid in computed}
    assert pids["left"] == pids["right"] != pids["base1"]
