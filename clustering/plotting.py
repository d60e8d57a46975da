"""Every figure of Clustering Lab. Plotly only: functions take arrays and return go.Figure.

Nothing here fits or steps anything; the pages derive the numbers (clustering.derived) and
hand them over. Conventions shared by every figure:
- one fixed colour per cluster / component (``constants.CLUSTER_COLOURS``), the same in every
  figure and in the theme;
- equal axis scale and axis ranges fixed from the data, so nothing jumps between half-steps;
- large markers and fonts (readable on a projector), a legend that says what each symbol is;
- WebGL scatter above ``WEBGL_THRESHOLD`` points, and at most ``MAX_DRAWN_POINTS`` drawn (a
  fixed random sample beyond that, and the figure says so).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from clustering.constants import CLUSTER_COLOURS, UNASSIGNED_COLOUR

WEBGL_THRESHOLD = 0  # always WebGL: the cheapest way for the browser to draw points
MAX_DRAWN_POINTS = 20_000  # beyond this, a fixed sample is drawn (the caption says so)
FONT_SIZE = 17
MARKER_SIZE = 7
CENTROID_SIZE = 22
FIGURE_HEIGHT = 560
SAMPLE_SEED = 12345

PLOT_CONFIG = {
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def colour(k: int) -> str:
    """The fixed colour of cluster / component k."""
    return CLUSTER_COLOURS[k % len(CLUSTER_COLOURS)]


def hex_to_rgb(hex_colour: str) -> tuple[int, int, int]:
    hex_colour = hex_colour.lstrip("#")
    return tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))


def rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = hex_to_rgb(hex_colour)
    return f"rgba({r},{g},{b},{alpha:.3f})"


def drawn_indices(n: int, limit: int = MAX_DRAWN_POINTS) -> np.ndarray | None:
    """Indices of the points to draw when there are more than ``limit`` (None: draw all).

    The sample is fixed (same seed) so it does not flicker between half-steps.
    """
    if n <= limit:
        return None
    rng = np.random.default_rng(SAMPLE_SEED)
    return np.sort(rng.choice(n, size=limit, replace=False))


def sample_note(n: int, limit: int = MAX_DRAWN_POINTS) -> str | None:
    """The sentence a page shows when only a sample of the points is drawn."""
    if n <= limit:
        return None
    return (f"Drawing a fixed sample of {limit:,} of the {n:,} points so the browser stays quick; "
            "every number on the page uses all the points.")


def axis_ranges(X: np.ndarray, margin: float = 0.08) -> tuple[list[float], list[float]]:
    """Padded (x_range, y_range) covering X, fixed for a whole run (robust to zero spread)."""
    low = np.min(X, axis=0)
    high = np.max(X, axis=0)
    span = np.maximum(high - low, 1e-12)
    span = np.maximum(span, 1e-3 * np.max(span))
    pad = margin * span + (span == 0)
    return [float(low[0] - pad[0]), float(high[0] + pad[0])], [float(low[1] - pad[1]), float(high[1] + pad[1])]


def base_figure(
    x_range: Sequence[float],
    y_range: Sequence[float],
    title: str | None = None,
    axis_titles: tuple[str, str] = ("x₁", "x₂"),
    height: int = FIGURE_HEIGHT,
) -> go.Figure:
    """An empty figure with equal axis scale, fixed ranges and projector-sized fonts."""
    figure = go.Figure()
    figure.update_layout(
        title=dict(text=title, x=0.01, font=dict(size=FONT_SIZE + 3)) if title else None,
        height=height,
        margin=dict(l=10, r=10, t=50 if title else 10, b=10),
        font=dict(size=FONT_SIZE),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, font=dict(size=FONT_SIZE - 1)),
        plot_bgcolor="white",
        uirevision="keep",  # keep a person's zoom between reruns
        dragmode="pan",
        clickmode="event+select",
    )
    figure.update_xaxes(range=list(x_range), autorange=False, title=axis_titles[0],
                        showgrid=True, gridcolor="#eeeeee", zeroline=False, constrain="domain")
    figure.update_yaxes(range=list(y_range), autorange=False, title=axis_titles[1],
                        showgrid=True, gridcolor="#eeeeee", zeroline=False,
                        scaleanchor="x", scaleratio=1, constrain="domain")
    return figure


def points_trace(
    X: np.ndarray,
    colours: Sequence[str] | str,
    name: str = "points",
    indices: np.ndarray | None = None,
    opacity: float = 0.85,
    size: float = MARKER_SIZE,
    line_colours: Sequence[str] | str | None = None,
    line_width: float | Sequence[float] = 0,
    customdata: np.ndarray | None = None,
    hovertemplate: str | None = None,
    showlegend: bool = True,
) -> go.Scattergl:
    """One WebGL scatter of the points (only ``indices`` of them when given)."""
    if indices is not None:
        X = X[indices]
        if not isinstance(colours, str):
            colours = np.asarray(colours)[indices]
        if line_colours is not None and not isinstance(line_colours, str):
            line_colours = np.asarray(line_colours)[indices]
        if not np.isscalar(line_width):
            line_width = np.asarray(line_width)[indices]
        if customdata is not None:
            customdata = customdata[indices]
    marker = dict(size=size, color=colours if isinstance(colours, str) else list(colours), opacity=opacity)
    if line_colours is not None:
        marker["line"] = dict(
            color=line_colours if isinstance(line_colours, str) else list(line_colours),
            width=line_width if np.isscalar(line_width) else list(line_width),
        )
    return go.Scattergl(
        x=X[:, 0], y=X[:, 1], mode="markers", name=name, marker=marker,
        customdata=customdata, hovertemplate=hovertemplate, showlegend=showlegend,
    )


def label_colours(labels: np.ndarray | None, n: int) -> list[str]:
    """The colour of each point: its cluster's colour, grey before any assignment."""
    if labels is None:
        return [UNASSIGNED_COLOUR] * n
    palette = np.array(CLUSTER_COLOURS)
    return list(palette[np.asarray(labels) % len(CLUSTER_COLOURS)])
