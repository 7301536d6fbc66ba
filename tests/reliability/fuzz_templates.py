"""Real task files, saved from :mod:`hostile_tasks`: the documents the fuzz harness mutates.

Starting from files smttask itself wrote keeps every mutation one step away
from a valid file, so decoders are reached with exactly one thing wrong.
"""

from __future__ import annotations

import datetime
import json
import pathlib
from pathlib import Path
from typing import Any

#: Every ``$type`` tag smttask writes; the templates between them contain each one.
TYPE_TAGS = (
    "tuple", "set", "frozenset", "dict", "bytes", "complex", "path", "datetime", "date", "timedelta",
    "enum", "model", "task", "ndarray", "ndarray.stored", "numpy.scalar", "dtype", "numpy.Generator",
    "numpy.SeedSequence", "paramcoll", "expand", "scipy.stats.frozen",
    "scipy.stats.multivariate_normal", "seedgenerator", "purefunction",
)

#: Template names, in a fixed order (strategies sample from it).
NAMES = (
    "enum", "model", "paramcoll", "frozen", "mvn", "seedgen", "array_small", "array_zlib",
    "array_base64", "array_stored", "scalar", "dtype", "gen", "seedseq", "create", "upstream", "when", "misc",
    "mapping", "sequence", "function",
)


def _tasks() -> dict[str, Any]:
    import hostile_tasks as h
    import numpy as np
    import scipy.stats

    from smttask import Create, expand
    from smttask.typing import PartialPureFunction

    shared = h.double(x=3)
    return {
        "enum": h.colour(c=h.Colour.RED),
        "model": h.point(p=h.Point(x=1, y=2)),
        "paramcoll": h.sweep(params=h.Sweep(scale=expand([1.0, 2.0]), paramseed=3)),
        "frozen": h.sweep(params=h.Sweep(scale=expand(scipy.stats.norm(0, 1)), paramseed=3)),
        "mvn": h.anything(value=scipy.stats.multivariate_normal(mean=[0, 0], cov=[[1, 0], [0, 1]]), n=1),
        "seedgen": h.seeded(seeds=h.Seeds(5)),
        "array_small": h.array(a=np.arange(4.0)),
        "array_zlib": h.array(a=np.zeros(1000)),
        "array_base64": h.array(a=np.random.default_rng(0).random(100)),
        "array_stored": stored_array_task(),
        "scalar": h.anything(value=np.float32(1.5), n=1),
        "dtype": h.dtype(t=np.dtype("f4")),
        "gen": h.anything(value=np.random.default_rng(1), n=1),
        "seedseq": h.anything(value=np.random.SeedSequence(5), n=1),
        "create": Create(h.Box)(width=3),
        "upstream": h.pair(left=shared, right=shared),
        "when": h.when(at=datetime.datetime(2024, 1, 1, 12), day=datetime.date(2024, 1, 2),
                       span=datetime.timedelta(days=1, seconds=2)),
        "misc": h.anything(value=[(1, 2), {3}, frozenset({4}), {1: "a"}, b"xy", 1 + 2j,
                                  pathlib.PurePosixPath("/a/b")], n=1),
        "mapping": h.mapping(d={"a": 1, "b": [1, 2]}),
        "sequence": h.sequence(items=[1, "two", None]),
        "function": h.transform(f=2 * h.halve - PartialPureFunction(h.affine, a=2.0), x=1.0),
    }


#: The XXH3-128 hash of :func:`stored_array_task`'s array (checked when the templates are saved).
STORED_ARRAY_HASH = "2ccfab1d89ec7b6030ceef9a8e8df5a2"
#: Its number of elements: one more than fits in the default ``array_inline_max`` (1 MiB of float64).
STORED_ARRAY_SIZE = (1 << 17) + 1


def stored_array_task() -> Any:
    """A task whose array input is just over the default ``array_inline_max``: its file refers to the stored array."""
    import hostile_tasks as h
    import numpy as np

    return h.array(a=np.random.default_rng(1).random(STORED_ARRAY_SIZE))


def store_template_arrays(project_root: Path) -> None:
    """Store the array of the ``array_stored`` template in the project at *project_root*, so its file reads there."""
    from smttask import Project

    with Project(project_root).activate():
        stored_array_task().save(project_root / "stored-array.taskdesc.json")


def save_templates(project_root: Path) -> dict[str, dict[str, Any]]:
    """Save one task file per template under *project_root*; return ``{name: document}``."""
    from smttask import Project

    with Project(project_root).activate():
        tasks = _tasks()
        paths = {name: task.save(project_root / "templates" / f"{name}.taskdesc.json")
                 for name, task in tasks.items()}
    assert tuple(paths) == NAMES
    documents = {name: json.loads(path.read_text()) for name, path in paths.items()}
    assert documents["array_stored"]["inputs"]["a"]["value"]["xxh3_128"] == STORED_ARRAY_HASH
    # Task files of format version 1 (upstream tasks nested inline) are still read: the recipes
    # that damage nested upstream tasks use that form; the "table" recipes damage version 2's.
    documents["flat"] = documents["upstream"]
    documents["upstream"] = as_version_1(documents["upstream"])
    return documents


def as_version_1(document: dict[str, Any]) -> dict[str, Any]:
    """*document* (version 2) with its upstream tasks nested inline where first used, as version 1 wrote them."""
    table = document.get("upstream", {})
    described: set[str] = set()

    def inline(value: Any) -> Any:
        if isinstance(value, list):
            return [inline(v) for v in value]
        if not isinstance(value, dict):
            return value
        inner = value.get("value")
        if value.get("$type") == "task" and isinstance(inner, dict) and inner.get("ref") in table:
            key = inner["ref"]
            if key in described:
                return value
            described.add(key)
            entry = table[key]
            return {"$type": "task", "value": {"format": document["format"], "version": 1, **entry,
                                               "inputs": inline(entry["inputs"])}}
        return {k: inline(v) for k, v in value.items()}

    nested = {k: v for k, v in document.items() if k != "upstream"}
    nested["version"] = 1
    nested["inputs"] = inline(document["inputs"])
    return nested


def tags_in(document: Any) -> set[str]:
    """Every ``$type`` tag used anywhere in *document*."""
    found: set[str] = set()
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("$type"), str):
                found.add(value["$type"])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found
