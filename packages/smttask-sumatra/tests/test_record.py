"""What one recorded run writes into the Sumatra record store."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import xxhash
from sumatra_lab import Lab, git

from smttask.errors import NotRecordingWarning


def only_record(lab: Lab):
    (record,) = lab.sumatra_records()
    return record


def test_a_recorded_run_writes_one_complete_record(lab: Lab) -> None:
    task = lab.tasks.Square(x=3, reason="checking squares")
    assert task.run() == 9.0
    record = only_record(lab)

    assert re.fullmatch(rf"\d{{8}}-\d{{6}}_{task.digest[:6]}", record.label)
    assert record.reason == "checking squares"
    assert record.parameters.as_dict() == json.loads(json.dumps(task.desc))
    assert record.script_arguments == "Square"
    assert record.main_file == lab.module_file.name
    assert record.version == git(lab.root, "rev-parse", "HEAD").strip()
    assert record.diff == ""
    assert record.executable.name == "Python"
    assert record.executable.path == sys.executable
    assert record.executable.version == ".".join(map(str, sys.version_info[:3]))
    assert record.user == "Tester <tester@example.org>"
    assert record.tags == {"_finished_"}
    assert record.duration is not None and record.duration >= 0
    assert record.outcome == ""
    assert record.platforms[0].ip_addr == "127.0.0.1"
    assert record.repository.url == str(lab.root)


def test_the_record_holds_what_the_task_printed(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    lab.tasks.Square(x=4).run()
    assert "squaring 4.0" in capsys.readouterr().out  # still shown
    assert only_record(lab).stdout_stderr == "squaring 4.0\n"


@pytest.mark.parametrize("inline_max", [0, 4096], ids=["a-file-each", "kept-in-the-manifest"])
def test_output_data_keys_carry_the_stored_files_hashes_as_sumatra_computes_them(lab: Lab, inline_max: int) -> None:
    import dataclasses

    from sumatra.datastore import FileSystemDataStore

    from smttask import Project
    from smttask.storage.formats import read_bytes
    from smttask_sumatra.datakeys import file_hashes

    project = Project(lab.root, config=dataclasses.replace(lab.project.config, result_inline_max=inline_max),
                      plugin_manager=lab.project.plugin_manager)
    with project.activate():
        task = lab.tasks.Fit(x=2)
        task.run()
        stored = project.storage.locate(task)
    record = only_record(lab)
    keys = {key.metadata["output"]: key for key in record.output_data}
    if inline_max:  # both outputs are small: one key, the manifest's, naming both
        assert set(keys) == {"value, outcome"} and keys["value, outcome"].metadata["outputs"] == ["value", "outcome"]
        (file,) = stored.files
        assert keys["value, outcome"].metadata["xxh3_128"] == file_hashes(file, file.stat().st_size, 0).xxh3_128
        assert keys["value, outcome"].metadata["size"] == len(read_bytes(str(file)))
        (view_record,) = lab.view()
        assert view_record.output_files == {"value": file, "outcome": file}
    else:
        assert set(keys) == {"value", "outcome"}
    for name, key in keys.items():
        out = stored.outputs[name.split(", ")[0]]
        if not inline_max:
            assert key.metadata["xxh3_128"] == out.xxh3_128  # ties the record to the manifest
            assert key.metadata["size"] == out.size
        assert key.path == out.path.relative_to(lab.project.data_dir).as_posix()
        assert key.creation.microsecond == 0
        # Sumatra's own datastore finds and verifies the file (smt, smtweb's download)
        item = FileSystemDataStore(str(lab.project.data_dir)).get_data_item(key)
        assert item.digest == key.digest
    assert record.datastore.root == str(lab.project.data_dir)


def test_input_data_keys_name_upstream_outputs_and_data_files(lab: Lab) -> None:
    upstream = lab.tasks.Square(x=3)
    lab.tasks.Plus(a=upstream, b=1).run()
    plus = lab.sumatra_records()[0]
    assert plus.script_arguments == "Plus"
    (key,) = plus.input_data
    stored = lab.project.storage.locate(upstream).outputs[""]
    assert stored.inline == "9.0" and key.metadata["outputs"] == [""]  # the value is in the manifest: its key
    assert key.metadata["xxh3_128"] == xxhash.xxh3_128_hexdigest(stored.path.read_bytes())
    assert key.digest == hashlib.sha1(stored.path.read_bytes()).hexdigest()
    assert key.path == stored.path.relative_to(lab.root).as_posix()

    data = lab.root / "measurements.bin"
    data.write_bytes(b"0123456789")
    lab.tasks.CountBytes(path=data).run()
    (key,) = lab.sumatra_records()[0].input_data
    assert key.path == "measurements.bin"
    assert key.metadata["size"] == 10

    assert key.digest == hashlib.sha1(b"0123456789").hexdigest()
    assert key.metadata["xxh3_128"] == xxhash.xxh3_128(b"0123456789").hexdigest()


def test_package_versions_come_from_installed_metadata(lab: Lab) -> None:
    lab.tasks.Square(x=5).run()
    dependencies = {d.name: d for d in only_record(lab).dependencies}
    assert dependencies["pydantic"].version == importlib.metadata.version("pydantic")
    assert dependencies["pydantic"].source == "pydantic"
    assert "json" not in dependencies  # the standard library is not listed
    assert not any(name.startswith("labtasks") for name in dependencies)  # versioned by the commit


def test_a_crash_is_recorded_with_the_error_and_the_error_propagates(lab: Lab) -> None:
    with pytest.raises(ValueError, match="bad input 1.0"):
        lab.tasks.Fail(x=1).run()
    record = only_record(lab)
    assert record.tags == {"_crashed_"}
    assert record.outcome == "ValueError('bad input 1.0')"
    assert record.stdout_stderr == "about to fail\n"
    assert record.output_data == []


def test_an_interrupted_run_is_recorded_as_killed(lab: Lab) -> None:
    with pytest.raises(KeyboardInterrupt):
        lab.tasks.Interrupted(x=1).run()
    assert only_record(lab).tags == {"_killed_"}


def test_an_outcome_output_becomes_the_record_outcome(lab: Lab) -> None:
    lab.tasks.Fit(x=7).run()
    assert only_record(lab).outcome == "converged at 7.0"


def test_cache_hits_and_memoized_tasks_write_no_record(lab: Lab) -> None:
    task = lab.tasks.Square(x=2)
    task.run()
    task.run()  # from memory
    task.clear()
    task.run()  # from storage
    lab.tasks.Double(x=2).run()
    assert len(lab.sumatra_records()) == 1


def test_a_recomputed_run_gets_its_own_unique_label(lab: Lab) -> None:
    task = lab.tasks.Square(x=6)
    task.run()
    task.run(recompute=True)
    task.run(recompute=True)
    labels = [r.label for r in lab.sumatra_records()]
    assert len(labels) == len(set(labels)) == 3


def test_a_project_without_a_sumatra_project_does_not_record(lab: Lab, tmp_path: Path) -> None:
    from smttask import Project

    plain = Project(tmp_path / "elsewhere", plugin_manager=lab.project.plugin_manager)
    (tmp_path / "elsewhere").mkdir()
    with plain.activate(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lab.tasks.Square(x=11).run()
    assert any(issubclass(w.category, NotRecordingWarning) for w in caught)
    assert lab.sumatra_records() == []


def test_latest_links_point_at_the_newest_result(lab: Lab) -> None:
    lab.tasks.Fit(x=1).run()
    latest = lab.project.data_dir / "latest" / "Fit"
    first = (latest / "manifest.json").resolve()  # its small outputs are kept in the manifest
    lab.tasks.Fit(x=2).run()
    second = (latest / "manifest.json").resolve()
    assert first != second
    assert second == lab.project.storage.locate(lab.tasks.Fit(x=2)).outputs["value"].path
    assert sorted(p.name for p in latest.iterdir()) == ["manifest.json"]


def test_the_stored_result_names_its_record_and_the_task_shows_it(lab: Lab) -> None:
    task = lab.tasks.Square(x=5, reason="the way back")
    task.run()
    record = only_record(lab)
    manifest_path = next((lab.project.data_dir / "Square").glob(f"{task.digest}.manifest.json"))
    assert json.loads(manifest_path.read_text())["record"] == record.label
    stored = lab.project.storage.locate(task)
    assert stored is not None and stored.record == record.label
    lab.project.memory.clear()
    state, detail = task.result_status()
    assert state == "stored" and detail.endswith(f"(record {record.label})")
    assert f"(record {record.label})" in task._repr_html_()


@pytest.mark.parametrize("hostile", [42, ["20260101-000000_abc"], "", "two\nlines", "x" * 10_000])
def test_a_manifest_naming_no_plausible_record_names_none(lab: Lab, hostile: object) -> None:
    task = lab.tasks.Square(x=6)
    task.run()
    manifest_path = lab.project.data_dir / "Square" / f"{task.digest}.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["record"] = hostile
    manifest_path.write_text(json.dumps(manifest))
    stored = lab.project.storage.locate(task)
    assert stored is not None and stored.record is None
    lab.project.memory.clear()
    assert task.run() == 36.0  # the result itself is still good


def test_a_record_is_complete_when_its_store_lost_rows_during_the_run(lab: Lab) -> None:
    """The final save reuses the rows the ``_running_`` save found, unless they are gone by then."""
    assert lab.tasks.ForgetRows(x=1).run() == 1
    record = only_record(lab)
    assert record.tags == {"_finished_"}
    assert record.executable.path == sys.executable
    assert record.platforms[0].ip_addr == "127.0.0.1"


def test_closing_a_record_looks_up_none_of_the_parts_its_running_save_looked_up(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parts of a record are looked up once, not once per save: Sumatra's ORM look-ups are most of its cost."""
    from sumatra.recordstore.django_store.models import SumatraObjectsManager

    looked_up: list[str] = []
    real = SumatraObjectsManager.get_or_create_from_sumatra_object

    def counting(self: Any, obj: Any, using: str = "default") -> Any:
        looked_up.append(type(obj).__name__)
        return real(self, obj, using=using)

    monkeypatch.setattr(SumatraObjectsManager, "get_or_create_from_sumatra_object", counting)
    lab.tasks.Square(x=1).run()
    parts = [name for name in looked_up if name not in ("DataKey", "Dependency")]
    assert sorted(parts) == sorted(
        ["PythonExecutable", "GitRepository", "SerialLaunchMode", "FileSystemDataStore",
         "FileSystemDataStore", "JSONParameterSet", "PlatformInformation"]
    ), "each part of the record looked up once, not once per save"
    (record,) = lab.sumatra_records()
    assert record.tags == {"_finished_"} and record.executable.path == sys.executable
