"""Fixtures of the reliability suite: template task files, throw-away projects, canaries, counts.

The helper modules of this directory (``fuzz_*``, ``hostile_tasks``) are put on
``sys.path`` here, since the suite runs with ``--import-mode=importlib``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from fuzz_counts import counts  # noqa: E402
from fuzz_templates import save_templates  # noqa: E402


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``{name: document}`` of task files saved from :mod:`hostile_tasks`."""
    return save_templates(tmp_path_factory.mktemp("templates"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker, hand this worker's counts to the controller, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["reliability_counts"] = counts.as_dict()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # noqa: ANN001
    """In the pytest-xdist controller, add a finished worker's counts."""
    counts.merge(getattr(node, "workeroutput", {}).get("reliability_counts", {}))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    """Print what the suite tried (and write it beside pytest's temporary directories)."""
    if not counts.totals:
        return
    terminalreporter.section("reliability suite counts")
    for line in counts.lines():
        terminalreporter.write_line(line)
    basetemp = getattr(config, "_tmp_path_factory", None)
    if basetemp is not None:
        path = counts.write(basetemp.getbasetemp())
        terminalreporter.write_line(f"written to {path}")
