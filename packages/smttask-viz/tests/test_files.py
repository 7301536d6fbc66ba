"""Static pictures and the page as files: SVG (valid XML, one element per task), PNG/PDF, HTML offline."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from smttask_viz import UnknownFormatError, task_graph

SVG_NS = "{http://www.w3.org/2000/svg}"


def _diamond(t):
    data = t.Data(n=3, seed=1)
    return t.Combine(a=t.Analyze(xs=data, dt=0.1), b=t.Analyze(xs=data, dt=0.2))


@pytest.mark.parametrize("engine", ["layered", "auto"])
def test_svg_has_one_node_element_per_task_and_labelled_edges(lab, tmp_path, engine):
    graph = task_graph(_diamond(lab.tasks), layout=engine)
    path = graph.save(tmp_path / "graph.svg")
    root = ET.parse(path).getroot()
    nodes = [g for g in root.iter(f"{SVG_NS}g") if "node" in g.get("class", "").split()]
    assert sorted(g.get("data-id") for g in nodes) == sorted(graph.nodes)
    edge_labels = sorted(t.text for t in root.iter(f"{SVG_NS}text") if t.get("class") == "elabel")
    assert edge_labels == ["a", "b", "xs", "xs"]
    assert "not computed" in path.read_text()


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF")])
def test_png_and_pdf_are_drawn_without_a_browser(lab, tmp_path, suffix, magic):
    path = task_graph(_diamond(lab.tasks), layout="layered").save(tmp_path / f"graph{suffix}")
    data = path.read_bytes()
    assert data.startswith(magic) and len(data) > 5000


def test_the_png_is_not_blank(lab, tmp_path):
    from PIL import Image

    path = task_graph(_diamond(lab.tasks)).save(tmp_path / "graph.png")
    image = Image.open(path).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # fills, borders, text
    assert max(colours)[0] < 0.95 * image.width * image.height  # not all white


def test_the_page_is_self_contained(lab, tmp_path):
    page = task_graph(_diamond(lab.tasks)).save(tmp_path / "graph.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script src" not in page and "<link" not in page
    assert page.count('class="node ') == 4


def test_a_hostile_task_name_or_input_stays_text(lab, tmp_path):
    t = lab.tasks
    task = t.Analyze(xs=[1.0], dt=0.5)
    graph = task_graph(task)
    node = graph.nodes[task.static_key]
    node.taskname = '<script>alert(1)</script>{{JS}}'
    node.inputs["dt"] = "</script><img src=x onerror=alert(2)>"
    page = graph.html()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert page.count("<script") == 2  # the data block and our own script
    ET.fromstring(graph.svg())  # still valid XML


def test_an_unknown_suffix_says_which_ones_work(lab, tmp_path):
    with pytest.raises(UnknownFormatError, match=r"\.html, \.htm, \.pdf, \.png, \.svg|\.htm, \.html, \.pdf"):
        task_graph(_diamond(lab.tasks)).save(tmp_path / "graph.jpeg")


def test_draw_returns_a_matplotlib_figure_on_given_axes(lab):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert task_graph(_diamond(lab.tasks)).draw(ax=ax) is fig
    assert len(ax.patches) >= 4 + 4  # boxes and edges
    assert {t.get_text() for t in ax.texts} >= {"Combine", "Analyze", "Data", "xs", "a", "b"}


def test_saving_into_a_new_directory_creates_it(lab, tmp_path):
    path = task_graph(_diamond(lab.tasks)).save(tmp_path / "pictures" / "deep" / "graph.html")
    assert path.is_file()
