"""Figures of the data itself: the Data page's scatter and the Exact 1-D page's number line."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from clustering import datasets
from clustering.geometry import axis_ranges
from clustering.plotting.style import (
    CENTROID_SIZE,
    FIGURE_HEIGHT,
    FONT_SIZE,
    SAMPLE_SEED,
    base_figure,
    colour,
    drawn_indices,
    new_figure,
    point_marker_size,
    points_trace,
    symbol,
)

DATA_COLOUR = "#34495e"  # points whose true labels are unknown (dark enough for a projector)


def plain_text(text: object) -> str:
    """``text`` (a file name, a column header, a label) made safe to show in a Plotly figure.

    Plotly reads a small HTML subset in names and titles; data must show as typed, so the
    characters <, > and & are escaped (Plotly shows them as themselves).
    """
    import html

    return html.escape(str(text), quote=False)


def data_figure(
    X: np.ndarray,
    labels: np.ndarray | Sequence | None = None,
    label_names: Sequence[str] | None = None,
    title: str | None = None,
    axis_titles: tuple[str, str] = ("x₁", "x₂"),
    height: int = FIGURE_HEIGHT,
) -> go.Figure:
    """The preview of a data set: its points, coloured by their true labels when known.

    X : (N, 2) array of points.
    labels : (N,) true label of each point (integer codes or names), or None when unknown.
    label_names : the name of each integer code (``label_names[k]`` for code k); when labels
        are names already, or this is None, the legend shows the labels themselves.

    Equal axis scale and ranges from the data; one legend entry per true label, in the fixed
    cluster colours; beyond ``MAX_DRAWN_POINTS`` points a fixed sample is drawn (the page shows
    ``sample_note``). Names and titles are shown as plain text.
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    x_range, y_range = axis_ranges(X) if n else ([0.0, 1.0], [0.0, 1.0])
    figure = base_figure(x_range, y_range, title=plain_text(title) if title else None,
                         axis_titles=(plain_text(axis_titles[0]), plain_text(axis_titles[1])),
                         height=height)
    # readable from the back of a lecture hall (Streamlit's theme makes ticks small otherwise)
    figure.update_xaxes(tickfont=dict(size=FONT_SIZE - 2), title_font=dict(size=FONT_SIZE))
    figure.update_yaxes(tickfont=dict(size=FONT_SIZE - 2), title_font=dict(size=FONT_SIZE))
    indices = drawn_indices(n)
    drawn = np.arange(n) if indices is None else indices
    size = point_marker_size(len(drawn))  # the same sizes as on the other pages
    hover = "x₁ = %{x:.4g}<br>x₂ = %{y:.4g}<extra>%{fullData.name}</extra>"
    if labels is None:
        figure.add_trace(points_trace(X, DATA_COLOUR, name="points", indices=indices,
                                      opacity=0.75, size=size, hovertemplate=hover,
                                      showlegend=False))
        return figure
    labels = np.asarray(labels)[drawn]  # only the drawn points: quick for a million points
    integer = np.issubdtype(labels.dtype, np.integer)
    values, codes = np.unique(labels, return_inverse=True)
    for k, value in enumerate(values):
        if label_names is not None and integer and 0 <= value < len(label_names):
            name = label_names[int(value)]
        else:
            name = datasets.LABEL_TITLES.get(str(value), value)
        figure.add_trace(points_trace(X[drawn[codes == k]], colour(int(value) if integer else k),
                                      name=plain_text(name), opacity=0.8, size=size,
                                      hovertemplate=hover, symbol=symbol(int(value) if integer else k)))
    figure.update_layout(legend=dict(title=dict(text="true label: ", font=dict(size=FONT_SIZE - 1))))
    return figure


LINE_ROW_HEIGHT = 150


LINE_JITTER = 0.22  # points are spread this far above and below their row so they don't hide


