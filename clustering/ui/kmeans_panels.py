"""The K-means page's panels: set-up, bad-start presets, status, figures, formulas, restarts.

Streamlit glue only: the mathematics comes from :mod:`clustering.kmeans`,
:mod:`clustering.derived`, :mod:`clustering.presets`, :mod:`clustering.restarts` and
:mod:`clustering.voronoi`; the figures from :mod:`clustering.plotting`; the stage (figure, stepping,
J curve) from :mod:`clustering.ui.stage`; the manual start from :mod:`clustering.ui.manual`; session
state is reached through :mod:`clustering.ui.state`. ``pages/kmeans.py`` calls these in order.
Every number shown goes through :func:`clustering.ui.numbers.fmt`, so nothing is ever "nan".

Clusters are numbered from 1 on screen (u₁, …, u_K, as on the slides), from 0 in the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from clustering import derived, io, kmeans, plotting, presets, restarts, stepper
from clustering.constants import (
    DEFAULT_K,
    DEFAULT_KMEANS_INIT,
    DEFAULT_RESTARTS,
    DEFAULT_SEED,
    DENSE_FACTOR_CELLS,
    KMEANS_INIT_METHODS,
    LINK_MAX_STEP,
    MAX_K_KMEANS,
    MAX_RESTARTS,
    MAX_SEED,
)
from clustering.ui import manual, state, urls
from clustering.ui.figures import show_figure
from clustering.ui.numbers import MISSING, fmt, fmt_sig

PAGE = "kmeans"

INITS = {
    "random": "Random data points (Forgy)",
    "random-partition": "Random partition",
    "kmeans++": "k-means++",
    "farthest": "Farthest point",
    "manual": "Manual: click on the plot",
}
assert tuple(INITS)[:-1] == KMEANS_INIT_METHODS  # the URL names are the core's names
INIT_HELP = (
    "Random data points: K distinct points of the data. Random partition: a random cluster "
    "for every point, then the K means (they start near the centre). k-means++: each next "
    "centroid is a data point drawn with probability ∝ its squared distance to the nearest "
    "centroid so far. Farthest point: a random first point, then each time the point farthest "
    "from the centroids so far. Manual: you click the K centroids onto the plot."
)
NEXT_HINT = {
    "E": "Assign every point to its nearest centroid: the centroids were just placed or moved, "
         "so the old assignment may no longer be the nearest one.",
    "M": "Move every centroid to the mean of its points: the assignment just changed, so the "
         "centroids are no longer the means of their clusters.",
}
WHY_E = (
    "**Why J cannot rise in an E step:** the centroids stay where they are and every point "
    "switches only to a centroid at least as close as its old one, so every term "
    r"$\lVert x_n - u_{z_n} \rVert^2$ of J shrinks or stays."
)
WHY_M = (
    "**Why J cannot rise in an M step:** the assignment stays fixed, so J splits into one sum "
    r"per cluster, and $\sum_{n: z_n = k} \lVert x_n - u \rVert^2$ is smallest at the mean of "
    r"the cluster's points (its gradient $2 \sum_{n: z_n = k} (u - x_n)$ is zero there). Moving "
    "$u_k$ to the mean can only lower J."
)
NEVER_RISES = (
    "**J never rises.** The E step lowers it with the centroids held fixed, the M step with the "
    "assignment held fixed. J ≥ 0 and there are finitely many ways to assign N points to K "
    "clusters, so K-means must stop, at a local minimum that depends on the start."
)


def _subscript(number: int) -> str:
    return manual.point_name("", number - 1)


def _cluster(k: int) -> str:
    """Cluster k (0-based) as people read it: "cluster 2 (u₂)"."""
    return f"cluster {k + 1} (u{_subscript(k + 1)})"


# --------------------------------------------------------------------------------------
# The link
# --------------------------------------------------------------------------------------


def parse_centroids(raw: str | None, k: int) -> np.ndarray | None:
    """The link's manual centroids "x1,y1;x2,y2;..." as a (k, 2) array; UrlError if unusable."""
    if raw is None or raw == "":
        return None
    try:
        centroids = io.parse_coordinates(raw, dim=2, what="centroid")
    except ValueError:
        raise urls.UrlError(
            f"The link's “centroids” must be pairs of numbers like 0.5,1.2;3,4; it was “{raw}”."
        ) from None
    if centroids.shape[0] != k:
        raise urls.UrlError(
            f"The link's “centroids” give {centroids.shape[0]} centroids but K is {k}."
        )
    return centroids


