"""Gaussian mixture (EM): one half-step at a time, with ellipses, responsibilities and the bound.

A thin page: read the set-up, make or read the run, derive once, draw. The panels live in
clustering/ui/gmm_panels.py, the stage (figure, stepping buttons, keys, ℓ and 𝓛 curves) in
clustering/ui/stage.py.
"""

import streamlit as st

from clustering import derived
from clustering.ui import gmm_panels as panels
from clustering.ui import layout, selection_panels, stage, stage_pages, state

PAGE = panels.PAGE


def stepping(active, setup: panels.Setup, display: panels.Display) -> None:
    """Everything that follows the run and its cursor (a fragment: stage_pages.follow_cursor)."""
    manual_means = panels.manual_placement(active, setup)
    run = panels.ensure_run(active, setup, manual_means)
    if run is None:
        layout.write_url(active, panels.url_params(setup, None))
        return
    run = stage.ahead_stored(PAGE, run, active.X)  # every half-step computed ahead, for the stage

    view = derived.gmm_view(active.X, run)  # derived once per rerun; everything below reads it
    point, chosen = panels.inspected_point(active.X, view.resp, run.current.params)
    likelihoods, bounds = panels.curves(active.X, active.key, run, view)

    left, right = st.columns([3, 2], gap="medium")
    with left:
        stage_pages.gmm(active, run, display, (likelihoods, bounds), point if chosen else None)
    with right:
        panels.status(run, view, likelihoods)
        st.caption(panels.BOUND_SENTENCE)
    panels.convergence_caption(run)

    table_column, inspect_column = st.columns([1, 1], gap="medium")
    with table_column:
        st.header("Parameters θ = (π, μ, Σ)")
        panels.params_table(run.current.params, view.counts)
        # --- points sampled on the Generative model page: their true θ, next to the estimates ---
        true_params = state.get_value(PAGE, "true_params")
        if true_params is not None and state.get_value(PAGE, "true_params_version") == active.version:
            st.markdown("**True parameters** the points were sampled from (EM may number its "
                        "components in another order)")
            panels.params_table(true_params, None)
        st.header("The formulas, with this step's numbers")
        panels.formulas(active, run, view)
    with inspect_column:
        st.header("Point inspector")
        panels.inspector(active, run, view, point, chosen)

    panels.degenerate_cases(run)
    selection_panels.gmm_panel(active, setup)  # How many clusters? (a lazy expander)
    panels.storyboard(active, run, display)

    layout.write_url(active, panels.url_params(setup, run))


stage_pages.stepping_page(
    PAGE, "Gaussian mixture: EM one half-step at a time", panels.read_url,
    # the set-up, then the display options (in the sidebar: a fragment cannot draw there)
    lambda active: (panels.setup_sidebar(), panels.display_options()), stepping)
