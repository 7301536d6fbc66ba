"""Durations written like ``1h30m``, ``90s``, ``2 days`` or ``45`` (seconds), for ``--wait``."""

from __future__ import annotations

import re

_UNITS = {
    "d": 86400, "day": 86400, "days": 86400,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
}
_PART = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*,?", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """Seconds in *text*; a bare number is seconds. ValueError says what is wrong."""
    text = text.strip()
    if not text:
        raise ValueError("empty duration")
    total = 0.0
    position = 0
    while position < len(text):
        match = _PART.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read '{text[position:]}' in duration '{text}' (write e.g. 1h30m, 90s or 45)")
        number, unit = match.groups()
        factor = _UNITS.get(unit.lower()) if unit else 1
        if factor is None:
            known = "d, h, m, s (or day, hour, min, sec)"
            raise ValueError(f"unknown unit '{unit}' in duration '{text}'; use {known}")
        total += float(number) * factor
        position = match.end()
    return total


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
