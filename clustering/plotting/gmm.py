"""Figures of a Gaussian mixture: ellipses, means, density, the GMM figure, the storyboard, the generative model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from clustering.constants import UNASSIGNED_COLOUR
from clustering.geometry import axis_ranges
from clustering.plotting.style import (
    CENTROID_SIZE,
    FIGURE_HEIGHT,
    FONT_SIZE,
    GAMMA_HOVER_POINTS,
    TEMPLATE,
    assembled,
    base_figure,
    base_layout,
    centroid_labels,
    colour,
    drawn_indices,
    hex_to_rgb,
    point_marker_size,
    points_trace,
    rgba,
    scatter_type,
    symbol,
    symbols,
)

# The nσ ellipse is {x : (x − μ)ᵀ Σ⁻¹ (x − μ) = n²}; in 2-D it holds 1 − exp(−n²/2) of the
# component's mass. Line widths tell the levels apart; the legend says the convention.
ELLIPSE_WIDTH = {1: 3.5, 2: 2.5, 3: 1.6}


GHOST_ALPHA = 0.55  # previous ellipses after an M step: dashed and faint


DENSITY_COLOUR = "#8a8a8a"


def sigma_mass(n_sigma: float) -> float:
    """The share of a 2-D Gaussian's mass inside its nσ ellipse: 1 − exp(−n²/2)."""
    return float(1.0 - np.exp(-0.5 * n_sigma**2))


def responsibility_colours(resp: np.ndarray | None, n: int, mode: str = "blend") -> list[str]:
    """The colour of each point from its responsibilities γ_n· (N, K).

    mode "blend": the γ-weighted mix of the component colours (a point shared half and half
    between blue and orange is drawn half-way between them), as "#rrggbb";
    mode "likely": the colour of the most likely component with opacity max_k γ_nk.
    Grey for every point before the first E step (``resp`` None).
    """
    if resp is None:
        return [UNASSIGNED_COLOUR] * n
    resp = np.clip(np.nan_to_num(np.asarray(resp, dtype=float)), 0.0, 1.0)
    k = resp.shape[1]
    palette = np.array([hex_to_rgb(colour(j)) for j in range(k)], dtype=float)  # (K, 3)
    if mode == "blend":
        # "#rrggbb": the shortest colour to send and to parse (20,000 of them at every click)
        digits = np.clip(np.rint(resp @ palette), 0, 255).astype(np.uint8).tobytes().hex()
        return ["#" + digits[i:i + 6] for i in range(0, len(digits), 6)]
    best = np.argmax(resp, axis=1)
    alpha = resp[np.arange(resp.shape[0]), best]
    rgb = palette[best].astype(int)
    return [f"rgba({r},{g},{b},{a:.2f})" for (r, g, b), a in zip(rgb, alpha, strict=True)]


def set_point_colours(trace, colours: Sequence[str]) -> None:
    """Give ``trace`` one colour per point without Plotly's per-string validation.

    Plotly checks every colour string one by one (about a second for 20,000 points); these
    strings are made here from the fixed palette, so the check is skipped for this one
    property.
    """
    marker = trace.marker
    marker._validate = False
    try:
        marker.color = list(colours)
    finally:
        marker._validate = True


def _ellipse_xy(outlines: Sequence[np.ndarray]) -> tuple[list[float], list[float]]:
    """Several closed outlines as one line trace (separated by gaps)."""
    xs: list[float] = []
    ys: list[float] = []
    for outline in outlines:
        outline = np.asarray(outline, dtype=float)
        if outline.size == 0 or not np.all(np.isfinite(outline)):
            continue
        xs.extend(outline[:, 0].tolist() + [outline[0, 0], None])
        ys.extend(outline[:, 1].tolist() + [outline[0, 1], None])
    return xs, ys


def ellipse_dicts(params, levels: Sequence[int], ghost: bool = False,
                  trace_type: str = "scatter") -> list[dict]:
    """Covariance ellipses of every component at the chosen σ levels, as trace dicts.

    params : GMMParams (weights (K,), means (K, D), covariances (K, D, D))
    levels : the n of the nσ ellipses to draw (1, 2, 3)
    ghost : draw them dashed and faint (the parameters before the M step)
    trace_type : "scatter" or "scattergl": the points' type, so that the ellipses lie on them
    """
    from clustering import geometry

    traces = []
    for level in sorted(set(int(v) for v in levels)):
        for k in range(len(params.weights)):
            xs, ys = _ellipse_xy([geometry.ellipse(params.means[k], params.covariances[k], level)])
            if ghost:
                name = "before this M step"
                line = dict(color=rgba(colour(k), GHOST_ALPHA), width=2, dash="dash")
                group, show = "ghost", (k == 0 and level == min(levels))
            else:
                name = f"{level}σ ellipse ({100 * sigma_mass(level):.0f}% inside)"
                line = dict(color=colour(k), width=ELLIPSE_WIDTH.get(level, 2))
                group, show = f"sigma{level}", False
                if k == 0:  # the legend's entry, in a neutral colour (every component has one)
                    traces.append(dict(type="scatter",
                        x=[None], y=[None], mode="lines", name=name, legendgroup=group,
                        line=dict(color="#333333", width=ELLIPSE_WIDTH.get(level, 2)),
                    ))
            traces.append(dict(type=trace_type,
                x=xs, y=ys, mode="lines", line=line, name=name, legendgroup=group,
                showlegend=show, hoverinfo="skip",
            ))
    return traces


