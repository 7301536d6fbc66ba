"""smttask store gc (collect_garbage): what nobody keeps goes, least recently used first; nothing in use goes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from core_tasks import Square, analyze, big_array

from smttask import collect_garbage
from smttask.errors import SizeError
from smttask.files import temp_name, temp_tag
from smttask.pins import pin, pinned, unpin


def _age(project: Any, task: Any, seconds: float) -> None:
    """Make *task*'s stored result look last written and loaded *seconds* ago."""
    directory = project.storage.directory(task)
    when = time.time() - seconds
    for name in (f"{task.digest}.manifest.json", f"{task.digest}.used"):
        if (directory / name).exists():
            os.utime(directory / name, (when, when))


def _stored(project: Any, task: Any) -> bool:
    return project.storage.locate(task) is not None


def _run_all(project: Any, *tasks: Any, age: float = 3600) -> None:
    for task in tasks:
        task.run()
    for task in tasks:
        _age(project, task, age)


def test_pinned_results_and_their_upstream_stay_the_rest_goes(project: Any, tmp_path: Path) -> None:
    upstream = big_array(n=40)
    kept = analyze(arr=upstream, dt=0.1, nbins=4)
    loose = Square(x=3.0)
    _run_all(project, kept, loose)
    assert _stored(project, upstream)
    pin(project, kept.save(tmp_path / "files"))

    report = collect_garbage(project)

    assert [e.ident for e in report.deleted] == [("Square", loose.digest)]
    assert not _stored(project, loose)
    assert _stored(project, kept) and _stored(project, upstream)
    reasons = {k.entry.key: (k.reason, k.why) for k in report.kept}
    assert reasons[kept.digest][0] == "root" and "pinned" in reasons[kept.digest][1]
    assert reasons[upstream.digest][0] == "upstream"
    assert report.freed >= report.deleted[0].size > 0


def test_a_kept_result_keeps_its_upstream_through_its_manifest(project: Any) -> None:
    """A result kept for being recent keeps its (older) upstream results, which its manifest names by key."""
    upstream = big_array(n=30)
    downstream = analyze(arr=upstream, dt=0.1, nbins=3)
    _run_all(project, downstream)
    _age(project, upstream, 90 * 86400)
    _age(project, downstream, 3600)

    report = collect_garbage(project, older_than="30d")

    assert report.deleted == []
    assert {k.entry.key: k.reason for k in report.kept} == {downstream.digest: "recent", upstream.digest: "upstream"}


def test_max_size_deletes_least_recently_used_first_and_dry_run_reports_the_same(project: Any) -> None:
    tasks = [Square(x=float(i)) for i in range(4)]
    _run_all(project, *tasks)
    for age, task in zip([400, 100, 300, 200], tasks, strict=True):
        _age(project, task, age)
    sizes = {e.key: e.size for e in project.storage.stored_results()}
    budget = sum(sizes.values()) - sizes[tasks[0].digest] - 1  # more than the oldest must go: the two oldest

    dry = collect_garbage(project, max_size=budget, dry_run=True)
    assert all(_stored(project, t) for t in tasks)
    real = collect_garbage(project, max_size=budget)

    order = [tasks[0].digest, tasks[2].digest]  # 400 s, then 300 s ago
    assert [e.key for e in dry.deleted] == [e.key for e in real.deleted] == order
    assert dry.freed == real.freed
    assert [_stored(project, t) for t in tasks] == [False, True, False, True]
    assert {k.entry.key: k.reason for k in real.kept} == {tasks[1].digest: "fits", tasks[3].digest: "fits"}
    assert real.size_after <= budget


def test_older_than_keeps_what_was_used_recently(project: Any) -> None:
    old, recent = Square(x=10.0), Square(x=11.0)
    _run_all(project, old, recent)
    _age(project, old, 40 * 86400)
    _age(project, recent, 86400)
    report = collect_garbage(project, older_than="30d")
    assert [e.key for e in report.deleted] == [old.digest]
    assert _stored(project, recent)


def test_loading_marks_a_result_used_so_it_is_kept(project: Any) -> None:
    task = Square(x=5.0)
    _run_all(project, task, age=40 * 86400)
    listed = {e.key: e for e in project.storage.stored_results()}[task.digest]
    task.clear()
    assert task.run() == 25.0  # from storage: touches its .used file

    assert project.storage.remove_stored(listed, grace=0) == "it was used just now"
    report = collect_garbage(project, older_than="30d")
    assert report.deleted == [] and _stored(project, task)
    assert task.run() == 25.0


def test_a_result_whose_claim_is_held_is_never_deleted(project: Any) -> None:
    task = Square(x=6.0)
    _run_all(project, task)
    listed = project.storage.stored_results()
    with project.storage.claim(task) as claim:
        assert claim.held
        dry = collect_garbage(project, dry_run=True)
        real = collect_garbage(project)
        assert dry.deleted == real.deleted == []
        assert [(k.entry.key, k.reason) for k in real.kept] == [(task.digest, "held")]
        assert project.storage.remove_stored(listed[0], grace=0) == "a running process holds its claim"
    assert _stored(project, task)
    assert [e.key for e in collect_garbage(project).deleted] == [task.digest]


def test_temporary_files_of_dead_writers_and_unvouched_outputs_go(project: Any) -> None:
    task = Square(x=7.0)
    pinned_file = task.save(project.root / "pinned")
    _run_all(project, task)
    directory = project.storage.directory(task)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    temp = directory / temp_name(f"{'a' * 32}.json", temp_tag(dead.pid, None, "f" * 16))
    temp.write_bytes(b"x" * 500)
    orphan = directory / f"{'b' * 32}.json"
    orphan.write_bytes(b"y" * 300)

    report = collect_garbage(project)

    assert {left.path.name for left in report.leftovers} == {temp.name, orphan.name}
    assert not temp.exists() and not orphan.exists()
    assert report.deleted == [] and _stored(project, task)  # saved into pinned/: pinned
    assert [path for path, _ in pinned(project)] == [pinned_file]


def test_pin_and_unpin(project: Any, tmp_path: Path) -> None:
    task = Square(x=8.0)
    _run_all(project, task)
    source = task.save(tmp_path)
    target = pin(project, source)
    assert target.parent == project.root / "pinned" and target.name == source.name
    assert collect_garbage(project).deleted == []
    assert unpin(project, source) == [target]
    assert [e.key for e in collect_garbage(project).deleted] == [task.digest]


def test_a_bad_pin_stops_the_collection_before_anything_goes(project: Any) -> None:
    task = Square(x=9.0)
    _run_all(project, task)
    (project.root / "pinned").mkdir()
    (project.root / "pinned" / "broken.json").write_text("{not json")
    with pytest.raises(Exception, match=r"broken\.json: .*not valid JSON"):
        collect_garbage(project)
    assert _stored(project, task)


@pytest.mark.parametrize("text", ["50Q", "", "-5G", "1e5", "G"])
def test_a_bad_size_is_one_clear_error(project: Any, text: str) -> None:
    with pytest.raises(SizeError, match="size"):
        collect_garbage(project, max_size=text, dry_run=True)
