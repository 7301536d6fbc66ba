"""A module that forgets to call set_workflow_args."""

from __future__ import annotations

a = 1
