"""Helpers of smttask-sumatra's tests: a real git repository in a temporary directory, holding a real Sumatra project.

Each test gets its own repository, copied from one built once per test process,
with a task module (imported afresh for each test, so tests never share imported
code), a project made by ``init_project`` and committed, and an smttask ``Project`` whose plugin manager
holds only the built-ins and this plugin.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from click.testing import CliRunner, Result

from smttask import Project
from smttask.plugins import make_plugin_manager
from smttask_sumatra import plugin
from smttask_sumatra.cli import register
from smttask_sumatra.settings import SumatraSettings
from smttask_sumatra.smtproject import SumatraProject
from smttask_sumatra.store import RecordStore
from smttask_sumatra.view import RecordStoreView

TASKS_SOURCE = textwrap.dedent(
    '''
    """Tasks of the test lab (written into each test repository)."""
    import sys
    from pathlib import Path

    from smttask import MemoizedTask, RecordedTask, TaskOutput


    @RecordedTask
    def Square(x: float) -> float:
        print(f"squaring {x}")
        return x * x


    @RecordedTask
    def Plus(a: float, b: float) -> float:
        return a + b


    @MemoizedTask
    def Double(x: float) -> float:
        return 2 * x


    @RecordedTask
    def Fail(x: float) -> float:
        print("about to fail", file=sys.stderr)
        raise ValueError(f"bad input {x}")


    @RecordedTask
    def Interrupted(x: float) -> float:
        raise KeyboardInterrupt


    class FitResult(TaskOutput):
        value: float
        outcome: str


    @RecordedTask
    def Fit(x: float) -> FitResult:
        return FitResult(value=x, outcome=f"converged at {x}")


    @RecordedTask
    def CountBytes(path: Path) -> int:
        return len(Path(path).read_bytes())


    HOLD = []


    @RecordedTask
    def ForgetRows(x: float) -> float:
        """Empties the record store's executable and platform tables while it runs (as a flush would)."""
        import sqlite3

        connection = sqlite3.connect(".smt/records", isolation_level=None)
        connection.execute("DELETE FROM django_store_executable")
        connection.execute("DELETE FROM django_store_platforminformation")
        connection.close()
        return x

    @RecordedTask
    def LockStore(x: float) -> float:
        """Takes the record store's write lock and keeps it (the test releases it)."""
        import sqlite3

        connection = sqlite3.connect(".smt/records", isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        HOLD.append(connection)
        return x
    '''
)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


#: The repository settings of every test repository, appended to its ``.git/config`` (one git process, not four).
GIT_CONFIG = "[user]\n\tname = Tester\n\temail = tester@example.org\n[commit]\n\tgpgsign = false\n"


def make_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    with open(root / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(GIT_CONFIG)
    return root


def commit_all(root: Path, message: str = "update") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@dataclass
class Lab:
    """A committed git repository with a Sumatra project and a task module."""

    root: Path
    project: Project
    tasks: ModuleType

    @property
    def module_file(self) -> Path:
        return Path(self.tasks.__file__)

    def commit(self, message: str = "update") -> None:
        commit_all(self.root, message)

    def with_settings(self, **sumatra: Any) -> Project:
        """A new project object on the same root with these [sumatra] settings."""
        config = dataclasses.replace(self.project.config, plugins={"sumatra": sumatra})
        return Project(self.root, config=config, plugin_manager=self.project.plugin_manager)

    def store(self) -> RecordStore:
        return RecordStore(SumatraProject.load(self.root), SumatraSettings())

    def view(self) -> RecordStoreView:
        return RecordStoreView(self.project)

    def sumatra_records(self) -> list[Any]:
        """Every record, read back with Sumatra's own store API."""
        store = self.store()
        with store.session() as smt_store:
            return smt_store.list(store.project_name)


def plugin_manager() -> Any:
    return make_plugin_manager(load_entry_points=False, plugins=[plugin])


class State:
    """Stands in for the CLI's per-invocation state: commands ask it for the project."""

    def __init__(self, project: Project) -> None:
        self._project = project

    def project(self) -> Project:
        return self._project


def invoke(lab: Lab, *args: str, project: Project | None = None) -> Result:
    """Run the plugin's commands (``smttask project …``, ``smttask records …``) on the lab's project."""
    group = click.Group("smttask")
    register(group)
    runner = CliRunner()
    return runner.invoke(
        group, list(args), obj=State(project or lab.project), catch_exceptions=False
    )


# --- real filesystem faults: a read-only or full directory --------------------------------
def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def can_mount() -> bool:
    """True if this process may mount filesystems (root, and a kernel that lets it)."""
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """Make *directory* read-only inside the block: a read-only bind mount as root, else ``chmod a-w``.

    (Root ignores file permissions, so only a mount makes a directory read-only for it.)
    """
    if can_mount() and _mount("--bind", str(directory), str(directory)):
        try:
            if not _mount("-o", "remount,ro,bind", str(directory)):
                raise RuntimeError(f"could not remount {directory} read-only")
            yield
        finally:
            subprocess.run(["umount", str(directory)], check=True)
        return
    mode = directory.stat().st_mode
    directory.chmod(mode & ~0o222)
    try:
        yield
    finally:
        directory.chmod(mode)


@contextmanager
def small_filesystem(directory: Path, size_kib: int) -> Iterator[None]:
    """Put *directory* on a tmpfs of *size_kib* KiB inside the block (root only).

    Its content is copied onto the tmpfs first, and what the block left there
    is copied back after unmounting.
    """
    outside = directory.with_name(f".{directory.name}.outside")
    shutil.copytree(directory, outside, symlinks=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(directory)):
        shutil.rmtree(outside)
        raise RuntimeError(f"could not mount a tmpfs on {directory}")
    try:
        shutil.copytree(outside, directory, symlinks=True, dirs_exist_ok=True)
        yield
    finally:
        shutil.rmtree(outside)
        shutil.copytree(directory, outside, symlinks=True)
        subprocess.run(["umount", str(directory)], check=True)
        shutil.rmtree(directory)
        outside.rename(directory)


def fill(directory: Path) -> Path:
    """Write a file in *directory* until its filesystem has no block left; return the file."""
    filler = directory / "filler"
    block = b"\0" * 65536
    with filler.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    with filler.open("ab", buffering=0) as f:  # the last, partial block
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    return filler


def clone_records(project: Project, total: int, vary: Callable[[int, dict[str, Any]], str]) -> None:
    """Grow the project's store to *total* records by cloning its first one, in the database (bulk inserts).

    Clone *i* gets its own parameters (``vary(i, inputs)`` changes the inputs
    and returns the task name), label, output data key, and a timestamp
    ``total - i`` seconds before the first record's. Making thousands of real
    runs would take minutes; the rows are what reading the lab book sees.
    """
    from smttask_sumatra.settings import SumatraSettings
    from smttask_sumatra.smtproject import SumatraProject
    from smttask_sumatra.store import RecordStore

    store = RecordStore(
        SumatraProject.load(project.root), SumatraSettings.from_config(project.config)
    )
    with store.session():
        from django.db import transaction
        from sumatra.recordstore.django_store import models

        rows = models.Record.objects.using("default")
        have = rows.count()
        template = rows.order_by("db_id").first()
        outputs = list(template.output_data.all())
        doc = json.loads(template.parameters.content)
        for start in range(have, total, 5000):
            stop = min(start + 5000, total)
            with transaction.atomic(using="default"):
                params, names = [], []
                for i in range(start, stop):
                    names.append(vary(i, doc["inputs"]))
                    params.append(
                        models.ParameterSet(type=template.parameters.type, content=json.dumps(doc))
                    )
                params = models.ParameterSet.objects.using("default").bulk_create(params)
                records = []
                for n, i in enumerate(range(start, stop)):
                    clone = models.Record(
                        **{
                            f.attname: getattr(template, f.attname)
                            for f in models.Record._meta.concrete_fields
                            if f.attname != "db_id"
                        }
                    )
                    clone.label = f"{template.label}-{i}"
                    clone.timestamp = template.timestamp - timedelta(seconds=total - i)
                    clone.script_arguments = names[n]
                    clone.parameters_id = params[n].id
                    records.append(clone)
                records = models.Record.objects.using("default").bulk_create(records)
                if outputs:
                    key = outputs[0]
                    models.DataKey.objects.using("default").bulk_create(
                        models.DataKey(
                            path=f"{key.path}.{n}",
                            digest=key.digest,
                            creation=key.creation,
                            metadata=key.metadata,
                            output_from_record_id=r.db_id,
                        )
                        for n, r in enumerate(records, start)
                    )


def count_queries(read: Callable[[], Any]) -> int:
    """How many SQL statements *read* issues on record stores (Django's query capture, per store session)."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from smttask_sumatra import djangodb

    counts: list[int] = []
    real = djangodb.database

    @contextmanager
    def capturing(*args: Any, **kwargs: Any) -> Iterator[None]:
        with real(*args, **kwargs), CaptureQueriesContext(connections["default"]) as queries:
            try:
                yield
            finally:
                counts.append(len(queries))

    djangodb.database = capturing
    try:
        read()
    finally:
        djangodb.database = real
    return sum(counts)

