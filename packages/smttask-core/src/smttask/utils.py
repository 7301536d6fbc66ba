"""Small helpers kept from smttask 0.2 for code written against it (:func:`relative_path`,
:func:`parse_duration_str`), and :func:`parse_size`.

All are plain functions of the standard library (importing this module loads
nothing else of smttask but its errors); ``smttask run --wait`` reads its
duration with :func:`parse_duration_str`, ``smttask store gc --max-size`` its
size with :func:`parse_size`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import DurationError, SizeError

__all__ = ["format_duration", "parse_duration_str", "parse_size", "relative_path"]

#: Seconds per unit; a unit may also be written as any prefix of ``days``, ``hours``, ``minutes``, ``seconds``.
_UNITS = {"d": 86400, "h": 3600, "hr": 3600, "hrs": 3600, "m": 60, "s": 1}
_LONG_UNITS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
#: Bytes per size unit: decimal (``k``, ``M``, ``G``, ``T``, with or without ``B``) and binary (``KiB``...).
_SIZE_UNITS = {
    "": 1, "b": 1,
    **{p: 1000**i for i, p in enumerate("kmgtp", 1)},
    **{p + "b": 1000**i for i, p in enumerate("kmgtp", 1)},
    **{p + "ib": 1024**i for i, p in enumerate("kmgtp", 1)},
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*", re.IGNORECASE)
_PART = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*,?", re.IGNORECASE)


def relative_path(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    through: str | os.PathLike[str] | None = None,
    resolve: bool = True,
) -> Path:
    """The path leading from directory *src* to *dst*, going up with ``..`` where needed.

    Unlike :meth:`pathlib.Path.relative_to`, *dst* need not lie below *src*:
    ``relative_path("/a/data/file", "/a/data/output/file") == Path("../output/file")``.
    *through* forces the path through that directory (by default the deepest
    directory *src* and *dst* share); *resolve* first makes both absolute,
    following symbolic links. Relative links between two stored files are
    written this way.
    """
    source, target = Path(src), Path(dst)
    if resolve:
        source, target = source.resolve(), target.resolve()
    common = Path(os.path.commonpath([source, target]) if through is None else through)
    if common == source:
        return target.relative_to(source)
    ups = len(source.relative_to(common).parts)
    return Path(*([".."] * ups)).joinpath(target.relative_to(common))


def parse_duration_str(text: str) -> float:
    """The number of seconds *text* says: ``"1h30m"``, ``"90s"``, ``"1 hour 23 minutes 2 seconds"``, ``"45"``.

    Amounts may repeat (``"1m1m"`` is 120) and may be decimals; a bare number
    is seconds. A unit is ``d``, ``h``, ``m``, ``s``, ``hr`` or any prefix of
    ``days``, ``hours``, ``minutes``, ``seconds`` (``min``, ``sec``), singular
    or plural. Anything else raises :class:`~smttask.errors.DurationError`
    (a ``ValueError``) naming the part that cannot be read.
    """
    stripped = text.strip()
    if not stripped:
        raise DurationError("empty duration: write e.g. 1h30m, 90s or 45 (seconds)")
    total = 0.0
    position = 0
    while position < len(stripped):
        match = _PART.match(stripped, position)
        if match is None or match.end() == position:
            raise DurationError(
                f"cannot read '{stripped[position:]}' in duration '{stripped}' (write e.g. 1h30m, 90s or 45)"
            )
        number, unit = match.groups()
        factor = _factor(unit.lower()) if unit else 1
        if factor is None:
            raise DurationError(
                f"unknown unit '{unit}' in duration '{stripped}'; use d, h, m, s (or day, hour, min, sec)"
            )
        total += float(number) * factor
        position = match.end()
    return total


def format_duration(seconds: float) -> str:
    """*seconds* as ``1h30m05s`` (whole seconds), or ``0.42s`` below ten seconds.

    The one way every smttask command and table prints a duration.
    """
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


def _factor(unit: str) -> int | None:
    if unit in _UNITS:
        return _UNITS[unit]
    singular = unit[:-1] if unit.endswith("s") and len(unit) > 1 else unit
    found = {f for name, f in _LONG_UNITS.items() if name.startswith(unit) or name.startswith(singular)}
    return found.pop() if len(found) == 1 else None


def parse_size(text: str) -> int:
    """The number of bytes *text* says: ``"50G"``, ``"500MB"``, ``"1.5T"``, ``"2GiB"``, ``"4096"``.

    Units are decimal (``k``/``kB`` = 1000, ``M``, ``G``, ``T``, ``P``, as
    ``smttask clean`` reports sizes) or binary (``KiB`` = 1024, ``MiB``, ``GiB``,
    ``TiB``, ``PiB``), in any case; a bare number is bytes. Anything else raises
    :class:`~smttask.errors.SizeError` (a ``ValueError``) naming the text.
    """
    match = _SIZE.fullmatch(text)
    if match is None:
        raise SizeError(f"cannot read size '{text.strip()}': write e.g. 50G, 500MB, 2GiB or 4096 (bytes)")
    number, unit = match.groups()
    factor = _SIZE_UNITS.get(unit.lower())
    if factor is None:
        raise SizeError(
            f"unknown unit '{unit}' in size '{text.strip()}'; use B, k, M, G, T, P (decimal) or KiB, MiB, GiB, TiB"
        )
    return int(float(number) * factor)
