"""The K-means figures: what each symbol is, arrows after an M step, rings after an E step."""

from __future__ import annotations

import numpy as np

from clustering import datasets, kmeans, plotting, presets, voronoi
from clustering.constants import UNASSIGNED_COLOUR


def _steps():
    X = datasets.make("blobs", n=300, seed=1).X
    start = presets.one_corner(X, 3)  # a bad start: many points change cluster
    labels0 = kmeans.assign(X, start)
    moved = kmeans.update(X, labels0, start)
    labels1 = kmeans.assign(X, moved)
    return X, start, labels0, moved, labels1


def _legend(figure) -> list[str]:
    return [trace.name for trace in figure.data if trace.showlegend]


def test_before_the_first_e_step_the_points_are_grey():
    X, start, *_ = _steps()
    x_range, y_range = plotting.axis_ranges(X)
    figure = plotting.kmeans_figure(X, start, None, x_range=x_range, y_range=y_range)
    points = [t for t in figure.data if t.name == "points"][0]
    assert points.marker.color == UNASSIGNED_COLOUR
    assert "point (no cluster yet)" in _legend(figure) and "centroid u<sub>k</sub>" in _legend(figure)
    assert figure.layout.yaxis.scaleanchor == "x" and figure.layout.yaxis.scaleratio == 1
    assert list(figure.layout.xaxis.range) == list(x_range) and figure.layout.xaxis.autorange is False
    assert [a.text for a in figure.layout.annotations] == [
        "<b>u<sub>1</sub></b>", "<b>u<sub>2</sub></b>", "<b>u<sub>3</sub></b>"]


def test_an_m_step_draws_an_arrow_per_moved_centroid_and_the_old_places():
    X, start, labels0, moved, _ = _steps()
    x_range, y_range = plotting.axis_ranges(X)
    figure = plotting.kmeans_figure(X, moved, labels0, x_range=x_range, y_range=y_range,
                                    trails=np.array([start, moved]), previous=start)
    arrows = [a for a in figure.layout.annotations if a.showarrow]
    moved_count = int(np.sum(np.linalg.norm(moved - start, axis=1) > 0))
    assert len(arrows) == moved_count >= 1
    for arrow in arrows:
        assert arrow.axref == "x" and arrow.ayref == "y"
    assert "before (→ now)" in _legend(figure)
    assert "trail" in _legend(figure)
    points = [t for t in figure.data if t.name == "points"][0]
    assert points.marker.cmin == -0.5 and points.marker.cmax == 2.5  # one colour per cluster


def test_an_e_step_rings_the_points_that_changed_and_regions_shade():
    X, start, labels0, moved, labels1 = _steps()
    x_range, y_range = plotting.axis_ranges(X)
    changed = labels1 != labels0
    figure = plotting.kmeans_figure(X, moved, labels1, x_range=x_range, y_range=y_range,
                                    changed=changed, regions=voronoi.regions(moved, x_range, y_range),
                                    selected=3)
    rings = [t for t in figure.data if t.name == "rings: changed cluster"]
    assert len(rings) == 1 and len(rings[0].x) == int(changed.sum()) > 0
    assert "changed cluster" in _legend(figure)
    assert "nearest-centroid region" in _legend(figure)
    assert "selected x<sub>n</sub>" in _legend(figure)
    assert sum(1 for t in figure.data if t.fill == "toself") == 3


def test_placement_figure_has_an_invisible_click_grid():
    X, start, *_ = _steps()
    x_range, y_range = plotting.axis_ranges(X)
    figure = plotting.placement_figure(X, [(1.0, 2.0), None, (None, None)], x_range=x_range,
                                       y_range=y_range)
    grid = [t for t in figure.data if t.name == "click target"][0]
    assert len(grid.x) == plotting.CLICK_GRID_SIZE ** 2 and grid.hoverinfo == "none"
    assert min(grid.x) == np.float32(x_range[0]) and max(grid.y) == np.float32(y_range[1])
    assert [a.text for a in figure.layout.annotations] == ["<b>u<sub>1</sub></b>"]


def test_objective_and_restarts_figures():
    figure = plotting.objective_figure([None, 10.0, 8.0, 7.5, 7.5], ["init", "E", "M", "E", "M"], 3)
    names = [t.name for t in figure.data]
    assert "after an E step (assign)" in names and "after an M step (move)" in names
    e_trace = figure.data[names.index("after an E step (assign)")]
    assert list(e_trace.x) == [1, 3]
    hist = plotting.restarts_figure(np.array([5.0, 5.0, 9.0]), 5.0, 9.0, "this run")
    texts = [a.text for a in hist.layout.annotations]
    assert any(t.startswith("best: J = 5") for t in texts) and any("this run: J = 9" in t for t in texts)


def test_few_points_are_svg_and_many_webgl_with_everything_on_top_alike():
    """A new WebGL context per redraw costs the browser more than a few thousand SVG points."""
    for n, expected in ((300, "scatter"), (plotting.WEBGL_THRESHOLD + 1, "scattergl")):
        X = datasets.make("blobs", n=n, seed=1).X
        start = presets.one_corner(X, 3)
        labels = kmeans.assign(X, start)
        moved = kmeans.update(X, labels, start)
        x_range, y_range = plotting.axis_ranges(X)
        figure = plotting.kmeans_figure(X, moved, labels, x_range=x_range, y_range=y_range,
                                        previous=start, trails=np.stack([start, moved]), selected=0)
        drawn = [t for t in figure.data if t.x is not None and None not in list(t.x)[:1]
                 and not getattr(t, "fill", None)]
        assert {t.type for t in drawn} == {expected}, n
        assert figure.layout.template.layout.to_plotly_json() == {}  # Plotly's empty template


def test_webgl_true_or_false_decides_the_type_whatever_n():
    """The page asks for WebGL at any N (plotly_view keeps one WebGL context per figure)."""
    X = datasets.make("blobs", n=300, seed=1).X
    start = presets.one_corner(X, 3)
    labels = kmeans.assign(X, start)
    moved = kmeans.update(X, labels, start)
    x_range, y_range = plotting.axis_ranges(X)
    for webgl, expected in ((True, "scattergl"), (False, "scatter")):
        figure = plotting.kmeans_figure(X, moved, labels, x_range=x_range, y_range=y_range,
                                        previous=start, trails=np.stack([start, moved]), selected=0,
                                        webgl=webgl)
        drawn = [t for t in figure.data if t.x is not None and None not in list(t.x)[:1]
                 and not getattr(t, "fill", None)]
        assert {t.type for t in drawn} == {expected}, webgl
    assert plotting.scatter_type(10**6, webgl=False) == "scatter"
    assert plotting.scatter_type(3, webgl=True) == "scattergl"
