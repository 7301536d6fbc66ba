"""The original suite's test_records.py::test_rebuild_input_datastore, as ``data/latest`` links rebuilt from records."""

from __future__ import annotations

import shutil
from typing import Any


def test_rebuild_latest_links(lab: Any) -> None:
    from smttask_sumatra.maintenance import rebuild_latest

    t = lab.tasks
    for x in (1.0, 2.0, 3.0):
        t.Square_x(x=x, reason="pytest").run()
        t.SquareAndCube_x(x=x, reason="pytest").run()
    latest = lab.project.data_dir / "latest"
    links = sorted(p for p in latest.rglob("*") if p.is_symlink())
    assert links and all(link.resolve().is_file() for link in links)
    targets = {link: link.resolve() for link in links}
    shutil.rmtree(latest)
    rebuild_latest(lab.project)
    assert {link: link.resolve() for link in sorted(p for p in latest.rglob("*") if p.is_symlink())} == targets
    # Rebuilding over links that already exist (which crashed in 0.2) leaves them right.
    report = rebuild_latest(lab.project)
    assert report.counts["created"] == 0 and report.counts["unchanged"] == len(links)
    assert {link: link.resolve() for link in links} == targets
