"""Small parts on their own: output capture, settings, dotted parameter paths, light imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from smttask.config import Config
from smttask_sumatra.capture import OutputCapture, collapse_redraws
from smttask_sumatra.errors import SumatraConfigError
from smttask_sumatra.params import flatten, lookup
from smttask_sumatra.settings import SumatraSettings


def test_capture_tees_stdout_and_stderr_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    with OutputCapture() as capture:
        print("one")
        print("two", file=sys.stderr)
        sys.stdout.write("three\n")
    assert capture.text == "one\ntwo\nthree\n"
    seen = capsys.readouterr()
    assert seen.out == "one\nthree\n" and seen.err == "two\n"


def test_capture_nests_and_restores_the_streams() -> None:
    before = sys.stdout
    with OutputCapture() as outer:
        print("a")
        with OutputCapture() as inner:
            print("b")
    assert sys.stdout is before
    assert (outer.text, inner.text) == ("a\nb\n", "b\n")


def test_capture_keeps_the_start_and_end_of_long_output() -> None:
    with OutputCapture(limit=100) as capture:
        for i in range(1000):
            print(f"line {i}")
    text = capture.text
    assert text.startswith("line 0\nline 1\n")
    assert text.endswith("line 999\n")
    assert "characters of output omitted" in text
    assert len(text) < 200


def test_progress_bar_redraws_keep_their_final_state() -> None:
    assert collapse_redraws("10%\r50%\r100%\ndone\n") == "100%\ndone\n"
    with OutputCapture() as capture:
        for pct in (0, 50, 100):
            print(f"\rprogress {pct}%", end="")
        print()
    assert capture.text == "progress 100%\n"


def test_settings_defaults_and_validation() -> None:
    assert SumatraSettings.from_config(Config()) == SumatraSettings()
    settings = SumatraSettings.from_mapping(
        {"allow_dirty": ["notebooks/", "reports"], "busy_timeout": 2}
    )
    assert settings.allow_dirty == ("notebooks", "reports") and settings.busy_timeout == 2.0
    with pytest.raises(SumatraConfigError, match="unknown setting 'on_change'.*on_changed"):
        SumatraSettings.from_mapping({"on_change": "error"})
    with pytest.raises(
        SumatraConfigError, match="'on_changed' must be \"error\" or \"store-diff\", got 'ignore'"
    ):
        SumatraSettings.from_mapping({"on_changed": "ignore"})
    with pytest.raises(
        SumatraConfigError, match="'save_attempts' must be a positive whole number, got 0"
    ):
        SumatraSettings.from_mapping({"save_attempts": 0})
    with pytest.raises(SumatraConfigError, match="'capture_output' must be true or false"):
        SumatraSettings.from_mapping({"capture_output": "yes"})


#: A version 1 document: upstream tasks nested inline.
NESTED = {
    "inputs": {
        "a": {
            "$type": "task",
            "value": {
                "task": "Square",
                "inputs": {"x": 2.0, "xs": {"$type": "tuple", "value": [1, 2]}},
            },
        },
        "b": 1.0,
        "opts": {"lr": 0.1},
    }
}
#: The same in version 2: upstream tasks in the table, by reference (here shared by a and c).
FLAT = {
    "inputs": {
        "a": {"$type": "task", "value": {"ref": "k1"}},
        "b": 1.0,
        "opts": {"lr": 0.1},
    },
    "upstream": {"k1": {"task": "Square", "key": "k1", "inputs": {"x": 2.0, "xs": {"$type": "tuple", "value": [1, 2]}}}},
}


@pytest.mark.parametrize("document", [NESTED, FLAT], ids=["version 1", "version 2"])
def test_dotted_paths_walk_through_upstream_tasks(document: dict) -> None:
    assert lookup(document, "a.x") == 2.0
    assert lookup(document, "a.xs.1") == 2
    assert lookup(document, "opts.lr") == 0.1
    assert lookup(document, "a.xs", decode=lambda d: tuple(d["value"])) == (1, 2)
    with pytest.raises(KeyError):
        lookup(document, "a.y")
    assert list(flatten(document)) == [
        ("a.x", 2.0),
        ("a.xs", {"$type": "tuple", "value": [1, 2]}),
        ("b", 1.0),
        ("opts.lr", 0.1),
    ]


def test_flatten_stops_at_a_cycle_of_references() -> None:
    cyclic = {
        "inputs": {"a": {"$type": "task", "value": {"ref": "k"}}},
        "upstream": {"k": {"key": "k", "inputs": {"again": {"$type": "task", "value": {"ref": "k"}}, "x": 1}}},
    }
    paths = [p for p, _ in flatten(cyclic)]
    assert "a.x" in paths and len(paths) <= 40  # bounded (32 levels), however hostile the record


def test_importing_the_plugin_loads_neither_sumatra_nor_django() -> None:
    code = (
        "import sys, smttask, smttask_sumatra, smttask_sumatra.plugin;"
        "from smttask.plugins import make_plugin_manager;"
        "pm = make_plugin_manager(load_entry_points=False, plugins=[smttask_sumatra.plugin]);"
        "pm.hook.smttask_recorders();"
        "heavy = [m for m in ('sumatra', 'django', 'click', 'git', 'parameters') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
