"""Reading a big lab book: smttask's record views against plain sqlite3 and Sumatra's own reader, in one run.

Run with ``.venv/bin/python bench/run_labbook.py [--records 100000]``. Builds a
real Sumatra project in a temporary git repository, records one real run of a
task, then clones that record in the database (bulk inserts, each clone with
its own parameters, output data key, label and timestamp) up to each size,
spread over 10 task names with 100 values of ``dt`` per task. At each size it
times, in this process (medians of interleaved rounds, each on a new view):
what ``smttask records`` shows (50 newest), ``.latest``, ``len()``, a task +
parameter filter matching 100 records and its DataFrame, and the whole list.
The peer of each read is the same rows read with the standard library's
sqlite3; at the smaller size the whole list is also compared with Sumatra's
own ``RecordStore.list`` (what ``smt list`` reads). It counts the SQL queries
each read issues. Benchmarks are reports, not tests; docs/benchmarks.md gets
the table.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchdoc import machine_summary, write_section

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1] / "packages" / "smttask-sumatra" / "tests")
)
from sumatra_lab import clone_records, count_queries  # noqa: E402  (the tests' helper: one way to grow a store)

TASKS = textwrap.dedent(
    """
    from smttask import RecordedTask

    @RecordedTask
    def simulate(dt: float, seed: int) -> float:
        return dt * seed
    """
)
TASK_NAMES = 10
DT_VALUES = 100


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def make_lab(root: Path) -> Any:
    """A committed git repository with a task module and a Sumatra project; the active smttask Project."""
    from smttask import Project
    from smttask_sumatra.initialize import init_project

    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "bench@example.org")
    git(root, "config", "user.name", "bench")
    (root / "labbook_tasks.py").write_text(TASKS, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "tasks")
    init_project(root, name="bench")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "project")
    os.chdir(root)
    sys.path.insert(0, str(root))
    return Project(root)


def vary(i: int, inputs: dict[str, Any]) -> str:
    """Clone *i*'s inputs and task name: 10 task names, 100 values of ``dt`` per task."""
    inputs["dt"] = (i // TASK_NAMES) % DT_VALUES / 100
    inputs["seed"] = i
    return "simulate" if i % TASK_NAMES == 0 else f"task{i % TASK_NAMES}"


def timed(fn: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


class RawReads:
    """The peer: the same rows read with the standard library's sqlite3 (one SELECT each, JSON parsed).

    This is the floor under any reader of Sumatra's store: it builds no
    objects, only tuples and the parsed parameters.
    """

    ROW = (
        "SELECT r.db_id, r.label, r.timestamp, r.script_arguments, r.tags, r.reason, r.outcome, "
        "r.duration, r.main_file, r.version, r.user, p.content FROM django_store_record r "
        "JOIN django_store_parameterset p ON p.id = r.parameters_id"
    )
    ORDER = " ORDER BY r.timestamp DESC, r.db_id DESC"

    def __init__(self, path: Path) -> None:
        self.path = path

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import sqlite3

        with sqlite3.connect(self.path) as db:
            rows = [(*row[:-1], json.loads(row[-1])) for row in db.execute(sql, args)]
            ids = [row[0] for row in rows]
            keys: dict[int, list[tuple[Any, ...]]] = {}
            for chunk in range(0, len(ids), 900):
                part = ids[chunk : chunk + 900]
                marks = ",".join("?" * len(part))
                for key in db.execute(
                    "SELECT output_from_record_id, path, digest, metadata FROM django_store_datakey "
                    f"WHERE output_from_record_id IN ({marks})",
                    part,
                ):
                    keys.setdefault(key[0], []).append(key)
        return [(*row, keys.get(row[0], [])) for row in rows]

    def head(self, n: int) -> list[tuple[Any, ...]]:
        return self._rows(self.ROW + self.ORDER + " LIMIT ?", (n,))

    def count(self) -> int:
        import sqlite3

        with sqlite3.connect(self.path) as db:
            return db.execute("SELECT COUNT(*) FROM django_store_record").fetchone()[0]

    def param_filter(self, task: str, dt: float) -> list[tuple[Any, ...]]:
        rows = self._rows(self.ROW + " WHERE r.script_arguments = ?" + self.ORDER, (task,))
        return [row for row in rows if row[11]["inputs"].get("dt") == dt]

    def everything(self) -> list[tuple[Any, ...]]:
        return self._rows(self.ROW + self.ORDER)


def measure(
    project: Any, size: int, rounds: int, sumatra: bool
) -> list[tuple[str, float, float, int]]:
    """(read, smttask seconds, peer seconds, SQL queries) for each read at this size."""
    import pandas

    from smttask_sumatra import RecordStoreView
    from smttask_sumatra.settings import SumatraSettings
    from smttask_sumatra.smtproject import SumatraProject
    from smttask_sumatra.store import RecordStore

    dt = 0.07
    store = RecordStore(
        SumatraProject.load(project.root), SumatraSettings.from_config(project.config)
    )
    raw = RawReads(store.path)

    def view_filter() -> Any:
        return RecordStoreView(project).filter(task="simulate").params(eq={"dt": dt})

    reads: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (
            "`smttask records` (50 newest)",
            lambda: RecordStoreView(project).head(50),
            lambda: raw.head(50),
        ),
        ("`.latest`", lambda: RecordStoreView(project).latest, lambda: raw.head(1)),
        ("`len()`", lambda: len(RecordStoreView(project)), raw.count),
        (
            "task + parameter filter (100 records)",
            lambda: view_filter().list,
            lambda: raw.param_filter("simulate", dt),
        ),
        (
            "... and its `.dataframe()`",
            lambda: view_filter().dataframe(),
            lambda: pandas.DataFrame(raw.param_filter("simulate", dt)),
        ),
        ("every record (`-n 0`)", lambda: RecordStoreView(project).list, raw.everything),
    ]
    expected = size // TASK_NAMES // DT_VALUES
    assert len(view_filter().list) == len(raw.param_filter("simulate", dt)) == expected
    rows = []
    for name, ours, peer in reads:
        ours_s, peer_s = timed_pair(ours, peer, rounds)
        rows.append((name, ours_s, peer_s, count_queries(ours)))
    if sumatra:

        def sumatra_list() -> Any:
            with store.session() as smt_store:
                return smt_store.list("bench")

        ours_s, peer_s = timed_pair(lambda: RecordStoreView(project).list, sumatra_list, 1)
        rows.append(
            (
                "every record, against Sumatra's own `RecordStore.list` (what `smt list` reads)",
                ours_s,
                peer_s,
                0,
            )
        )
    return rows


def timed_pair(
    ours: Callable[[], Any], peer: Callable[[], Any], rounds: int
) -> tuple[float, float]:
    """Medians of *rounds* interleaved rounds of *ours* and *peer* (one warm-up round each)."""
    ours()
    peer()
    a, b = [], []
    for _ in range(rounds):
        a.append(timed(ours, 1)[0])
        b.append(timed(peer, 1)[0])
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--records", type=int, default=100_000, help="largest lab book (default 100000)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-doc", action="store_true", help="print only; do not rewrite docs/benchmarks.md"
    )
    args = parser.parse_args()
    sizes = sorted({min(10_000, args.records), args.records})
    with tempfile.TemporaryDirectory(prefix="smttask-labbook-") as tmp:
        project = make_lab(Path(tmp) / "lab")
        with project.activate():
            importlib.import_module("labbook_tasks").simulate(dt=0.0, seed=0).run()
            table = []
            for size in sizes:
                clone_records(project, size, vary)
                for name, ours, peer, queries in measure(
                    project, size, args.rounds, size == sizes[0]
                ):
                    table.append(
                        f"| {size:,} | {name} | {ours * 1000:,.1f} ms | {peer * 1000:,.1f} ms "
                        f"| {ours / peer:.2f}x | {queries or '—'} |"
                    )
    text = "\n".join(
        [
            "## Lab book reads",
            "",
            f"`bench/run_labbook.py` on {machine_summary()}. A real Sumatra store grown by cloning a real "
            f"record (10 task names, {DT_VALUES} values of `dt` per task); medians of {args.rounds} "
            "interleaved rounds, each on a new `RecordStoreView`. The peer reads the same rows with the "
            "standard library's `sqlite3` (one SELECT, parameters JSON-parsed, output keys joined: the floor "
            "under any reader); the last row compares with Sumatra's own reader at the smaller size only "
            "(it issues queries per record and takes minutes beyond that). Ratio = smttask / peer. "
            "Queries: SQL statements smttask's read issues, whatever the size.",
            "",
            "| records | read | smttask | peer | ratio | queries |",
            "|---|---|---|---|---|---|",
            *table,
            "",
        ]
    )
    print(text)
    if not args.no_doc:
        write_section("## Lab book reads", text)


if __name__ == "__main__":
    main()
