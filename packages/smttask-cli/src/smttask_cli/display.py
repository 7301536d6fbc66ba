"""The one way the command line shows text it did not write itself.

File names, error messages from core, warnings and what a task module printed
can hold anything: newlines, NUL, terminal escapes, megabytes. Everything of that
kind the CLI echoes goes through :func:`shown`, so one error stays one line of
bounded length whatever the input, and no escape sequence reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .paths import PathProblem

#: Longest name (file label, module, argument) shown before it is cut with "…".
NAME_LIMIT = 200
#: Longest message (an error or warning text) shown before it is cut with "…".
MESSAGE_LIMIT = 500
#: Longest line :meth:`QuietReporter.message` prints, whatever its parts.
LINE_LIMIT = 2 * NAME_LIMIT + MESSAGE_LIMIT


def escape_controls(text: str) -> str:
    """*text* with every non-printable character written as its ``repr`` escape (``\\n``, ``\\x00``, ``\\x1b``)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def shown(text: object, limit: int = NAME_LIMIT) -> str:
    """*text* as one line of at most *limit* characters (plus ``…`` when cut), control characters escaped.

    The text is cut before it is escaped, so a 100 MB name costs no more than a
    short one, and cut again after, so escapes cannot stretch the line.
    """
    raw = text if isinstance(text, str) else str(text)
    escaped = escape_controls(raw[: limit + 1])
    if len(raw) > limit or len(escaped) > limit:
        return escaped[:limit] + "…"
    return escaped


def echo_problem(subject: object, message: object, *, kind: str = "error") -> None:
    """One line on stderr, ``error: SUBJECT: MESSAGE`` (or ``warning: ...``), for one item of a batch.

    The style of every command: a problem with one file or record is such a
    line and the command goes on with the others (exiting 1 at the end); a
    problem that stops the command is click's ``Error: MESSAGE``.
    """
    import click

    click.echo(f"{kind}: {shown(subject)}: {shown(message, MESSAGE_LIMIT)}", err=True)


def echo_path_problems(problems: Iterable[PathProblem]) -> bool:
    """Print what collecting task files found wrong (:func:`echo_problem`); True if any of it is fatal."""
    fatal = False
    for problem in problems:
        echo_problem(problem.argument, problem.problem, kind="error" if problem.fatal else "warning")
        fatal = fatal or problem.fatal
    return fatal


def format_size(size: int) -> str:
    """*size* bytes for a person: ``512 B``, ``3.2 kB``, ``124.0 MB`` (decimal units, as ``--max-size`` reads them)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")
