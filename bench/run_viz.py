"""smttask-viz benchmark: how 1,000 task files draw, and what each choice costs, measured in one run.

Run with ``.venv/bin/python bench/run_viz.py``. Prints a Markdown table (the
numbers quoted in ``docs/viz.md``). It measures, for a sweep of N tasks over
4 shared upstream tasks saved as task files: reading the files and the state
of every task (memory, storage, lab book); laying out the graph with the
built-in layered layout and with graphviz ``dot`` (on a graph small enough for
dot to finish); the size of the page, collapsed and expanded; and, in a real
headless Chromium, the time from navigation to the page's script being ready,
and the time of 20 zoom steps (a frame each). Benchmarks are reports, not tests.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

TASKS = textwrap.dedent(
    """
    from smttask import MemoizedTask, RecordedTask

    @MemoizedTask
    def load(seed: int) -> list[float]:
        return [float(seed)] * 10

    @RecordedTask
    def simulate(data: list[float], dt: float) -> float:
        return sum(data) * dt
    """
)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def browser_times(page: Path) -> tuple[float, float] | None:
    from smttask_viz.browser import Chromium, find_chromium

    if find_chromium() is None:
        return None
    with Chromium(width=1280, height=800) as browser:
        start = time.perf_counter()
        browser.open(page)
        browser.evaluate("new Promise(r => { const f = () => window.smttaskGraph ? r(1) : setTimeout(f, 5); f(); })")
        ready = time.perf_counter() - start
        zoom = browser.evaluate("""new Promise(r => { let n = 0; const t0 = performance.now();
            const step = () => { smttaskGraph.view.k *= 1.05; smttaskGraph.fit && 0; document.querySelector('#viewport')
              .setAttribute('transform', `scale(${smttaskGraph.view.k})`);
              if (++n < 20) requestAnimationFrame(step); else r((performance.now() - t0) / 20); };
            requestAnimationFrame(step); })""")
        assert browser.errors() == [], browser.errors()
    return ready, zoom / 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from smttask import Project, Task
    from smttask_viz import task_graph
    from smttask_viz.layout import dot_available, dot_layout, layered_layout

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "benchtasks.py").write_text(TASKS)
        sys.path.insert(0, tmp)
        os.chdir(tmp)
        t = importlib.import_module("benchtasks")
        rows = []
        with Project(root).activate():
            data = [t.load(seed=s) for s in range(4)]
            for i in range(args.tasks):
                t.simulate(data=data[i % 4], dt=i / args.tasks).save(root / "sweep")
            files = sorted((root / "sweep").iterdir())
            tasks, read = timed(lambda: [Task.from_desc(f) for f in files])
            graph, state = timed(task_graph, tasks)
            rows.append((f"read {len(files)} task files", f"{read:.2f} s"))
            rows.append(("state of every task (memory, storage, lab book, logs)", f"{state:.2f} s"))
            _, collapse_t = timed(lambda: graph.shown)
            rows.append(("collapse same-named tasks", f"{collapse_t * 1000:.1f} ms: {len(graph.nodes)} tasks → {len(graph.shown.nodes)} nodes"))
            expanded = task_graph(tasks, collapse=0, layout="layered")
            _, lay = timed(layered_layout, expanded.graph)
            rows.append((f"built-in layered layout, {len(expanded.nodes)} nodes", f"{lay:.2f} s"))
            small = task_graph(tasks[:200], collapse=0)
            _, lay_small = timed(layered_layout, small.graph)
            if dot_available():
                _, dot_small = timed(dot_layout, small.graph)
                rows.append((f"layout of {len(small.nodes)} nodes: dot / built-in", f"{dot_small:.2f} s / {lay_small:.3f} s = {dot_small / lay_small:.0f}×"))
            for name, g in (("collapsed", graph), ("expanded", expanded)):
                page, render = timed(g.save, root / f"{name}.html")
                size = page.stat().st_size
                rows.append((f"page, {name}: write / size", f"{render:.2f} s / {size / 1024:.0f} KiB"))
                times = browser_times(page)
                if times is not None:
                    rows.append((f"page, {name}: Chromium load to ready / one zoom frame",
                                 f"{times[0]:.2f} s / {times[1] * 1000:.1f} ms"))
            ratio_page = (root / "expanded.html").stat().st_size / (root / "collapsed.html").stat().st_size
            rows.append(("page size expanded / collapsed", f"{ratio_page:.0f}×"))
    print(f"smttask-viz, {args.tasks} task files ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)\n")
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
