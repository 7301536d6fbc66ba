"""A workflow module for test_workflows: parameters, then set_workflow_args, then tasks."""

from __future__ import annotations

from params_tasks import ModelParams, simulate

from smttask.workflows import set_workflow_args

# Parameters and their defaults
λ = 1.0
n = 3
label = "default"
exenv = "module"

set_workflow_args(__name__, globals())

params = ModelParams(λ=λ, σ=0.5)
task = simulate(params=params, n=n)
runs_seen = exenv
