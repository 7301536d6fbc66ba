"""Projects of smttask-fsspec's tests: a project directory whose smttask.toml stores results at a URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import smttask_fsspec.plugin
from smttask import Project, make_plugin_manager
from smttask.config import load_config

HERE = Path(__file__).parent


def _toml(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


def make_project(root: Path, url: str, **fsspec: Any) -> Project:
    """A project at *root* (created) storing at *url*, its ``[fsspec]`` table *fsspec*, its cache under *root*."""
    root.mkdir(parents=True, exist_ok=True)
    table = {"cache_dir": str(root / "cache"), **fsspec}
    lines = ['storage = "fsspec"', f"storage_url = {_toml(url)}", 'recorder = "none"',
             "claim_heartbeat = 0.2", "claim_stale_after = 3", "", "[fsspec]"]
    lines += [f"{name} = {_toml(value)}" for name, value in table.items()]
    (root / "smttask.toml").write_text("\n".join(lines) + "\n")
    manager = make_plugin_manager(load_entry_points=False, plugins=[smttask_fsspec.plugin])
    return Project(root, config=load_config(root), plugin_manager=manager)


def run_script(root: Path, code: str, **kwargs: Any) -> subprocess.Popen[str]:
    """Start ``python -c code`` in the project *root* (the installed plugin found by entry point)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-W", "ignore", "-c", code], cwd=root, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def computed(log: Path, name: str) -> int:
    return sum(1 for line in log.read_text().splitlines() if line.split()[0] == name)
