"""The generative model: set (π, μ, Σ), sample N points as the mixture makes them, fit EM to them.

A thin page: read the mixture, sample, draw. The panels live in
clustering/ui/generative_panels.py, the mathematics in clustering/generative.py.
"""

import streamlit as st

from clustering.ui import generative_panels as panels
from clustering.ui import layout

panels.read_url()  # first: its plain messages about a bad link show in this very run
active = layout.page_setup(panels.PAGE, own_data=panels.OWN_DATA)
st.title("The generative model of a Gaussian mixture")
panels.story()

left, right = st.columns([1, 1], gap="large")
with left:
    k, n, seed = panels.mixture_controls()
    rows = panels.mixture_table(k)
    params = panels.checked_params(rows)
X = z = None
if params is not None:
    X, z = panels.sample(params, n, seed)
with left:
    resample_column, fit_column = st.columns(2)
    with resample_column:
        panels.resample_button()
    with fit_column:
        panels.fit_button(params, n, seed)
    if params is not None:
        panels.counts_table(z, params)
with right:
    if params is not None:
        panels.figure(X, z, params)
    else:
        st.info("Fix the table on the left to see the points.")

layout.write_url(active, panels.Setup(rows, n, seed).to_query() if params is not None else None)
