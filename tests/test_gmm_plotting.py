"""The GMM figure draws a fixed sample of a large data set, with each drawn point's own γ."""

import numpy as np

from clustering import datasets, gmm, plotting
from clustering.constants import UNASSIGNED_COLOUR
from clustering.ui import gmm_panels


def test_large_data_draws_the_sample_with_matching_colours_and_hover():
    X = datasets.make("blobs", n=plotting.MAX_DRAWN_POINTS + 5_000, seed=0).X
    params = gmm.init_params(X, 3, method="kmeans", seed=0)
    resp = gmm.e_step(X, params)
    x_range, y_range = plotting.axis_ranges(X)
    figure = plotting.gmm_figure(X, params, resp, x_range, y_range)
    points = next(trace for trace in figure.data if trace.x is not None and len(trace.x) > 1000)
    indices = plotting.drawn_indices(X.shape[0])
    assert len(points.x) == len(indices) == plotting.MAX_DRAWN_POINTS
    np.testing.assert_allclose(points.x, X[indices, 0], rtol=1e-6)  # sent as float32
    # this many points carry nothing (20,000 numbers or γ rows would be much to send): a
    # click's position in the trace is mapped back through the sample
    assert points.customdata is None
    for position in (0, 1, len(indices) - 1):
        click = {"name": points.name, "point_index": position, "customdata": None}
        assert gmm_panels.clicked_point(click, X.shape[0]) == indices[position]
    assert gmm_panels.clicked_point({"name": "means μₖ", "point_index": 1}, X.shape[0]) is None
    assert gmm_panels.clicked_point({"name": points.name, "point_index": 10**9}, X.shape[0]) is None
    expected = plotting.responsibility_colours(resp[indices], len(indices), "blend")
    assert list(points.marker.color) == expected


def test_few_points_carry_their_gamma_for_the_hover_label():
    X = datasets.make("blobs", n=300, seed=0).X
    params = gmm.init_params(X, 3, method="kmeans", seed=0)
    resp = gmm.e_step(X, params)
    x_range, y_range = plotting.axis_ranges(X)
    figure = plotting.gmm_figure(X, params, resp, x_range, y_range)
    points = next(trace for trace in figure.data if trace.customdata is not None and len(trace.x) == 300)
    assert points.type == "scatter"  # few points: SVG, not WebGL
    customdata = np.asarray(points.customdata)
    np.testing.assert_array_equal(customdata[:, 0], np.arange(300))
    np.testing.assert_allclose(customdata[:, 1:], np.round(resp, 3), atol=1e-6)
    assert "γ1 = %{customdata[1]" in points.hovertemplate
    click = {"name": points.name, "point_index": 7, "customdata": list(customdata[7])}
    assert gmm_panels.clicked_point(click, 300) == 7
    assert gmm_panels.clicked_point({"customdata": {"0": 12.0, "1": 0.5}}, 300) == 12
    assert gmm_panels.clicked_point({"customdata": [400.0]}, 300) is None  # not a point of X


def test_webgl_points_carry_the_ellipses_means_and_ring_on_top_and_the_labels_above():
    """On its page the figure is WebGL at any N (plotly_view keeps one WebGL context): what lies
    on the points must be WebGL too, or it would hide beneath them."""
    X = datasets.make("mouse", seed=0).X
    params = gmm.init_params(X, 3, method="kmeans", seed=0)
    resp = gmm.e_step(X, params)
    moved = gmm.m_step(X, resp)
    x_range, y_range = plotting.axis_ranges(X)
    for webgl, expected in ((True, "scattergl"), (False, "scatter"), (None, "scatter")):
        figure = plotting.gmm_figure(X, moved, resp, x_range, y_range, previous=params,
                                     selected=3, webgl=webgl)
        drawn = [t for t in figure.data if t.x is not None and None not in list(t.x)[:1]]
        assert {t.type for t in drawn} == {expected}, webgl
        assert len(drawn) == 1 + 2 * (3 * 2 + 1) + 1  # points, ellipses and means twice, ring
        labels = [a.text for a in figure.layout.annotations]
        means = next(t for t in drawn if t.name == "means μₖ")
        if expected == "scattergl":  # the labels as annotations, above the WebGL layer
            assert labels == ["<b>μ<sub>1</sub></b>", "<b>μ<sub>2</sub></b>", "<b>μ<sub>3</sub></b>"]
            assert means.text is None
        else:
            assert not labels and list(means.text) == ["<b>μ₁</b>", "<b>μ₂</b>", "<b>μ₃</b>"]


def test_blend_colours_mix_the_component_colours_by_gamma():
    resp = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    colours = plotting.responsibility_colours(resp, 4, "blend")
    assert colours[:2] == [plotting.colour(0), plotting.colour(2)]  # a sure point: its colour
    palette = np.array([plotting.hex_to_rgb(plotting.colour(j)) for j in range(3)], dtype=float)
    for colour, gamma in zip(colours[2:], resp[2:], strict=True):
        assert plotting.hex_to_rgb(colour) == tuple(np.rint(gamma @ palette).astype(int))
    assert plotting.responsibility_colours(None, 2) == [UNASSIGNED_COLOUR] * 2
