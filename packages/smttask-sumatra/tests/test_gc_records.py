"""smttask store gc on a real lab book: tagged records (all with keep_recorded) keep their results and upstream."""

from __future__ import annotations

import os
import time
from typing import Any

from sumatra_lab import Lab

from smttask import collect_garbage


def _age_everything(lab: Lab, seconds: float) -> None:
    when = time.time() - seconds
    for path in (lab.root / "data").rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))


def _stored(lab: Lab, task: Any) -> bool:
    return lab.project.storage.locate(task) is not None


def test_tagged_records_keep_their_results_and_upstream_results(lab: Lab) -> None:
    upstream = lab.tasks.Square(x=2.0)
    kept = lab.tasks.Plus(a=upstream, b=1.0)
    loose = lab.tasks.Square(x=5.0)
    assert kept.run() == 5.0 and loose.run() == 25.0
    lab.view().filter(task="Plus").add_tag("paper")
    _age_everything(lab, 3600)
    label = lab.view().filter(task="Plus").latest.label

    dry = collect_garbage(lab.project, dry_run=True)
    assert [e.key for e in dry.deleted] == [loose.digest] and _stored(lab, loose)
    report = collect_garbage(lab.project)

    assert [e.key for e in report.deleted] == [loose.digest]
    assert not _stored(lab, loose) and _stored(lab, kept) and _stored(lab, upstream)
    why = {k.entry.key: k.why for k in report.kept}
    assert why[kept.digest] == f"record {label} (tag paper)"
    assert why[upstream.digest] == f"upstream of record {label} (tag paper)"
    assert len(lab.view()) == 3  # records are never touched


def test_keep_recorded_keeps_every_recorded_result(lab: Lab) -> None:
    tasks = [lab.tasks.Square(x=float(i)) for i in range(3)]
    for task in tasks:
        task.run()
    _age_everything(lab, 3600)
    assert collect_garbage(lab.project, keep_recorded=True).deleted == []
    assert all(_stored(lab, t) for t in tasks)
    assert len(collect_garbage(lab.project).deleted) == 3
