"""smttask 0.2's store commands: ``store delete record | since``, ``store merge``, ``run --record-store``, ``smt``."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from sumatra_lab import Lab, invoke

from smttask import make_plugin_manager
from smttask_sumatra import plugin
from smttask_sumatra.view import RecordStoreView


def labels(lab: Lab) -> list[str]:
    return RecordStoreView(lab.project).labels


def stored_file(lab: Lab, task: object) -> Path:
    return lab.project.storage.locate(task).outputs[""].path  # type: ignore[arg-type, union-attr]


def test_delete_record_lists_on_dry_run_then_removes_the_record_and_its_result(lab: Lab) -> None:
    one, two = lab.tasks.Square(x=1), lab.tasks.Square(x=2)
    one.run()
    two.run()
    first, second = labels(lab)[1], labels(lab)[0]
    path = stored_file(lab, one)
    dry = invoke(lab, "store", "delete", "record", first, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would delete record {first} (Square, finished)" in dry.output
    assert f"would delete   {path}" in dry.output and "nothing was" in dry.output
    assert labels(lab) == [second, first] and path.exists()
    real = invoke(lab, "store", "delete", "record", first)
    assert real.exit_code == 0, real.output
    assert "Deleted 1 record(s) and 1 file(s)." in real.output
    assert labels(lab) == [second]
    assert not path.exists() and lab.project.storage.locate(one) is None
    assert lab.project.storage.locate(two) is not None
    (link,) = (lab.project.data_dir / "latest" / "Square").iterdir()
    assert link.resolve() == stored_file(lab, two).resolve()  # the latest link follows the kept run


def test_a_result_a_kept_record_wrote_is_kept(lab: Lab) -> None:
    square = lab.tasks.Square(x=3)
    square.run()
    square.run(recompute=True)  # the newer record now holds the result file
    newer, older = labels(lab)
    path = stored_file(lab, square)
    result = invoke(lab, "store", "delete", "record", older)
    assert "Deleted 1 record(s) and 0 file(s)." in result.output
    assert labels(lab) == [newer] and path.exists()
    assert lab.project.storage.locate(square) is not None


def test_delete_since_and_the_group_dry_run(lab: Lab) -> None:
    lab.tasks.Square(x=1).run()
    lab.tasks.Square(x=2).run()
    dry = invoke(lab, "store", "delete", "--dry-run", "since", "1h")
    assert dry.output.count("would delete record") == 2 and len(labels(lab)) == 2
    assert "Nothing to delete." in invoke(lab, "store", "delete", "since", "0s").output
    bad = invoke(lab, "store", "delete", "since", "1moon")
    assert bad.exit_code == 2 and "unknown unit 'moon'" in bad.output
    missing = invoke(lab, "store", "delete", "record", "nope")
    assert missing.exit_code == 1
    assert missing.output.strip().splitlines()[-1].startswith("Error: No record labelled 'nope'")
    assert len(labels(lab)) == 2


def cli(lab: Lab):  # noqa: ANN201 - a click group
    from smttask_cli.main import build_cli

    return build_cli(make_plugin_manager(load_entry_points=False, plugins=[plugin]))


def test_run_record_store_then_merge(lab: Lab, tmp_path: Path) -> None:
    lab.tasks.Square(x=1).run()
    task_file = lab.tasks.Square(x=5).save(tmp_path / "tasks")
    side = tmp_path / "side" / "records.sqlite"
    runner = CliRunner()
    ran = runner.invoke(cli(lab), ["run", "--record-store", str(side), str(task_file)])
    assert ran.exit_code == 0, ran.output
    assert side.is_file() and len(labels(lab)) == 1  # the project's store did not get the record
    with closing(sqlite3.connect(side)) as db:
        assert db.execute("select script_arguments from django_store_record").fetchall() == [("Square",)]
    merged = invoke(lab, "store", "merge", str(side))
    assert merged.exit_code == 0, merged.output
    assert f"{side}: 1 record(s) copied, 0 already there." in merged.output
    assert [r.param("x") for r in RecordStoreView(lab.project)] == [5.0, 1.0]
    again = invoke(lab, "store", "merge", "--clean", str(side))
    assert "0 record(s) copied, 1 already there, source removed." in again.output and not side.exists()


def test_a_second_command_group_built_in_one_process_has_one_record_store_option(lab: Lab) -> None:
    cli(lab)
    run = cli(lab).commands["run"]
    assert [param.opts for param in run.params].count(["--record-store"]) == 1
    from smttask_cli.commands.run import run as shared

    assert all(param.name != "record_store" for param in shared.params), "smttask-cli's own run is not changed"


def test_merge_reports_conflicts_and_bad_sources(lab: Lab, tmp_path: Path) -> None:
    lab.tasks.Square(x=1).run()
    own = lab.root / ".smt" / "records"
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(own.read_bytes())
    with closing(sqlite3.connect(copy)) as db, db:
        db.execute("update django_store_record set reason = 'changed elsewhere'")
    (label,) = labels(lab)
    conflict = invoke(lab, "store", "merge", "--clean", str(copy))
    assert conflict.exit_code == 1
    assert f"not merged: record {label} differs from the project's record" in conflict.output
    assert copy.exists() and RecordStoreView(lab.project)[label].reason != "changed elsewhere"
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    bad = invoke(lab, "store", "merge", str(junk))
    assert bad.exit_code == 1 and "cannot be read as a Sumatra record store" in bad.output
    assert "is the project's own record store" in invoke(lab, "store", "merge", str(own)).output
    assert "no such record store file" in invoke(lab, "store", "merge", str(tmp_path / "nope")).output


def test_smt_passes_through_to_sumatra(lab: Lab, capfd: pytest.CaptureFixture[str]) -> None:
    lab.tasks.Square(x=1).run()
    result = invoke(lab, "smt", "list")
    assert result.exit_code == 0
    assert labels(lab)[0] in capfd.readouterr().out


def test_create_surrogates_records_stored_results_that_have_no_record(lab: Lab, tmp_path: Path) -> None:
    unrecorded, recorded, never = lab.tasks.Square(x=7), lab.tasks.Square(x=8), lab.tasks.Square(x=9)
    unrecorded.run(record=False)
    recorded.run()
    files = [task.save(tmp_path / "tasks") for task in (unrecorded, recorded, never)]
    dry = invoke(lab, "store", "create-surrogates", "--dry-run", *map(str, files))
    assert dry.output.splitlines()[0] == f"{files[0]}: would get a surrogate record"
    assert len(labels(lab)) == 1
    result = invoke(lab, "store", "create-surrogates", *map(str, files))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{files[0]}: recorded as ")
    assert lines[1].startswith(f"{files[1]}: skipped: already recorded by ")
    assert lines[2] == f"{files[2]}: skipped: no stored result (nothing to record)"
    surrogate = RecordStoreView(lab.project).filter.tags("surrogate").latest
    assert surrogate.param("x") == 7.0 and surrogate.status == "finished" and surrogate.version == "<unknown>"
    assert surrogate.output_files[""] == stored_file(lab, unrecorded)
    assert surrogate.get_output() == 49.0
    again = invoke(lab, "store", "create-surrogates", str(files[0]))
    assert "skipped: already recorded by" in again.output
