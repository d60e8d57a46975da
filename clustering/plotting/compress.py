"""The Compress a photo page's figures. Plotly only: functions take arrays, return go.Figure.

- :func:`rgb_scatter`: a sample of the photo's pixels as points in RGB space (a rotatable 3-D
  scatter), each drawn in its cluster's palette colour, with the centroids u_k marked;
- :func:`j_per_pixel_figure`: J / N after every half-step, E and M steps marked differently.

Colours in [0, 1] are drawn as themselves: in colour space a cluster's natural colour is its
centroid.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

FONT_SIZE = 16
TEMPLATE = "none"
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
E_COLOUR = "#1f77b4"
M_COLOUR = "#d62728"


def css_colours(colours: np.ndarray) -> list[str]:
    """(M, 3) colours in [0, 1] as "#rrggbb" strings."""
    values = np.clip(np.rint(np.asarray(colours, dtype=float) * 255), 0, 255).astype(int)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in values]


def rgb_scatter(
    points: np.ndarray,
    labels: np.ndarray | None,
    centroids: np.ndarray,
    height: int = 520,
) -> go.Figure:
    """Pixels as points in RGB space and the K centroids.

    points : (M, 3) a sample of the pixels, in [0, 1]
    labels : (M,) their clusters, or None before the first E step (then each is drawn in its
        own colour)
    centroids : (K, 3) the palette u_k
    """
    points = np.asarray(points, dtype=float)
    centroids = np.asarray(centroids, dtype=float)
    if labels is None:
        colours = css_colours(points)
        name = f"{points.shape[0]:,} pixels (own colour: not assigned yet)"
    else:
        colours = np.array(css_colours(centroids))[np.asarray(labels)].tolist()
        name = f"{points.shape[0]:,} pixels, in their centroid's colour"
    # Plain dicts, assembled without Plotly's per-property checks: this figure is rebuilt at
    # every half-step, and checking 4,000 colours costs more than drawing them.
    pixel_trace = dict(
        type="scatter3d", x=points[:, 0], y=points[:, 1], z=points[:, 2], mode="markers", name=name,
        marker=dict(size=3, color=colours),  # opaque: transparency in WebGL 3-D costs a sort per draw
        hovertemplate="R %{x:.3f}<br>G %{y:.3f}<br>B %{z:.3f}<extra>pixel</extra>",
    )
    numbers = [str(k + 1) for k in range(centroids.shape[0])]
    centroid_trace = dict(
        type="scatter3d", x=centroids[:, 0], y=centroids[:, 1], z=centroids[:, 2], mode="markers",
        name="centroids uₖ (the palette)", text=numbers,
        marker=dict(size=8, color=css_colours(centroids), symbol="diamond",
                    line=dict(color="black", width=2)),
        hovertemplate="u%{text}<br>R %{x:.3f}<br>G %{y:.3f}<br>B %{z:.3f}<extra></extra>",
    )
    axis = dict(range=[0, 1], tickvals=[0, 0.5, 1], backgroundcolor="#f4f4f4",
                gridcolor="#d0d0d0", zeroline=False, title=dict(font=dict(size=FONT_SIZE)))
    layout = dict(
        template=pio.templates[TEMPLATE].to_plotly_json(),
        height=height, margin=dict(l=0, r=0, t=10, b=0), font=dict(size=FONT_SIZE - 2),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="top", font=dict(size=FONT_SIZE - 2)),
        scene=dict(
            xaxis={**axis, "title": dict(text="R", font=dict(size=FONT_SIZE))},
            yaxis={**axis, "title": dict(text="G", font=dict(size=FONT_SIZE))},
            zaxis={**axis, "title": dict(text="B", font=dict(size=FONT_SIZE))},
            aspectmode="cube", camera=dict(eye=dict(x=1.5, y=-1.5, z=0.8)),
            domain=dict(x=[0, 1], y=[0, 1]),
        ),
        uirevision="rgb",  # a rotated view stays rotated from one half-step to the next
    )
    figure = go.Figure(data=[pixel_trace, centroid_trace], layout=layout, _validate=False)
    return figure


def j_per_pixel_figure(
    values: Sequence[float | None],
    kinds: Sequence[str],
    cursor: int,
    height: int = 300,
) -> go.Figure:
    """J / N after every half-step; E steps and M steps in two colours, the cursor ringed.

    values : J / N per half-step (None before the first E step); kinds : "init", "E", "M".
    """
    steps = [i for i, value in enumerate(values) if value is not None]
    figure = go.Figure(layout=dict(template=TEMPLATE))
    figure.add_trace(go.Scatter(
        x=steps, y=[values[i] for i in steps], mode="lines", line=dict(color="#888888", width=2),
        showlegend=False, hoverinfo="skip",
    ))
    for kind, colour, name in (("E", E_COLOUR, "after an E step"), ("M", M_COLOUR, "after an M step")):
        chosen = [i for i in steps if kinds[i] == kind]
        figure.add_trace(go.Scatter(
            x=chosen, y=[values[i] for i in chosen], mode="markers", name=name,
            marker=dict(size=11, color=colour, symbol="circle" if kind == "E" else "square"),
            hovertemplate="half-step %{x}<br>J / N = %{y:.6g}<extra>" + kind + " step</extra>",
        ))
    if cursor < len(values) and values[cursor] is not None:
        figure.add_trace(go.Scatter(
            x=[cursor], y=[values[cursor]], mode="markers", name="on screen",
            marker=dict(size=22, color="rgba(0,0,0,0)", line=dict(color="black", width=2.5)),
            hoverinfo="skip",
        ))
    figure.update_layout(
        height=height, margin=dict(l=70, r=10, t=40, b=50), font=dict(size=FONT_SIZE),
        plot_bgcolor="white",
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom", font=dict(size=FONT_SIZE - 2)),
        xaxis=dict(title="half-step", gridcolor="#e5e5e5", rangemode="tozero",
                   tickformat="d", dtick=max(1, (len(values) // 10) or 1)),
        yaxis=dict(title="J / N", gridcolor="#e5e5e5", tickformat=".3g"),
    )
    return figure
