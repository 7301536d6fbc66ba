"""Batches of hostile task files through the real console script: ``smttask run -n 1``, ``-n 2``,
``run --dry-run`` and ``show``.

For each batch: nothing a file names is called (audit hook in every process,
canaries outside the project), nothing is written outside the data directory and
``.smttask``, each hostile file gets exactly one bounded, printable line naming
it, the good files of the same batch are still computed (their task reads a file
relative to the working directory, so a changed directory would show), the exit
code is 1, a summary is printed, and no traceback.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from fuzz_cli import MARKER_TEXT, Batch, output_problems
from fuzz_counts import BATCH_SIZE, EXAMPLES, counts
from fuzz_recipes import Recipe, Token, catalogue, recipes
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

MODES = {
    "run -n 1": ("run", "-n", "1"),
    "run -n 2": ("run", "-n", "2"),
    "run --dry-run": ("run", "--dry-run"),
}
#: Hypothesis batches per command, after the catalogue batch.
BATCHES = max(1, EXAMPLES // 3 // BATCH_SIZE)
SETTINGS = settings(
    max_examples=BATCHES, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate),
)


def run_batch(batch: Batch, args: tuple[str, ...], audit_log: Path) -> list[str]:
    """Every way the run of *batch* broke the rules (empty if it kept them all)."""
    dry_run = "--dry-run" in args
    output, changes = batch.smttask(*args, "hostile", audit_log=audit_log)
    counts.add("hostile files through smttask run", len(batch.files), kind=" ".join(args))
    problems = [f"written outside the data directory and .smttask: {c}" for c in changes]
    problems += [f"canary: {p}" for p in batch.canaries.problems()]
    hits = audit_log.read_text().splitlines() if audit_log.exists() else []
    problems += [f"audit: {hit[:300]}" for hit in hits]
    if output.returncode != 1:
        problems.append(f"exit code {output.returncode}, not 1")
    problems += output_problems(output, batch, dry_run=dry_run)
    for name, x in batch.good.items():
        line = next((line for line in output.lines if name in line), "")
        expected = "would compute" if dry_run else "computed"
        if expected not in line:
            problems.append(f"good file {name} was not reported '{expected}': {line[:200]!r}")
        if not dry_run and batch.stored_value(x) != f"{MARKER_TEXT}-{x}":
            problems.append(f"good file {name}: stored result {batch.stored_value(x)!r}")
    accepted = [p for p in batch.files
                if any(p in line and ("computed" in line or "cached" in line) for line in output.lines)]
    counts.add("generated files smttask run accepted as valid", len(accepted), kind=" ".join(args))
    return problems


@pytest.mark.parametrize("mode", MODES)
def test_batches_of_hostile_files_through_smttask_run(mode: str, tmp_path: Path, templates: dict):
    """A third of the catalogue as one batch (the three commands between them run all of it:
    every target, slot, depth, huge place and damage), then hypothesis's batches; all are run
    before failing, and failures are listed."""
    args = MODES[mode]
    third = list(MODES).index(mode)
    numbers = itertools.count(1)
    failures: list[str] = []

    def check(recipes_: list[Recipe]) -> None:
        n = next(numbers)
        batch = Batch(tmp_path / f"batch-{n}", recipes_, templates, first_good=100 * n)
        audit_log = tmp_path / f"audit-{n}.log"
        failures.extend(f"batch {n}: {p}" for p in run_batch(batch, args, audit_log))

    check(catalogue(templates, every_pair=False)[third::3])

    @SETTINGS
    @given(batch=st.lists(recipes(), min_size=BATCH_SIZE, max_size=BATCH_SIZE))
    def generated(batch: list[Recipe]) -> None:
        check(batch)

    generated()
    counts.add("CLI failures", len(failures), kind=mode)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])


def test_show_of_hostile_files(tmp_path: Path, templates: dict):
    """``smttask show`` takes one file (and ~1 s to start): one file of each kind, one call each."""
    sample = [
        Recipe("target", "enum", ("enum", "os:system", "control", Token("shell")), True),
        Recipe("target", "create", ("create", "shutil:rmtree", "plain", Token("tree"))),
        Recipe("typed", "scalar", ("any", "numpy.Generator", {"bit_generator": "os", "state": Token("shell")})),
        Recipe("deep", "scalar", (10_000, "mixed")),
        Recipe("huge", "scalar", ("module", 3 << 10)),
        Recipe("json", "enum", ("truncate", 0.5)),
        Recipe("ref", "upstream", ("self",)),
        Recipe("module", "enum", ("this", False)),
    ]
    batch = Batch(tmp_path / "batch", sample, templates)
    failures: list[str] = []
    for index, (prefix, recipe) in enumerate(batch.files.items()):
        name = recipe.filename(index + 1)
        output, changes = batch.smttask("show", f"hostile/{name}", audit_log=tmp_path / "audit.log")
        counts.add("hostile files through smttask show")
        problems = [f"written outside the data directory: {c}" for c in changes]
        problems += output_problems(output, batch, dry_run=False, single=prefix)
        if output.returncode != 1 and "key" not in output.stdout:
            problems.append(f"exit code {output.returncode}")
        failures += [f"{prefix}: {p}" for p in problems]
    failures += [f"canary: {p}" for p in batch.canaries.problems()]
    audit = tmp_path / "audit.log"
    failures += [f"audit: {hit}" for hit in (audit.read_text().splitlines() if audit.exists() else [])]
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])
