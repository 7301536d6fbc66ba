"""A workflow accepting only the parameters it defines."""

from __future__ import annotations

from smttask.workflows import set_workflow_args

a = 1
b = 2

set_workflow_args(__name__, globals(), existing_only=True)

total = a + b