def means_dict(params, ghost: bool = False, trace_type: str = "scatter") -> dict:
    """The means μ_k as large markers labelled μ₁, μ₂, ... (hollow and faint when ghost), a dict.

    trace_type : "scatter", or "scattergl" to lie on WebGL points (then without the labels,
        which WebGL cannot draw as rich text: ``centroid_labels(means, "μ")`` puts them above)
    """
    k = len(params.weights)
    means = np.asarray(params.means, dtype=float)
    subscripts = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    labels = [f"μ{str(j + 1).translate(subscripts)}" for j in range(k)]
    if ghost:
        marker = dict(size=CENTROID_SIZE - 6, color="rgba(255,255,255,0)", symbol="circle-open",
                      line=dict(color=[rgba(colour(j), GHOST_ALPHA) for j in range(k)], width=2))
        return dict(type=trace_type, x=means[:, 0], y=means[:, 1], mode="markers", marker=marker,
                          name="before this M step", legendgroup="ghost",
                          showlegend=False, hoverinfo="skip")
    marker = dict(size=CENTROID_SIZE, color=[colour(j) for j in range(k)], symbol="circle",
                  line=dict(color="black", width=3))
    hover = [
        f"component {j + 1}<br>π = {params.weights[j]:.3f}<br>μ = ({means[j, 0]:.3g}, {means[j, 1]:.3g})"
        "<extra></extra>" for j in range(k)
    ]
    trace = dict(type=trace_type, x=means[:, 0], y=means[:, 1], mode="markers", marker=marker,
                 name="means μₖ", hovertemplate=hover, legendgroup="means")
    if trace_type == "scatter":
        trace.update(
            mode="markers+text", text=[f"<b>{label}</b>" for label in labels],
            textposition="top right", textfont=dict(size=FONT_SIZE + 5, color="black"),
            cliponaxis=False,  # a label next to a mean at the edge stays readable
        )
    return trace


def density_dict(grid_x: np.ndarray, grid_y: np.ndarray, density: np.ndarray) -> dict:
    """Contour lines of the mixture density p(x) = Σ_k π_k N(x | μ_k, Σ_k), spaced in log p."""
    density = np.asarray(density, dtype=float)
    positive = density[np.isfinite(density) & (density > 0)]
    floor = positive.max() * 1e-6 if positive.size else 1.0
    log_density = np.log10(np.maximum(np.nan_to_num(density, nan=0.0), floor))
    top = float(log_density.max())
    return dict(
        type="contour", x=grid_x, y=grid_y, z=log_density, showscale=False, hoverinfo="skip",
        contours=dict(coloring="none", start=top - 4, end=top, size=0.5),
        line=dict(color=DENSITY_COLOUR, width=1.2), name="density p(x), log-spaced",
        showlegend=True,
    )


