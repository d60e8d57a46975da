"""The shared style of every figure: colours, sizes, fonts, the template, points and layouts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from clustering.constants import CLUSTER_COLOURS, CLUSTER_SYMBOLS

RING_COLOUR = "rgba(26,26,26,0.55)"  # the rings of the points that changed cluster


WEBGL_THRESHOLD = 2_000  # SVG up to this many drawn points, WebGL above (see the module's doc)


TEMPLATE = "none"  # Plotly's empty template: every figure sets its own styles


MAX_DRAWN_POINTS = 20_000  # beyond this, a fixed sample is drawn (the caption says so)


FONT_SIZE = 17


CENTROID_SIZE = 22


FIGURE_HEIGHT = 560


SAMPLE_SEED = 12345


GAMMA_HOVER_POINTS = 5_000  # up to this many drawn points, a point's hover label lists its γ


PLOT_CONFIG = {
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def colour(k: int) -> str:
    """The fixed colour of cluster / component k."""
    return CLUSTER_COLOURS[k % len(CLUSTER_COLOURS)]


def symbol(k: int) -> str:
    """The fixed marker shape of cluster / component k (colour is never the only cue)."""
    return CLUSTER_SYMBOLS[k % len(CLUSTER_SYMBOLS)]


def symbols(labels: np.ndarray) -> list[str]:
    """The marker shape of every point from its cluster labels (N,) -> N Plotly symbol names."""
    return [CLUSTER_SYMBOLS[j] for j in np.asarray(labels, dtype=np.intp) % len(CLUSTER_SYMBOLS)]


def hex_to_rgb(hex_colour: str) -> tuple[int, int, int]:
    hex_colour = hex_colour.lstrip("#")
    return tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))


def rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = hex_to_rgb(hex_colour)
    return f"rgba({r},{g},{b},{alpha:.3f})"


def scatter_type(count: int, webgl: bool | None = None) -> str:
    """The scatter trace type for a figure that draws ``count`` points: "scatter" (SVG) for
    few, "scattergl" (WebGL) for many; ``webgl`` True or False decides instead of the count.

    Every trace drawn on top of the points must use the same type, or it would hide beneath
    (SVG) or above (WebGL) them.
    """
    if webgl is not None:
        return "scattergl" if webgl else "scatter"
    return "scatter" if count <= WEBGL_THRESHOLD else "scattergl"


def new_figure(*traces) -> go.Figure:
    """An empty go.Figure (or one holding ``traces``) with the shared template."""
    return go.Figure(list(traces), layout=dict(template=TEMPLATE))


def assembled(data: list[dict], layout: dict) -> go.Figure:
    """A go.Figure from plain trace and layout dicts, without Plotly's per-property checks.

    The figures a click redraws are written as dicts here and assembled once: Plotly's checks
    cost the server about ten times the figure's own making (40 ms against 4 ms for the K-means
    figure), on every click of every student. The tests draw these figures in the browser and
    read them back, so a misspelt property would not pass unseen.
    """
    template = pio.templates[TEMPLATE].to_plotly_json()  # the object: unchecked, a name stays a name
    return go.Figure(data=data, layout={"template": template, **layout}, _validate=False)


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


def base_layout(
    x_range: Sequence[float],
    y_range: Sequence[float],
    title: str | None = None,
    axis_titles: tuple[str, str] = ("x₁", "x₂"),
    height: int = FIGURE_HEIGHT,
) -> dict:
    """The layout of a figure of points: equal axis scale, fixed ranges, projector-sized fonts."""
    axis = dict(autorange=False, showgrid=True, gridcolor="#eeeeee", zeroline=False,
                constrain="domain")
    layout = dict(
        height=height,
        margin=dict(l=10, r=10, t=50 if title else 10, b=10),
        font=dict(size=FONT_SIZE),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, font=dict(size=FONT_SIZE - 1)),
        plot_bgcolor="white",
        uirevision="keep",  # keep a person's zoom between reruns
        dragmode=False,  # a drag never pans the axes away: zoom only from the mode bar, on purpose
        clickmode="event+select",
        xaxis=dict(axis, range=list(x_range), title=dict(text=axis_titles[0])),
        yaxis=dict(axis, range=list(y_range), title=dict(text=axis_titles[1]),
                   scaleanchor="x", scaleratio=1),
    )
    if title:
        layout["title"] = dict(text=title, x=0.01, font=dict(size=FONT_SIZE + 3))
    return layout


def base_figure(
    x_range: Sequence[float],
    y_range: Sequence[float],
    title: str | None = None,
    axis_titles: tuple[str, str] = ("x₁", "x₂"),
    height: int = FIGURE_HEIGHT,
) -> go.Figure:
    """An empty figure with equal axis scale, fixed ranges and projector-sized fonts."""
    return assembled([], base_layout(x_range, y_range, title, axis_titles, height))


def points_trace(
    X: np.ndarray,
    colours: Sequence[str] | str,
    name: str = "points",
    indices: np.ndarray | None = None,
    opacity: float = 0.85,
    size: float | None = None,
    line_colours: Sequence[str] | str | None = None,
    line_width: float | Sequence[float] = 0,
    customdata: np.ndarray | None = None,
    hovertemplate: str | None = None,
    showlegend: bool = True,
    symbol: str | None = None,
) -> go.Scatter | go.Scattergl:
    """One scatter of the points (only ``indices`` of them when given): SVG or WebGL by count.

    size : the marker size; by default the one rule, ``point_marker_size`` of the drawn count.
    symbol : the marker shape (one cluster's, ``symbol(k)``); Plotly's circle by default.
    """
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
    if size is None:
        size = point_marker_size(X.shape[0])
    marker = dict(size=size, color=colours if isinstance(colours, str) else list(colours), opacity=opacity)
    if symbol is not None:
        marker["symbol"] = symbol
    if line_colours is not None:
        marker["line"] = dict(
            color=line_colours if isinstance(line_colours, str) else list(line_colours),
            width=line_width if np.isscalar(line_width) else list(line_width),
        )
    trace_class = go.Scattergl if scatter_type(X.shape[0]) == "scattergl" else go.Scatter
    return trace_class(
        x=X[:, 0], y=X[:, 1], mode="markers", name=name, marker=marker,
        customdata=customdata, hovertemplate=hovertemplate, showlegend=showlegend,
    )


CLICK_GRID_SIZE = 80  # the invisible click targets: an 80 x 80 grid over the axis ranges


OUTLINE_COLOUR = "#1a1a1a"  # dark outline of centroids and of points that changed cluster


E_STEP_COLOUR = "#1f4e79"


M_STEP_COLOUR = "#b8452b"


def point_marker_size(count: int) -> float:
    """Marker size for ``count`` drawn points: large for a few, small for many."""
    if count <= 1_000:
        return 9
    if count <= 5_000:
        return 6
    return 4 if count <= 10_000 else 3


def cluster_colourscale(k: int) -> list[list]:
    """A stepped colourscale: the value j (0 ≤ j < k, with cmin=-0.5, cmax=k-0.5) gets colour(j)."""
    scale = []
    for j in range(k):
        scale.append([j / k, colour(j)])
        scale.append([(j + 1) / k, colour(j)])
    return scale


def click_grid_trace(x_range: Sequence[float], y_range: Sequence[float],
                     size: int = CLICK_GRID_SIZE) -> go.Scattergl:
    """Invisible markers on a size x size grid over the axis ranges.

    Plotly reports a click only when it lands on a point, so this grid makes a click on empty
    space land on the nearest grid point (its x and y are what the page reads).
    """
    xs = np.linspace(x_range[0], x_range[1], size)
    ys = np.linspace(y_range[0], y_range[1], size)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return go.Scattergl(
        x=grid_x.ravel().astype(np.float32), y=grid_y.ravel().astype(np.float32),
        mode="markers", name="click target", showlegend=False,
        marker=dict(size=max(4.0, 600 / size), color="rgba(0,0,0,0)", opacity=0),
        hoverinfo="none",
    )


def legend_entry(name: str, symbol: str = "circle", marker_colour: str = OUTLINE_COLOUR,
                 size: float = 12, line_colour: str | None = None, line_width: float = 0,
                 mode: str = "markers", dash: str | None = None) -> dict:
    """A legend-only trace (a dict): it draws nothing, the legend shows its symbol and ``name``."""
    marker = dict(symbol=symbol, color=marker_colour, size=size,
                  line=dict(color=line_colour or marker_colour, width=line_width))
    return dict(type="scatter", x=[None], y=[None], mode=mode, name=name, marker=marker,
                line=dict(color=marker_colour, width=3, dash=dash),
                hoverinfo="skip", showlegend=True)


def centroid_labels(centroids: np.ndarray, prefix: str = "u", shift: float = 17) -> list[dict]:
    """Annotations u₁, u₂, ... next to the centroids (annotations sit above a WebGL layer),
    ``shift`` pixels up and right of each (clear of a marker of that radius)."""
    return [
        dict(x=float(x), y=float(y), xref="x", yref="y", text=f"<b>{prefix}<sub>{k + 1}</sub></b>",
             showarrow=False, xshift=shift, yshift=shift - 2, font=dict(size=FONT_SIZE, color=colour(k)),
             bgcolor="rgba(255,255,255,0.75)", borderpad=1)
        for k, (x, y) in enumerate(centroids)
    ]


def centroid_trace(centroids: np.ndarray, name: str = "centroid", symbol: str = "x",
                   size: float = CENTROID_SIZE, opacity: float = 1.0,
                   hover_prefix: str = "u", webgl: bool = True) -> dict:
    """The centroids as large symbols in their cluster's colour with a dark outline (a dict).

    webgl : a WebGL trace (on top of WebGL points), else SVG (on top of SVG points).
    """
    k = centroids.shape[0]
    return dict(
        type="scattergl" if webgl else "scatter",
        x=centroids[:, 0], y=centroids[:, 1], mode="markers", name=name, showlegend=False,
        marker=dict(symbol=symbol, size=size, color=[colour(j) for j in range(k)], opacity=opacity,
                    line=dict(color=OUTLINE_COLOUR, width=2)),
        customdata=np.arange(1, k + 1),
        hovertemplate=f"{hover_prefix}<sub>%{{customdata}}</sub> = (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
    )
