"""The original suite's test_digests.py::test_unpure_digest, plus the downstream case it never tested."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from smttask.errors import UnpureKeyChangedWarning


def test_unpure_digest(lab: Any, tmp_path: Path) -> None:
    t = lab.tasks
    one, two = tmp_path / "one", tmp_path / "two"
    for directory in (one, two):
        directory.mkdir()
        (directory / "a.txt").write_text("a")
    first, same = t.ListDir(root=str(one)), t.ListDir(root=str(two))
    assert first.digest == same.digest              # equal outputs, equal keys
    locked = first.digest
    (one / "b.txt").write_text("b")
    assert first.digest == locked                   # a key is fixed once computed
    assert t.ListDir(root=str(one)).run() == ["a.txt"]   # the session's result is kept in memory
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert first.run(recompute=True) == ["a.txt", "b.txt"]
    assert any(issubclass(w.category, UnpureKeyChangedWarning) for w in caught)
    assert t.ListDir(root=str(one)).digest != locked     # a task created now gets the new key


def test_unpure_downstream_key_follows_the_upstream_output(lab: Any, tmp_path: Path) -> None:
    t = lab.tasks
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    before = t.CountFiles(listing=t.ListDir(root=str(folder)))
    assert before.run() == 1
    (folder / "b.txt").write_text("b")
    with pytest.warns(UnpureKeyChangedWarning):
        t.ListDir(root=str(folder)).run(recompute=True)
    after = t.CountFiles(listing=t.ListDir(root=str(folder)))
    assert after.digest != before.digest and after.run() == 2
