"""smttask export: the lineage of real records as W3C PROV and an RO-Crate, read back with the libraries' readers."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sumatra_lab import Lab, invoke

from smttask import Task
from smttask.errors import OptionalDependencyError
from smttask_sumatra.crateexport import write_ro_crate
from smttask_sumatra.lineage import build_lineage
from smttask_sumatra.provexport import write_prov

prov = pytest.importorskip("prov", reason="pip install 'smttask-sumatra[export]'")
rocrate = pytest.importorskip("rocrate", reason="pip install 'smttask-sumatra[export]'")


@pytest.fixture
def chain(lab: Lab) -> dict[str, Any]:
    """Plus(a=Square(x=2), b=1), both recorded, plus an unrelated record."""
    upstream = lab.tasks.Square(x=2.0)
    top = lab.tasks.Plus(a=upstream, b=1.0)
    assert top.run() == 5.0
    lab.tasks.Square(x=9.0).run()
    view = lab.view()
    return {
        "top": top, "upstream": upstream,
        "top_label": view.filter(task="Plus").latest.label,
        "up_label": next(r.label for r in view.filter(task="Square") if r.key == upstream.digest),
        "commit": subprocess.run(["git", "rev-parse", "HEAD"], cwd=lab.root, capture_output=True, text=True,
                                 check=True).stdout.strip(),
    }


def _records(doc: Any, kind: Any) -> list[Any]:
    return [r for r in doc.get_records() if isinstance(r, kind)]


def test_prov_json_round_trips_and_the_lineage_includes_the_upstream_run(lab: Lab, chain: dict[str, Any],
                                                                          tmp_path: Path) -> None:
    from prov.model import ProvActivity, ProvCommunication, ProvEntity, ProvGeneration

    lineage = build_lineage(lab.project, [chain["top_label"]])
    path = write_prov(lineage, tmp_path / "out.json")
    doc = prov.read(str(path), format="json")

    runs = {str(a.identifier): a for a in _records(doc, ProvActivity)}
    assert {i.split(":", 1)[-1] for i in runs} == {chain["top_label"], chain["up_label"]}
    informed = [(str(r.formal_attributes[0][1]), str(r.formal_attributes[1][1])) for r in _records(doc, ProvCommunication)]
    assert len(informed) == 1 and informed[0][0].endswith(chain["top_label"]) and informed[0][1].endswith(chain["up_label"])
    plans = {str(e.identifier): e for e in _records(doc, ProvEntity) if str(e.identifier).startswith("task:")}
    assert set(plans) == {f"task:{chain['top'].digest}", f"task:{chain['upstream'].digest}"}
    stored = lab.project.storage.locate(chain["upstream"]).outputs[""]
    from prov.model import ProvUsage

    generated = {str(g.formal_attributes[0][1]) for g in _records(doc, ProvGeneration)}
    upstream_file = next(ident for ident in generated if stored.path.name in ident)
    used = {str(u.formal_attributes[1][1]) for u in _records(doc, ProvUsage)}
    assert upstream_file in used  # the file Square wrote is the very entity Plus read
    files = [e for e in _records(doc, ProvEntity) if str(e.identifier).startswith("file:")]
    sha1 = hashlib.sha1(stored.path.read_bytes()).hexdigest()
    assert any(sha1 in {str(v) for v in e.get_attribute("smttask:sha1")} for e in files)
    codes = [e for e in _records(doc, ProvEntity) if str(e.identifier).startswith("code:")]
    assert [str(next(iter(e.get_attribute("smttask:codeVersion")))) for e in codes] == [chain["commit"]]
    assert prov.read(str(path), format="json") == doc


def test_prov_n_reads_back_to_the_same_document(lab: Lab, chain: dict[str, Any], tmp_path: Path) -> None:
    lineage = build_lineage(lab.project, [chain["top_label"]])
    provn = prov.read(str(write_prov(lineage, tmp_path / "out.provn")), format="provn")
    as_json = prov.read(str(write_prov(lineage, tmp_path / "out.json")), format="json")
    assert provn == as_json


def test_ro_crate_holds_the_files_their_hashes_the_task_file_and_the_code(lab: Lab, chain: dict[str, Any],
                                                                          tmp_path: Path) -> None:
    from rocrate.rocrate import ROCrate

    lineage = build_lineage(lab.project, [chain["top_label"]])
    report = write_ro_crate(lineage, tmp_path / "crate")
    assert report.left_out == []
    crate = ROCrate(tmp_path / "crate")

    for task in (chain["top"], chain["upstream"]):
        stored = lab.project.storage.locate(task).outputs[""]
        entity = crate.get(f"data/{task.taskname}/{stored.path.name}")
        assert entity is not None
        content = (tmp_path / "crate" / entity.id).read_bytes()
        assert entity["sha256"] == hashlib.sha256(content).hexdigest()
        assert entity["identifier"] == f"sha1:{hashlib.sha1(content).hexdigest()}"
    task_file = crate.get(f"tasks/Plus__{chain['top'].digest}.taskdesc.json")
    with lab.project.activate():
        assert Task.from_desc(tmp_path / "crate" / task_file.id) == chain["top"]
    actions = {a["name"]: a for a in crate.get_entities() if a.type == "CreateAction"}
    assert set(actions) == {f"Plus run {chain['top_label']}", f"Square run {chain['up_label']}"}
    top_action = actions[f"Plus run {chain['top_label']}"]
    assert top_action["instrument"]["version"] == chain["commit"]
    assert task_file in top_action["object"]
    assert [r.id for r in top_action["result"]] == [f"data/Plus/{lab.project.storage.locate(chain['top']).outputs[''].path.name}"]
    assert prov.read(str(tmp_path / "crate" / "provenance.json"), format="json") is not None


def test_export_by_task_and_all(lab: Lab, chain: dict[str, Any]) -> None:
    assert len(build_lineage(lab.project, task="Square").selected) == 2
    assert len(build_lineage(lab.project, every=True).runs) == 3


def test_the_command_writes_both_and_bad_input_is_one_line(lab: Lab, chain: dict[str, Any], tmp_path: Path) -> None:
    done = invoke(lab, "export", chain["top_label"], "--prov", str(tmp_path / "p.provn"),
                  "--ro-crate", str(tmp_path / "c"))
    assert done.exit_code == 0, done.output
    assert "2 run(s) (1 asked for), 2 task(s)" in done.output
    assert json.loads((tmp_path / "c" / "ro-crate-metadata.json").read_text())["@graph"]

    unknown = invoke(lab, "export", "no-such-label", "--prov", str(tmp_path / "x.json"))
    assert unknown.exit_code == 1
    assert unknown.output.strip().splitlines() == [
        "Error: No record labelled 'no-such-label' in Sumatra project 'lab'. List the labels with `smttask records`."
    ]
    assert not (tmp_path / "x.json").exists()
    for args, message in [
        (["--task", "Nope", "--prov", str(tmp_path / "y.json")], "Error: No record of task 'Nope'"),
        ([chain["top_label"], "--prov", str(tmp_path / "y.ttl")], "must end in .json (PROV-JSON) or .provn"),
        ([chain["top_label"], "--ro-crate", str(tmp_path / "c")], "is not an empty directory"),
    ]:
        bad = invoke(lab, "export", *args)
        assert bad.exit_code == 1 and len(bad.output.strip().splitlines()) == 1 and message in bad.output


def test_a_missing_library_names_the_extra(lab: Lab, chain: dict[str, Any], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "prov", None)  # as if not installed: `import prov` fails
    with pytest.raises(OptionalDependencyError, match=r"pip install 'smttask-sumatra\[export\]'"):
        write_prov(build_lineage(lab.project, [chain["top_label"]]), tmp_path / "p.json")
    done = invoke(lab, "export", chain["top_label"], "--prov", str(tmp_path / "p.json"))
    assert done.exit_code == 1 and done.output.strip().splitlines() == [
        "Error: smttask export --prov needs the prov library; install it with `pip install 'smttask-sumatra[export]'`."
    ]