def number_line_figure(
    rows: Sequence[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]],
    x_range: Sequence[float] | None = None,
    axis_title: str = "x",
) -> go.Figure:
    """Several partitions of the same 1-D points, one row each (top row first).

    rows : (row title, x (N,), labels (N,), centroids (K,), start (K,) or None) per row; label
        k is drawn in colour k, so number clusters from left to right in every row to make a
        colour mean the same place on the line. ``start`` (Lloyd's initial centroids) is drawn
        as hollow grey diamonds. Dotted lines mark where one cluster ends and the next begins
        (half-way between neighbouring centroids).
    Points get a small fixed vertical jitter (the same in every row) so that close points stay
    visible; only the horizontal position means anything.
    """
    count = len(rows)
    all_x = np.concatenate([np.asarray(r[1], dtype=float) for r in rows]) if rows else np.zeros(1)
    if x_range is None:
        low, high = float(np.min(all_x)), float(np.max(all_x))
        pad = 0.04 * (high - low) if high > low else 1.0
        x_range = [low - pad, high + pad]
    figure = new_figure()
    jitter_rng = np.random.default_rng(SAMPLE_SEED)
    subscripts = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    shown_centroid_legend = False
    shown_start_legend = False
    for i, (title, x, labels, centroids, start) in enumerate(rows):
        y0 = count - 1 - i
        x = np.asarray(x, dtype=float)
        labels = np.asarray(labels)
        centroids = np.asarray(centroids, dtype=float)
        if i == 0:
            jitter = jitter_rng.uniform(-LINE_JITTER, LINE_JITTER, size=x.size)
        else:
            jitter = jitter if jitter.size == x.size else jitter_rng.uniform(-LINE_JITTER, LINE_JITTER, size=x.size)
        figure.add_shape(type="rect", x0=x_range[0], x1=x_range[1], y0=y0 - 0.42, y1=y0 + 0.42,
                         fillcolor="#f6f7f9", line=dict(width=0), layer="below")
        order = np.sort(centroids)
        for boundary in (order[1:] + order[:-1]) / 2:
            figure.add_shape(type="line", x0=boundary, x1=boundary, y0=y0 - 0.42, y1=y0 + 0.42,
                             line=dict(color="#555555", width=2, dash="dot"))
        for k in range(centroids.size):
            mine = labels == k
            figure.add_trace(go.Scatter(
                x=x[mine], y=y0 + jitter[mine], mode="markers", showlegend=False,
                marker=dict(size=point_marker_size(x.size) + 1, color=colour(k), opacity=0.8,
                            symbol=symbol(k), line=dict(color="white", width=0.5)),
                hovertemplate=f"x = %{{x:.4g}}<br>cluster {k + 1}<extra>{plain_text(title)}</extra>",
            ))
        if start is not None:
            start = np.asarray(start, dtype=float)
            figure.add_trace(go.Scatter(
                x=start, y=np.full(start.size, y0 + 0.42), mode="markers",
                marker=dict(size=CENTROID_SIZE - 4, symbol="triangle-down", color="#888888",
                            line=dict(color="black", width=1.5)),
                name="Lloyd's start", legendgroup="start", showlegend=not shown_start_legend,
                hovertemplate="start at %{x:.4g}<extra></extra>",
            ))
            shown_start_legend = True
        labels_text = [f"u{str(k + 1).translate(subscripts)}" for k in range(centroids.size)]
        figure.add_trace(go.Scatter(
            x=centroids, y=np.full(centroids.size, y0), mode="markers",
            marker=dict(size=CENTROID_SIZE, symbol="diamond", color=[colour(k) for k in range(centroids.size)],
                        line=dict(color="black", width=2.5)),
            name="centroids uₖ", legendgroup="centroids", showlegend=not shown_centroid_legend,
            customdata=labels_text,
            hovertemplate="%{customdata} = %{x:.4g}<extra>" + plain_text(title) + "</extra>",
        ))
        shown_centroid_legend = True
    figure.update_layout(
        height=LINE_ROW_HEIGHT * count + 110,
        margin=dict(l=10, r=10, t=40, b=10),
        font=dict(size=FONT_SIZE),
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, font=dict(size=FONT_SIZE - 1)),
        dragmode=False,  # a drag never moves the axes (zoom from the mode bar)
        uirevision="keep",
        hovermode="closest",
    )
    # explicit tick fonts: Streamlit's chart theme would otherwise draw them small and grey
    figure.update_xaxes(range=list(x_range), autorange=False, title=axis_title, showgrid=True,
                        gridcolor="#e6e6e6", zeroline=False,
                        tickfont=dict(size=FONT_SIZE - 1, color="#1a1a1a"),
                        title_font=dict(size=FONT_SIZE + 1, color="#1a1a1a"))
    figure.update_yaxes(range=[-0.6, count - 0.4], autorange=False, fixedrange=True,
                        tickvals=[count - 1 - i for i in range(count)],
                        ticktext=[r[0] for r in rows], showgrid=False, zeroline=False,
                        tickfont=dict(size=FONT_SIZE + 1, color="#1a1a1a"))
    return figure
