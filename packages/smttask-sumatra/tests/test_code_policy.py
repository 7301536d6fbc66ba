"""The code version of recorded runs: committed code, or the project's policy for changes."""

from __future__ import annotations

import pytest
from sumatra_lab import Lab, commit_all, git, make_repo

from smttask_sumatra.errors import NoCommitError, UncommittedChangesError
from smttask_sumatra.gitstate import code_state


def edit_tasks(lab: Lab) -> None:
    with lab.module_file.open("a", encoding="utf-8") as fh:
        fh.write("\n# an uncommitted change\n")


def test_uncommitted_changes_refuse_the_run_and_name_the_files(lab: Lab) -> None:
    edit_tasks(lab)
    with pytest.raises(UncommittedChangesError, match=lab.module_file.name) as info:
        lab.tasks.Square(x=1).run()
    assert info.value.changed == [lab.module_file.name]
    assert "store-diff" in str(info.value)  # the message says how to proceed
    assert lab.sumatra_records() == []
    assert lab.project.storage.locate(lab.tasks.Square(x=1)) is None  # the task did not run


def test_store_diff_records_the_diff(lab: Lab) -> None:
    edit_tasks(lab)
    project = lab.with_settings(on_changed="store-diff")
    with project.activate():
        lab.tasks.Square(x=1).run()
    (record,) = lab.sumatra_records()
    assert "+# an uncommitted change" in record.diff
    assert record.version == git(lab.root, "rev-parse", "HEAD").strip()


def test_allowed_directories_may_be_dirty(lab: Lab) -> None:
    (lab.root / "notebooks").mkdir()
    (lab.root / "notebooks" / "explore.py").write_text("x = 1\n")
    lab.commit("notebook")
    (lab.root / "notebooks" / "explore.py").write_text("x = 2\n")
    with pytest.raises(UncommittedChangesError):
        lab.tasks.Square(x=1).run()
    with lab.with_settings(allow_dirty=["notebooks"]).activate():
        lab.tasks.Square(x=1).run()
    assert len(lab.sumatra_records()) == 1


def test_results_and_the_lab_book_never_count_as_changes(lab: Lab) -> None:
    (lab.root / ".gitignore").unlink()  # even when not ignored, smttask's own files are allowed
    lab.commit("forget the ignores")
    lab.tasks.Square(x=1).run()
    lab.commit("results committed by mistake")
    lab.tasks.Square(x=2).run()  # the store and the data changed since that commit
    assert len(lab.sumatra_records()) == 2


def test_an_untracked_task_module_counts_as_a_change(lab: Lab) -> None:
    module = lab.root / "newtasks.py"
    module.write_text("x = 1\n")
    state_error = None
    try:
        code_state(lab.root, policy="error", main_file=module)
    except UncommittedChangesError as exc:
        state_error = exc
    assert state_error is not None and state_error.changed == ["newtasks.py"]
    state = code_state(lab.root, policy="store-diff", main_file=module)
    assert "+x = 1" in state.diff


def test_a_repository_without_commits_is_a_clear_error(tmp_path) -> None:
    repo = make_repo(tmp_path / "empty")
    with pytest.raises(NoCommitError, match="no commit yet"):
        code_state(repo, policy="error")
    (repo / "a.py").write_text("")
    commit_all(repo)
    assert code_state(repo, policy="error").commit == git(repo, "rev-parse", "HEAD").strip()
