"""A fresh process imports only the plugins, and the plugin components, its work needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

FIRST_HIT = textwrap.dedent(
    """
    import json, sys
    import lazytasks
    lazytasks.add(x=1, y=2).run()
    print(json.dumps(sorted(m for m in sys.modules if m.startswith("smttask_"))))
    """
)
TASKS = textwrap.dedent(
    """
    from smttask import RecordedTask

    @RecordedTask
    def add(x: int, y: int) -> int:
        return x + y
    """
)


def run_fresh(root: Path, cache: Path) -> list[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("SMTTASK_PLUGIN_CACHE", None)
    done = subprocess.run(
        [sys.executable, "first_hit.py"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_project_on_local_storage_never_imports_another_backend_or_unneeded_plugins(tmp_path: Path) -> None:
    root, cache = tmp_path / "project", tmp_path / "cache"
    root.mkdir()
    (root / "smttask.toml").write_text('recorder = "none"\n')
    (root / "lazytasks.py").write_text(TASKS)
    (root / "first_hit.py").write_text(FIRST_HIT)
    (root / "data").mkdir()  # created before the runs, so the project directory's time stays the same

    first = run_fresh(root, cache)  # computes and stores; every plugin module loads once, its hooks are learnt
    assert "smttask_fsspec.backend" not in first and "smttask_dask.executor" not in first
    assert "smttask_fsspec.plugin" in first  # loaded to learn its hooks

    (written,) = (cache / "smttask").glob("plugins-*.json")
    hooks = {entry["name"]: entry["hooks"] for entry in json.loads(written.read_text())["plugins"]}
    assert hooks["fsspec"] == ["smttask_storage_backends"]
    assert "smttask_cli_commands" in hooks["cli"]

    second = run_fresh(root, cache)  # a disk hit: only the plugins implementing the hooks used are imported
    assert "smttask_fsspec.backend" not in second
    assert "smttask_fsspec.plugin" in second  # asked for its storage backends, which it names
    for plugin in ("smttask_cli.plugin", "smttask_dask.plugin", "smttask_snakemake.plugin", "smttask_viz.plugin"):
        assert plugin not in second
