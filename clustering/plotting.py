"""Every figure of Clustering Lab. Plotly only: functions take arrays and return go.Figure.

Nothing here fits or steps anything; the pages derive the numbers (clustering.derived) and
hand them over. Conventions shared by every figure:
- one fixed colour per cluster / component (``constants.CLUSTER_COLOURS``), the same in every
  figure and in the theme;
- equal axis scale and axis ranges fixed from the data, so nothing jumps between half-steps;
- large markers and fonts (readable on a projector), a legend that says what each symbol is;
- SVG up to ``WEBGL_THRESHOLD`` drawn points, WebGL above it, and at most ``MAX_DRAWN_POINTS``
  drawn (a fixed random sample beyond that, and the figure says so);
- Plotly's empty template (``TEMPLATE``): every style is set here, and the browser does not
  have to merge Plotly's large default template into every figure it draws.

Why SVG for few points: ``st.plotly_chart`` draws a changed figure into a new graph div (and
then draws it once more, as it re-applies its theme), and a new WebGL context costs headless
Chromium about 0.4 s whatever the number of points, where SVG costs about 0.1 ms a point in each
of the two draws (bench/bench_figures.py measures one draw). The K-means and GMM figures take
``webgl=True`` on their pages: there ``clustering.ui.plotly_view`` redraws one graph div in
place, its WebGL context is made once, and WebGL is then the quicker at any N (K-means page at
N = 1,000: 479 against 586 ms from click to redrawn).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from clustering import datasets
from clustering.constants import CLUSTER_COLOURS, UNASSIGNED_COLOUR
from clustering.geometry import axis_ranges  # the one home; re-exported for the pages

RING_COLOUR = "rgba(26,26,26,0.55)"  # the rings of the points that changed cluster
WEBGL_THRESHOLD = 2_000  # SVG up to this many drawn points, WebGL above (see the module's doc)
TEMPLATE = "none"  # Plotly's empty template: every figure sets its own styles
MAX_DRAWN_POINTS = 20_000  # beyond this, a fixed sample is drawn (the caption says so)
FONT_SIZE = 17
MARKER_SIZE = 7
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
    size: float = MARKER_SIZE,
    line_colours: Sequence[str] | str | None = None,
    line_width: float | Sequence[float] = 0,
    customdata: np.ndarray | None = None,
    hovertemplate: str | None = None,
    showlegend: bool = True,
) -> go.Scatter | go.Scattergl:
    """One scatter of the points (only ``indices`` of them when given): SVG or WebGL by count."""
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
    trace_class = go.Scattergl if scatter_type(X.shape[0]) == "scattergl" else go.Scatter
    return trace_class(
        x=X[:, 0], y=X[:, 1], mode="markers", name=name, marker=marker,
        customdata=customdata, hovertemplate=hovertemplate, showlegend=showlegend,
    )


def label_colours(labels: np.ndarray | None, n: int) -> list[str]:
    """The colour of each point: its cluster's colour, grey before any assignment."""
    if labels is None:
        return [UNASSIGNED_COLOUR] * n
    palette = np.array(CLUSTER_COLOURS)
    return list(palette[np.asarray(labels) % len(CLUSTER_COLOURS)])


# --------------------------------------------------------------------------------------
# The Data page's preview
# --------------------------------------------------------------------------------------

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
                                      hovertemplate=hover))
    figure.update_layout(legend=dict(title=dict(text="true label: ", font=dict(size=FONT_SIZE - 1))))
    return figure


# --------------------------------------------------------------------------------------
# Gaussian mixtures (the GMM page): responsibilities, ellipses, density, bound, storyboard
# --------------------------------------------------------------------------------------

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


def ellipse_traces(params, levels: Sequence[int], ghost: bool = False) -> list[go.Scatter]:
    """The same ellipses as go.Scatter traces (for figures that change them afterwards)."""
    return [go.Scatter(trace) for trace in ellipse_dicts(params, levels, ghost)]


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


