"""Project discovery and configuration files."""

from __future__ import annotations

from pathlib import Path

import pytest

from smttask import Project, current_project
from smttask.config import Config, find_project_root, load_config
from smttask.errors import ConfigError


def test_defaults_without_any_file(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()
    assert Project(tmp_path).data_dir == tmp_path / "data"


def test_smttask_toml_is_read(tmp_path: Path) -> None:
    (tmp_path / "smttask.toml").write_text(
        'data = "results"\nmemory_cache_size = 10\n[sumatra]\npolicy = "store-diff"\n'
    )
    config = load_config(tmp_path)
    assert config.data == "results" and config.memory_cache_size == 10
    assert config.plugins == {"sumatra": {"policy": "store-diff"}}


def test_pyproject_section_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.smttask]\nclaim_stale_after = 5\n')
    assert load_config(tmp_path).claim_stale_after == 5.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('datadir = "x"', "unknown setting 'datadir'. Known settings: array_inline_max, claim_heartbeat"),
        ("memory_cache_size = 'big'", "setting 'memory_cache_size' must be a int, got 'big'"),
        ("data = [", "invalid TOML"),
        ("memory_cache_size = -1", "'memory_cache_size' must be 0 or more, got -1"),
        ("result_inline_max = -1", "'result_inline_max' must be 0 or more, got -1"),
        ("result_inline_max = '4k'", "setting 'result_inline_max' must be a int, got '4k'"),
        ("claim_stale_after = 0", "'claim_stale_after' must be greater than 0"),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "smttask.toml").write_text(content)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(tmp_path)
    assert str(tmp_path / "smttask.toml") in str(info.value)


def test_root_is_found_from_a_subdirectory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "smttask.toml").write_text("")
    sub = tmp_path / "analysis" / "notebooks"
    sub.mkdir(parents=True)
    assert find_project_root(sub) == tmp_path
    monkeypatch.chdir(sub)
    assert current_project().root == tmp_path.resolve()


def test_sumatra_project_marks_a_root(tmp_path: Path) -> None:
    (tmp_path / ".smt").mkdir()
    assert find_project_root(tmp_path / "x") == tmp_path


def test_activated_project_overrides_discovery(tmp_path: Path) -> None:
    proj = Project(tmp_path / "elsewhere")
    with proj.activate():
        assert current_project() is proj
    assert current_project() is not proj
