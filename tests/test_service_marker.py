"""The ``service`` marker: ``make test-quick`` (``-m "not service"``) leaves out exactly the tests needing a service."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: Modules with service tests (and, some, tests needing none), and one that has none.
MODULES = [
    "packages/smttask-sumatra/tests/test_postgresql.py",
    "packages/smttask-snakemake/tests/test_slurm.py",
    "packages/smttask-sumatra/tests/test_smtweb.py",
    "packages/smttask-sumatra/tests/test_notebook.py",
    "packages/smttask-fsspec/tests/test_fsspec_storage.py",
    "packages/smttask-dask/tests/test_executor.py",
    "packages/smttask-core/tests/test_task.py",
]


def _collected(marker: str) -> set[str]:
    """The ids (file::name, without parameters) of the tests of MODULES collected under ``-m marker``."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-m", marker, *MODULES], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return {line.partition("[")[0] for line in done.stdout.splitlines() if "::" in line}


def test_service_tests_are_marked_and_the_rest_are_not() -> None:
    with ThreadPoolExecutor(2) as pool:  # two pytest start-ups of seconds each, side by side
        service, quick = pool.map(_collected, ["service", "not service"])
    needing_a_service = [
        "packages/smttask-sumatra/tests/test_postgresql.py::test_records_are_written_to_the_server_and_read_back",
        "packages/smttask-snakemake/tests/test_slurm.py::test_a_diamond_runs_as_slurm_jobs_grouped_by_layer",
        "packages/smttask-sumatra/tests/test_smtweb.py::test_upgrade_keys_repairs_records_written_by_older_versions",
        "packages/smttask-sumatra/tests/test_notebook.py::test_a_notebook_runs_recorded_tasks_and_browses_the_lab_book",
        "packages/smttask-fsspec/tests/test_fsspec_storage.py::test_smttask_run_cli_through_sftp",
        "packages/smttask-dask/tests/test_executor.py::test_task_files_run_on_a_running_scheduler_and_its_workers",
    ]
    for test in needing_a_service:
        assert test in service and test not in quick, test
    # a parameter needing a server is a service test (the fixture asks for sshd itself), its sibling is not
    assert {t for t in service if "test_fsspec_storage.py::test_computed_once_then_loaded_back" in t}
    assert "packages/smttask-fsspec/tests/test_fsspec_storage.py::test_computed_once_then_loaded_back" in quick
    # a test of the same module that needs no server stays in the quick set
    assert "packages/smttask-sumatra/tests/test_postgresql.py::test_a_bad_store_url_is_refused_before_anything_is_written" in quick
    assert not {test for test in service if test.startswith("packages/smttask-core/")}
    assert "packages/smttask-core/tests/test_task.py::test_callable_class_task" in quick
