"""The task graph as data: one node per task, edges named by input, each node's state read without running."""

from __future__ import annotations

import pytest

from smttask_viz import NotATaskError, TaskGraph, task_graph


def test_a_shared_upstream_task_is_one_node_and_a_diamond_stays_a_diamond(lab):
    t = lab.tasks
    data = t.Data(n=3, seed=1)
    combo = t.Combine(a=t.Analyze(xs=data, dt=0.1), b=t.Analyze(xs=data, dt=0.2))
    graph = task_graph(combo)
    assert sorted(n.taskname for n in graph.nodes.values()) == ["Analyze", "Analyze", "Combine", "Data"]
    edges = {(graph.nodes[e.source].taskname, graph.nodes[e.target].taskname, e.input) for e in graph.edges}
    assert edges == {("Data", "Analyze", "xs"), ("Analyze", "Combine", "a"), ("Analyze", "Combine", "b")}
    assert len(graph.edges) == 4  # Data feeds both Analyze tasks
    assert graph.nodes[combo.static_key].requested
    assert not graph.nodes[data.static_key].requested


def test_tasks_inside_a_list_input_are_edges_named_by_position(lab):
    t = lab.tasks
    summary = t.Summary(values=[t.Noise(seed=1), t.Noise(seed=2)])
    graph = task_graph(summary)
    assert sorted(e.input for e in graph.edges) == ["values[0]", "values[1]"]
    assert graph.nodes[summary.static_key].inputs["values"] == "list of 2 task(s): Noise"


def test_states_follow_the_result_from_nothing_to_memory_to_storage(lab):
    t = lab.tasks
    data = t.Data(n=3, seed=1)
    analyze = t.Analyze(xs=data, dt=0.5)
    before = task_graph(analyze)
    assert {n.taskname: n.state for n in before.nodes.values()} == {"Analyze": "not computed", "Data": "not computed"}
    assert analyze.run() == pytest.approx(1.5 + 3.0 * 0.5 + 0.0)  # (1+2+3) * 0.5
    after = task_graph(analyze)
    node = after.nodes[analyze.static_key]
    assert node.state == "stored" and node.in_memory
    assert set(node.outputs) == {""} and node.outputs[""].endswith(".json")
    assert after.nodes[data.static_key].state == "in memory"
    lab.project.memory.clear()
    assert task_graph(analyze).nodes[data.static_key].state == "not computed"


def test_drawing_never_runs_a_task_not_even_an_unpure_one(lab):
    t = lab.tasks
    listing = t.Listing(directory="here")
    graph = task_graph(listing)  # its key needs its output: drawing must not compute it
    assert t.CALLS == []
    assert graph.nodes[listing.static_key].state == "not computed"
    summary = t.Summary(values=[t.Analyze(xs=listing, dt=1.0)])  # keying downstream runs it once, here
    calls = len(t.CALLS)
    graph = task_graph(summary)
    assert len(graph.nodes) == 3 and len(t.CALLS) == calls
    assert graph.nodes[summary.static_key].state == "not computed"


def test_depth_limits_how_far_upstream_the_graph_goes(lab):
    t = lab.tasks
    combo = t.Combine(a=t.Analyze(xs=t.Data(n=3, seed=1), dt=0.1), b=1.0)
    assert len(TaskGraph(combo).nodes) == 3
    assert [n.taskname for n in TaskGraph(combo, depth=1).nodes.values()] == ["Combine", "Analyze"]
    assert [n.taskname for n in TaskGraph(combo, depth=0).nodes.values()] == ["Combine"]


def test_several_tasks_share_one_graph(lab):
    t = lab.tasks
    data = t.Data(n=3, seed=1)
    graph = task_graph([t.Analyze(xs=data, dt=dt) for dt in (0.1, 0.2, 0.3)])
    assert [n.taskname for n in graph.nodes.values()].count("Data") == 1
    assert len(graph.edges) == 3


@pytest.mark.parametrize("value", [3, "Analyze", [1, 2], None])
def test_something_else_than_tasks_is_a_clear_error(lab, value):
    with pytest.raises(NotATaskError, match="takes tasks"):
        task_graph(value)


def test_repr_counts_tasks_and_states(lab):
    t = lab.tasks
    analyze = t.Analyze(xs=t.Data(n=3, seed=1), dt=0.5)
    analyze.run()
    assert repr(task_graph(analyze)) == "<TaskGraph of 2 tasks and 1 edges: 1 stored, 1 in memory>"


def test_to_networkx_gives_the_same_graph(lab):
    nx = pytest.importorskip("networkx", reason="networkx is not installed")
    t = lab.tasks
    data = t.Data(n=3, seed=1)
    g = task_graph(t.Combine(a=t.Analyze(xs=data, dt=0.1), b=t.Analyze(xs=data, dt=0.2))).to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 4
    assert sorted(d["input"] for *_, d in g.edges(data=True)) == ["a", "b", "xs", "xs"]
