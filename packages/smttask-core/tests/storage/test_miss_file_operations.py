"""A miss changes the data directory as little as a claimed, atomic write allows.

Concurrent creates, renames and removals in one directory take turns in the
kernel (on ext4, two processes creating files in one directory each take twice
as long per file as one alone), so every needless one slows ``smttask run -n N``.
Counted with an audit hook, in a fresh interpreter (an audit hook cannot be removed).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from smttask import Project
    from smttask.config import Config
    from smttask.execution.running import run_one
    import core_tasks

    data = os.path.join(sys.argv[1], "data")
    project = Project(sys.argv[1], config=Config(recorder="none"))
    events = []
    counting = False

    def hook(event, args):
        if counting and event in ("open", "os.rename", "os.remove", "os.mkdir") and str(args[0]).startswith(data):
            flags = args[2] if event == "open" and isinstance(args[2], int) else 0
            events.append([event, os.path.basename(str(args[0])), bool(flags & os.O_CREAT)])

    sys.addaudithook(hook)
    with project.activate():
        run_one(core_tasks.Square(x=1), project)  # the task's directory exists from now on
        counting = True
        outcome = run_one(core_tasks.Square(x=2), project)
        counting = False
    print(json.dumps({"status": outcome.status, "outputs": outcome.outputs, "events": events}))
    """
)


def test_a_miss_creates_renames_and_removes_only_what_the_claim_and_the_atomic_write_need(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, check=True, timeout=120
    )
    report = json.loads(done.stdout.splitlines()[-1])
    events = report["events"]
    assert report["status"] == "computed"
    assert [Path(p).name for p in report["outputs"]] == [n for _, n, _ in events if n.endswith(".manifest.json")][-1:]
    creates = [name for event, name, create in events if event == "open" and create]
    renames = [name for event, name, _ in events if event == "os.rename"]
    removals = [name for event, name, _ in events if event == "os.remove"]
    manifest_reads = [
        name for event, name, create in events if event == "open" and not create and name.endswith(".manifest.json")
    ]
    assert [e for e in events if e[0] == "os.mkdir"] == []  # the directory exists: not made again
    assert len(creates) == 2, creates  # the claim, the manifest's temporary file
    assert len(renames) == 2, renames  # the manifest into place, the claim aside to be checked and removed
    assert len(removals) == 1, removals  # the claim set aside; no attempt at outputs that were never written
    assert len(manifest_reads) == 1, manifest_reads  # the lookup before computing; not read back after
