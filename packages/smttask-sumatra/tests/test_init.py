"""`smttask project init`: a Sumatra project that Sumatra itself reads, or a clear refusal."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sumatra_lab import commit_all, make_repo

from smttask_sumatra.cli import register
from smttask_sumatra.errors import (
    InvalidProjectNameError,
    NotAGitRepositoryError,
    ProjectExistsError,
    SumatraConfigError,
)
from smttask_sumatra.initialize import init_project
from smttask_sumatra.smtproject import SumatraProject

SMT = str(Path(sys.executable).with_name("smt"))


def cli() -> click.Group:
    group = click.Group("smttask")
    register(group)
    return group


def test_init_creates_the_lab_book_data_and_settings(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "thesis")
    result = init_project(root, data="results", on_changed="store-diff", allow_dirty=["notebooks"])
    assert result.name == "thesis"
    assert (root / "results").is_dir()
    assert (root / ".smt" / "records").is_file()
    assert (
        ".smt" in (root / ".gitignore").read_text()
        and "/.smttask/" in (root / ".gitignore").read_text()
        and "/results/" in (root / ".gitignore").read_text()
    )
    config = tomllib.loads((root / "smttask.toml").read_text())
    assert config == {
        "data": "results",
        "sumatra": {"on_changed": "store-diff", "allow_dirty": ["notebooks"]},
    }
    smt = SumatraProject.load(root)
    assert (smt.name, smt.on_changed, smt.data_root, smt.repository) == (
        "thesis",
        "store-diff",
        root / "results",
        root,
    )
    assert any("no commit yet" in note for note in result.notes)
    state = json.loads((root / ".smt" / "project").read_text())
    assert state["record_store"]["type"] == "sumatra.recordstore.django_store.DjangoRecordStore"
    info = subprocess.run([SMT, "info"], cwd=root, capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert "thesis" in info.stdout and "store-diff" in info.stdout


def test_init_refuses_outside_git_and_over_an_existing_project(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(NotAGitRepositoryError, match="not inside a git repository.*git init"):
        init_project(plain)
    root = make_repo(tmp_path / "repo")
    init_project(root)
    with pytest.raises(ProjectExistsError, match="already exists"):
        init_project(root)


def test_init_rejects_bad_names_and_policies(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    with pytest.raises(InvalidProjectNameError, match="'my/project'"):
        init_project(root, name="my/project")
    with pytest.raises(SumatraConfigError, match="'sometimes'"):
        init_project(root, on_changed="sometimes")
    assert not (root / ".smt" / "project").exists()


def test_init_extends_existing_settings_and_ignores_only_once(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / "smttask.toml").write_text('data = "out"\nmemory_cache_size = 8\n')
    (root / ".gitignore").write_text("/.smt/\n*.pyc")
    init_project(root)
    config = tomllib.loads((root / "smttask.toml").read_text())
    assert config["data"] == "out" and config["memory_cache_size"] == 8
    assert config["sumatra"]["on_changed"] == "error"
    assert (root / ".gitignore").read_text().count("/.smt/") == 1
    assert "/out/" in (root / ".gitignore").read_text()


def test_init_refuses_a_data_option_contradicting_the_settings(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / "smttask.toml").write_text('data = "out"\n')
    with pytest.raises(SumatraConfigError, match="--data is 'elsewhere'"):
        init_project(root, data="elsewhere")


def test_cli_init_with_options_for_scripts(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / "a.py").write_text("")
    commit_all(root)
    result = CliRunner().invoke(
        cli(), ["project", "init", str(root), "--yes", "--name", "scripted", "--data", "d"]
    )
    assert result.exit_code == 0, result.output
    assert "Created Sumatra project 'scripted'" in result.output
    assert "Commit .gitignore and smttask.toml" in result.output
    assert SumatraProject.load(root).name == "scripted"


def test_cli_init_asks_with_defaults(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "asked")
    answers = "\n".join(["", "results", "", "store-diff", "notebooks, reports"]) + "\n"
    result = CliRunner().invoke(cli(), ["project", "init", str(root)], input=answers)
    assert result.exit_code == 0, result.output
    assert "Project name [asked]" in result.output
    smt = SumatraProject.load(root)
    assert (smt.name, smt.on_changed) == ("asked", "store-diff")
    config = tomllib.loads((root / "smttask.toml").read_text())
    assert config["sumatra"]["allow_dirty"] == ["notebooks", "reports"]
    assert config["data"] == "results"


def test_cli_init_errors_are_one_clear_line(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = CliRunner().invoke(cli(), ["project", "init", str(plain), "--yes"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "not inside a git repository" in result.output
    assert "Traceback" not in result.output


def test_without_sumatras_git_support_init_says_what_to_install_and_writes_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "thesis")
    code = (
        "import sys\nsys.modules['git'] = None  # GitPython cannot be imported, as when it is not installed\n"
        "from smttask_sumatra.errors import GitError\nfrom smttask_sumatra.initialize import init_project\n"
        "try:\n    init_project(sys.argv[1])\nexcept GitError as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert "GitPython" in done.stdout and "pip install GitPython" in done.stdout
    assert sorted(p.name for p in root.iterdir()) == [".git"]
    init_project(root)  # with git support it then works
    state = json.loads((root / ".smt" / "project").read_text())
    assert state["default_repository"]["type"] == "sumatra.versioncontrol._git.GitRepository"