def means_trace(params, ghost: bool = False) -> go.Scatter:
    """The same means as a go.Scatter trace (for figures that change it afterwards)."""
    return go.Scatter(means_dict(params, ghost))


def density_trace(grid_x: np.ndarray, grid_y: np.ndarray, density: np.ndarray) -> go.Contour:
    """Contour lines of the mixture density p(x) = Σ_k π_k N(x | μ_k, Σ_k), spaced in log p."""
    density = np.asarray(density, dtype=float)
    positive = density[np.isfinite(density) & (density > 0)]
    floor = positive.max() * 1e-6 if positive.size else 1.0
    log_density = np.log10(np.maximum(np.nan_to_num(density, nan=0.0), floor))
    top = float(log_density.max())
    return go.Contour(
        x=grid_x, y=grid_y, z=log_density, showscale=False, hoverinfo="skip",
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
        data.append(density_trace(*density).to_plotly_json())
    indices = drawn_indices(n)
    drawn = n if indices is None else len(indices)
    size = MARKER_SIZE if drawn <= 2_000 else (5 if drawn <= 10_000 else 3.5)
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
        marker=dict(size=size, color=colours, opacity=1.0 if colour_mode == "likely" else 0.85),
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
    layout = base_layout(x_range, y_range, title=title, height=height)
    # the legend under the (equal-scale) plot, its title stating the σ convention
    layout.update(legend=dict(
        orientation="h", x=0, xanchor="left", y=-0.13, yanchor="top", font=dict(size=FONT_SIZE - 2),
        title=dict(text="nσ ellipse: (x−μ)ᵀΣ⁻¹(x−μ) = n²  ", font=dict(size=FONT_SIZE - 2),
                   side="top"),
    ), margin=dict(l=10, r=10, t=10, b=10))
    if point_type == "scattergl":  # the means' labels, above the WebGL layer
        layout.update(annotations=centroid_labels(np.asarray(params.means, dtype=float), "μ", 24))
    return assembled(data, layout)


def bound_figure(
    likelihoods: Sequence[float],
    bounds: Sequence[float | None],
    kinds: Sequence[str],
    cursor: int,
    height: int = 340,
    window: int | None = None,
) -> go.Figure:
    """The log-likelihood ℓ(θ) and the lower bound 𝓛(q, θ) after every half-step, in one chart.

    likelihoods, bounds, kinds : per half-step (bounds None before the first E step; kinds
        "init", "E" or "M"). The gap ℓ − 𝓛 (= KL(q ‖ p(z | x, θ))) is shaded and the gap at the
        cursor's half-step is written on the chart; a vertical line marks the cursor; the
        half-steps after the cursor are drawn faint.
    window : show only the last ``window`` half-steps up to the cursor, with the y axis fitted
        to them (late gaps are far smaller than the first rise); None shows them all.
    """
    steps = list(range(len(likelihoods)))
    ll = [float(v) for v in likelihoods]
    lb = [None if b is None else float(b) for b in bounds]
    labels = ["start" if kind == "init" else kind for kind in kinds]
    data: list[dict] = []
    shapes: list[dict] = []
    annotations: list[dict] = []
    last = min(max(cursor, 0), len(steps) - 1)
    past = steps[: last + 1]
    future = steps[last:]
    if len(future) > 1:  # half-steps after the cursor (after Step back, or while replaying): faint
        data.append(dict(type="scatter",
            x=future, y=[ll[i] for i in future], mode="lines", name="later",
            line=dict(color="#c8c8c8", width=2), hoverinfo="skip",
        ))
        data.append(dict(type="scatter",
            x=future, y=[lb[i] for i in future], mode="lines", showlegend=False,
            line=dict(color="#c8c8c8", width=2, dash="dot"), hoverinfo="skip",
        ))
    # the gap up to the cursor, shaded: a closed polygon over the half-steps that have a bound
    with_bound = [i for i in past if lb[i] is not None]
    if with_bound:
        gx = with_bound + with_bound[::-1]
        gy = [ll[i] for i in with_bound] + [lb[i] for i in with_bound[::-1]]
        data.append(dict(type="scatter",
            x=gx, y=gy, fill="toself", mode="none", fillcolor="rgba(214,39,40,0.22)",
            name="gap (KL)", hoverinfo="skip",
        ))
    marker_size = 10 if len(past) <= 40 else 5
    data.append(dict(type="scatter",
        x=past, y=[ll[i] for i in past], mode="lines+markers", name="log-likelihood ℓ",
        line=dict(color=colour(0), width=3), marker=dict(size=marker_size),
        customdata=[labels[i] for i in past],
        hovertemplate="half-step %{x} (%{customdata})<br>ℓ = %{y:.6g}<extra></extra>",
    ))
    data.append(dict(type="scatter",
        x=past, y=[lb[i] for i in past], mode="lines+markers", name="lower bound 𝓛",
        line=dict(color=colour(1), width=3, dash="dot"),
        marker=dict(size=marker_size - 1, symbol="diamond"), connectgaps=False,
        customdata=[labels[i] for i in past],
        hovertemplate="half-step %{x} (%{customdata})<br>𝓛 = %{y:.6g}<extra></extra>",
    ))
    if 0 <= cursor < len(steps):
        shapes.append(dict(type="line", xref="x", yref="y domain", x0=cursor, x1=cursor, y0=0,
                           y1=1, line=dict(color="#888888", width=1.5, dash="dot")))
        if lb[cursor] is not None:
            gap = max(ll[cursor] - lb[cursor], 0.0)
            text = f"gap = {gap:.4g}" if kinds[cursor] == "M" else "𝓛 touches ℓ"
            annotations.append(dict(
                x=cursor, y=(ll[cursor] + lb[cursor]) / 2, text=text, showarrow=True,
                arrowhead=0, ax=-70 if cursor > len(steps) / 2 and cursor > 2 else 70, ay=25,
                font=dict(size=FONT_SIZE, color="#b22222"),
                bgcolor="rgba(255,255,255,0.85)",
            ))
    x_range = [-0.5, max(len(steps) - 0.5, 4.5)]
    shown = steps
    if window is not None and last + 1 > window:
        x_range = [last - window + 0.5, last + 0.5]
        shown = steps[last - window + 1: last + 1]
    every = max(1, len(shown) // 16)
    tick_labels = [f"{i}<br>{labels[i]}" for i in shown]
    xaxis = dict(title=dict(text="half-step"), tickmode="array", tickvals=shown[::every],
                 ticktext=tick_labels[::every], range=x_range, showgrid=False, automargin=True,
                 zeroline=False)
    yaxis = dict(title=dict(text="total over the points"), gridcolor="#eeeeee", zeroline=False,
                 automargin=True, tickformat=",.6~g")
    if shown is not steps:  # fit the y axis to the half-steps in view
        values = [ll[i] for i in shown] + [lb[i] for i in shown if lb[i] is not None]
        low, high = min(values), max(values)
        pad = max(0.08 * (high - low), 1e-6 * max(abs(high), 1.0))
        yaxis.update(range=[low - pad, high + pad], autorange=False)
    layout = dict(
        height=height, font=dict(size=FONT_SIZE), plot_bgcolor="white",
        margin=dict(l=10, r=10, t=10, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, font=dict(size=FONT_SIZE - 2)),
        hovermode="x unified", xaxis=xaxis, yaxis=yaxis, shapes=shapes, annotations=annotations,
    )
    return assembled(data, layout)


def responsibility_bars(gamma: np.ndarray, height: int = 300) -> go.Figure:
    """γ_nk of one point as a bar per component, in the component colours, on [0, 1]."""
    gamma = np.clip(np.nan_to_num(np.asarray(gamma, dtype=float)), 0.0, 1.0)
    k = gamma.shape[0]
    names = [f"k = {j + 1}" for j in range(k)]
    figure = new_figure(go.Bar(
        x=names, y=gamma, marker_color=[colour(j) for j in range(k)],
        text=[f"{g:.3f}" for g in gamma], textposition="outside", cliponaxis=False,
        hovertemplate="γ = %{y:.4f}<extra>%{x}</extra>",
    ))
    figure.update_yaxes(range=[0, 1.15], title="γₙₖ", gridcolor="#eeeeee", automargin=True,
                        tickvals=[0, 0.25, 0.5, 0.75, 1])
    figure.update_xaxes(automargin=True)
    figure.update_layout(height=height, font=dict(size=FONT_SIZE), plot_bgcolor="white",
                         margin=dict(l=10, r=10, t=10, b=10), showlegend=False)
    return figure


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
            marker=dict(size=4 if len(shown) > 1000 else 5, color=UNASSIGNED_COLOUR, opacity=0.8),
        ), row=row, col=col)
        set_point_colours(figure.data[-1], colours)
        if previous is not None:
            for trace in ellipse_traces(previous, levels[:1], ghost=True):
                trace.showlegend = False
                figure.add_trace(trace, row=row, col=col)
        for trace in ellipse_traces(params, levels):
            trace.showlegend = i == 0 and trace.showlegend
            figure.add_trace(trace, row=row, col=col)
        means = means_trace(params)
        means.update(mode="markers", marker_size=14, showlegend=False)
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


