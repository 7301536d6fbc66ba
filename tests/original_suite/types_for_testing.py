"""The original suite's types_for_testing.py: a dataclass to Create."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Point:
    x: float
    y: float