def format_centroids(centroids: np.ndarray) -> str:
    """(K, 2) centroids as the link writes them: "x1,y1;x2,y2;..." (shortest exact digits)."""
    return ";".join(f"{float(x)!r},{float(y)!r}" for x, y in np.asarray(centroids, dtype=float))


def parse_query(query: Mapping[str, str]) -> tuple[dict, list[str]]:
    """The K-means set-up a link asks for, and a plain message for every bad value.

    Returns ({"k", "init", "init_seed", "step", "centroids"}: the values present and usable,
    [messages]). A bad value is left out (its default stays) and named in a message.
    """
    parsers = {
        "k": lambda: urls.parse_int(query, "k", 1, MAX_K_KMEANS, None),
        "init": lambda: urls.parse_choice(query, "init", tuple(INITS), None),
        "init_seed": lambda: urls.parse_int(query, "init_seed", 0, MAX_SEED, None),
        "step": lambda: urls.parse_int(query, "step", 0, LINK_MAX_STEP, None),
    }
    found, messages = urls.parse_each(parsers)
    if found.get("init") == "manual" or query.get("centroids"):
        try:
            centroids = parse_centroids(query.get("centroids"), found.get("k", DEFAULT_K))
        except ValueError as error:
            centroids = None
            messages.append(f"{error} Place the centroids on the plot instead.")
        if centroids is not None:
            found["centroids"] = centroids
            found["init"] = "manual"
        elif found.get("init") == "manual" and not query.get("centroids"):
            messages.append("The link asks for a manual start but gives no “centroids”; "
                            "place them on the plot.")
    return found, messages


def read_url() -> None:
    """On the page's first visit, copy the link's k, init, init_seed, centroids and step."""
    from clustering.ui import layout

    query = layout.read_page_params(PAGE)
    if not query:
        return
    found, messages = parse_query(query)
    for message in messages:
        state.push_message(PAGE, message, "warning")
    for name in ("k", "init", "init_seed"):
        if name in found:
            state.set_value(PAGE, name, found[name])
    if "centroids" in found:
        manual.set_points(PAGE, found["centroids"])
    if "step" in found:
        state.set_value(PAGE, "pending_step", found["step"])
    state.set_value(PAGE, "run_key", None)  # the link's set-up makes a new run


def url_params(setup: Setup, run: stepper.Run | None, centroids: np.ndarray | None) -> dict:
    """The K-means part of the link: k, init, init_seed, step (and centroids for a manual start)."""
    params = setup.to_query() | {"step": str(0 if run is None else run.cursor)}
    if setup.init == "manual" and centroids is not None:
        params["centroids"] = format_centroids(centroids)
    return params


