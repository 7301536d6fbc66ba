"""A workflow inside a package."""

from __future__ import annotations

from smttask.workflows import set_workflow_args

scale = 1

set_workflow_args(__name__, globals())

result = 10 * scale
