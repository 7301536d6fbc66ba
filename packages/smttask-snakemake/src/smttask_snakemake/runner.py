"""Running real Snakemake on a generated Snakefile, as a subprocess whose exit code is the answer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .snakefile import SNAKEMAKE_OPTIONS
from .workflow import Workflow

#: How long probing ``sacct`` may take before it counts as not working.
SACCT_PROBE_SECONDS = 10


def snakemake_arguments(
    snakefile: Path,
    workflow: Workflow,
    *,
    cores: str | None,
    jobs: int | None,
    executor: str | None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The Snakemake command line: ours first, then *extra* (the user's, so theirs win)."""
    words = [sys.executable, "-m", "snakemake", "--snakefile", str(snakefile), *SNAKEMAKE_OPTIONS]
    if cores is not None:
        words += ["--cores", cores]
    if jobs is not None:
        words += ["--jobs", str(jobs)]
    if executor is not None:
        words += ["--executor", executor]
        if executor == "slurm" and not any(w.startswith("--slurm-status-command") for w in extra) and not sacct_works():
            words += ["--slurm-status-command", "squeue"]
    forced = [rule.name for rule in workflow.rules if rule.forced]
    if forced:
        words += ["--forcerun", *forced]
    return [*words, *extra]


def sacct_works() -> bool:
    """True if SLURM's accounting answers: without it, the SLURM executor must ask ``squeue`` for job states."""
    sacct = shutil.which("sacct")
    if sacct is None:
        return False
    try:
        done = subprocess.run(
            [sacct, "--noheader", "-X", "--format=JobID", "--starttime", "now"],
            capture_output=True, timeout=SACCT_PROBE_SECONDS, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def run_snakemake(arguments: Sequence[str], cwd: Path) -> int:
    """Run Snakemake with *arguments* in *cwd*, its output passed through; its exit code."""
    try:
        return subprocess.run(list(arguments), cwd=cwd).returncode
    except KeyboardInterrupt:
        return 130