# --------------------------------------------------------------------------------------
# The generative model page: a sample coloured by its true component z, with true ellipses
# --------------------------------------------------------------------------------------


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
    size = MARKER_SIZE if len(drawn) <= 2_000 else (5 if len(drawn) <= 10_000 else 3.5)
    counts = np.bincount(z.astype(np.intp), minlength=k) if z.size else np.zeros(k, dtype=int)
    for j in range(k):
        mine = drawn[z[drawn] == j]
        name = f"z = {j + 1}: {counts[j]:,} points"
        figure.add_trace(points_trace(
            X[mine], colour(j), name=name, opacity=0.7, size=size,
            hovertemplate=f"drawn from component {j + 1}<br>x = (%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
        ))
    for trace in ellipse_traces(params, levels):
        trace.name = trace.name.replace("% of a component inside", "% of its component's points inside")
        figure.add_trace(trace)
    figure.add_trace(means_trace(params))
    # explicit tick fonts: Streamlit's chart theme would otherwise draw them too small for a projector
    for update in (figure.update_xaxes, figure.update_yaxes):
        update(tickfont=dict(size=FONT_SIZE - 1, color="#1a1a1a"),
               title_font=dict(size=FONT_SIZE + 1, color="#1a1a1a"))
    return figure


# --------------------------------------------------------------------------------------
# The exact 1-D optimum page: partitions of points on a number line, one row each
# --------------------------------------------------------------------------------------

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
                marker=dict(size=MARKER_SIZE + 3, color=colour(k), opacity=0.8,
                            line=dict(color="white", width=0.5)),
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


