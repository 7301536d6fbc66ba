"""A lineage as an RO-Crate (with the ``rocrate`` library): data files with their hashes, task files, code.

The crate holds, for each run of the lineage, the files it wrote and read
(at their paths in the project, ``external/`` for files outside it; each
with its size, media type, SHA-256 and the SHA-1 the record holds), its task
file (``tasks/<Task>__<key>.taskdesc.json``, which ``smttask run`` runs again),
the code version (a ``SoftwareSourceCode`` entity: the git commit and main
file) and a ``CreateAction`` tying them together (instrument: the code;
object: the task file and inputs; result: the outputs; start and end time).
``provenance.json`` is the same lineage as PROV-JSON. A file gone since the
run, or changed (its SHA-1 is not the recorded one), is left out and listed
in the report.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smttask.errors import OptionalDependencyError
from smttask.files import temp_name, temp_tag

from .lineage import project_path
from .provexport import EXTRA_HINT, local_name, prov_document

if TYPE_CHECKING:
    from .lineage import Lineage
    from .records import DataFile, RecordView

_CHUNK = 1 << 20


@dataclass
class CrateReport:
    """What :func:`write_ro_crate` put in the crate, and the files it left out (with why)."""

    directory: Path
    files: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)


def load_rocrate() -> tuple[Any, Any]:
    try:
        from rocrate.model.contextentity import ContextEntity
        from rocrate.rocrate import ROCrate
    except ImportError:
        raise OptionalDependencyError(f"smttask export --ro-crate needs the rocrate library; {EXTRA_HINT}.") from None
    return ROCrate, ContextEntity


def _hashes(path: Path) -> tuple[str, str]:
    sha1, sha256 = hashlib.sha1(usedforsecurity=False), hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha1.update(chunk)
            sha256.update(chunk)
    return sha1.hexdigest(), sha256.hexdigest()


def write_ro_crate(lineage: Lineage, directory: Path) -> CrateReport:
    """Write the RO-Crate of *lineage* into *directory* (which must not exist yet, or be empty)."""
    ro_crate, context_entity = load_rocrate()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise FileExistsError(f"{directory} exists and is not an empty directory; choose a new one for the crate")
    crate = ro_crate()
    names = ", ".join(lineage.selected[:5]) + (" …" if len(lineage.selected) > 5 else "")
    crate.name = f"smttask lineage of {names} ({lineage.smt.name})"
    crate.description = (
        "Runs recorded by smttask in a Sumatra lab book, with the runs of their upstream tasks: "
        "data files, task files and code versions."
    )
    report = CrateReport(directory)
    entities: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="smttask-crate-") as staging_dir:
        staging = Path(staging_dir)

        def data_entity(data: DataFile) -> Any:
            dest = project_path(data, lineage.smt.root)
            if dest in entities:
                return entities[dest]
            source = data.full_path
            if not source.is_file():
                report.left_out.append((dest, "the file is gone"))
                entities[dest] = None
                return None
            sha1, sha256 = _hashes(source)
            if data.digest and len(data.digest) == 40 and sha1 != data.digest:
                report.left_out.append((dest, "the file changed since the run (its SHA-1 is not the recorded one)"))
                entities[dest] = None
                return None
            properties = {"name": data.path, "contentSize": str(source.stat().st_size), "sha256": sha256,
                          "identifier": f"sha1:{sha1}"}
            if data.metadata.get("mimetype"):
                properties["encodingFormat"] = data.metadata["mimetype"]
            entities[dest] = crate.add_file(source, dest_path=dest, properties=properties)
            report.files.append(dest)
            return entities[dest]

        def task_file(record: RecordView) -> Any:
            name = f"{local_name(record.taskname)}__{local_name(record.key or record.label)}.taskdesc.json"
            dest = f"tasks/{name}"
            if dest not in entities:
                staged = staging / name
                staged.write_text(json.dumps(record.parameters, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
                entities[dest] = crate.add_file(staged, dest_path=dest, properties={
                    "name": f"task file of {record.taskname}", "encodingFormat": "application/json",
                    "description": "An smttask task file: `smttask run` computes this task again.",
                })
                report.files.append(dest)
            return entities[dest]

        def code(record: RecordView) -> Any:
            ident = f"#code-{local_name(record.version or 'unknown')}"
            if ident not in entities:
                properties = {"@type": "SoftwareSourceCode", "name": f"{record.main_file} at {record.version}",
                              "version": record.version, "programmingLanguage": "Python"}
                if lineage.smt.repository is not None:
                    properties["codeRepository"] = lineage.smt.repository.resolve().as_uri()
                entities[ident] = crate.add(context_entity(crate, ident, properties=properties))
            return entities[ident]

        for label, record in lineage.runs.items():
            outputs = [e for e in map(data_entity, record.output_data) if e is not None]
            inputs = [e for e in map(data_entity, record.input_data) if e is not None]
            properties: dict[str, Any] = {
                "name": f"{record.taskname} run {label}", "startTime": record.timestamp.isoformat(),
                "actionStatus": "CompletedActionStatus" if record.status == "finished" else "FailedActionStatus",
                "description": record.reason or "",
            }
            if record.duration is not None:
                properties["endTime"] = (record.timestamp + timedelta(seconds=record.duration)).isoformat()
            crate.add_action(code(record), identifier=f"#run-{local_name(label)}",
                             object=[task_file(record), *inputs], result=outputs, properties=properties)

        staged_prov = staging / "provenance.json"
        staged_prov.write_text(prov_document(lineage).serialize(format="json", indent=2), encoding="utf-8")
        crate.add_file(staged_prov, dest_path="provenance.json", properties={
            "name": "W3C PROV-JSON of these runs", "encodingFormat": "application/json",
            "conformsTo": {"@id": "https://www.w3.org/submissions/prov-json/"},
        })
        report.files.append("provenance.json")
        partial = directory.with_name(temp_name(directory.name, temp_tag()))
        try:
            crate.write(partial)
            if directory.exists():
                directory.rmdir()
            partial.rename(directory)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return report
