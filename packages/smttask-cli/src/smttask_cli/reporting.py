"""What ``smttask run`` shows while and after it runs.

Three reporters share one interface: :class:`QuietReporter` (``--quiet``: only
failures, on stderr), :class:`PlainReporter` (one line per task, for logs:
used when stdout is not a terminal) and :class:`RichReporter` (a live
progress bar with counts and ETA, then a summary table). Failures always go to
stderr, one line each: the task file and the error. Every name and message
shown passes through :func:`~smttask_cli.display.shown`, so it stays one
bounded line whatever a task file or a task put into it.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .display import LINE_LIMIT, MESSAGE_LIMIT, shown
from .durations import format_duration

if TYPE_CHECKING:
    from smttask.execution import TaskOutcome, TaskStarted

#: Statuses of a finished task, in the order totals are shown.
STATUSES = ("computed", "cached", "failed", "interrupted", "skipped")
_STYLE = {"computed": "green", "cached": "cyan", "failed": "bold red", "interrupted": "yellow", "skipped": "dim"}
_TABLE_LIMIT = 60


def display_path(path: str | Path) -> str:
    """*path* relative to the working directory when it lies below it, ready to show (see :func:`shown`)."""
    text = str(path)
    try:
        relative = os.path.relpath(text)
    except ValueError:  # another drive (Windows)
        relative = ".."
    return shown(text if relative.startswith("..") else relative)


@dataclass
class Row:
    """One task file of the batch as the summary shows it."""

    label: str
    status: str = "pending"
    duration: float | None = None
    outputs: tuple[str, ...] = ()
    error: str | None = None


class QuietReporter:
    """Shows only failures (stderr); the base of the other reporters."""

    def __init__(self, labels: list[str]) -> None:
        self.rows = [Row(shown(label)) for label in labels]
        self.counts: Counter[str] = Counter()
        self.upstream: Counter[str] = Counter()
        self.running: set[str] = set()
        self.done = 0

    @property
    def total(self) -> int:
        return len(self.rows)

    # --- events -------------------------------------------------------------------
    def begin(self, *, auto_refresh: bool = True) -> None:
        """The batch starts (after cached tasks and load failures are known).

        Without *auto_refresh*, a live display redraws only on events and
        :meth:`tick` (no display thread, so worker processes can be forked).
        """

    def tick(self) -> None:
        """Called regularly while waiting for workers: redraw a live display."""

    def started(self, event: TaskStarted) -> None:
        self.running.add(event.key)

    def finished(self, outcome: TaskOutcome) -> None:
        """Record *outcome* (of a task file if ``outcome.index`` is set, else of an upstream task)."""
        self.running.discard(outcome.key)
        if outcome.index is None:
            self.upstream[outcome.status] += 1
            if outcome.status == "failed":
                self.show_failure(self.upstream_label(outcome), outcome)
            else:
                self.show_upstream(outcome)
            return
        row = self.rows[outcome.index]
        row.status, row.duration, row.outputs, row.error = (
            outcome.status, outcome.duration, outcome.outputs, _message(outcome.error)
        )
        self.counts[outcome.status] += 1
        self.done += 1
        if outcome.status == "failed":
            self.show_failure(row.label, outcome)
        else:
            self.show_row(row)

    def message(self, text: str) -> None:
        """A note about the batch itself (e.g. that it is stopping), shown as one bounded line."""
        click.echo(shown(text, LINE_LIMIT), err=True)

    def pause(self) -> None:
        """Give the terminal to a debugger."""

    def resume(self) -> None:
        """Take the terminal back after :meth:`pause`."""

    def end(self, elapsed: float, interrupted: bool, log_path: Path | None) -> None:
        """The batch is over: show the summary."""
        if log_path is not None:
            click.echo(f"Full tracebacks: {display_path(log_path)}", err=True)

    # --- rendering ----------------------------------------------------------------
    def show_failure(self, label: str, outcome: TaskOutcome) -> None:
        click.echo(f"{self.prefix()}failed  {label}: {_message(outcome.error)}", err=True)

    def show_row(self, row: Row) -> None:
        pass

    def show_upstream(self, outcome: TaskOutcome) -> None:
        pass

    def prefix(self) -> str:
        return ""

    @staticmethod
    def upstream_label(outcome: TaskOutcome) -> str:
        return f"upstream task {shown(outcome.task)} (key {shown(outcome.key[:12])})"

    def totals(self, elapsed: float, interrupted: bool) -> str:
        parts = [f"{self.counts[s]} {s}" for s in STATUSES if self.counts[s]]
        text = f"{self.total} task{'s' if self.total != 1 else ''}: {', '.join(parts) or 'nothing run'}"
        text += f" in {format_duration(elapsed)}"
        upstream = [f"{self.upstream[s]} {s}" for s in STATUSES if self.upstream[s]]
        if upstream:
            text += f"; upstream tasks: {', '.join(upstream)}"
        if interrupted:
            text += " (interrupted)"
        return text + "."


class PlainReporter(QuietReporter):
    """One line per finished task, for log files: ``[done/total] status time file -> outputs``."""

    def prefix(self) -> str:
        width = len(str(self.total))
        return f"[{self.done:>{width}}/{self.total}] "

    def show_row(self, row: Row) -> None:
        time = format_duration(row.duration or 0.0)
        outputs = f" -> {', '.join(display_path(p) for p in row.outputs)}" if row.outputs else ""
        error = f": {row.error}" if row.error and row.status in ("failed", "skipped") else ""
        click.echo(f"{self.prefix()}{row.status:<11} {time:>7}  {row.label}{outputs}{error}")

    def show_failure(self, label: str, outcome: TaskOutcome) -> None:
        time = format_duration(outcome.duration)
        click.echo(f"{self.prefix()}{'failed':<11} {time:>7}  {label}: {_message(outcome.error)}", err=True)

    def show_upstream(self, outcome: TaskOutcome) -> None:
        outputs = f" -> {', '.join(display_path(p) for p in outcome.outputs)}" if outcome.outputs else ""
        time = format_duration(outcome.duration)
        click.echo(f"[upstream] {outcome.status:<11} {time:>7}  {self.upstream_label(outcome)}{outputs}")

    def end(self, elapsed: float, interrupted: bool, log_path: Path | None) -> None:
        click.echo(self.totals(elapsed, interrupted))
        super().end(elapsed, interrupted, log_path)


class RichReporter(QuietReporter):
    """A live progress bar (done / cached / failed / running, ETA), then a summary table."""

    def __init__(self, labels: list[str]) -> None:
        super().__init__(labels)
        from rich.console import Console

        self.console = Console()
        self.errors = Console(stderr=True)
        self.progress: Any = None
        self.bar: Any = None
        self.paused = False
        self._last_refresh = 0.0

    def begin(self, *, auto_refresh: bool = True) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]Running"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            refresh_per_second=8,
            auto_refresh=auto_refresh,
        )
        # Tasks already done (cached, failed to load) are the starting point, so they do not skew the ETA.
        self.bar = self.progress.add_task("run", total=self.total, completed=self.done, counts=self._counts())
        self.progress.start()

    def started(self, event: TaskStarted) -> None:
        super().started(event)
        self._update()

    def finished(self, outcome: TaskOutcome) -> None:
        super().finished(outcome)
        self._update()

    def _update(self) -> None:
        if self.progress is not None:
            if self.paused:
                self.resume()
            self.progress.update(self.bar, completed=self.done, counts=self._counts())
            self.tick()

    def tick(self) -> None:
        now = time.monotonic()
        if self.progress is not None and not self.paused and now - self._last_refresh >= 0.1:
            self._last_refresh = now
            self.progress.refresh()

    def _counts(self) -> str:
        c = self.counts
        text = f"[green]✓ {c['computed']} computed[/] [cyan]● {c['cached']} cached[/]"
        if c["failed"]:
            text += f" [red]✗ {c['failed']} failed[/]"
        if c["interrupted"] + c["skipped"]:
            text += f" [yellow]■ {c['interrupted'] + c['skipped']} stopped[/]"
        return text + f" [yellow]▶ {len(self.running)} running[/]"

    def show_failure(self, label: str, outcome: TaskOutcome) -> None:
        from rich.markup import escape

        self.errors.print(f"[bold red]✗ failed[/] {escape(label)}: {escape(_message(outcome.error))}", highlight=False)

    def message(self, text: str) -> None:
        from rich.markup import escape

        self.errors.print(f"[yellow]{escape(shown(text, LINE_LIMIT))}[/]", highlight=False)

    def pause(self) -> None:
        if self.progress is not None and not self.paused:
            self.progress.stop()
            self.paused = True

    def resume(self) -> None:
        if self.progress is not None and self.paused:
            self.paused = False
            self.progress.start()

    def end(self, elapsed: float, interrupted: bool, log_path: Path | None) -> None:
        if self.progress is not None:
            self.progress.update(self.bar, completed=self.done, counts=self._counts())
            self.resume()
            self.progress.stop()
        self.console.print(self._table())
        style = "red" if self.counts["failed"] or interrupted else "green"
        self.console.print(f"[{style}]{self.totals(elapsed, interrupted)}[/]", highlight=False)
        if log_path is not None:
            self.errors.print(f"Full tracebacks: {display_path(log_path)}", highlight=False)

    def _table(self) -> Any:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title="smttask run", title_justify="left", expand=False)
        table.add_column("#", justify="right", style="dim")
        table.add_column("task file", overflow="fold")
        table.add_column("status")
        table.add_column("time", justify="right")
        table.add_column("outputs / error", overflow="fold")
        shown = list(enumerate(self.rows, 1))
        if len(shown) > _TABLE_LIMIT:
            unusual = [(i, r) for i, r in shown if r.status not in ("computed", "cached")]
            shown = unusual[:_TABLE_LIMIT] or shown[:_TABLE_LIMIT]
        for number, row in shown:
            detail = row.error if row.status in ("failed", "interrupted", "skipped") else "\n".join(
                display_path(p) for p in row.outputs
            )
            style = _STYLE.get(row.status, "")
            table.add_row(
                str(number),
                escape(row.label),
                f"[{style}]{row.status}[/]" if style else row.status,
                format_duration(row.duration) if row.duration else "",
                escape(detail or ""),
            )
        hidden = len(self.rows) - len(shown)
        if hidden:
            table.add_row("", f"[dim]… {hidden} more (computed or cached) not listed[/]", "", "", "")
        return table


def _message(error: str | None) -> str:
    """An error text from a task or core, as one bounded line."""
    return shown(error or "", MESSAGE_LIMIT)


def make_reporter(labels: list[str], *, quiet: bool, plain: bool) -> QuietReporter:
    """The reporter to use: failures only (*quiet*), plain lines (*plain*: for logs) or a live display."""
    if quiet:
        return QuietReporter(labels)
    return PlainReporter(labels) if plain else RichReporter(labels)
