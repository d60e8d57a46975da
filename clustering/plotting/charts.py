"""Charts over half-steps and runs: J, the log-likelihood and its bound, γ bars, restarts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from clustering.plotting.style import (
    E_STEP_COLOUR,
    FONT_SIZE,
    M_STEP_COLOUR,
    assembled,
    colour,
    new_figure,
)


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


def responsibility_bars_html(gamma: np.ndarray) -> str:
    """γ_nk of one point as plain HTML bars, one per component in its colour, on [0, 1].

    What the inspector shows on the GMM page's first screen: no chart library to load (Plotly's
    bundle would hold the browser's main thread while the stage draws). Each bar carries its
    exact value in ``data-gamma`` (shortest repr), its label and three decimals as text.
    """
    gamma = np.clip(np.nan_to_num(np.asarray(gamma, dtype=float)), 0.0, 1.0)
    rows = []
    for j, g in enumerate(gamma):
        rows.append(
            f'<div class="cl-bar" data-gamma="{float(g)!r}" style="display:flex;align-items:center;'
            f'gap:0.5rem;margin:0.15rem 0"><span style="width:3.2rem">k = {j + 1}</span>'
            f'<span style="flex:1;background:#eeeeee;height:1.1rem;position:relative">'
            f'<span style="position:absolute;left:0;top:0;bottom:0;width:{100 * float(g):.2f}%;'
            f'background:{colour(j)}"></span></span>'
            f'<span style="width:3.4rem;text-align:right;font-variant-numeric:tabular-nums">'
            f'{float(g):.3f}</span></div>')
    return ('<div class="cl-gamma-bars" role="img" aria-label="γ of the point per component: '
            + ", ".join(f"k = {j + 1}: {float(g):.3f}" for j, g in enumerate(gamma)) + '">'
            + "".join(rows) + "</div>")


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
