"""The lab book in pictures: RecordStoreView.plot / plot_records, in Chromium and as PNG."""

from __future__ import annotations

import pytest

from smttask_viz import NoRecordsError, PlotSpecError, plot_records


@pytest.fixture
def sweep(recorded_lab):
    t = recorded_lab.tasks
    data = t.Data(n=4, seed=0)  # sum 6.0
    for dt in (0.5, 1.0, 2.0):
        t.Analyze(xs=data, dt=dt).run()
    t.Combine(a=1.0, b=2.0).run()
    with pytest.raises(ValueError):
        t.Fail(x=1.0).run()
    from smttask_sumatra import RecordStoreView

    return RecordStoreView(recorded_lab.project)


def test_the_sweep_panel_pairs_each_parameter_with_its_output(sweep):
    plot = sweep.filter(task="Analyze").plot(param="dt", output="")
    assert sorted((p.x, p.y) for p in plot.data.sweep) == [(0.5, 3.0), (1.0, 6.0), (2.0, 12.0)]


def test_outcomes_and_durations_cover_every_record(sweep):
    plot = plot_records(sweep)
    assert len(plot.data.points) == 5
    assert sorted(p.status for p in plot.data.points).count("crashed") == 1
    assert set(plot.data.tasks) == {"Analyze", "Combine", "Fail"}
    assert all(p.duration is not None for p in plot.data.points)


def test_the_html_plot_renders_in_chromium_without_errors_or_network(sweep, chromium, tmp_path):
    path = sweep.plot(param="dt").save(tmp_path / "records.html")
    chromium.watch_network()
    chromium.open(path)
    # bokeh draws after load: wait for its three plots' canvases (in their shadow roots)
    count = chromium.evaluate("""new Promise(resolve => {
        const deep = root => [...root.querySelectorAll('*')].flatMap(e =>
            [...(e.tagName === 'CANVAS' ? [e] : []), ...(e.shadowRoot ? deep(e.shadowRoot) : [])]);
        let n = 0;
        const tick = () => { const drawn = deep(document).filter(c => c.width > 100 && c.height > 100).length;
            if (drawn >= 3 || ++n > 100) resolve(drawn); else setTimeout(tick, 50); };
        tick(); })""")
    assert count >= 3  # durations, outcomes, the dt sweep
    assert chromium.errors() == []
    assert [u for u in chromium.requests() if not u.startswith("data:")] == [path.resolve().as_uri()]


def test_the_png_plot_is_not_blank(sweep, tmp_path):
    from PIL import Image

    path = sweep.plot(param="dt").save(tmp_path / "records.png")
    image = Image.open(path).convert("RGB")
    assert image.width > 1000 and len(image.getcolors(maxcolors=1 << 20)) > 100


def test_a_parameter_no_record_has_says_which_ones_exist(sweep):
    with pytest.raises(PlotSpecError, match=r"parameter 'lr'.*Parameters of these records: dt, xs"):
        sweep.filter(task="Analyze").plot(param="lr")


def test_an_output_without_a_parameter_is_refused(sweep):
    with pytest.raises(PlotSpecError, match="without a parameter"):
        plot_records(sweep, output="0")


def test_no_records_is_a_clear_error(sweep):
    with pytest.raises(NoRecordsError, match="No record matches"):
        sweep.filter(task="Nothing").plot()
