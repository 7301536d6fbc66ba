"""A big lab book is read a page at a time: what is asked for costs the same SQL however many records there are."""

from __future__ import annotations

from typing import Any

import pytest
from sumatra_lab import Lab, clone_records, count_queries

from smttask_sumatra.view import PAGE_SIZE, RecordStoreView


def vary(i: int, inputs: dict[str, Any]) -> str:
    """Clone *i*: x cycles through 0..9; even clones are Squares, odd ones another task."""
    inputs["x"] = float(i % 10)
    return "Square" if i % 2 == 0 else "Other"


@pytest.fixture
def grow(lab: Lab) -> Any:
    lab.tasks.Square(x=0.0, reason="the real run").run()

    def to(total: int) -> RecordStoreView:
        clone_records(lab.project, total, vary)
        return RecordStoreView(lab.project)

    return to


def bounded_reads(view: RecordStoreView) -> dict[str, Any]:
    label = view.earliest.label
    return {
        "head(50)": lambda: view.head(50),
        "latest": lambda: view.latest,
        "earliest": lambda: view.earliest,
        "len": lambda: len(view),
        "[label]": lambda: view[label],
        "[3]": lambda: view[3],
        "[2:5]": lambda: view[2:5],
        "status filter": lambda: view.filter(status="finished").head(10),
        "parameter filter, newest 5": lambda: view.params(eq={"x": 3.0}).head(5),
        "parameter filter, latest": lambda: view.filter(task="Square").params(eq={"x": 4.0}).latest,
        "html": lambda: view._repr_html_(),
    }


def test_reads_issue_the_same_queries_at_60_and_at_3000_records(grow: Any) -> None:
    small = {name: count_queries(read) for name, read in bounded_reads(grow(60)).items()}
    large = {name: count_queries(read) for name, read in bounded_reads(grow(3000)).items()}
    assert large == small
    assert max(large.values()) <= 10, large


def test_pages_give_every_match_in_order(grow: Any) -> None:
    view = grow(3 * PAGE_SIZE + 7)
    everything = view.list
    assert len(everything) == len(view) == 3 * PAGE_SIZE + 7
    times = [(r.timestamp, r._db_id) for r in everything]
    assert times == sorted(times, reverse=True)
    assert [r.label for r in view.head(PAGE_SIZE + 3)] == [r.label for r in everything[: PAGE_SIZE + 3]]
    assert view[2 * PAGE_SIZE + 1].label == everything[2 * PAGE_SIZE + 1].label
    assert view.earliest.label == everything[-1].label
    assert [r.label for r in view[-3:]] == [r.label for r in everything[-3:]]

    threes = view.params(eq={"x": 3.0})
    expected = [r.label for r in everything if r.inputs.get("x") == 3.0]
    assert [r.label for r in threes] == expected and len(threes) == len(expected)

    odd_seeds = threes.filter(where=lambda r: r.taskname == "Other")
    assert [r.label for r in odd_seeds] == [
        r.label for r in everything if r.inputs.get("x") == 3.0 and r.taskname == "Other"
    ]
    assert odd_seeds.latest.label == odd_seeds.list[0].label


def test_an_index_past_the_end_says_how_many_match(grow: Any) -> None:
    view = grow(12)
    with pytest.raises(IndexError, match="12 record"):
        view[12]


def test_tags_match_whole_tags_only(lab: Lab) -> None:
    for x in (1.0, 2.0):
        lab.tasks.Square(x=x).run()
    view = RecordStoreView(lab.project)
    first, second = view.earliest, view.latest
    with view.store.session():
        from sumatra.recordstore.django_store import models

        rows = models.Record.objects.using("default")
        rows.filter(label=first.label).update(tags="_finished_,ab")
        rows.filter(label=second.label).update(tags="_finished_,a")
    assert [r.label for r in view.filter(tags="a")] == [second.label]
    assert len(view.filter(tags="a")) == 1
    assert [r.label for r in view.filter(tags=["ab", "_finished_"])] == [first.label]
    assert len(view.filter(tags="b")) == 0


def test_only_the_records_asked_for_are_loaded(grow: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from smttask_sumatra import records

    view = grow(3000)
    made: list[str] = []
    real = records._record

    def counting(row: Any, *args: Any) -> Any:
        made.append(row["label"])
        return real(row, *args)

    monkeypatch.setattr(records, "_record", counting)
    loaded = {}
    for name, read in bounded_reads(view).items():
        made.clear()
        read()
        loaded[name] = len(made)
    assert loaded["head(50)"] == 50 and loaded["len"] == 0
    assert loaded["latest"] == loaded["earliest"] == loaded["[label]"] == 1
    assert loaded["parameter filter, newest 5"] == 5
    assert loaded["parameter filter, latest"] == 1
    assert max(loaded.values()) <= 50, loaded
