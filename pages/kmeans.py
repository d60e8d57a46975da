"""K-means: the E step and the M step one click each, J after every half-step, the formulas.

A thin page: read the set-up, make or read the run, derive once, draw. The panels live in
clustering/ui/kmeans_panels.py, the stepping controls in clustering/ui/stepping.py, the
manual placement in clustering/ui/manual.py.
"""

import streamlit as st

from clustering import derived
from clustering.ui import kmeans_panels as panels
from clustering.ui import layout, selection_panels, stepping

PAGE = panels.PAGE

panels.read_url()  # first: its plain messages about a bad link show in this very run
active = layout.page_setup(PAGE)
st.title("K-means: assign the points, then move the centroids")
setup = panels.setup_sidebar(active)
if not panels.k_fits(active, setup):
    layout.write_url(active, panels.url_params(setup, None, None))
    st.stop()

centroids = panels.manual_centroids(setup)
run = panels.ensure_run(active, setup, centroids)  # None: no start yet (manual) or none possible
if run is None and setup.init != "manual":
    layout.write_url(active, panels.url_params(setup, None, None))
    st.stop()  # ensure_run said why
view = None
curve: list = []
controls = st.container()  # the stepping controls and warnings: filled after the main figure
if run is not None:  # None: the manual start is not complete yet (the placement says so)
    view = derived.kmeans_view(active.X, run)  # derived once per rerun; everything below reads it
selected, chosen = panels.selected_point(active, run, view)

# The main figure is sent first (it sits below the controls on screen): it is what the browser
# takes longest to draw, and it draws while the server makes the rest of the page.
left, right = st.columns([3, 2], gap="medium")
with left:
    if setup.init == "manual" and (run is None or len(run.history) == 1):
        panels.placement(active, setup)
    else:
        panels.main_figure(active, run, view, selected, chosen)
if run is not None:
    with controls:
        stepping.controls(PAGE, active.X, panels.NEXT_HINT)
        curve = panels.objective_curve(active, run, view)
        panels.empty_warnings(run, view)
with left:
    panels.objective_chart(run, curve)
with right:
    if run is not None:
        panels.status(run, view, curve)
    panels.formulas(active, run, view, selected, chosen)

panels.restarts_panel(active, setup, run, curve)
selection_panels.kmeans_panel(active, setup)  # How many clusters? (a lazy expander)
panels.factorization(active, run, view, curve)

layout.write_url(active, panels.url_params(setup, run, centroids))
stepping.animate_tick(PAGE)
