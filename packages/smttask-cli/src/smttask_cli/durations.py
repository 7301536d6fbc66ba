"""Durations for ``--wait`` (read by :func:`smttask.utils.parse_duration_str`) and for reports."""

from __future__ import annotations

from smttask.utils import format_duration
from smttask.utils import parse_duration_str as parse_duration

__all__ = ["format_duration", "parse_duration"]