def gmm_figure(
    X: np.ndarray,
    params,
    resp: np.ndarray | None,
    x_range: Sequence[float],
    y_range: Sequence[float],
    levels: Sequence[int] = (1, 2),
    colour_mode: str = "blend",
    previous=None,
    density: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    selected: int | None = None,
    title: str | None = None,
    height: int = 620,
    webgl: bool | None = None,
    axis_titles: tuple[str, str] = ("x₁", "x₂"),
) -> go.Figure:
    """The GMM page's main figure.

    X : (N, 2) points, coloured by their responsibilities ``resp`` (N, K) (grey before any E
        step); ``colour_mode`` "blend" or "likely" (see ``responsibility_colours``).
    params : the GMMParams on screen: means as large markers, ellipses at ``levels`` σ.
    previous : the GMMParams before this M step, drawn ghosted (dashed, faint), or None.
    density : (grid_x (G,), grid_y (H,), p (H, G)) for contour lines of the mixture density.
    selected : index of the point under inspection (ringed), or None.
    Up to ``GAMMA_HOVER_POINTS`` drawn points, each carries [n, γ_n1, ...] as customdata (its
    hover label lists them); beyond, nothing per point is sent, and the page maps a click's
    position in the trace back through the drawn sample (``gmm_panels.clicked_point``).
    webgl : draw the points and all on them with WebGL (True), SVG (False) or by their number
        (None; ``scatter_type``).
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    data: list[dict] = []
    if density is not None:
        data.append(density_dict(*density))
    indices = drawn_indices(n)
    drawn = n if indices is None else len(indices)
    size = point_marker_size(drawn)
    # Colours and hover data for the drawn points only (a fixed sample when N is large).
    shown = np.arange(n) if indices is None else indices
    shown_resp = None if resp is None else np.asarray(resp)[shown]
    colours = responsibility_colours(shown_resp, drawn, colour_mode)
    if drawn > GAMMA_HOVER_POINTS:  # nothing per point: the page maps a click back (the sample)
        hover = "(%{x:.4g}, %{y:.4g})<br>click to inspect its γ<extra></extra>"
        customdata = None
    elif shown_resp is None:
        hover = "point %{customdata[0]}<br>no responsibilities before the first E step<extra></extra>"
        customdata = shown[:, None].astype(np.int32)
    else:
        k = shown_resp.shape[1]
        customdata = np.column_stack([shown, np.round(shown_resp, 3)]).astype(np.float32)
        parts = "<br>".join(f"γ{j + 1} = %{{customdata[{j + 1}]:.3f}}" for j in range(k))
        hover = "point %{customdata[0]}<br>" + parts + "<extra></extra>"
    point_type = scatter_type(drawn, webgl)  # the points and all drawn on top of them
    data.append(dict(
        type=point_type,
        x=X[shown, 0].astype(np.float32), y=X[shown, 1].astype(np.float32), mode="markers",
        name="points (colour: γ)" if resp is not None else "points", showlegend=False,
        marker=dict(size=size, color=colours, opacity=1.0 if colour_mode == "likely" else 0.85,
                    **({} if shown_resp is None else {"symbol": symbols(np.argmax(shown_resp, axis=1))})),
        customdata=customdata, hovertemplate=hover,
        unselected=dict(marker=dict(opacity=1.0)), selected=dict(marker=dict(opacity=1.0)),
    ))
    if previous is not None:
        data += ellipse_dicts(previous, levels, ghost=True, trace_type=point_type)
        data.append(means_dict(previous, ghost=True, trace_type=point_type))
    data += ellipse_dicts(params, levels, trace_type=point_type)
    data.append(means_dict(params, trace_type=point_type))
    if selected is not None and 0 <= selected < n:
        data.append(dict(
            type=point_type, x=[X[selected, 0]], y=[X[selected, 1]], mode="markers",
            name=f"inspected: point {selected}", hoverinfo="skip",
            marker=dict(size=24, symbol="circle-open", color="black", line=dict(width=4)),
        ))
    layout = base_layout(x_range, y_range, title=title, axis_titles=axis_titles, height=height)
    # the legend under the (equal-scale) plot, its title stating the σ convention
    layout.update(legend=dict(
        orientation="h", x=0, xanchor="left", y=-0.13, yanchor="top", font=dict(size=FONT_SIZE - 2),
        title=dict(text="nσ ellipse: (x−μ)ᵀΣ⁻¹(x−μ) = n²  ", font=dict(size=FONT_SIZE - 2),
                   side="top"),
    ), margin=dict(l=10, r=10, t=10, b=10))
    if point_type == "scattergl":  # the means' labels, above the WebGL layer
        layout.update(annotations=centroid_labels(np.asarray(params.means, dtype=float), "μ", 24))
    return assembled(data, layout)


def storyboard_figure(
    X: np.ndarray,
    panels: Sequence[tuple[str, object, np.ndarray | None, object | None]],
    x_range: Sequence[float],
    y_range: Sequence[float],
    levels: Sequence[int] = (1, 2),
    columns: int | None = None,
    max_points: int = 3_000,
) -> go.Figure:
    """Small multiples of EM at chosen moments, as ONE figure (one PNG for a slide).

    panels : (title, params, resp or None, previous params or None) per panel.
    Points coloured by the γ blend; the same axis ranges and equal scale in every panel. At
    most ``max_points`` points are drawn per panel (a fixed sample). SVG (not WebGL) so the
    modebar's PNG download captures every panel.
    """
    from plotly.subplots import make_subplots

    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    count = len(panels)
    columns = columns or min(count, 5)
    rows = int(np.ceil(count / columns))
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=[p[0] for p in panels],
                           horizontal_spacing=0.02, vertical_spacing=0.1)
    figure.update_layout(template=TEMPLATE)
    indices = drawn_indices(n, max_points)
    shown = np.arange(n) if indices is None else indices
    for i, (_, params, resp, previous) in enumerate(panels):
        row, col = i // columns + 1, i % columns + 1
        colours = responsibility_colours(None if resp is None else resp[shown], len(shown), "blend")
        figure.add_trace(go.Scatter(
            x=X[shown, 0], y=X[shown, 1], mode="markers", showlegend=False, hoverinfo="skip",
            marker=dict(size=point_marker_size(len(shown)) - 2, color=UNASSIGNED_COLOUR, opacity=0.8),
        ), row=row, col=col)
        set_point_colours(figure.data[-1], colours)
        if previous is not None:
            for trace in ellipse_dicts(previous, levels[:1], ghost=True):
                figure.add_trace(trace | {"showlegend": False}, row=row, col=col)
        for trace in ellipse_dicts(params, levels):
            figure.add_trace(trace | {"showlegend": i == 0 and trace.get("showlegend", True)}, row=row, col=col)
        means = means_dict(params)
        means.update(mode="markers", showlegend=False)
        means["marker"] = means["marker"] | {"size": 14}
        for key in ("text", "textposition", "textfont", "cliponaxis"):
            means.pop(key, None)
        figure.add_trace(means, row=row, col=col)
    for i in range(count):
        suffix = "" if i == 0 else str(i + 1)
        figure.layout[f"xaxis{suffix}"].update(range=list(x_range), showticklabels=False,
                                               showgrid=False, zeroline=False, constrain="domain",
                                               linecolor="#cccccc", mirror=True, showline=True)
        figure.layout[f"yaxis{suffix}"].update(range=list(y_range), showticklabels=False,
                                               showgrid=False, zeroline=False, constrain="domain",
                                               scaleanchor=f"x{suffix}", scaleratio=1,
                                               linecolor="#cccccc", mirror=True, showline=True)
    figure.update_annotations(font=dict(size=FONT_SIZE))
    figure.update_layout(
        height=330 * rows + 60, font=dict(size=FONT_SIZE - 2), plot_bgcolor="white",
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.02, x=0),
    )
    return figure


def generative_figure(
    X: np.ndarray,
    z: np.ndarray,
    params,
    levels: Sequence[int] = (1, 2),
    height: int = FIGURE_HEIGHT,
) -> go.Figure:
    """Points drawn from a mixture, coloured by the component z_n that generated each one.

    X : (N, 2) points; z : (N,) component of each point (0..K-1); params : the true GMMParams.
    The true nσ ellipses and means are drawn on top; the axis ranges cover the points and the
    largest ellipse, so no ellipse is cut off. Beyond ``MAX_DRAWN_POINTS`` a fixed sample is
    drawn (the page shows ``sample_note``).
    """
    from clustering import geometry

    X = np.asarray(X, dtype=float)
    z = np.asarray(z)
    k = len(params.weights)
    outlines = [geometry.ellipse(params.means[j], params.covariances[j], max(levels))
                for j in range(k) if params.weights[j] > 0]
    extent = np.vstack([X] + [np.asarray(o, dtype=float) for o in outlines]) if len(X) else np.vstack(outlines)
    extent = extent[np.all(np.isfinite(extent), axis=1)]
    x_range, y_range = axis_ranges(extent, margin=0.04)
    figure = base_figure(x_range, y_range, height=height)
    indices = drawn_indices(X.shape[0])
    drawn = np.arange(X.shape[0]) if indices is None else indices
    size = point_marker_size(len(drawn))
    counts = np.bincount(z.astype(np.intp), minlength=k) if z.size else np.zeros(k, dtype=int)
    for j in range(k):
        mine = drawn[z[drawn] == j]
        name = f"z = {j + 1}: {counts[j]:,} points"
        figure.add_trace(points_trace(
            X[mine], colour(j), name=name, opacity=0.7, size=size, symbol=symbol(j),
            hovertemplate=f"drawn from component {j + 1}<br>x = (%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
        ))
    for trace in ellipse_dicts(params, levels):
        figure.add_trace(trace)
    figure.add_trace(means_dict(params))
    # explicit tick fonts: Streamlit's chart theme would otherwise draw them too small for a projector
    for update in (figure.update_xaxes, figure.update_yaxes):
        update(tickfont=dict(size=FONT_SIZE - 1, color="#1a1a1a"),
               title_font=dict(size=FONT_SIZE + 1, color="#1a1a1a"))
    return figure