# --------------------------------------------------------------------------------------
# The K-means page (and the manual placement the GMM page shares)
# --------------------------------------------------------------------------------------

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
                      colorscale=cluster_colourscale(k), cmin=-0.5, cmax=k - 0.5, opacity=0.8)
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
                  legend=_legend_beside(x_range, y_range), modebar=dict(orientation="v"))
    return assembled(data, layout)


def _legend_beside(x_range: Sequence[float], y_range: Sequence[float]) -> dict:
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
                         legend=_legend_beside(x_range, y_range), modebar=dict(orientation="v"))
    return figure


def objective_figure(
    objectives: Sequence[float | None],
    kinds: Sequence[str],
    cursor: int,
    height: int = 320,
) -> go.Figure:
    """J after every half-step: E steps as open circles, M steps as filled squares.

    objectives : J of every half-step (None for the start, which has no assignment yet)
    kinds : "init", "E" or "M" for every half-step; cursor : the half-step on screen (ringed).
    """
    steps = np.arange(len(objectives))
    known = [i for i, value in enumerate(objectives) if value is not None]
    values = np.array([objectives[i] for i in known], dtype=float)
    data: list[dict] = [dict(type="scatter", x=[int(steps[i]) for i in known], y=values,
                             mode="lines", line=dict(color="#9a9a9a", width=2), showlegend=False,
                             hoverinfo="skip")]
    for kind, name, symbol, fill in (
        ("E", "after an E step (assign)", "circle-open", E_STEP_COLOUR),
        ("M", "after an M step (move)", "square", M_STEP_COLOUR),
    ):
        chosen = [i for i in known if kinds[i] == kind]
        data.append(dict(
            type="scatter", x=chosen, y=[objectives[i] for i in chosen], mode="markers", name=name,
            marker=dict(symbol=symbol, size=12, color=fill, line=dict(width=2.5, color=fill)),
            hovertemplate="half-step %{x}: J = %{y:,.6g}<extra>" + kind + " step</extra>",
        ))
    if 0 <= cursor < len(objectives) and objectives[cursor] is not None:
        data.append(dict(
            type="scatter", x=[cursor], y=[objectives[cursor]], mode="markers", name="now",
            marker=dict(symbol="circle-open", size=24, color="#f0a30a", line=dict(width=3.5)),
            hoverinfo="skip",
        ))
    last = max(len(objectives) - 1, 1)
    layout = dict(
        height=height, margin=dict(l=80, r=10, t=10, b=60), font=dict(size=FONT_SIZE - 1),
        plot_bgcolor="white", uirevision="keep",
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, font=dict(size=FONT_SIZE - 2)),
        xaxis=dict(range=[-0.5, last + 0.5], title=dict(text="half-step (odd: E, even: M)"),
                   showgrid=True, gridcolor="#eeeeee", zeroline=False,
                   dtick=max(1, int(np.ceil(last / 12)))),
        yaxis=dict(title=dict(text="J"), showgrid=True, gridcolor="#eeeeee", zeroline=False,
                   rangemode="tozero" if len(values) == 0 else "normal"),
    )
    return assembled(data, layout)


