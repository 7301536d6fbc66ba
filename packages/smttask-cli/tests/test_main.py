"""The ``smttask`` group: version, help, and commands added by plugins through the hook."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from smttask import hookimpl, make_plugin_manager
from smttask_cli import __version__
from smttask_cli.main import build_cli


class HelloPlugin:
    @hookimpl
    def smttask_cli_commands(self, cli):
        @cli.command()
        @click.argument("name")
        def hello(name: str) -> None:
            """Say hello."""
            click.echo(f"hello {name}")


class BrokenPlugin:
    @hookimpl
    def smttask_cli_commands(self, cli):
        raise ImportError("No module named 'missing_dependency'")


class ClashingPlugin:
    @hookimpl
    def smttask_cli_commands(self, cli):
        @cli.command(name="run")
        def fake_run() -> None:
            """Not the real run."""


def cli_with(*plugins):
    return build_cli(make_plugin_manager(load_entry_points=False, plugins=plugins))


def test_version_names_the_packages(project):
    result = project.smttask_process("--version")
    assert result.returncode == 0
    assert result.stdout.startswith(f"smttask {__version__} (smttask-core ")


def test_help_lists_every_builtin_command(project):
    result = project.smttask_process("--help")
    assert result.returncode == 0
    for command in ("run", "show", "plugins"):
        assert f"  {command} " in result.stdout
    run_help = project.smttask_process("run", "--help").stdout
    for option in ("--cores", "--dry-run", "--fail-fast", "--clean", "--recompute", "--reason",
                   "--no-record", "--wait", "--import", "--pdb", "--quiet"):
        assert option in run_help


def test_a_plugin_adds_a_command_through_the_hook():
    result = CliRunner().invoke(cli_with(HelloPlugin()), ["hello", "world"])
    assert result.exit_code == 0
    assert result.output == "hello world\n"


def test_a_broken_plugin_costs_a_warning_not_the_command_line(capsys):
    cli = cli_with(BrokenPlugin(), HelloPlugin())
    assert (
        "smttask: warning: plugin 'BrokenPlugin' failed to add its commands: "
        "ImportError: No module named 'missing_dependency'"
    ) in capsys.readouterr().err
    result = CliRunner().invoke(cli, ["hello", "you"])
    assert result.exit_code == 0
    assert result.output == "hello you\n"


def test_a_plugin_cannot_silently_replace_a_builtin_command(capsys):
    cli = cli_with(ClashingPlugin())
    assert cli.commands["run"].callback.__module__ == "smttask_cli.commands.run"
    assert "two plugins add a command named 'run'" in capsys.readouterr().err


def test_a_plugin_that_fails_to_load_costs_a_warning(monkeypatch, capsys):
    import importlib.metadata

    from smttask_cli.main import load_plugin_manager

    broken = importlib.metadata.EntryPoint(name="broken", value="no_such_module_xyz", group="smttask")
    monkeypatch.setenv("SMTTASK_PLUGIN_CACHE", "0")  # scan, so the broken entry point is found
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [broken])
    manager = load_plugin_manager()
    assert "smttask: warning: The smttask plugin 'broken'" in capsys.readouterr().err
    assert manager.get_plugin("core") is not None


def test_a_command_of_a_package_not_installed_names_the_package():
    result = CliRunner().invoke(cli_with(), ["project", "init"])
    assert result.exit_code == 2
    assert "'smttask project' comes with smttask-sumatra, which is not installed here" in result.output
    assert "No such command" not in result.output
    unknown = CliRunner().invoke(cli_with(), ["frobnicate"])
    assert unknown.exit_code == 2 and "No such command 'frobnicate'" in unknown.output


def _main_in_a_fresh_process(
    directory: Path, argv: list[str], *, before: str = "", after: str = ""
) -> subprocess.CompletedProcess[str]:
    """``smttask_cli.main.main(argv)`` in a fresh Python process in *directory* (its modules importable), with
    the code *before* and *after* run around it; a non-zero exit fails the code after."""
    code = (
        f"import sys\nsys.path.insert(0, '.')\nfrom smttask_cli.main import main\n{before}"
        f"try:\n    main({argv!r})\nexcept SystemExit as exc:\n    assert not exc.code, exc\n{after}"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=directory, capture_output=True, text=True)


def test_smttask_run_in_one_process_leaves_unneeded_modules_unimported(tmp_path) -> None:
    """`smttask run -n 1` (what every Snakemake job runs) of a task that succeeds imports no process pool,
    no `traceback` (it formats failures), no `subprocess` (Sumatra's `smt` command runs one), none of the
    other commands' modules, and for a task of plain scalar inputs and output, no pydantic (some 60 ms of
    every job)."""
    (tmp_path / "smttask.toml").write_text('recorder = "none"\n')
    (tmp_path / "lean_tasks.py").write_text(
        "from smttask import RecordedTask\n\n@RecordedTask\ndef inc(x: int) -> int:\n    return x + 1\n"
    )
    save = "import lean_tasks\nlean_tasks.inc(x=1).save('tasks')\n"
    subprocess.run([sys.executable, "-c", save], cwd=tmp_path, check=True, capture_output=True)
    unneeded = ["subprocess", "traceback", "multiprocessing", "smttask.execution.processes", "pydantic",
                # the other commands, built-in and of the installed plugins: named, not imported
                "smttask_cli.commands.show", "smttask_cli.commands.accept", "smttask_cli.commands.debug",
                "smttask_sumatra.cli.records", "smttask_sumatra.cli.store", "smttask_viz.cli", "smttask_snakemake.cli",
                "smttask.storage.inventory",  # the collector's and cleaners' records
                "socket"]  # the claim names this host from os.uname
    ran = _main_in_a_fresh_process(tmp_path, ["run", "-q", "-n", "1", "tasks"],
                                   after=f"print(sorted(m for m in {unneeded!r} if m in sys.modules))\n")
    assert ran.stdout.splitlines()[-1:] == ["[]"], ran.stderr
    assert len(list((tmp_path / "data").rglob("*.manifest.json"))) == 1


def test_smttask_run_freezes_only_library_objects_and_keeps_what_user_code_owes_at_exit(tmp_path) -> None:
    """The console script freezes the objects of smttask and its libraries before any user module is
    imported (the garbage collector then skips them), yet a file a task module left open and unflushed is
    still written out at exit, and a task's own atexit handler still runs. In a process that calls main()
    itself (a test, a notebook), nothing is frozen."""
    (tmp_path / "smttask.toml").write_text('recorder = "none"\n')
    (tmp_path / "exit_tasks.py").write_text(
        "import atexit, gc\nfrom smttask import RecordedTask\n\nLOG = open('log.txt', 'a')\n\n"
        "@RecordedTask\ndef note(x: int) -> int:\n"
        "    LOG.write(f'computed {x}\\n')\n"
        "    atexit.register(lambda: open('atexit.txt', 'w').write('ran'))\n"
        "    return gc.get_freeze_count()\n"
    )
    save = "import exit_tasks\nprint(exit_tasks.note(x=5).save('tasks'))\n"
    subprocess.run([sys.executable, "-c", save], cwd=tmp_path, check=True, capture_output=True)
    smttask = str(Path(sys.executable).with_name("smttask"))
    done = subprocess.run([smttask, "run", "-q", "tasks"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (manifest,) = (tmp_path / "data" / "note").glob("*.manifest.json")
    at_start = int(subprocess.run([sys.executable, "-c", "import gc; print(gc.get_freeze_count())"],
                                  capture_output=True, text=True, check=True).stdout)  # 0, or Python's own (3.12)
    frozen = int(json.loads(manifest.read_text())["outputs"][""]["inline"])
    assert frozen > at_start + 1000  # the libraries' objects were frozen while the task ran
    assert (tmp_path / "log.txt").read_text() == "computed 5\n"
    assert (tmp_path / "atexit.txt").read_text() == "ran"
    called = _main_in_a_fresh_process(tmp_path, ["run", "-q", "--recompute", "tasks"],
                                      before="import gc\nbefore = gc.get_freeze_count()\n",
                                      after="print(gc.get_freeze_count() - before)\n")
    assert called.stdout.strip().splitlines()[-1] == "0", called.stderr
