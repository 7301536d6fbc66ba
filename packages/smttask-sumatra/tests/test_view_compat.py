"""smttask 0.2's record-browsing spellings on RecordStoreView and RecordView, each running the new API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sumatra_lab import Lab, clone_records, count_queries

from smttask_sumatra import get_task_param, record_filter
from smttask_sumatra.errors import FilterArgumentError, RecordFilterError, SumatraError
from smttask_sumatra.filters import _REGISTERED
from smttask_sumatra.view import RecordStoreView


@pytest.fixture
def book(lab: Lab) -> Lab:
    """Four finished runs: three Squares and a Plus of two of them; and a crash."""
    for x in (1, 2, 3):
        lab.tasks.Square(x=x, reason=f"square {x}").run()
    lab.tasks.Plus(a=lab.tasks.Square(x=2), b=lab.tasks.Square(x=3)).run()
    with pytest.raises(ValueError):
        lab.tasks.Fail(x=0).run()
    return lab


def test_named_filters_are_the_keyword_filters(book: Lab) -> None:
    rs = RecordStoreView(book.project)
    assert [r.label for r in rs.filter.task("Square")] == [r.label for r in rs.filter(task="Square")]
    assert len(rs.filter.task(book.tasks.Square)) == 3
    assert len(rs.filter.tags("_finished_")) == 4
    assert len(rs.filter.tags({"_finished_", "nope"})) == 0
    assert len(rs.filter.tags_or("_crashed_", "nope")) == 1
    assert len(rs.filter.tags_not("_crashed_")) == 4
    assert [r.taskname for r in rs.filter.status("crashed")] == ["Fail"]
    assert [r.reason for r in rs.filter.reason("square 2")] == ["square 2"]
    assert [r.param("x") for r in rs.filter.params({"x": 2.0})] == [2.0]
    assert [r.param("x") for r in rs.filter.params(isclose={"x": 2.0000001})] == [2.0]
    assert [r.param("x") for r in rs.filter.params(ge={"x": 2}, lt={"x": 3})] == [2.0]
    assert [r.param("x") for r in rs.filter(lambda r: r.param("x", 0) > 2)] == [3.0]
    assert rs.filter.task("Square").filter.params(eq={"x": 1.0}).latest.reason == "square 1"


def test_date_filters_take_the_forms_of_smttask_0_2(book: Lab) -> None:
    rs = RecordStoreView(book.project)
    today = datetime.now(UTC).astimezone()
    tomorrow = today + timedelta(days=1)
    as_int = int(today.strftime("%Y%m%d"))
    assert len(rs.filter.on(as_int)) == 5
    assert len(rs.filter.on(today.year, today.month, today.day)) == 5
    assert len(rs.filter.on((tomorrow.year, tomorrow.month, tomorrow.day))) == 0
    assert len(rs.filter.after(today.year)) == 5  # 2026 means 2026-01-01
    assert len(rs.filter.before(as_int)) == 0  # before today's midnight
    assert len(rs.filter.before(tomorrow.replace(tzinfo=None))) == 5
    assert len(rs.filter.after(today.date().isoformat())) == 5
    with pytest.raises(RecordFilterError, match=r"filter.on\(123\): a date as one number has 4 to 8 digits"):
        rs.filter.on(123)
    with pytest.raises(RecordFilterError, match=r"filter.before\(2024, 13, 1\): not a date \(month must be in 1..12\)"):
        rs.filter.before(2024, 13, 1)
    with pytest.raises(RecordFilterError, match="give a date"):
        rs.filter.after(1.5)


def test_record_filter_registers_a_filter_of_ones_own(book: Lab) -> None:
    @record_filter
    def squared_above(limit: float):
        """Records whose input x squared exceeds *limit*."""
        return lambda record: record.param("x") ** 2 > limit

    try:
        rs = RecordStoreView(book.project)
        assert [r.param("x") for r in rs.filter.squared_above(3)] == [3.0, 2.0]  # Plus has no x: no match
        assert "squared_above" in dir(rs.filter)
        assert rs.filter.squared_above.__doc__.startswith("Records whose input x")
    finally:
        _REGISTERED.pop("squared_above", None)
    with pytest.raises(AttributeError, match="no filter 'squared_above'.*@smttask_sumatra.record_filter"):
        RecordStoreView(book.project).filter.squared_above  # noqa: B018


def test_record_filter_refuses_builtin_names_and_nameless_functions() -> None:
    def task(name: str):  # pragma: no cover - refused before use
        return lambda record: True

    with pytest.raises(FilterArgumentError, match="'task' is the name of a built-in filter"):
        record_filter(task)
    with pytest.raises(FilterArgumentError, match="takes a named function"):
        record_filter(lambda: None)


def test_last_latest_get_and_list(book: Lab) -> None:
    rs = RecordStoreView(book.project)
    assert rs.last.label == rs.latest.label == rs.list[0].label
    labels = rs.labels
    assert rs.get(labels[1]).label == labels[1]
    assert [r.label for r in rs.get(labels[:2])] == labels[:2]
    with pytest.raises(KeyError, match="No record labelled 'nope'"):
        rs.get("nope")


def test_splitby_groups_into_narrower_views(book: Lab) -> None:
    rs = RecordStoreView(book.project)
    by_task = rs.splitby("task")
    assert [(key.task, len(view)) for key, view in by_task.items()] == [("Fail", 1), ("Plus", 1), ("Square", 3)]
    squares = rs.filter.task("Square").splitby(["x", "status"], ["ex", "state"])
    assert sorted((k.ex, k.state) for k in squares) == [(1.0, "finished"), (2.0, "finished"), (3.0, "finished")]
    (two,) = [v for k, v in squares.items() if k.ex == 2.0]
    assert [r.reason for r in two] == ["square 2"]
    nested = rs.splitby("a.x")
    assert {k.a_x for k in nested} == {None, 2.0}
    with pytest.raises(FilterArgumentError, match="one name per field"):
        rs.splitby(["x", "task"], ["only_one"])


def test_dframe_is_dataframe(book: Lab) -> None:
    pytest.importorskip("pandas")
    rs = RecordStoreView(book.project).filter.task("Square")
    frame = rs.dframe(exclude=["outcome", "reason"], params=["x"])
    assert list(frame.columns) == ["timestamp", "task", "status", "duration", "x"]
    assert frame["x"].tolist() == [3.0, 2.0, 1.0]
    assert list(rs.dframe(include=["task"]).columns) == ["task"]


def test_tags_are_added_and_removed_in_the_store(book: Lab) -> None:
    rs = RecordStoreView(book.project)
    rs.filter.task("Square").add_tag("good")
    assert len(RecordStoreView(book.project).filter.tags("good")) == 3
    record = RecordStoreView(book.project).filter.params(eq={"x": 1.0}).latest
    record.remove_tag("good")
    assert "good" not in record.tags
    fresh = RecordStoreView(book.project)
    assert sorted(r.param("x") for r in fresh.filter.tags("good")) == [2.0, 3.0]
    assert "_finished_" in fresh[record.label].tags  # other tags kept
    fresh.filter.tags("good").remove_tags(["good"])
    assert len(RecordStoreView(book.project).filter.tags("good")) == 0
    with pytest.raises(RecordFilterError, match="'two words' is not a tag Sumatra can store"):
        fresh.add_tag("two words")


def test_record_view_names_of_smttask_0_2(book: Lab) -> None:
    plus = RecordStoreView(book.project).filter.task("Plus").latest
    assert plus.get_param("a.x") == 2.0
    assert plus.get_param(["nope", "b.x"]) == 3.0
    assert plus.get_param("nope", None) is None
    assert plus.task_name == "Plus"
    assert plus.task == book.tasks.Plus(a=book.tasks.Square(x=2), b=book.tasks.Square(x=3))
    assert plus.get_output() == 13.0


def test_get_task_param_reads_records_tasks_descriptions_and_dicts(book: Lab) -> None:
    plus = RecordStoreView(book.project).filter.task("Plus").latest
    task = book.tasks.Plus(a=book.tasks.Square(x=2), b=book.tasks.Square(x=3))
    assert get_task_param(plus, "a.x") == 2.0
    assert get_task_param(plus, "task") == "Plus"
    assert get_task_param(task, "b.x") == 3.0
    assert get_task_param(task.desc, "b.x") == 3.0
    assert get_task_param({"lr": {"start": 0.1}}, "lr.start") == 0.1
    assert get_task_param({"xs": [1, 2]}, "xs.1") == 2
    assert get_task_param(task, ["c", "a.x"]) == 2.0
    assert get_task_param(task, "c", "none") == "none"
    with pytest.raises(KeyError, match="Plus has no parameter 'c' or 'd'"):
        get_task_param(task, ["c", "d"])


def test_the_new_spellings_stay_sql_bounded(lab: Lab) -> None:
    lab.tasks.Square(x=0.0).run()

    def reads(total: int) -> dict[str, int]:
        clone_records(lab.project, total, lambda i, inputs: "Square")
        rs = RecordStoreView(lab.project)
        return {
            "last": count_queries(lambda: rs.last),
            "filter.task.latest": count_queries(lambda: rs.filter.task("Square").latest),
            "filter.tags.head": count_queries(lambda: rs.filter.tags("_finished_").head(5)),
            "filter.on.len": count_queries(lambda: len(rs.filter.on(datetime.now(UTC).astimezone()))),
            "filter.params.latest": count_queries(lambda: rs.filter.params(eq={"x": 0.0}).latest),
        }

    assert reads(40) == reads(1500)


def test_editing_a_missing_record_names_it(book: Lab) -> None:
    rs = RecordStoreView(book.project)
    with pytest.raises(SumatraError, match="Could not change the tags of record nope.*Already changed: none"):
        rs._retag(["nope"], add=("x",), remove=())
