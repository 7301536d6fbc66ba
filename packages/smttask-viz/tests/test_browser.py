"""The interactive page in a real headless Chromium: no errors, one element per task, clicks, search, zoom, offline."""

from __future__ import annotations

import pytest

from smttask_viz import task_graph

NODE_CENTRE = """(id => { const b = document.querySelector(`g.node[data-id="${id}"]`).getBoundingClientRect();
                          return [b.x + b.width / 2, b.y + b.height / 2]; })"""


def _open(chromium, graph, tmp_path, name="graph.html"):
    path = graph.save(tmp_path / name)
    chromium.open(path)
    assert chromium.evaluate("window.smttaskGraph && window.smttaskGraph.ready") is True
    return path


def test_the_page_draws_every_task_without_errors_and_a_click_shows_its_details(lab, chromium, tmp_path):
    t = lab.tasks
    data = t.Data(n=3, seed=1)
    first = t.Analyze(xs=data, dt=0.1)
    combo = t.Combine(a=first, b=t.Analyze(xs=data, dt=0.2))
    first.run()
    graph = task_graph(combo)
    _open(chromium, graph, tmp_path)
    assert chromium.errors() == []
    assert chromium.evaluate("document.querySelectorAll('g.node').length") == 4
    assert chromium.evaluate("document.querySelectorAll('g.edge').length") == 4
    # every node is on screen after the initial fit
    inside = chromium.evaluate("""[...document.querySelectorAll('g.node')].every(n => {
        const b = n.getBoundingClientRect(); return b.width > 20 && b.left >= 0 && b.top >= 0
            && b.right <= innerWidth && b.bottom <= innerHeight; })""")
    assert inside

    chromium.click(*chromium.evaluate(f"{NODE_CENTRE}({first.static_key!r})"))
    details = chromium.evaluate("document.getElementById('smttask-details').innerText")
    assert "Analyze" in details and first.static_key in details
    assert "stored" in details and "dt" in details and "0.1" in details
    stored_file = graph.nodes[first.static_key].outputs[""]
    assert stored_file in details
    assert chromium.evaluate("document.querySelector('g.node.selected').getAttribute('data-id')") == first.static_key
    assert chromium.evaluate("document.querySelectorAll('g.edge.hl').length") == 2  # xs in, a out
    assert chromium.errors() == []


def test_search_highlights_matching_tasks(lab, chromium, tmp_path):
    t = lab.tasks
    data = t.Data(n=3, seed=1)
    tasks = [t.Analyze(xs=data, dt=dt) for dt in (0.1, 0.2, 0.3)]
    _open(chromium, task_graph(tasks), tmp_path)
    chromium.click(*chromium.evaluate("""(() => { const b = document.getElementById('smttask-search')
        .getBoundingClientRect(); return [b.x + 10, b.y + b.height / 2]; })()"""))
    chromium.send("Input.insertText", {"text": "analyze"})
    assert chromium.evaluate("document.getElementById('smttask-matches').textContent") == "3 matches"
    assert chromium.evaluate("document.querySelectorAll('g.node.match').length") == 3
    chromium.evaluate("document.getElementById('smttask-search').value = ''")
    chromium.send("Input.insertText", {"text": tasks[1].static_key[:10]})
    assert chromium.evaluate("document.getElementById('smttask-matches').textContent") == "1 match"
    assert chromium.errors() == []


def test_the_wheel_zooms_and_a_drag_pans(lab, chromium, tmp_path):
    t = lab.tasks
    _open(chromium, task_graph(t.Analyze(xs=t.Data(n=3, seed=1), dt=0.1)), tmp_path)
    before = chromium.evaluate("[smttaskGraph.view.k, smttaskGraph.view.x]")
    chromium.send("Input.dispatchMouseEvent", {"type": "mouseWheel", "x": 300, "y": 300, "deltaX": 0, "deltaY": -400})
    zoomed = chromium.evaluate("smttaskGraph.view.k")
    assert zoomed > before[0] * 1.5
    x0 = chromium.evaluate("smttaskGraph.view.x")
    for kind, x, buttons in (("mousePressed", 100, 1), ("mouseMoved", 160, 1), ("mouseMoved", 250, 1), ("mouseReleased", 250, 0)):
        chromium.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": 200, "button": "left", "buttons": buttons, "clickCount": 1})
    assert chromium.evaluate("smttaskGraph.view.x") == pytest.approx(x0 + 150, abs=1)
    assert chromium.errors() == []


def test_the_page_fetches_nothing(lab, chromium, tmp_path):
    t = lab.tasks
    chromium.watch_network()
    path = _open(chromium, task_graph(t.Analyze(xs=t.Data(n=3, seed=1), dt=0.1)), tmp_path)
    requested = [url for url in chromium.requests() if not url.startswith("data:")]
    assert requested == [path.resolve().as_uri()]


def test_a_thousand_tasks_stay_usable_collapsed_and_still_draw_expanded(lab, chromium, tmp_path):
    t = lab.tasks
    data = [t.Data(n=3, seed=s) for s in range(4)]
    tasks = [t.Analyze(xs=data[i % 4], dt=i / 1000) for i in range(1000)]
    collapsed = task_graph(tasks)
    assert len(collapsed.nodes) == 1004
    assert len(collapsed.shown.nodes) == 5  # four Data tasks and one "Analyze ×1000"
    _open(chromium, collapsed, tmp_path, "collapsed.html")
    assert chromium.errors() == []
    assert chromium.evaluate("document.querySelectorAll('g.node').length") == 5
    assert chromium.evaluate("document.querySelector('g.node.group text.label').textContent") == "Analyze ×1000"
    # a member is found by its key inside the group, and the group's details list every member
    chromium.evaluate(f"smttaskGraph.search({tasks[500].static_key[:12]!r})")
    assert chromium.evaluate("document.querySelectorAll('g.node.match').length") == 1
    chromium.click(*chromium.evaluate("""(() => { const b = document.querySelector('g.node.group')
        .getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; })()"""))
    details = chromium.evaluate("document.getElementById('smttask-details').innerText")
    assert "1000 tasks" in details and "700 more not listed" in details

    expanded = task_graph(tasks, collapse=0)
    _open(chromium, expanded, tmp_path, "expanded.html")
    assert chromium.errors() == []
    assert chromium.evaluate("document.querySelectorAll('g.node').length") == 1004
    assert chromium.evaluate("document.querySelector('svg.smttask-graph').classList.contains('farther')")  # shapes only
    chromium.evaluate("document.getElementById('smttask-search').focus()")
    chromium.evaluate(f"document.getElementById('smttask-search').value = {tasks[999].static_key[:12]!r}")
    chromium.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Enter", "code": "Enter",
                                              "windowsVirtualKeyCode": 13, "text": "\r"})
    assert chromium.evaluate("document.querySelector('g.node.selected').getAttribute('data-id')") == tasks[999].static_key
    assert chromium.evaluate("smttaskGraph.view.k") > 0.5  # zoomed in to the match: names readable
    assert chromium.errors() == []
