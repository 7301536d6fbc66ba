"""A lineage as a W3C PROV document (with the ``prov`` library): PROV-JSON or PROV-N.

Mapping: each record is a ``prov:Activity`` (``run:<label>``, its start and
end, status, reason and code version); each task a ``prov:Plan`` entity
(``task:<key>``) the run followed, associated with the user who ran it, and
derived from the tasks it reads; each file a run wrote or read an entity
(``file:<path>``, with its SHA-1, XXH3-128 and size) it generated or used; the
code version an entity (``code:<commit>``) the run used. A run that read an
upstream task's result was informed by the run that computed it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smttask.errors import OptionalDependencyError

from .datakeys import XXH3
from .lineage import project_path

if TYPE_CHECKING:
    from prov.model import ProvDocument

    from .lineage import Lineage
    from .records import DataFile

#: The vocabulary of smttask's own attributes.
SMTTASK_NS = "urn:smttask:terms#"
#: PROV serializations by file suffix.
FORMATS = {".json": "json", ".provn": "provn"}
EXTRA_HINT = "install it with `pip install 'smttask-sumatra[export]'`"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def load_prov() -> Any:
    """The ``prov.model`` module; :class:`OptionalDependencyError` naming the extra if it is missing."""
    try:
        from prov import model
    except ImportError:
        raise OptionalDependencyError(f"smttask export --prov needs the prov library; {EXTRA_HINT}.") from None
    return model


def local_name(text: str) -> str:
    """*text* as the local part of a qualified name (PROV-N allows letters, digits, ``_ . -``)."""
    return _UNSAFE.sub("_", text)


def prov_document(lineage: Lineage) -> ProvDocument:
    """The PROV document of *lineage*."""
    model = load_prov()
    doc = model.ProvDocument()
    name = local_name(lineage.smt.name)
    doc.add_namespace("smttask", SMTTASK_NS)
    doc.add_namespace("run", f"urn:smttask:run:{name}:")
    doc.add_namespace("task", "urn:smttask:task:")
    doc.add_namespace("file", f"urn:smttask:file:{name}:")
    doc.add_namespace("code", "urn:smttask:code:")
    doc.add_namespace("user", "urn:smttask:user:")
    prov_type, prov_label = model.PROV_TYPE, model.PROV_LABEL

    for key, node in lineage.tasks.items():
        doc.entity(f"task:{key}", {
            prov_type: model.PROV["Plan"], prov_label: node.taskname,
            "smttask:module": node.module, "smttask:key": key,
        })
    for key, node in lineage.tasks.items():
        for upstream in node.upstream:
            if upstream in lineage.tasks:
                doc.wasDerivedFrom(f"task:{key}", f"task:{upstream}")
    declared: set[str] = set()  # agents and code versions several runs share, each declared once
    files: set[str] = set()

    def file_entity(data: DataFile) -> str:
        path = project_path(data, lineage.smt.root)
        ident = f"file:{local_name(path)}"
        if ident not in files:
            files.add(ident)
            attributes = {prov_label: path, "smttask:sha1": data.digest}
            for field_name in (XXH3, "size", "mimetype"):
                if data.metadata.get(field_name) is not None:
                    attributes[f"smttask:{field_name}"] = data.metadata[field_name]
            doc.entity(ident, attributes)
        return ident

    for label, record in lineage.runs.items():
        run = f"run:{local_name(label)}"
        end = record.timestamp + timedelta(seconds=record.duration) if record.duration is not None else None
        doc.activity(run, record.timestamp, end, {
            prov_label: f"{record.taskname} run {label}", "smttask:label": label, "smttask:status": record.status,
            "smttask:reason": record.reason or "", "smttask:codeVersion": record.version,
            "smttask:mainFile": record.main_file,
        })
        if record.user:
            agent = f"user:{local_name(record.user)}"
            if agent not in declared:
                declared.add(agent)
                doc.agent(agent, {prov_type: model.PROV["Person"], prov_label: record.user})
            doc.wasAssociatedWith(run, agent, f"task:{record.key}" if record.key in lineage.tasks else None)
        if record.version:
            code = f"code:{local_name(record.version)}"
            if code not in declared:
                declared.add(code)
                doc.entity(code, {prov_label: f"{record.main_file} at {record.version}",
                                  "smttask:codeVersion": record.version})
            doc.used(run, code)
        for data in record.output_data:
            doc.wasGeneratedBy(file_entity(data), run)
        for data in record.input_data:
            doc.used(run, file_entity(data))
        node = lineage.tasks.get(record.key or "")
        for upstream in node.upstream if node else ():
            informant = lineage.run_of.get(upstream)
            if informant is not None and informant != label:
                doc.wasInformedBy(run, f"run:{local_name(informant)}")
    return doc


def write_prov(lineage: Lineage, path: Path) -> Path:
    """Write *lineage* to *path* as PROV-JSON (``.json``) or PROV-N (``.provn``), atomically."""
    from smttask.files import write_atomic

    form = FORMATS.get(path.suffix.lower())
    if form is None:
        raise ValueError(f"{path}: a PROV file must end in .json (PROV-JSON) or .provn (PROV-N)")
    text = prov_document(lineage).serialize(format=form, **({"indent": 2} if form == "json" else {}))
    write_atomic(path, text.encode("utf-8"))
    return path
