"""Durations for ``--wait`` (read by :func:`smttask.utils.parse_duration_str`) and for reports."""

from __future__ import annotations

from smttask.utils import parse_duration_str as parse_duration

__all__ = ["format_duration", "parse_duration"]


def format_duration(seconds: float) -> str:
    """*seconds* as ``1h30m05s`` (whole seconds), or ``0.42s`` below ten seconds."""
    if seconds < 10:
        return f"{seconds:.2f}s"
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"
