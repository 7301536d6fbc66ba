"""The five distributions, installed together, form one working smttask."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points, version

import pytest

DISTRIBUTIONS = ["smttask-core", "smttask-cli", "smttask-sumatra", "smttask-viz", "smttask-snakemake"]


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_each_distribution_is_installed(dist: str) -> None:
    assert version(dist)


def test_every_plugin_package_registers_through_the_entry_point_group() -> None:
    names = {ep.name for ep in entry_points(group="smttask")}
    assert {"cli", "sumatra", "viz", "snakemake"} <= names


def test_plugin_manager_loads_all_installed_plugins() -> None:
    from smttask import make_plugin_manager

    manager = make_plugin_manager()
    loaded = {name for name, _ in manager.list_name_plugin()}
    assert {"core", "cli", "sumatra", "viz", "snakemake"} <= loaded


def test_loading_plugins_keeps_heavy_imports_away() -> None:
    code = (
        "import sys\n"
        "from smttask import make_plugin_manager\n"
        "make_plugin_manager()\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'django', 'sumatra', 'networkx', 'snakemake') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
