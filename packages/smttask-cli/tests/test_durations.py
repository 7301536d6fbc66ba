"""Durations for ``--wait``."""

from __future__ import annotations

import pytest

from smttask_cli.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h30m", 5400), ("1hour 30min", 5400), ("90s", 90), ("45", 45), ("2d", 172800), ("1.5h", 5400),
     ("20 minutes", 1200), ("0s", 0)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "1h30x", "h"])
def test_parse_duration_rejects_what_it_cannot_read(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration():
    assert format_duration(0.123) == "0.12s"
    assert format_duration(5400) == "1h30m00s"
    assert format_duration(75) == "1m15s"