def restarts_figure(
    final_objectives: np.ndarray,
    best: float,
    current: float | None = None,
    current_label: str = "this run",
    height: int = 320,
) -> go.Figure:
    """Histogram of the final J of n restarts, the best and the current run marked."""
    final_objectives = np.asarray(final_objectives, dtype=float)
    figure = new_figure()
    figure.add_trace(go.Histogram(
        x=final_objectives, nbinsx=max(10, min(40, 2 * len(final_objectives))),
        marker=dict(color="#7f9cbf", line=dict(color="#34495e", width=1)), name="restarts",
        hovertemplate="final J %{x}<br>%{y} restart(s)<extra></extra>", showlegend=False,
    ))
    figure.update_layout(
        height=height, margin=dict(l=70, r=20, t=50, b=60), font=dict(size=FONT_SIZE - 1),
        plot_bgcolor="white", bargap=0.05,
    )
    figure.add_vline(x=best, line=dict(color="#2ca02c", width=4),
                     annotation=dict(text=f"best: J = {best:,.6g}", font=dict(color="#1e7a1e"),
                                     yanchor="bottom", y=1.0, xanchor="left"))
    if current is not None:
        figure.add_vline(x=current, line=dict(color="#d95f02", width=3, dash="dash"),
                         annotation=dict(text=f"{current_label}: J = {current:,.6g}",
                                         font=dict(color="#a64600"), yanchor="top", y=0.92,
                                         xanchor="left"))
    figure.update_xaxes(title="final J after convergence (lower is better)", showgrid=True,
                        gridcolor="#eeeeee")
    figure.update_yaxes(title="restarts", showgrid=True, gridcolor="#eeeeee", rangemode="tozero")
    return figure


# --------------------------------------------------------------------------------------
# The Compare page: K-means and EM side by side, and K-means as the σ → 0 limit of EM
# --------------------------------------------------------------------------------------

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
