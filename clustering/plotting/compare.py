"""The Compare page's figures: two algorithms side by side, and the σ → 0 limit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from clustering.plotting.gmm import gmm_figure
from clustering.plotting.style import (
    CENTROID_SIZE,
    FONT_SIZE,
    OUTLINE_COLOUR,
    centroid_trace,
    colour,
    legend_entry,
)

COMPARE_HEIGHT = 660


COMPARE_LEGEND_SPACE = 150  # pixels under the plot for the axis title and the legend


COMPARE_AXIS_SPACE = 50  # of which the tick labels and the x axis title take this many


def side_by_side(figure: go.Figure, height: int = COMPARE_HEIGHT) -> go.Figure:
    """Lay ``figure`` out to sit next to another one: the same height and fixed margins, the
    legend in rows under the plot, so that two equal-scale plot areas line up exactly.

    The margins do not grow with the legend (``autoexpand`` off): a legend of three or four
    rows fits into ``COMPARE_LEGEND_SPACE``. The legend's title, if any, is dropped: the page
    says what the symbols mean where a title would not fit.
    """
    figure.update_layout(
        height=height,
        margin=dict(l=60, r=10, t=10, b=COMPARE_LEGEND_SPACE, autoexpand=False),
        legend=dict(orientation="h", x=0, xanchor="left", xref="container",
                    y=(COMPARE_LEGEND_SPACE - COMPARE_AXIS_SPACE) / height, yanchor="top",
                    yref="container", font=dict(size=FONT_SIZE - 3), itemsizing="constant",
                    entrywidth=0, entrywidthmode="pixels", title=None),  # 0: as wide as its text
    )
    figure.update_xaxes(tickfont=dict(size=FONT_SIZE - 2), title_font=dict(size=FONT_SIZE))
    figure.update_yaxes(tickfont=dict(size=FONT_SIZE - 2), title_font=dict(size=FONT_SIZE))
    return figure


def sigma_limit_figure(
    X: np.ndarray,
    params,
    resp: np.ndarray,
    centroids: np.ndarray,
    x_range: Sequence[float],
    y_range: Sequence[float],
    height: int = COMPARE_HEIGHT,
) -> go.Figure:
    """EM with weights 1/K and one variance σ²I, next to K-means from the same start.

    X : (N, 2) points coloured by the blend of their responsibilities ``resp`` (N, K);
    params : the σ-limit mixture (its means μ_k as large dots, a circle of radius σ round each);
    centroids : (K, 2) K-means' final centroids u_k, drawn as ✕ (on the dots when they agree).
    """
    figure = gmm_figure(X, params, resp, x_range, y_range, levels=(1,), height=height)
    for trace in figure.data:
        if trace.name and trace.name.startswith("1σ ellipse"):
            trace.name = "circle of radius σ round each mean"
    figure.add_trace(legend_entry("K-means' centroids (same start)", "x", colour(0), 17,
                                  OUTLINE_COLOUR, 1.5))
    webgl = any(trace.type == "scattergl" for trace in figure.data)  # on top of the points
    figure.add_trace(centroid_trace(np.asarray(centroids, dtype=float), name="K-means centroids",
                                    size=CENTROID_SIZE - 2, webgl=webgl))
    return side_by_side(figure, height)
