"""Reference 2 for bench/bench_browser.py: a bare app whose button redraws one WebGL scatter.

Open it as ``/?n=20000``. The N points (three Gaussian blobs, made once per session) are drawn
as one ``go.Scattergl`` with a per-point colour, all N of them, at every rerun; each click shifts
every point's colour, as an E step recolours the points, so Plotly really redraws the figure.
Nothing else is on the page. Its click-to-redrawn time is the floor a page drawing N points
with Plotly in Streamlit is measured against.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c"]  # one colour per blob, as in the app


def points(n: int) -> np.ndarray:
    """(n, 2) points around three centres (not part of the timed click: made once)."""
    rng = np.random.default_rng(1)
    centres = np.array([[-5.0, 0.0], [0.0, 6.0], [5.0, 0.0]])
    return centres[rng.integers(3, size=n)] + rng.normal(size=(n, 2))


def count_click() -> None:
    st.session_state["clicks"] = st.session_state.get("clicks", 0) + 1


n = int(st.query_params.get("n", "1000"))
if st.session_state.get("n") != n:
    st.session_state["n"] = n
    st.session_state["X"] = points(n)
X = st.session_state["X"]
clicks = st.session_state.get("clicks", 0)

st.button("Redraw", key="redraw", on_click=count_click)
labels = (np.arange(n) + clicks) % len(COLOURS)
figure = go.Figure(go.Scattergl(
    x=X[:, 0], y=X[:, 1], mode="markers",
    marker=dict(color=labels, colorscale=[[0.0, COLOURS[0]], [0.5, COLOURS[1]], [1.0, COLOURS[2]]],
                cmin=0, cmax=len(COLOURS) - 1, size=5),
))
figure.update_layout(height=560, margin=dict(l=10, r=10, t=10, b=10), showlegend=False)
st.plotly_chart(figure, key="figure", theme=None)
