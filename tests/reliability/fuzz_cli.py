"""Running the real ``smttask`` console script on a batch of hostile files, and judging the output.

A :class:`Batch` is a throw-away project (``hostile_tasks.py``, ``marker.txt``,
the hostile files and two good ones under ``hostile/``) beside a canary
directory. Every process ``smttask`` starts runs the audit hook of
:mod:`fuzz_audit` through a generated ``sitecustomize.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from fuzz_audit import SITECUSTOMIZE
from fuzz_recipes import Recipe, build
from fuzz_sideeffects import Canaries, snapshot, tree_changes
from fuzz_templates import store_template_arrays

HERE = Path(__file__).parent
#: The console script installed beside this interpreter.
SMTTASK = str(Path(sys.executable).with_name("smttask"))
#: Longest line the output may have: a bad file's error must stay one readable line.
MAX_LINE = 1000
MARKER_TEXT = "marker-ok"


@dataclass
class Output:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """Lines of both streams, split on newlines only (a raw control character stays visible)."""
        return [line for text in (self.stdout, self.stderr) for line in text.split("\n")]


def site_dir(parent: Path) -> Path:
    """A directory holding the audit hook and a ``sitecustomize.py`` that installs it."""
    directory = parent / "site"
    if not directory.exists():
        directory.mkdir()
        shutil.copy(HERE / "fuzz_audit.py", directory / "fuzz_audit.py")
        (directory / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return directory


@dataclass
class Batch:
    """Hostile files and two good ones in a fresh project, run through ``smttask``."""

    root: Path
    recipes: list[Recipe]
    templates: dict
    first_good: int = 1
    canaries: Canaries = field(init=False)
    project: Path = field(init=False)
    files: dict[str, Recipe] = field(init=False)
    good: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.project = self.root / "project"
        hostile = self.project / "hostile"
        hostile.mkdir(parents=True)
        (self.project / "smttask.toml").write_text('recorder = "none"\n')
        (self.project / "marker.txt").write_text(MARKER_TEXT + "\n")
        shutil.copy(HERE / "hostile_tasks.py", self.project / "hostile_tasks.py")
        self.canaries = Canaries.plant(self.root)
        self.files = {}
        for index, recipe in enumerate(self.recipes, start=1):
            name = recipe.filename(index)
            (hostile / name).write_bytes(build(recipe, self.templates, self.canaries))
            self.files[name.partition("-")[0] + "-"] = recipe
        self.good = {}
        self._save_good_tasks(hostile)
        store_template_arrays(self.project)

    def _save_good_tasks(self, hostile: Path) -> None:
        import hostile_tasks

        from smttask import Project

        with Project(self.project).activate():
            for x in (self.first_good, self.first_good + 1):
                name = f"good-{x}.taskdesc.json"
                hostile_tasks.reads_marker(x=x).save(hostile / name)
                self.good[name] = x

    def smttask(self, *args: str, audit_log: Path) -> tuple[Output, list[str]]:
        """Run ``smttask ARGS`` in the project; return its output and what changed outside data/.smttask."""
        before = snapshot(self.root)
        env = dict(os.environ)
        env.update({
            "PYTHONPATH": str(site_dir(audit_log.parent)),
            "SMTTASK_FUZZ_AUDIT_LOG": str(audit_log),
            "SMTTASK_FUZZ_MARKER": self.canaries.marker,
            "SMTTASK_FUZZ_CWD": str(self.project),
            "COLUMNS": "200",
        })
        done = subprocess.run(
            [SMTTASK, *args], cwd=self.project, capture_output=True, env=env, timeout=300,
        )
        output = Output(
            done.returncode,
            done.stdout.decode("utf-8", "backslashreplace"),
            done.stderr.decode("utf-8", "backslashreplace"),
        )
        return output, tree_changes(before, snapshot(self.root))

    def stored_value(self, x: int) -> object:
        """The stored result of the good task ``reads_marker(x)``, or None if there is none."""
        import hostile_tasks

        from smttask import Project

        project = Project(self.project)
        with project.activate():
            values = project.storage.load(hostile_tasks.reads_marker(x=x))
        return None if values is None else next(iter(values.values()))


def output_problems(output: Output, batch: Batch, *, dry_run: bool, single: str | None = None) -> list[str]:
    """What is wrong with *output* of a batch run (or of ``show`` on the one file *single*)."""
    problems = []
    text = output.stdout + output.stderr
    if "Traceback" in text:
        problems.append("a traceback was printed: " + text[text.index("Traceback"):][:300].replace("\n", " | "))
    for line in output.lines:
        if len(line) >= MAX_LINE or not line.isprintable():
            problems.append(f"an output line is not one bounded, printable line ({len(line)} chars): {line[:200]!r}")
    prefixes = [single] if single else list(batch.files)
    for prefix in prefixes:
        naming = [line for line in output.lines if prefix in line]
        if len(naming) != 1:
            recipe = batch.files[prefix]
            problems.append(
                f"{len(naming)} lines name {prefix} ({recipe.kind} {recipe.template} {str(recipe.params)[:120]}): "
                + " | ".join(line[:150] for line in naming[:3])
            )
    for line in output.lines:
        if "FORGED" in line and not re.search(r"h\d{4}-", line):
            problems.append(f"control characters from a file escaped into a line of their own: {line[:200]!r}")
    if single is None:
        summary = r"^Dry run: .*would fail" if dry_run else r"^\d+ tasks: .*failed"
        if not re.search(summary, output.stdout + "\n" + output.stderr, re.MULTILINE):
            problems.append(f"no summary line matching {summary!r}")
    return problems
