"""The lab book needs no command line: smttask-sumatra works where smttask-cli cannot be imported."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import requires

from packaging.requirements import Requirement
from sumatra_lab import Lab

BLOCK_CLI = textwrap.dedent('''
    import importlib.abc, sys

    class NoCli(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "smttask_cli" or name.startswith("smttask_cli."):
                raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
            return None

    sys.meta_path.insert(0, NoCli())
''')


def test_the_distribution_needs_the_cli_only_as_an_extra() -> None:
    needed = [Requirement(r) for r in requires("smttask-sumatra") or [] if r.startswith("smttask-cli")]
    assert needed, "smttask-cli is not even an extra"
    for requirement in needed:
        assert requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}), requirement
        assert requirement.marker.evaluate({"extra": "cli"}), requirement


def test_recording_and_reading_records_without_smttask_cli(lab: Lab) -> None:
    module = lab.tasks.__name__
    script = BLOCK_CLI + textwrap.dedent(f'''
        from smttask import Project
        from smttask_sumatra import RecordStoreView
        import {module} as tasks

        with Project(".").activate():
            assert tasks.Square(x=4, reason="no cli").run() == 16.0
            view = RecordStoreView()
            print(len(view), view.latest.label, view.latest.reason)
            print(view._repr_html_()[:20] != "")
        print("smttask_cli" in sys.modules)
    ''')
    done = subprocess.run([sys.executable, "-c", script], cwd=lab.root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(lab.root)}, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    count_label_reason, html_shown, cli_imported = done.stdout.splitlines()[-3:]
    count, label, reason = count_label_reason.split(" ", 2)
    assert count == "1" and reason == "no cli" and label == lab.view().latest.label
    assert html_shown == "True" and cli_imported == "False"