# --------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """The set-up of a run; a change of any of these starts a new run.

    ``to_query`` / ``from_query`` are its part of the link (the half-step and a manual start's
    centroids travel beside it): pure, and each other's inverse
    (``Setup.from_query(s.to_query())[0] == s``).
    """

    k: int = DEFAULT_K
    init: str = DEFAULT_KMEANS_INIT
    init_seed: int = DEFAULT_SEED

    def to_query(self) -> dict[str, str]:
        return {"k": str(self.k), "init": self.init, "init_seed": str(self.init_seed)}

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> tuple[Setup, list[str]]:
        """The set-up a link asks for (defaults where it says nothing) and the plain messages
        of :func:`parse_query`."""
        found, messages = parse_query(query)
        return cls(**{name: found[name] for name in ("k", "init", "init_seed") if name in found}), messages


def setup_sidebar(active: state.ActiveData) -> Setup:
    """The set-up widgets and the bad-start presets, in the sidebar."""
    state.set_default(PAGE, "k", DEFAULT_K)
    state.set_default(PAGE, "init", DEFAULT_KMEANS_INIT)
    state.set_default(PAGE, "init_seed", DEFAULT_SEED)
    with st.sidebar:
        st.markdown("**Set-up of K-means** (a change starts a new run)")
        k = st.number_input("Number of clusters K", min_value=1, max_value=MAX_K_KMEANS, step=1,
                            key=state.widget_key(PAGE, "k"), persist_state="session",
                            help=f"From 1 to {MAX_K_KMEANS}, and at most the number of points.")
        init = st.selectbox("Initialization", list(INITS), format_func=INITS.get,
                            key=state.widget_key(PAGE, "init"), help=INIT_HELP,
                            persist_state="session")
        seed = st.number_input("Initialization seed", min_value=0, max_value=MAX_SEED, step=1,
                               key=state.widget_key(PAGE, "init_seed"), persist_state="session",
                               disabled=init == "manual",
                               help="The same seed gives the same start.")
        st.markdown("**Bad starts, in one click**")
        for preset in presets.PRESETS:
            needs = []
            if preset.dataset:
                needs.append(f"loads “{preset.dataset}”" if active.spec.name != preset.dataset
                             else preset.dataset)
            if preset.k:
                needs.append(f"K = {preset.k}")
            st.button(f"{preset.label}" + (f" ({', '.join(needs)})" if needs else ""),
                      key=state.widget_key(PAGE, f"preset.{preset.name}"),
                      on_click=apply_preset, args=(preset.name,), width="stretch",
                      help=preset.lesson)
    return Setup(int(k), str(init), int(seed))


def apply_preset(name: str) -> None:
    """Callback: load a bad start (switching the data set and K when the preset needs it)."""
    from clustering.ui.state import DataSpec

    preset = presets.get(name)
    active = state.get_data()
    if preset.dataset and active.spec.name != preset.dataset:
        try:
            active = state.set_data(DataSpec(name=preset.dataset))
        except ValueError as error:
            state.push_message(PAGE, f"The preset could not load its data set: {error}", "error")
            return
    k = preset.k or int(state.get_value(PAGE, "k", DEFAULT_K))
    if k > active.n:
        state.push_message(PAGE, f"The preset needs K = {k}, more than the {active.n} points.", "error")
        return
    try:
        centroids = presets.centroids_for(name, active.X, k, active.dataset.labels)
    except ValueError as error:
        state.push_message(PAGE, f"{error} Pick another preset or data set.", "error")
        return
    state.set_value(PAGE, "k", k)
    state.set_value(PAGE, "init", "manual")
    manual.set_points(PAGE, centroids)
    state.set_value(PAGE, "preset", (preset.label, np.array(manual.as_array(manual.get_points(PAGE, k), k))))
    state.set_value(PAGE, "selected", None)
    state.push_message(PAGE, f"**Bad start loaded: {preset.label}.** {preset.lesson} Click "
                             "**E step**, or **Run to convergence**.", "info")


def k_fits(active: state.ActiveData, setup: Setup) -> bool:
    """False (and a plain message; the link still names the set-up) when K is larger than the
    number of points."""
    from clustering.ui import layout

    if setup.k <= active.n:
        return True
    st.error(
        f"K = {setup.k} is more than the {active.n:,} points of this data set: K-means needs at "
        f"least one point per cluster. Choose K ≤ {active.n:,}, or make more points on the Data page."
    )
    layout.write_url(active, url_params(setup, None, None))
    return False


def manual_centroids(setup: Setup) -> np.ndarray | None:
    """With the manual start: the K placed centroids (K, 2), or None until all are placed."""
    if setup.init != "manual":
        return None
    return manual.as_array(manual.get_points(PAGE, setup.k), setup.k)


def _origin(setup: Setup, centroids: np.ndarray | None = None) -> str:
    if setup.init == "manual":
        preset = state.get_value(PAGE, "preset")  # (label, centroids) of the last preset loaded
        if preset is not None and centroids is not None and np.array_equal(preset[1], centroids):
            return f"bad start: {preset[0].lower()}"
        return "centroids placed by hand"
    return f"{INITS[setup.init].lower()}, seed {setup.init_seed}"


def ensure_run(active: state.ActiveData, setup: Setup, centroids: np.ndarray | None) -> stepper.Run | None:
    """The stored run for this set-up; a new one (at the link's half-step) when the set-up changed.

    Returns None when there is no start yet (manual, not all placed) or it can't be made
    (the reason is shown).
    """
    placed = None if centroids is None else tuple(map(tuple, np.round(centroids, 12)))
    key = (active.key, setup.k, setup.init, setup.init_seed if setup.init != "manual" else None, placed)
    run = state.run_for(PAGE, key)
    if run is not None:
        return run
    if setup.init == "manual" and centroids is None:
        state.forget_run(PAGE)
        return None
    try:
        start = centroids if setup.init == "manual" else kmeans.init_centroids(
            active.X, setup.k, setup.init, seed=setup.init_seed)
        run = stepper.new_kmeans_run(start, origin=_origin(setup, centroids))
    except ValueError as error:
        state.forget_run(PAGE)
        st.error(f"{error} Change K, the initialization or the data set.")
        return None
    return state.start_run(PAGE, run, key, active.X)


# --------------------------------------------------------------------------------------
# Derived numbers, cached per (data, snapshot)
# --------------------------------------------------------------------------------------


def objective_curve(active: state.ActiveData, run: stepper.Run,
                    view: derived.KMeansView | None = None) -> list[float | None]:
    """J after every half-step of the run (derived.kmeans_objective), each computed once per
    (data, snapshot); view : the cursor's derived view, whose J is used as it is."""
    values: list[float | None] = []
    for index, snapshot in enumerate(run.history):
        if snapshot.kind == "init":
            values.append(None)
        elif index == run.cursor and view is not None:
            values.append(view.objective)
        else:
            keys = (derived.snapshot_key(derived.e_params(run, index)), derived.snapshot_key(snapshot.params))
            values.append(state.memo(PAGE, active.key, keys,
                                     lambda i=index: derived.kmeans_objective(active.X, run, i)))
    return values


def ranges(active: state.ActiveData, run: stepper.Run | None, extra: np.ndarray | None = None):
    """Axis ranges fixed for a whole run: the data and the run's start (centroids stay inside)."""
    parts = [active.X]
    if run is not None:
        parts.append(run.initial.params)
    if extra is not None and len(extra):
        parts.append(np.asarray(extra, dtype=float))
    return plotting.axis_ranges(np.vstack(parts))


# --------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------


def objective_delta(curve: list[float | None], cursor: int) -> str | None:
    """J's change from the previous half-step as the metric shows it ("0" when it did not move)."""
    if cursor < 1 or curve[cursor] is None or curve[cursor - 1] is None:
        return None
    change = curve[cursor] - curve[cursor - 1]
    if abs(change) <= 1e-12 * max(1.0, abs(curve[cursor - 1])):
        return "0"
    return fmt_sig(change, 4, signed=True)


def status(run: stepper.Run, view: derived.KMeansView, curve: list[float | None]) -> None:
    """The metrics row: Iteration, J (change from the previous half-step), next step, changes."""
    top, bottom = st.columns([1, 1.5]), st.columns(3)
    columns = [*top, *bottom]
    columns[0].metric("Iteration", run.current.iteration,
                      help="Completed iterations: one iteration is an E step followed by an M step.")
    columns[1].metric("J", fmt_sig(curve[run.cursor], 6), delta=objective_delta(curve, run.cursor),
                      delta_color="inverse",
                      help="J = Σₙ ‖xₙ − u_{zₙ}‖², the sum of squared distances of the points to "
                           "their centroids; the change is from the previous half-step (green: "
                           "it fell). Before the first E step no point is assigned, so J is “—”.")
    if stepper.is_converged(run):
        next_step = "done"
    else:
        next_step = "E step" if stepper.next_kind(run) == "E" else "M step"
    columns[2].metric("Next step", next_step)
    changes = view.last_changes
    columns[3].metric("Changed cluster (last E step)", MISSING if changes is None else f"{changes:,}",
                      help="Points whose cluster changed in the last E step (“—” before the "
                           "second E step: the first one assigns every point).")
    shift = view.last_shift
    columns[4].metric("Largest move (last M step)", fmt_sig(shift, 4),
                      help="The longest distance ‖u_k(new) − u_k(old)‖ in the last M step.")


def empty_warnings(run: stepper.Run, view: derived.KMeansView) -> None:
    """A warning per empty cluster: it has no points, so its centroid stays where it was."""
    for k in view.empty:
        where = run.current.params[k]
        if run.current.kind == "E":
            text = (f"{_cluster(k).capitalize()} has no points after this E step, so in the next "
                    f"M step its centroid stays where it was, at ({fmt(where[0])}, {fmt(where[1])}): "
                    "it has no points to take the mean of.")
        else:
            text = (f"{_cluster(k).capitalize()} has no points, so its centroid stayed where it was, "
                    f"at ({fmt(where[0])}, {fmt(where[1])}): it has no points to take the mean of.")
        st.warning(text, icon="⚠️")


# --------------------------------------------------------------------------------------
# The main figure and the selected point
# --------------------------------------------------------------------------------------


def _on_figure_click() -> None:
    """Callback of the main figure: the point nearest to the click becomes the selected point."""
    position = manual.click_position(state.get_value(PAGE, "figure"))
    if position is None:
        return
    active = state.get_data()
    index = int(np.argmin(np.sum((active.X - np.array(position)) ** 2, axis=1)))
    state.set_value(PAGE, "selected", (active.key, index))


def selected_point(active: state.ActiveData, run: stepper.Run | None,
                   view: derived.KMeansView | None) -> tuple[int, bool]:
    """(n, chosen): the clicked point; else one that just changed cluster, else the first."""
    stored = state.get_value(PAGE, "selected")
    if stored is not None and stored[0] == active.key and 0 <= stored[1] < active.n:
        return int(stored[1]), True
    if view is not None and view.changed is not None and np.any(view.changed):
        return int(np.flatnonzero(view.changed)[0]), False
    return 0, False


def placement(active: state.ActiveData, setup: Setup) -> None:
    """The manual start: click the K centroids onto the plot (or type them in the table)."""
    placed = manual.get_points(PAGE, setup.k)
    extra = np.array([p for p in placed if manual.is_placed(p)], dtype=float).reshape(-1, 2)
    x_range, y_range = ranges(active, None)
    outside = (extra[:, 0] < x_range[0]) | (extra[:, 0] > x_range[1]) | \
        (extra[:, 1] < y_range[0]) | (extra[:, 1] > y_range[1])
    if np.any(outside):  # typed in the table beyond the data: widen the view to show them
        x_range, y_range = ranges(active, None, extra[outside])
    manual.place_points(PAGE, active.X, setup.k, x_range=x_range, y_range=y_range,
                        axis_titles=axis_titles(active))


def axis_titles(active: state.ActiveData) -> tuple[str, str]:
    """The axis titles of the stepping pages: x₁, x₂ for generated points, else the file's
    column names (shown as typed)."""
    columns = getattr(active.dataset, "columns", ("x", "y"))
    if tuple(columns) == ("x", "y"):
        return ("x₁", "x₂")
    return (plotting.plain_text(columns[0]), plotting.plain_text(columns[1]))


# --------------------------------------------------------------------------------------
# Formulas with the live numbers
# --------------------------------------------------------------------------------------


def _vector(v: np.ndarray) -> str:
    return "(" + ", ".join(fmt(x) for x in v) + ")"


def _latex_number(value: float) -> str:
    return fmt(value).replace(",", "{,}")


def distance_table(X: np.ndarray, centroids: np.ndarray, n: int,
                   labels: np.ndarray) -> tuple[list[dict[str, str]], np.ndarray, int]:
    """Squared distances of point n to every centroid (kmeans.squared_distances) as table rows,
    the distances, and its label from derived (the E step's argmin)."""
    distances = kmeans.squared_distances(X[n:n + 1], centroids)[0]
    nearest = int(labels[n])
    rows = [{"centroid": f"u{_subscript(k + 1)}", "u_k": _vector(centroids[k]),
             "‖xₙ − u_k‖²": fmt(distances[k]), "nearest": "✓ argmin" if k == nearest else ""}
            for k in range(len(centroids))]
    return rows, distances, nearest


def formulas(active: state.ActiveData, run: stepper.Run | None, view: derived.KMeansView | None,
             selected: int, chosen: bool) -> None:
    """The equation of the step just taken, from the lecture, with this step's numbers."""
    from clustering.ui import layout

    X = active.X
    if run is None:
        st.markdown("**Start: place the centroids.** Once all K are placed, take the first E step.")
        st.latex(r"J(z, u) = \sum_{n=1}^{N} \lVert x_n - u_{z_n} \rVert^2")
        return
    kind = run.current.kind
    centroids = run.current.params
    if kind == "init":
        st.markdown(f"**Start** ({run.origin or 'initial centroids'}). No point is assigned yet, so "
                    "J is not defined; the first E step assigns every point.")
        st.latex(r"J(z, u) = \sum_{n=1}^{N} \lVert x_n - u_{z_n} \rVert^2")
        st.latex(r"\text{next, E step:}\quad z_n = \arg\min_{k} \lVert x_n - u_k \rVert^2")
        return
    if kind == "E":
        st.markdown("**E step: assign every point to its nearest centroid** (centroids fixed)")
        st.latex(r"z_n = \arg\min_{k \in \{1,\dots,K\}} \lVert x_n - u_k \rVert^2")
        rows, squared, nearest = distance_table(X, centroids, selected, view.labels)
        who = "the point you selected" if chosen else (
            "a point that just changed cluster" if view is not None and view.changed is not None
            and np.any(view.changed) else "the first point")
        st.markdown(f"For x{_subscript(selected + 1)} = {_vector(X[selected])} ({who}; click "
                    "another on the plot):")
        layout.table(rows)  # plain HTML: quicker to draw than a grid (no Styler)
        if len(centroids) <= 6:
            listed = ", ".join(_latex_number(float(d)) for d in squared)
            st.latex(rf"z_{{{selected + 1}}} = \arg\min_k\,({listed}) = {nearest + 1}")
        else:  # too many to list on one line: the table has them all
            st.latex(rf"z_{{{selected + 1}}} = \arg\min_k \lVert x_{{{selected + 1}}} - u_k \rVert^2"
                     rf" = {nearest + 1} \quad ({_latex_number(float(squared[nearest]))})")
        st.info(WHY_E)
        return
    # M step
    st.markdown("**M step: move every centroid to the mean of its points** (assignment fixed)")
    st.latex(r"u_k = \frac{1}{N_k} \sum_{n:\, z_n = k} x_n")  # one per line: never cut at the edge
    st.latex(r"N_k = \#\{n : z_n = k\}")
    labels, sizes = view.labels, view.sizes
    layout.table([{"centroid": f"u{_subscript(k + 1)}", "N_k": f"{int(sizes[k]):,}",
                   "new u_k (the mean)": _vector(centroids[k]) if sizes[k]
                   else "empty: stays at " + _vector(centroids[k]),
                   "moved by": fmt(float(view.shifts[k]))} for k in range(run.k)])
    k = int(np.argmax(sizes))
    if sizes[k]:
        total = X[labels == k].sum(axis=0)
        st.latex(
            rf"\begin{{aligned}} u_{{{k + 1}}} &= \frac{{1}}{{N_{{{k + 1}}}}} \sum_{{n:\, z_n = {k + 1}}} x_n"
            rf" \\ &= \frac{{1}}{{{int(sizes[k])}}}\,({_latex_number(total[0])},\ {_latex_number(total[1])})"
            rf" \\ &= ({_latex_number(centroids[k, 0])},\ {_latex_number(centroids[k, 1])}) \end{{aligned}}"
        )
    st.info(WHY_M)


# --------------------------------------------------------------------------------------
# J over time
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Best of n restarts
# --------------------------------------------------------------------------------------


def _use_best(seed: int) -> None:
    state.set_value(PAGE, "init_seed", int(seed))
    state.set_value(PAGE, "selected", None)
    state.set_value(PAGE, "best_loaded", int(seed))  # said beside the button, where the person is
    state.request_app_rerun(PAGE)  # the sidebar's seed changed: a new run, the whole page


def restarts_panel(active: state.ActiveData, setup: Setup, run: stepper.Run | None,
                   curve: list[float | None]) -> None:
    """Run n restarts of the chosen initialization; histogram of final J; load the best start."""
    st.header("Best of n restarts")
    if setup.init == "manual":
        st.caption("Restarts need a random initialization (random data points, random partition, "
                   "k-means++ or farthest point): pick one in the sidebar.")
        return
    left, right = st.columns([1, 3], gap="medium")
    with left:
        count = st.number_input("Restarts n", min_value=1, max_value=MAX_RESTARTS,
                                value=DEFAULT_RESTARTS, step=1,
                                key=state.widget_key(PAGE, "restart_count"),
                                help=f"Restart i uses seed {setup.init_seed} + i, so restart 0 is "
                                     "this run's start.")
        st.button(f"Run {int(count)} restarts", key=state.widget_key(PAGE, "btn.restarts"),
                  type="primary", width="stretch", on_click=state.set_value,
                  args=(PAGE, "restarts_requested", True))
        caption = st.empty()  # the seeds of the restarts shown (filled below)
    key = (active.key, setup.k, setup.init)
    if state.get_value(PAGE, "restarts_requested"):
        state.set_value(PAGE, "restarts_requested", False)
        bar = left.progress(0.0, text="Running the restarts…")
        result = restarts.best_of_restarts(
            active.X, setup.k, setup.init, n=int(count), seed=setup.init_seed,
            progress=lambda done, total: bar.progress(done / total, text=f"{done} of {total} restarts"),
        )
        bar.empty()
        state.set_value(PAGE, "restarts", (key, result))
    stored = state.get_value(PAGE, "restarts")
    first, last = setup.init_seed, setup.init_seed + int(count) - 1
    if stored is not None and stored[0] == key:  # the histogram's restarts, not the next ones
        first, last = int(stored[1].seeds[0]), int(stored[1].seeds[-1])
    caption.caption(f"{INITS[setup.init]}, K = {setup.k}, seeds {first} to {last}, each run to "
                    "convergence.")
    if stored is None or stored[0] != key:
        right.caption("K-means finds a local minimum of J that depends on the start. Run n "
                      "restarts to see how often a start ends badly, then load the best one.")
        return
    result: restarts.Restarts = stored[1]
    current, label = None, "this run"
    if run is not None and curve[run.cursor] is not None:
        current = curve[run.cursor]
        label = "this run" if stepper.is_converged(run) else f"this run now (half-step {run.cursor})"
    with right:
        best = result.best_objective
        worse = int(np.sum(result.final_objectives > best * (1 + 1e-9) + 1e-12))
        alt = (f"Histogram of the final J of {result.n} restarts, K = {setup.k}: best J = "
               f"{fmt(best)} (seed {result.best_seed}), {worse} ended higher, the worst at "
               f"{fmt(float(result.final_objectives.max()))}"
               + ("." if current is None else f"; {label}: J = {fmt(current)}."))
        show_figure(plotting.restarts_figure(result.final_objectives, result.best_objective,
                                             current, label), alt,
                    key=state.widget_key(PAGE, "restarts_chart"), config=plotting.PLOT_CONFIG,
                    theme=None)
        st.markdown(
            f"Best final J = **{fmt(best)}** (seed {result.best_seed}); {worse} of {result.n} "
            f"restarts ended higher, the worst at {fmt(float(result.final_objectives.max()))}."
        )
        st.button("Use the best", key=state.widget_key(PAGE, "btn.use_best"), on_click=_use_best,
                  args=(result.best_seed,), disabled=result.best_seed == setup.init_seed,
                  help="Load the best restart's start into the stepper (its seed).")
        if state.get_value(PAGE, "best_loaded") == setup.init_seed == result.best_seed:
            st.success(f"Loaded the best restart's start (seed {result.best_seed}) into the "
                       "stepper above. Click **Run to convergence** to reach its J.")


# --------------------------------------------------------------------------------------
# K-means as matrix factorization
# --------------------------------------------------------------------------------------


def factorization(active: state.ActiveData, run: stepper.Run | None, view: derived.KMeansView | None,
                  curve: list[float | None]) -> None:
    """‖X − Z U‖²_F with the indicator matrix Z of this half-step, shown equal to J."""
    from clustering.ui import layout

    box = layout.lazy_expander(PAGE, "factorization", "K-means as matrix factorization")
    if not box.open:
        return
    with box:
        st.markdown(
            "Stack the points as the rows of X (N × 2) and the centroids as the rows of U (K × 2). "
            "The assignment is the N × K indicator matrix Z with z_nk = 1 when point n is in "
            "cluster k, else 0; every row of Z holds one 1. Then ZU puts each point's centroid "
            "in its row, and J is the squared Frobenius norm of the residual (the slides write "
            "X ≈ UZ with the points as columns; here the points are rows, so the factors are "
            "transposed):"
        )
        st.latex(r"J = \sum_{n=1}^{N} \lVert x_n - u_{z_n} \rVert^2 = \lVert X - Z U \rVert_F^2")
        if run is None or view is None or view.labels is None:
            st.caption("Z needs an assignment: take the first E step.")
            return
        X, centroids, labels = active.X, run.current.params, view.labels
        dense = active.n * run.k <= DENSE_FACTOR_CELLS  # else Z itself would not fit in memory
        indicator, frobenius = derived.kmeans_as_factorization(X, centroids, labels, dense=dense)
        rows = indicator[:6] if indicator is not None else np.eye(run.k)[labels[:6]]
        J = curve[run.cursor]
        st.latex(rf"\lVert X - Z U \rVert_F^2 = {_latex_number(frobenius)} \qquad J = "
                 rf"{_latex_number(J)}")
        same = abs(frobenius - J) <= 1e-9 * max(1.0, abs(J))
        st.markdown("✅ They are equal." if same else "⚠️ They differ: this is a bug, please report it.")
        table = pd.DataFrame(rows.astype(int), columns=[f"zₙ{_subscript(k + 1)}" for k in range(run.k)])
        table.insert(0, "x_n", [_vector(X[n]) for n in range(len(rows))])
        table.insert(0, "n", np.arange(1, len(rows) + 1))
        st.markdown(f"The first {len(rows)} rows of Z (of {active.n:,}):")
        st.dataframe(table, hide_index=True, width="stretch")
        st.markdown("U, one centroid per row:")
        st.dataframe(pd.DataFrame(centroids, columns=list(axis_titles(active)),
                                  index=[f"u{_subscript(k + 1)}" for k in range(run.k)]),
                     width="stretch")
