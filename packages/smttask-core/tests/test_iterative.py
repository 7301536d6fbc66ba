"""Iterative tasks: resuming from the most advanced stored run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from core_tasks import Identity, Orbit, radius

from smttask import RecordedIterativeTask, Task, TaskInputError, TaskOutput
from smttask.errors import TaskDefinitionError


def computed(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def orbit(log: Path, n: int) -> Any:
    return Orbit(start_n=0, n=n, x=1.0, y=0.0, log=str(log))


def test_resumes_from_the_largest_stored_count_below(project: Any, tmp_path: Path) -> None:
    log = tmp_path / "log"
    assert orbit(log, 2).run() == (2, -1.0, 0.0)
    assert orbit(log, 4).run() == (4, 1.0, 0.0)
    assert orbit(log, 3).run() == (3, 0.0, -1.0)
    assert computed(log) == ["0->2", "2->4", "2->3"]


def test_exact_count_is_reused(project: Any, tmp_path: Path) -> None:
    log = tmp_path / "log"
    orbit(log, 5).run()
    project.memory.clear()
    assert orbit(log, 5).run() == (5, 0.0, 1.0)
    assert computed(log) == ["0->5"]


def test_recompute_starts_from_scratch(project: Any, tmp_path: Path) -> None:
    log = tmp_path / "log"
    orbit(log, 2).run()
    orbit(log, 3).run(recompute=True)
    assert computed(log) == ["0->2", "0->3"]


def test_key_separates_the_iteration_count(project: Any, tmp_path: Path) -> None:
    log = tmp_path / "log"
    two, three = orbit(log, 2), orbit(log, 3)
    assert two.family_digest == three.family_digest
    assert two.digest.endswith("__n_2") and three.digest.endswith("__n_3")
    assert two.digest != three.digest
    two.run()
    stored = sorted(p.name for p in project.storage.directory(two).glob("*.manifest.json"))
    assert stored == [f"{two.family_digest}__n_2.manifest.json"]


def test_downstream_key_includes_the_upstream_count(project: Any, tmp_path: Path) -> None:
    # The original reused the downstream result computed for another count.
    log = tmp_path / "log"
    assert Identity(value=orbit(log, 2)).digest != Identity(value=orbit(log, 3)).digest
    assert radius(orbit=orbit(log, 2)).run() == 3.0
    assert radius(orbit=orbit(log, 3)).run() == 4.0


def test_task_file_round_trip(project: Any, tmp_path: Path) -> None:
    task = orbit(tmp_path / "log", 3)
    again = Task.from_desc(task.save(tmp_path / "tasks"))
    assert again == task and again.digest == task.digest


def test_iteration_count_cannot_come_from_a_task(project: Any, tmp_path: Path) -> None:
    from core_tasks import Counter

    with pytest.raises(TaskInputError, match="iteration count 'n'"):
        Orbit(start_n=0, n=Counter(x=2), x=1.0, y=0.0, log=str(tmp_path / "log"))


class Out(TaskOutput):
    n: int
    x: float


@pytest.mark.parametrize(
    ("param", "mapping", "message"),
    [
        ("k", {"x": "x"}, "iteration parameter 'k' is not one of its inputs"),
        ("x", {"x": "x"}, "must be annotated `int`"),
        ("n", {}, "the iteration map is empty"),
        ("n", {"z": "x"}, r"keys \['z'\] are not outputs"),
        ("n", {"x": "nope"}, r"values \['nope'\] are not inputs"),
        ("n", {"n": "n"}, "may not set the iteration parameter"),
    ],
)
def test_bad_iteration_specs_are_explained(param: str, mapping: dict[str, str], message: str) -> None:
    def step(n: int, x: float) -> Out:
        return n, x

    with pytest.raises(TaskDefinitionError, match=message):
        RecordedIterativeTask(param, map=mapping)(step)


def test_decorator_requires_its_arguments() -> None:
    def step(n: int, x: float) -> Out:
        return n, x

    with pytest.raises(TaskDefinitionError, match="needs arguments"):
        RecordedIterativeTask(step)  # type: ignore[arg-type]
