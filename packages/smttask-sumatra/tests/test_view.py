"""Browsing the lab book from Python with RecordStoreView."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sumatra_lab import Lab

from smttask_sumatra.errors import RecordNotFoundError
from smttask_sumatra.view import RecordStoreView


@pytest.fixture
def book(lab: Lab) -> Lab:
    """Five runs: three Squares, a Plus of two Squares, and a crash."""
    for x in (1, 2, 3):
        lab.tasks.Square(x=x, reason=f"square {x}").run()
    lab.tasks.Plus(a=lab.tasks.Square(x=2), b=lab.tasks.Square(x=3)).run()
    with pytest.raises(ValueError):
        lab.tasks.Fail(x=0).run()
    return lab


def test_iterates_newest_first(book: Lab) -> None:
    view = RecordStoreView(book.project)
    assert len(view) == 5
    assert [r.taskname for r in view] == ["Fail", "Plus", "Square", "Square", "Square"]
    assert view.latest.taskname == "Fail"
    assert view.earliest.reason == "square 1"
    assert [r.label for r in view] == view.labels


def test_filters_by_task_status_tag_and_text(book: Lab) -> None:
    view = RecordStoreView(book.project)
    assert len(view.filter(task="Square")) == 3
    assert len(view.filter(task=book.tasks.Square)) == 3
    assert [r.taskname for r in view.filter(status="crashed")] == ["Fail"]
    assert len(view.filter(tags="_finished_")) == 4
    assert [r.reason for r in view.filter(reason="square 2")] == ["square 2"]
    assert [r.taskname for r in view.filter(outcome="bad input")] == ["Fail"]
    assert len(view.filter(task="Square").filter(status="crashed")) == 0
    with pytest.raises(ValueError, match="Unknown status 'done'"):
        view.filter(status="done")


def test_filters_by_date(book: Lab) -> None:
    view = RecordStoreView(book.project)
    now = datetime.now(UTC)
    assert len(view.filter(after=now - timedelta(hours=1))) == 5
    assert len(view.filter(before=now - timedelta(hours=1))) == 0
    assert len(view.filter(on=now.astimezone().date())) == 5
    assert len(view.filter(after=(now + timedelta(days=1)).date().isoformat())) == 0
    with pytest.raises(ValueError, match="not an ISO date"):
        view.filter(after="last tuesday")


def test_filters_by_parameters_through_nested_tasks(book: Lab) -> None:
    view = RecordStoreView(book.project)
    assert [r.param("x") for r in view.params(eq={"x": 2.0})] == [2.0]
    assert [r.param("x") for r in view.params(gt={"x": 1}, le={"x": 3})] == [3.0, 2.0]
    assert [r.param("x") for r in view.params(isin={"x": [1, 3]})] == [3.0, 1.0]
    (plus,) = view.params(eq={"a.x": 2.0, "b.x": 3.0})
    assert plus.taskname == "Plus"
    assert plus.param("a.x") == 2.0
    assert view.params(eq={"a.x": 3.0}).list == []
    assert len(view.params(ne={"x": 2.0})) == 3  # records without 'x' never match
    with pytest.raises(TypeError, match="unknown comparison"):
        view.params(equals={"x": 1})
    with pytest.raises(KeyError, match="no parameter 'a.y'"):
        plus.param("a.y")


def test_a_record_gives_back_its_task_and_outputs(book: Lab) -> None:
    view = RecordStoreView(book.project)
    plus = view.filter(task="Plus").latest
    task = plus.task
    assert task == book.tasks.Plus(a=book.tasks.Square(x=2), b=book.tasks.Square(x=3))
    assert plus.get_output() == 13.0
    assert plus.key == task.digest
    assert plus.status == "finished"
    assert set(plus.output_files) == {""}
    assert plus.output_files[""].is_file()
    assert len(plus.input_data) == 2  # the two upstream Squares
    assert "squaring" not in plus.stdout_stderr
    assert view.filter(task="Square").latest.stdout_stderr == "squaring 3.0\n"


def test_lookup_by_label(book: Lab) -> None:
    view = RecordStoreView(book.project)
    label = view.latest.label
    assert view[label].label == label
    assert view[0].label == label
    with pytest.raises(RecordNotFoundError, match="No record labelled 'nope'"):
        view["nope"]
    with pytest.raises(LookupError):
        view.filter(task="Nothing").latest  # noqa: B018


def test_dataframe(book: Lab) -> None:
    pytest.importorskip("pandas")
    frame = RecordStoreView(book.project).filter(task="Square").dataframe(params=["x"])
    assert list(frame.columns) == [
        "timestamp",
        "task",
        "status",
        "duration",
        "reason",
        "outcome",
        "x",
    ]
    assert frame["x"].tolist() == [3.0, 2.0, 1.0]
    assert frame.index.name == "label"
    everything = RecordStoreView(book.project).dataframe(fields=["task"], params=True)
    assert {"x", "a.x", "b.x"} <= set(everything.columns)


def test_the_record_that_wrote_a_file_is_found_from_the_file(book: Lab) -> None:
    view = RecordStoreView(book.project)
    square = book.tasks.Square(x=2)
    stored = book.project.storage.locate(square).outputs[""].path
    (record,) = view.filter(output=stored)
    assert record.taskname == "Square" and record.reason == "square 2"
    relative = stored.relative_to(book.root)
    assert [r.label for r in view.filter(output=relative)] == [record.label]  # from the project root
    (link,) = (book.project.data_dir / "latest" / "Square").iterdir()
    (via_link,) = view.filter(output=link)
    assert [p.resolve() for p in via_link.output_files.values()] == [link.resolve()]
    assert len(view.filter(output=book.root / "README-nothing.txt")) == 0


def test_the_parameters_that_differ_become_columns(book: Lab) -> None:
    from smttask_sumatra.tables import differing_params

    squares = RecordStoreView(book.project).filter(task="Square").list
    assert differing_params(squares) == ["x"]
    assert differing_params(squares[:1]) == []
    everything = RecordStoreView(book.project).list
    assert set(differing_params(everything)) >= {"x", "a.x", "b.x"}


def test_a_view_and_a_record_show_as_html_tables(book: Lab) -> None:
    view = RecordStoreView(book.project).filter(task="Square")
    page = view._repr_html_()
    assert page.count("<tr>") == 1 + 3  # header and three records
    assert "<th>x</th>" in page and "finished" in page
    record = view.latest
    detail = record._repr_html_()
    assert record.label in detail and "input x" in detail and "<script" not in detail


def test_html_escapes_what_a_record_holds(lab: Lab) -> None:
    lab.tasks.Square(x=1, reason="<script>alert(1)</script>").run()
    detail = RecordStoreView(lab.project).latest._repr_html_()
    assert "<script>" not in detail and "&lt;script&gt;" in detail
