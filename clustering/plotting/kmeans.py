"""Figures of K-means: the main figure with Voronoi cells and moves, and the manual placement."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from clustering.constants import UNASSIGNED_COLOUR
from clustering.plotting.style import (
    CENTROID_SIZE,
    FIGURE_HEIGHT,
    FONT_SIZE,
    OUTLINE_COLOUR,
    RING_COLOUR,
    assembled,
    base_figure,
    base_layout,
    centroid_labels,
    centroid_trace,
    click_grid_trace,
    cluster_colourscale,
    colour,
    legend_entry,
    point_marker_size,
    rgba,
    scatter_type,
    symbols,
)


def kmeans_figure(
    X: np.ndarray,
    centroids: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    x_range: Sequence[float],
    y_range: Sequence[float],
    trails: np.ndarray | None = None,
    previous: np.ndarray | None = None,
    changed: np.ndarray | None = None,
    regions: Sequence[np.ndarray] | None = None,
    selected: int | None = None,
    show_distances: bool = True,
    indices: np.ndarray | None = None,
    axis_titles: tuple[str, str] = ("x₁", "x₂"),
    height: int = FIGURE_HEIGHT + 40,
    title: str | None = None,
    webgl: bool | None = None,
) -> go.Figure:
    """The K-means picture of one half-step.

    X : (N, 2) points; centroids : (K, 2) the centroids u_k now; labels : (N,) the cluster of
    every point, or None before the first E step (points drawn grey).
    trails : (T, K, 2) the centroids' positions so far, oldest first (a dotted trail each).
    previous : (K, 2) the centroids before this M step: an arrow from each to its new place.
    changed : (N,) bool, the points that changed cluster in this E step (outlined).
    regions : K polygons (clustering.voronoi.regions), shaded: the region nearest to each u_k.
    selected : index of one point, marked with a diamond; with ``show_distances`` dashed lines
        go from it to every centroid and a solid one to its nearest.
    indices : the points to draw (plotting.drawn_indices) when there are many.
    Equal axis scale and the given fixed ranges; every symbol is named in the legend.
    webgl : draw the points and all on them with WebGL (True), SVG (False) or by their number
        (None; ``scatter_type``).
    """
    X = np.asarray(X, dtype=float)
    centroids = np.asarray(centroids, dtype=float)
    k = centroids.shape[0]
    n = X.shape[0]
    drawn = np.arange(n) if indices is None else np.asarray(indices)
    point_type = scatter_type(len(drawn), webgl)  # the points and all drawn on top of them
    webgl = point_type == "scattergl"
    data: list[dict] = []
    annotations: list[dict] = []

    # beneath the points (SVG, under a WebGL layer too): regions and the legend entries
    if regions is not None:
        for j, polygon in enumerate(regions):
            if len(polygon) < 3:
                continue
            closed = np.vstack([polygon, polygon[:1]])
            data.append(dict(
                type="scatter", x=closed[:, 0], y=closed[:, 1], mode="lines", fill="toself",
                fillcolor=rgba(colour(j), 0.13), line=dict(width=1, color=rgba(colour(j), 0.35)),
                hoverinfo="skip", showlegend=False,
            ))
    size = point_marker_size(len(drawn))
    if labels is None:
        data.append(legend_entry("point (no cluster yet)", "circle", UNASSIGNED_COLOUR, 11))
    else:
        data.append(legend_entry("point (colour = cluster)", "circle", colour(0), 11))
    data.append(legend_entry("centroid u<sub>k</sub>", "x", colour(0), 17, OUTLINE_COLOUR, 1.5))
    if trails is not None and len(trails) > 1:
        data.append(legend_entry("trail", "circle", "#666666", 7, mode="lines+markers", dash="dot"))
    if previous is not None:
        data.append(legend_entry("before (→ now)", "x-open", "#666666", 14, line_width=2))
    if changed is not None and np.any(changed):
        data.append(legend_entry("changed cluster", "circle-open", OUTLINE_COLOUR, 13,
                                 line_width=2.5))
    if regions is not None:
        data.append(legend_entry("nearest-centroid region", "square", rgba(colour(0), 0.25), 14))
    if selected is not None:
        data.append(legend_entry("selected x<sub>n</sub>", "diamond", "#ffffff", 13,
                                 OUTLINE_COLOUR, 2.5))

    # the points, then what is drawn on top of them
    if labels is None:
        marker = dict(size=size, color=UNASSIGNED_COLOUR, opacity=0.8)
    else:
        marker = dict(size=size, color=np.asarray(labels)[drawn].astype(np.int16),
                      colorscale=cluster_colourscale(k), cmin=-0.5, cmax=k - 0.5, opacity=0.8,
                      symbol=symbols(np.asarray(labels)[drawn]))
    # the point's number n in the hover label, for up to 5,000 drawn points (then: less to send)
    numbered = len(drawn) <= 5_000
    data.append(dict(
        type=point_type, x=X[drawn, 0].astype(np.float32), y=X[drawn, 1].astype(np.float32),
        mode="markers", name="points", showlegend=False, marker=marker,
        customdata=(drawn + 1).astype(np.int32) if numbered else None,
        hovertemplate=("x<sub>%{customdata}</sub> = " if numbered else "")
        + "(%{x:.4g}, %{y:.4g})<extra></extra>",
        unselected=dict(marker=dict(opacity=0.8)), selected=dict(marker=dict(opacity=0.8)),
    ))
    if changed is not None and np.any(changed):
        moved = drawn[np.asarray(changed)[drawn]]
        data.append(dict(
            type=point_type, x=X[moved, 0], y=X[moved, 1], mode="markers",
            name="rings: changed cluster", showlegend=False, hoverinfo="skip",
            # half-transparent and thin: WebGL draws open rings heavier than SVG, and a band of
            # changed points must not hide their colours
            marker=dict(symbol="circle-open", size=size + 6, color=RING_COLOUR,
                        line=dict(width=1.3, color=RING_COLOUR)),
        ))
    if selected is not None and 0 <= selected < n and show_distances:
        point = X[selected]
        distances = np.sum((centroids - point) ** 2, axis=1)
        nearest = int(np.argmin(distances))
        xs, ys = [], []
        for j in range(k):
            if j != nearest:
                xs += [point[0], centroids[j, 0], None]
                ys += [point[1], centroids[j, 1], None]
        if xs:
            data.append(dict(type=point_type, x=xs, y=ys, mode="lines", showlegend=False,
                             hoverinfo="skip", line=dict(color="#555555", width=1.5, dash="dash")))
        data.append(dict(
            type=point_type, x=[point[0], centroids[nearest, 0]], y=[point[1], centroids[nearest, 1]],
            mode="lines", showlegend=False, hoverinfo="skip",
            line=dict(color=colour(nearest), width=4),
        ))
    if trails is not None and len(trails) > 1:
        trails = np.asarray(trails, dtype=float)
        for j in range(k):
            data.append(dict(
                type=point_type, x=trails[:, j, 0], y=trails[:, j, 1], mode="lines+markers",
                showlegend=False, hoverinfo="skip", line=dict(color=colour(j), width=2.5, dash="dot"),
                marker=dict(size=7, color=colour(j), line=dict(color="#ffffff", width=1)),
            ))
    if previous is not None:
        previous = np.asarray(previous, dtype=float)
        data.append(centroid_trace(previous, name="before this M step", symbol="x-open",
                                   size=CENTROID_SIZE - 4, opacity=0.75, webgl=webgl))
        tiny = 1e-9 * max(x_range[1] - x_range[0], y_range[1] - y_range[0])
        for j in range(k):
            if np.linalg.norm(centroids[j] - previous[j]) <= tiny:
                continue
            annotations.append(dict(
                x=float(centroids[j, 0]), y=float(centroids[j, 1]),
                ax=float(previous[j, 0]), ay=float(previous[j, 1]),
                xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True,
                arrowhead=2, arrowsize=1.1, arrowwidth=3, arrowcolor=colour(j),
                standoff=11, startstandoff=8,
            ))
    data.append(centroid_trace(centroids, name="centroids", webgl=webgl))
    if selected is not None and 0 <= selected < n:
        data.append(dict(
            type=point_type, x=[X[selected, 0]], y=[X[selected, 1]], mode="markers",
            showlegend=False, hovertemplate=f"selected: x<sub>{selected + 1}</sub><extra></extra>",
            marker=dict(symbol="diamond", size=16, color="#ffffff",
                        line=dict(color=OUTLINE_COLOUR, width=3)),
        ))
    annotations += centroid_labels(centroids)
    layout = base_layout(x_range, y_range, title=title, axis_titles=axis_titles, height=height)
    layout.update(hoverdistance=12, margin=dict(l=60, r=10, t=10, b=55), annotations=annotations,
                  legend=_legend_above(x_range, y_range), modebar=dict(orientation="v"))
    return assembled(data, layout)


def _legend_above(x_range: Sequence[float], y_range: Sequence[float]) -> dict:
    """The legend above the plot, in rows (a legend beside it would squeeze an equal-scale plot)."""
    return dict(orientation="h", x=0, xanchor="left", y=1.01, yanchor="bottom",
                font=dict(size=FONT_SIZE - 1), itemsizing="constant",
                entrywidth=0.33, entrywidthmode="fraction")


def placement_figure(
    X: np.ndarray,
    points: Sequence[tuple[float | None, float | None] | None],
    *,
    x_range: Sequence[float],
    y_range: Sequence[float],
    indices: np.ndarray | None = None,
    prefix: str = "u",
    what: str = "centroid",
    axis_titles: tuple[str, str] = ("x₁", "x₂"),
    height: int = FIGURE_HEIGHT,
) -> go.Figure:
    """The data in grey with the points placed so far (numbered symbols) and click targets.

    points : K slots, each (x, y) once placed, else None (or a pair holding a None).
    The invisible click grid makes a click anywhere, not only on a data point, report a place.
    """
    X = np.asarray(X, dtype=float)
    drawn = np.arange(X.shape[0]) if indices is None else np.asarray(indices)
    figure = base_figure(x_range, y_range, axis_titles=axis_titles, height=height)
    figure.add_trace(legend_entry("point", "circle", UNASSIGNED_COLOUR, 11))
    figure.add_trace(legend_entry(f"{what} you placed", "x", colour(0), 17, OUTLINE_COLOUR, 1.5))
    figure.add_trace(click_grid_trace(x_range, y_range))
    figure.add_trace(go.Scattergl(
        x=X[drawn, 0].astype(np.float32), y=X[drawn, 1].astype(np.float32), mode="markers",
        name="points", showlegend=False,
        marker=dict(size=point_marker_size(len(drawn)), color=UNASSIGNED_COLOUR, opacity=0.8),
        hoverinfo="none",
        unselected=dict(marker=dict(opacity=0.8)), selected=dict(marker=dict(opacity=0.8)),
    ))
    placed = [(j, p) for j, p in enumerate(points)
              if p is not None and p[0] is not None and p[1] is not None]
    if placed:
        where = np.array([p for _, p in placed], dtype=float)
        numbers = [j for j, _ in placed]
        figure.add_trace(go.Scattergl(
            x=where[:, 0], y=where[:, 1], mode="markers", showlegend=False, hoverinfo="none",
            marker=dict(symbol="x", size=CENTROID_SIZE, color=[colour(j) for j in numbers],
                        line=dict(color=OUTLINE_COLOUR, width=2)),
        ))
        for j, (x, y) in placed:
            figure.add_annotation(
                x=float(x), y=float(y), xref="x", yref="y", text=f"<b>{prefix}<sub>{j + 1}</sub></b>",
                showarrow=False, xshift=17, yshift=15, font=dict(size=FONT_SIZE, color=colour(j)),
                bgcolor="rgba(255,255,255,0.75)", borderpad=1,
            )
    figure.update_layout(hovermode="closest", hoverdistance=40, margin=dict(l=60, r=10, t=10, b=55),
                         legend=_legend_above(x_range, y_range), modebar=dict(orientation="v"))
    return figure
