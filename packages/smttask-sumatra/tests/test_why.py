"""``smttask why RECORD_LABEL``: a record's task is explained, with the record its result names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sumatra_lab import Lab

from smttask_sumatra import plugin

SMTTASK = str(Path(sys.executable).with_name("smttask"))


def test_a_record_label_gives_its_task_and_the_result_names_the_record(lab: Lab) -> None:
    task = lab.tasks.Square(x=3)
    task.run()
    label = lab.view().latest.label
    found = plugin.smttask_task_of_record(project=lab.project, label=label)
    assert found is not None and found.digest == task.digest
    lab.project.memory.clear()
    with lab.project.activate():
        explanation = found.why()
    assert (explanation.status, explanation.record) == ("stored", label)
    assert plugin.smttask_task_of_record(project=lab.project, label="20000101-000000") is None


def test_smttask_why_takes_a_record_label(lab: Lab) -> None:
    lab.tasks.Square(x=4).run()
    label = lab.view().latest.label
    done = subprocess.run([SMTTASK, "why", label, "20000101-000000"], cwd=lab.root, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert "stored; a run loads it." in done.stdout and f"record   {label}" in done.stdout
    assert done.stderr.strip() == ("error: 20000101-000000: no such file, and no lab-book record has this label "
                                   "(list them with `smttask records`)")
