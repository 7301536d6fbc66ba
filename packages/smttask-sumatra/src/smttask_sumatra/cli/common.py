"""What the commands share: one-line errors, the invocation's project, and text formatting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from smttask import Project


@contextmanager
def errors() -> Iterator[None]:
    """Turn smttask's errors (and bad values) into a one-line ``Error: ...`` and exit status 1."""
    from smttask.errors import SmttaskError

    try:
        yield
    except (SmttaskError, ValueError, LookupError, FileNotFoundError, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from None


def project_of(ctx: click.Context) -> Project:
    """The invocation's project (from the CLI's state when it has one), else the one found from here."""
    getter = getattr(ctx.obj, "project", None)
    if callable(getter):
        return getter()
    from smttask import Project

    return Project()


def local_time(timestamp: datetime, *, seconds: bool = True) -> str:
    return timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def first_line(text: str | None, width: int = 60) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
