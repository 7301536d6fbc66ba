"""The helpers smttask 0.2 code imports from ``smttask.utils``: ``relative_path`` and ``parse_duration_str``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smttask.errors import DurationError, SmttaskError
from smttask.utils import parse_duration_str, relative_path


def test_relative_path_goes_up_where_needed() -> None:
    dst = Path("/home/User/data/output/file")
    assert relative_path("/home/User", dst) == Path("data/output/file")
    assert relative_path("/home/User/data/", dst) == Path("output/file")
    assert relative_path("/home/User/data/file", dst) == Path("../output/file")
    assert relative_path("/home/User/data/input/file", dst) == Path("../../output/file")
    assert relative_path("/home/User/data/output/file", dst) == Path("")
    assert relative_path("/home/User/data/file", dst, through="/home") == Path("../../../User/data/output/file")


def test_relative_path_follows_links(tmp_path: Path) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    assert relative_path(tmp_path / "alias", tmp_path / "real" / "sub") == Path("sub")
    assert relative_path(tmp_path / "alias", tmp_path / "real" / "sub", resolve=False) == Path("../real/sub")


HMS = 60**2 + 23 * 60 + 2


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1min", 60), ("1 min", 60), ("1m", 60), ("1 m", 60), ("1m1m1m", 180), ("1h23m2s", HMS),
        ("1h23min2s", HMS), ("1h 23min 2s", HMS), ("1hour23min2s", HMS), ("1hour23min2sec", HMS),
        ("1hour23minutes2sec", HMS), ("1hour23minutes2seconds", HMS), ("1hour 23minutes 2seconds", HMS),
        ("1 hour 23 minutes 2 seconds", HMS), ("1 hour 23 minute 2 second", HMS),
        ("1 hours 23 minute 2 second", HMS), ("1day 1hour", 90000), ("1.5h", 5400), ("45", 45),
        ("2 mins, 3 secs", 123),
    ],
)
def test_parse_duration_str_reads_the_spellings_of_smttask_0_2(text: str, seconds: float) -> None:
    assert parse_duration_str(text) == seconds


@pytest.mark.parametrize(("text", "says"), [("1moon", "unknown unit 'moon'"), ("", "empty duration"),
                                            ("h", "cannot read 'h'")])
def test_parse_duration_str_names_what_it_cannot_read(text: str, says: str) -> None:
    with pytest.raises(DurationError, match=says) as caught:
        parse_duration_str(text)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, SmttaskError)


def test_importing_the_helpers_stays_light() -> None:
    code = "import sys, smttask.utils; print(sorted(m for m in ('numpy', 'pydantic', 'click') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
