"""The original suite's test_utils.py: relative_path and parse_duration_str, kept importable from smttask.utils."""

from __future__ import annotations

from pathlib import Path

import pytest

from smttask.utils import parse_duration_str, relative_path


@pytest.mark.parametrize(
    ("src", "dst", "expected"),
    [
        ("/a/b", "/a/b/c/d", "c/d"),
        ("/a/data/file", "/a/data/output/file", "../output/file"),
        ("/a/b/c", "/a/x", "../../x"),
        ("/a/b", "/a/b", "."),
        ("/x/y", "/a/b", "../../a/b"),
    ],
)
def test_relative_path(src: str, dst: str, expected: str) -> None:
    assert relative_path(src, dst, resolve=False) == Path(expected)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1min", 60), ("1 m", 60), ("1m", 60), ("1 minute", 60), ("2 minutes", 120),
        ("1h23m2s", 3600 + 23 * 60 + 2), ("1 hours 23 minute 2 second", 3600 + 23 * 60 + 2),
        ("1hr", 3600), ("1 h", 3600), ("1d", 86400), ("2 days", 172800), ("90s", 90),
        ("45", 45), ("1.5h", 5400), ("1sec", 1), ("3 seconds", 3),
    ],
)
def test_parse_duration_str(text: str, seconds: float) -> None:
    assert parse_duration_str(text) == seconds


def test_parse_duration_str_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="moon"):
        parse_duration_str("1moon")
