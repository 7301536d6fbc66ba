"""The states a task of the graph can be in, from the most lasting to none (a leaf: imports nothing)."""

from __future__ import annotations

RECORDED, STORED, MEMORY, NOT_COMPUTED = "recorded", "stored", "in memory", "not computed"
STATES = (RECORDED, STORED, MEMORY, NOT_COMPUTED)
