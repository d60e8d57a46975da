"""Compare: K-means and EM from the same start, side by side, stepped together; the σ → 0 limit.

A thin page: read the shared start, make or read both runs, draw. The panels live in
clustering/ui/compare_panels.py, the stage (both runs, one cursor) in clustering/ui/stage.py.
"""

import streamlit as st

from clustering.ui import compare_panels as panels
from clustering.ui import layout, stage, stage_pages


def stepping(active, setup: panels.Setup) -> None:
    """Everything that follows the runs and their cursor (a fragment: stage_pages.follow_cursor)."""
    start = panels.start_means(active, setup)
    if start is None:
        layout.write_url(active, panels.url_params(setup))
        return

    km_run, em_run = panels.ensure_runs(active, setup, start)
    km_run = stage.ahead_stored(panels.KMEANS, km_run, active.X)  # both computed ahead, for the stage
    em_run = stage.ahead_stored(panels.EM, em_run, active.X)
    panels.show_run_messages()
    panels.explain_start(setup, start)
    x_range, y_range = panels.ranges(active, start)
    stage_pages.compare(active, km_run, em_run, x_range, y_range)

    kmeans_side = panels.kmeans_side(active, km_run)  # derived once per rerun
    em_side = panels.em_side(active, em_run)
    panels.verdict(active, kmeans_side, em_side)

    left, right = st.columns(2, gap="medium")
    with left:
        panels.kmeans_column(active, kmeans_side, x_range, y_range)
    with right:
        panels.em_column(active, em_side, x_range, y_range)

    panels.sigma_section(active, start, x_range, y_range)

    layout.write_url(active, panels.url_params(setup, em_run))


stage_pages.stepping_page(panels.PAGE, "Compare K-means and EM from the same start", panels.read_url,
                          lambda active: panels.setup_sidebar(), stepping)
