"""``[dask]`` in a project's configuration: where the executor finds its scheduler, and bad settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from smttask import Project
from smttask_dask import DaskExecutor, DaskSettingsError


def project_with(tmp_path: Path, table: str) -> Project:
    (tmp_path / "smttask.toml").write_text(f'recorder = "none"\n[dask]\n{table}\n')
    return Project(tmp_path)


def test_the_configured_scheduler_is_used_unless_one_is_given(tmp_path: Path) -> None:
    project = project_with(tmp_path, 'scheduler = "tcp://10.0.0.5:8786"')

    assert project.executor("dask").scheduler == "tcp://10.0.0.5:8786"
    assert DaskExecutor(project, scheduler="tcp://127.0.0.1:9000").scheduler == "tcp://127.0.0.1:9000"


def test_without_settings_a_local_cluster_is_started(tmp_path: Path) -> None:
    (tmp_path / "smttask.toml").write_text('recorder = "none"\n')

    assert DaskExecutor(Project(tmp_path), workers=3).scheduler is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('schedular = "tcp://a:1"', "unknown setting(s) schedular in the [dask] table"),
        ("scheduler = 8786", "must be a string such as \"tcp://host:8786\", got 8786"),
        ('scheduler = "a:8786"', "[dask] scheduler: 'a:8786' is not a Dask scheduler address"),
    ],
)
def test_bad_settings_are_errors_naming_the_setting_and_the_fix(tmp_path: Path, table: str, message: str) -> None:
    project = project_with(tmp_path, table)

    with pytest.raises(DaskSettingsError) as caught:
        project.executor("dask")
    assert message in str(caught.value)


def test_a_client_and_a_scheduler_together_are_refused(tmp_path: Path) -> None:
    (tmp_path / "smttask.toml").write_text('recorder = "none"\n')

    with pytest.raises(DaskSettingsError, match="give one of them"):
        DaskExecutor(Project(tmp_path), scheduler="tcp://127.0.0.1:1", client=object())  # type: ignore[arg-type]
