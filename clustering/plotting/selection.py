"""Figures of "How many clusters?": the elbow of J, the silhouette, and BIC / AIC against K.

Plotly only: each function takes arrays and returns a go.Figure. Every K has an invisible
full-height column under the curve, so a click anywhere above a K (not only on its small
marker) reports that K as the clicked point's ``x``; the panels load that K.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from clustering.plotting import FONT_SIZE

CURVE_COLOUR = "#34495e"
CURRENT_COLOUR = "#f0a30a"  # the page's K: the ring of "now" in the J-over-time chart
SILHOUETTE_COLOUR = "#2c7a3f"
BIC_COLOUR = "#1f4e79"
AIC_COLOUR = "#b8452b"
GRID = "#eeeeee"
SELECTION_HEIGHT = 380
CLICK_HINT = "click to load this K"


def _finite(values: Sequence[float | None]) -> list[float | None]:
    """The values with every missing or non-finite entry as None (a gap in the line)."""
    out = []
    for value in values:
        out.append(float(value) if value is not None and math.isfinite(float(value)) else None)
    return out


def _click_columns(ks: Sequence[int], low: float, high: float) -> go.Bar:
    """Invisible bars from ``low`` to ``high`` at every K: a click there reports x = K."""
    return go.Bar(
        x=list(ks), y=[high - low] * len(ks), base=low, width=0.9, showlegend=False,
        marker=dict(color="rgba(0,0,0,0)"), name="K",
        hovertemplate="K = %{x}: " + CLICK_HINT + "<extra></extra>",
    )


def _layout(figure: go.Figure, ks: Sequence[int], y_title: str, y_range: list[float],
            height: int) -> go.Figure:
    ks = list(ks)
    figure.update_layout(
        template="none", height=height, margin=dict(l=80, r=20, t=50, b=60),
        font=dict(size=FONT_SIZE - 1), plot_bgcolor="white", hovermode="closest",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, font=dict(size=FONT_SIZE - 2)),
        bargap=0.1, clickmode="event",
    )
    figure.update_xaxes(
        title=dict(text="K, the number of clusters"), range=[min(ks) - 0.5, max(ks) + 0.5],
        tickmode="array", tickvals=ks, ticktext=[str(k) for k in ks], tickangle=0, showgrid=False, zeroline=False, fixedrange=True,
    )
    figure.update_yaxes(title=dict(text=y_title), range=y_range, showgrid=True, gridcolor=GRID,
                        zeroline=False, fixedrange=True)
    return figure


def _current_ring(k: int, y: float | None, label: str = "your K") -> list[go.Scatter]:
    if y is None:
        return []
    return [go.Scatter(
        x=[k], y=[y], mode="markers+text", name=f"{label} = {k}", text=[f"{label} = {k}"],
        textposition="top right", textfont=dict(color="#a66f00", size=FONT_SIZE - 2),
        marker=dict(symbol="circle-open", size=26, color=CURRENT_COLOUR, line=dict(width=4)),
        hoverinfo="skip", showlegend=False,
    )]


def elbow_figure(
    ks: Sequence[int],
    objectives: Sequence[float],
    current_k: int | None = None,
    n_restarts: int = 1,
    height: int = SELECTION_HEIGHT,
) -> go.Figure:
    """J of the best of ``n_restarts`` against K; the page's K ringed.

    ks : (m,) K values, ascending; objectives : (m,) the best final J of each K.
    The hover of every K says how much J fell from the K before it.
    """
    ks = [int(k) for k in ks]
    values = _finite(objectives)
    falls = [""]
    for before, after in zip(values[:-1], values[1:], strict=True):
        if before and after is not None and before > 0:
            falls.append(f"<br>{100 * (1 - after / before):.0f} % below the K before")
        else:
            falls.append("")
    top = max((v for v in values if v is not None), default=1.0) or 1.0
    figure = go.Figure()
    figure.add_trace(_click_columns(ks, 0.0, 1.08 * top))
    figure.add_trace(go.Scatter(
        x=ks, y=values, mode="lines+markers", name="J", customdata=falls, showlegend=False,
        line=dict(color=CURVE_COLOUR, width=3), marker=dict(size=12, color=CURVE_COLOUR),
        hovertemplate="K = %{x}: J = %{y:,.4g}%{customdata}<br>" + CLICK_HINT + "<extra></extra>",
    ))
    if current_k in ks:
        for trace in _current_ring(current_k, values[ks.index(current_k)]):
            figure.add_trace(trace)
    title = f"J, best of {n_restarts} restart{'s' if n_restarts != 1 else ''}"
    return _layout(figure, ks, title, [0.0, 1.08 * top], height)


def silhouette_figure(
    ks: Sequence[int],
    values: Sequence[float | None],
    current_k: int | None = None,
    height: int = SELECTION_HEIGHT,
) -> go.Figure:
    """The mean silhouette against K (None where undefined, e.g. K = 1, drawn as no marker);
    the highest starred, the page's K ringed."""
    ks = [int(k) for k in ks]
    shown = _finite(values)
    known = [(k, v) for k, v in zip(ks, shown, strict=True) if v is not None]
    low = min([0.0] + [v - 0.05 for _, v in known])
    high = min(1.0, max([0.5] + [v + 0.12 for _, v in known]))
    figure = go.Figure()
    figure.add_trace(_click_columns(ks, low, high))
    figure.add_trace(go.Scatter(
        x=ks, y=shown, mode="lines+markers", name="mean silhouette", showlegend=False,
        line=dict(color=SILHOUETTE_COLOUR, width=3), marker=dict(size=12, color=SILHOUETTE_COLOUR),
        hovertemplate="K = %{x}: mean silhouette %{y:.3f}<br>" + CLICK_HINT + "<extra></extra>",
    ))
    best_k = highest(ks, shown)
    if best_k is not None:
        best = shown[ks.index(best_k)]
        figure.add_trace(go.Scatter(
            x=[best_k], y=[best], mode="markers", name="highest",
            marker=dict(symbol="star", size=24, color=SILHOUETTE_COLOUR,
                        line=dict(width=1.5, color="white")),
            hoverinfo="skip", showlegend=False,
        ))
    if current_k in ks:
        for trace in _current_ring(current_k, shown[ks.index(current_k)]):
            figure.add_trace(trace)
    return _layout(figure, ks, "mean silhouette", [low, high], height)


