"""K-means: the E step and the M step one click each, J after every half-step, the formulas.

A thin page: read the set-up, make or read the run, derive once, draw. The panels live in
clustering/ui/kmeans_panels.py, the stage (figure, stepping buttons, keys, J curve) in
clustering/ui/stage.py, the manual placement in clustering/ui/manual.py.
"""

import streamlit as st

from clustering import derived
from clustering.ui import kmeans_panels as panels
from clustering.ui import layout, selection_panels, stage, stage_pages

PAGE = panels.PAGE


def stepping(active, setup: panels.Setup) -> None:
    """Everything that follows the run and its cursor (a fragment: stage_pages.follow_cursor)."""
    centroids = panels.manual_centroids(setup)
    run = panels.ensure_run(active, setup, centroids)  # None: no start yet (manual) or none possible
    if run is None and setup.init != "manual":
        layout.write_url(active, panels.url_params(setup, None, None))
        return  # ensure_run said why
    view = None
    curve: list = []
    if run is not None:  # None: the manual start is not complete yet (the placement says so)
        run = stage.ahead_stored(PAGE, run, active.X)  # every half-step computed ahead, for the stage
        view = derived.kmeans_view(active.X, run)  # derived once per rerun; everything below reads it
        curve = panels.objective_curve(active, run, view)
    selected, chosen = panels.selected_point(active, run, view)

    left, right = st.columns([3, 2], gap="medium")
    with left:
        if run is None:
            panels.placement(active, setup)
        else:
            stage_pages.kmeans(active, run, setup, curve, selected if chosen else None)
            panels.empty_warnings(run, view)
    with right:
        if run is not None:
            panels.status(run, view, curve)
        panels.formulas(active, run, view, selected, chosen)

    panels.restarts_panel(active, setup, run, curve)
    selection_panels.kmeans_panel(active, setup)  # How many clusters? (a lazy expander)
    panels.factorization(active, run, view, curve)

    layout.write_url(active, panels.url_params(setup, run, centroids))


stage_pages.stepping_page(PAGE, "K-means: assign the points, then move the centroids", panels.read_url,
                          panels.setup_sidebar, stepping, ready=panels.k_fits)
