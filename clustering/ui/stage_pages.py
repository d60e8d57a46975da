"""The stage on each stepping page: its payload, options and notes (glue between pages and
:mod:`clustering.ui.stage`).

Each function builds (once per run, cached in the page's state) the payload of
:mod:`clustering.ui.stage` from the page's stored run and the numbers the page already
derived (J, or ℓ and 𝓛), mounts the stage, and writes the short notes under it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from clustering import plotting, stepper
from clustering.ui import data_controls, layout, state
from clustering.ui import stage as stage_module

# --------------------------------------------------------------------------------------
# The part of a stepping page that follows the cursor: one fragment
# --------------------------------------------------------------------------------------


def follow_cursor(page: str, body: Callable[..., None], active: state.ActiveData, *args: Any) -> None:
    """Run ``body(active, *args)``, everything on the page that depends on the run and its
    cursor (the stage, the metrics, the formulas, the inspector, the link's ``step=``), as one
    ``st.fragment``.

    A widget inside the fragment reruns the fragment alone: when the stage reports the
    half-step on screen, only this part runs again, not the sidebar and the set-up. ``body``
    therefore reads the run from the page's state (never a run passed in from the full run).
    A widget in the fragment whose callback changes the set-up or the data calls
    :func:`clustering.ui.state.request_app_rerun`; the fragment then reruns the whole page
    first (as does a change of the active data set).
    """
    state.set_value(page, "rerun_app", False)  # this is a full run: it already sees the change
    _cursor_part(page, body, active, *args)


def stepping_page(page: str, title: str, read_url: Callable[[], None],
                  setup: Callable[[state.ActiveData], Any],
                  stepping: Callable[..., None],
                  ready: Callable[..., bool] | None = None) -> None:
    """A stepping page (K-means, GMM, Compare), from the link to the part that follows the cursor.

    In order: ``read_url()`` (once per session; first, so its plain messages about a bad link
    show in this very run), the page's sidebar and data (:func:`clustering.ui.layout.page_setup`),
    ``st.title(title)``, then ``setup(active)``: the page's typed set-up drawn in the sidebar,
    one Setup dataclass or a tuple of them. ``ready(active, *setups)``, when given, is False
    when no run can be made (it shows the page's own plain message): the page stops there.
    Last, ``stepping(active, *setups)`` as one fragment (:func:`follow_cursor`).
    """
    read_url()
    active = layout.page_setup(page)
    st.title(title)
    made = setup(active)
    setups = made if isinstance(made, tuple) else (made,)
    if ready is not None and not ready(active, *setups):
        st.stop()
    follow_cursor(page, stepping, active, *setups)


@st.fragment
def _cursor_part(page: str, body: Callable[..., None], active: state.ActiveData, *args: Any) -> None:
    if state.get_value(page, "rerun_app") or active is not state.get_data():
        state.set_value(page, "rerun_app", False)
        st.rerun(scope="app")
    body(active, *args)


# --------------------------------------------------------------------------------------
# K-means
# --------------------------------------------------------------------------------------


def _kmeans_pick() -> None:
    from clustering.ui import kmeans_panels as panels

    index = stage_module.picked(state.widget_key(panels.PAGE, "stage"))
    if index is not None:
        state.set_value(panels.PAGE, "selected", (state.get_data().key, index))


def kmeans(active: state.ActiveData, run: stepper.Run, setup, curve: list[float | None],
           selected: int | None) -> None:
    """The K-means stage: points by label, centroids gliding, the J curve; notes under it."""
    from clustering.ui import kmeans_panels as panels

    page = panels.PAGE
    data_controls.standardize_offer(active, page)
    key = state.widget_key(page, "stage")
    x_range, y_range = panels.ranges(active, run)
    options = {"regions": bool(state.get_value(page, "regions", False)), "selected": selected}

    def build() -> dict:
        panel = stage_module.kmeans_panel(active.X, run, curve=curve)
        return stage_module.payload(active.X, [panel], cursor=run.cursor, x_range=x_range,
                                    y_range=y_range, axis_titles=_axis_titles(active),
                                    hints=panels.NEXT_HINT, options=options)

    body = stage_module.cached_payload(page, stage_module.run_token(active, run), build, options)
    stage_module.show(body, key=key, pages=[page], X=active.X, on_pick=_kmeans_pick,
                      on_start=_kmeans_start)
    stage_module.edits_note(page)
    st.toggle(
        "Shade the region nearest to each centroid (Voronoi)", key=state.widget_key(page, "regions"),
        persist_state="session",
        help="Every x in a shaded region is nearer to that region's centroid than to any other: "
             "exactly where the next E step sends a point.",
    )
    notes = ["Click a point to see its distances to the centroids.",
             "After an M step: dashed rings where the centroids were, arrows their move, "
             "dotted lines their trails; after an E step, black rings mark the points that "
             "changed cluster."]
    note = plotting.sample_note(active.n)
    if note:
        notes.append(note)
    st.caption(" ".join(notes))
    st.caption(panels.NEVER_RISES)
    if setup.init == "manual":
        with st.expander("Move the start centroids"):
            panels.placement(active, setup)


# --------------------------------------------------------------------------------------
# Gaussian mixture (EM)
# --------------------------------------------------------------------------------------


def _gmm_pick() -> None:
    from clustering.ui import gmm_panels as panels

    index = stage_module.picked(state.widget_key(panels.PAGE, "stage"))
    if index is not None:
        state.set_value(panels.PAGE, "point", index)


def gmm(active: state.ActiveData, run: stepper.Run, display, curves: tuple[list, list],
        selected: int | None) -> None:
    """The EM stage: points by γ, means gliding, ellipses morphing, the ℓ and 𝓛 curves."""
    from clustering.ui import gmm_panels as panels

    page = panels.PAGE
    data_controls.standardize_offer(active, page)
    key = state.widget_key(page, "stage")
    x_range, y_range = plotting.axis_ranges(active.X)
    options = {"levels": list(display.levels), "density": bool(display.density),
               "colour_mode": display.colour_mode, "selected": selected}

    def build() -> dict:
        panel = stage_module.gmm_panel(active.X, run, curves=curves, manual_start=True)
        return stage_module.payload(active.X, [panel], cursor=run.cursor, x_range=x_range,
                                    y_range=y_range, axis_titles=_axis_titles(active),
                                    hints=panels.NEXT_HINT, options=options)

    body = stage_module.cached_payload(page, stage_module.run_token(active, run), build, options)
    stage_module.show(body, key=key, pages=[page], X=active.X, on_pick=_gmm_pick,
                      on_start=_gmm_start)
    stage_module.edits_note(page)
    legend = ("Colour of a point: " + ("the blend of the component colours weighted by its γ"
              if display.colour_mode == "blend" else "its most likely component, opacity γ")
              + " (grey before the first E step). After an M step, dashed: the ellipses before it. "
              "Click a point to inspect it.")
    note = plotting.sample_note(active.n)
    st.caption(legend + (" " + note if note else ""))
    stopped_here(run, "EM")


def stopped_here(run: stepper.Run, name: str) -> None:
    """At the end of a run that a failed half-step stopped: its plain message, as an error."""
    at_end = run.cursor == len(run.history) - 1
    if at_end and run.stop_reason not in (None, "converged", "max_iter"):
        st.error(f"{name}: {run.stop_reason} Raise reg_covar in the sidebar, or step back.")


def _axis_titles(active: state.ActiveData) -> tuple[str, str]:
    columns = tuple(getattr(active.dataset, "columns", ("x", "y")))
    if columns == ("x", "y"):
        return ("x₁", "x₂")
    return (str(columns[0]), str(columns[1]))  # the canvas draws text as it is (no HTML)


# --------------------------------------------------------------------------------------
# Compare: both runs on one stage, stepped together
# --------------------------------------------------------------------------------------


def compare(active: state.ActiveData, km_run: stepper.Run, em_run: stepper.Run,
            x_range, y_range) -> None:
    """K-means (left) and EM (right) from the same start, one cursor for both."""
    from clustering.ui import compare_panels as panels

    data_controls.standardize_offer(active, panels.PAGE)
    key = state.widget_key(panels.PAGE, "stage")
    cursor = max(km_run.cursor, em_run.cursor)

    def build() -> dict:
        left = stage_module.kmeans_panel(active.X, km_run, title="K-means: hard assignments")
        right = stage_module.gmm_panel(active.X, em_run, title="EM: soft assignments, an ellipse each")
        return stage_module.payload(active.X, [left, right], cursor=cursor, x_range=x_range,
                                    y_range=y_range, axis_titles=_axis_titles(active),
                                    hints=panels.NEXT_HINT, options={"levels": [1, 2]})

    token = (stage_module.run_token(active, km_run), stage_module.run_token(active, em_run))
    body = stage_module.cached_payload(panels.PAGE, token, build)
    stage_module.show(body, key=key, pages=list(panels.RUNS), X=active.X,
                      payload_page=panels.PAGE, on_start=_compare_start)
    stage_module.edits_note(panels.PAGE)
    st.caption("Left, colour of a point: its cluster. Right: the blend of the component colours "
               "weighted by its γ; the nσ ellipse is (x − μ)ᵀΣ⁻¹(x − μ) = n². The timeline spans "
               "the longer run; the other stays at its last half-step beyond its end.")


# --------------------------------------------------------------------------------------
# A start dragged on the stage at half-step 0: the page's own manual start, so the link carries it
# --------------------------------------------------------------------------------------


def _manual_start(page: str, centres) -> None:
    from clustering.ui import manual

    if len(centres) != int(state.get_value(page, "k", len(centres))):
        return  # K changed meanwhile: the drag was about another run
    state.set_value(page, "init", "manual")
    manual.set_points(page, centres)
    state.request_app_rerun(page)  # the set-up (sidebar, link) changed: not the fragment alone


def _kmeans_start(centres) -> None:
    """K-means: the dragged centroids become the manual start (``init=manual&centroids=…``)."""
    from clustering.ui import kmeans_panels as panels

    _manual_start(panels.PAGE, centres)
    state.set_value(panels.PAGE, "selected", None)


def _gmm_start(means) -> None:
    """GMM: the dragged means become the manual start (each with the data covariance and
    weight 1/K, as placed by hand; ``init=manual&means=…``)."""
    from clustering.ui import gmm_panels as panels

    _manual_start(panels.PAGE, means)


def _compare_start(means) -> None:
    """Compare: the dragged means become the typed start of both runs (``means=…``)."""
    from clustering.ui import compare_panels as panels

    if len(means) != int(state.get_value(panels.PAGE, "k", len(means))):
        return
    state.set_value(panels.PAGE, "init", "typed")
    state.set_value(panels.PAGE, "typed", panels.format_means(means))
    state.request_app_rerun(panels.PAGE)  # the shared start (sidebar, link) changed
