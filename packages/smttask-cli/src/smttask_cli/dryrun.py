"""``smttask run --dry-run``: what a run would compute, what is cached, and why.

It shows the very plan the executor follows (:func:`smttask.execution.plan_batch`),
so its prediction matches a real run made in the same state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from .display import MESSAGE_LIMIT, shown
from .loading import Entry
from .paths import PathProblem
from .reporting import display_path

if TYPE_CHECKING:
    from smttask.execution import BatchPlan


@dataclass(frozen=True)
class Prediction:
    """What a run would do with one task file (or upstream task)."""

    label: str
    verdict: str  # "would compute", "cached" or "would fail"
    detail: str

    def __post_init__(self) -> None:
        # Labels and details come from file names and error texts: each is shown as one bounded line.
        object.__setattr__(self, "label", shown(self.label))
        object.__setattr__(self, "detail", shown(self.detail, MESSAGE_LIMIT))


def predict(entries: Sequence[Entry], plan: BatchPlan) -> tuple[list[Prediction], list[Prediction]]:
    """Predictions for the task files (in order) and for the upstream tasks computed on their own.

    *plan* was made for the loaded entries only, in order.
    """
    loaded = [i for i, entry in enumerate(entries) if entry.task is not None]
    files: list[Prediction] = []
    position = {entry_index: task_index for task_index, entry_index in enumerate(loaded)}
    for i, entry in enumerate(entries):
        if entry.task is None:
            files.append(Prediction(entry.label, "would fail", entry.error or "cannot be loaded"))
            continue
        index = position[i]
        if index in plan.failed:
            files.append(Prediction(entry.label, "would fail", plan.failed[index].error or ""))
        elif index in plan.cached:
            stored = plan.cached[index].stored
            where = ", ".join(map(display_path, stored.files)) if stored else "in memory"
            files.append(Prediction(entry.label, "cached", where))
        else:
            job = plan.job_for(index)
            files.append(Prediction(entry.label, "would compute", job.why if job else ""))
    upstream = []
    for job in plan.jobs:
        if job.upstream:
            needed = len({entries[loaded[i]].label for i in plan.needed_by(job)})
            label = f"upstream task {job.task.taskname} (key {job.key[:12]})"
            detail = f"{job.why}; needed by {needed} task file{'s' if needed != 1 else ''}"
            upstream.append(Prediction(label, "would compute", detail))
    return files, upstream


def show_predictions(
    files: list[Prediction], upstream: list[Prediction], problems: Sequence[PathProblem], *, rich: bool
) -> None:
    """Print the predictions: a table on a terminal, else one line each (``verdict  label  (detail)``)."""
    counts = {v: sum(p.verdict == v for p in files) for v in ("would compute", "cached", "would fail")}
    counts["would fail"] += sum(p.fatal for p in problems)
    summary = (
        f"Dry run: {counts['would compute']} would compute"
        + (f" (+{len(upstream)} upstream)" if upstream else "")
        + f", {counts['cached']} cached, {counts['would fail']} would fail. Nothing was run."
    )
    if rich:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table(title="smttask run --dry-run", title_justify="left")
        for column in ("task file", "would", "why / where"):
            table.add_column(column, overflow="fold")
        style = {"would compute": "green", "cached": "cyan", "would fail": "bold red"}
        for p in [*upstream, *files]:
            table.add_row(escape(p.label), f"[{style[p.verdict]}]{p.verdict}[/]", escape(p.detail))
        for problem in problems:
            table.add_row(escape(shown(problem.argument)), "[bold red]would fail[/]" if problem.fatal else "-",
                          escape(shown(problem.problem, MESSAGE_LIMIT)))
        console = Console()
        console.print(table)
        console.print(summary, highlight=False)
        return
    for p in [*upstream, *files]:
        line = f"{p.verdict:<14} {p.label}  ({p.detail})"
        click.echo(line, err=p.verdict == "would fail")
    for problem in problems:
        verdict = "would fail" if problem.fatal else "warning"
        click.echo(f"{verdict:<14} {shown(problem.argument)}  ({shown(problem.problem, MESSAGE_LIMIT)})", err=True)
    click.echo(summary)