def criteria_figure(
    ks: Sequence[int],
    bics: Sequence[float],
    aics: Sequence[float],
    n_parameters: Sequence[int],
    current_k: int | None = None,
    height: int = SELECTION_HEIGHT,
) -> go.Figure:
    """BIC and AIC against K, each minimum starred, the page's K marked; p in every hover.

    ks, bics, aics, n_parameters : (m,) arrays; NaN where K has no fit (a gap in the line).
    """
    ks = [int(k) for k in ks]
    series = {"BIC": _finite(bics), "AIC": _finite(aics)}
    known = [v for values in series.values() for v in values if v is not None]
    if known:
        spread = max(known) - min(known) or max(1.0, abs(max(known)))
        low, high = min(known) - 0.08 * spread, max(known) + 0.16 * spread
    else:
        low, high = 0.0, 1.0
    figure = go.Figure()
    figure.add_trace(_click_columns(ks, low, high))
    styles = {"BIC": (BIC_COLOUR, "circle", "solid", "−2ℓ + p ln N"),
              "AIC": (AIC_COLOUR, "square", "dash", "−2ℓ + 2p")}
    for name, values in series.items():
        colour, symbol, dash, formula = styles[name]
        figure.add_trace(go.Scatter(
            x=ks, y=values, mode="lines+markers", name=f"{name} = {formula}",
            line=dict(color=colour, width=3, dash=dash), marker=dict(size=11, color=colour, symbol=symbol),
            customdata=list(n_parameters),
            hovertemplate=f"K = %{{x}}: {name} = %{{y:,.1f}} (p = %{{customdata}})<br>"
                          + CLICK_HINT + "<extra></extra>",
        ))
    for name, values in series.items():
        finite = [(k, v) for k, v in zip(ks, values, strict=True) if v is not None]
        if not finite:
            continue
        best_k, best = min(finite, key=lambda item: (item[1], item[0]))
        figure.add_trace(go.Scatter(
            x=[best_k], y=[best], mode="markers", name=f"{name} smallest",
            marker=dict(symbol="star", size=26, color=styles[name][0],
                        line=dict(width=1.5, color="white")),
            hoverinfo="skip", showlegend=False,
        ))
    if current_k in ks:
        figure.add_vline(x=current_k, line=dict(color=CURRENT_COLOUR, width=3, dash="dot"),
                         annotation=dict(text=f"your K = {current_k}", font=dict(color="#a66f00"),
                                         yanchor="top", y=1.0, xanchor="left"))
    figure = _layout(figure, ks, "criterion (lower is better)", [low, high], height)
    figure.update_xaxes(title=dict(text="K, the number of components"))
    return figure


def highest(ks: Sequence[int], values: Sequence[float | None]) -> int | None:
    """The K of the largest finite value (the smallest such K on a tie), or None."""
    known = [(int(k), v) for k, v in zip(ks, _finite(values), strict=True) if v is not None]
    if not known:
        return None
    return max(known, key=lambda item: (item[1], -item[0]))[0]
