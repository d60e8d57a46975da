"""The Exact 1-D optimum page's panels: the line, K and Lloyd's start; both answers; why it works.

Streamlit glue only: Lloyd's algorithm and the page's lines are in :mod:`clustering.lloyd1d`,
the global optimum in :mod:`clustering.exact1d`, the figure in :mod:`clustering.plotting`;
session state is reached through :mod:`clustering.ui.state` (the widget keys below are the
same "exact-1d.<name>" keys ``state.get_value`` reads). ``pages/exact-1d.py`` calls these in
order. Every number shown goes through :func:`clustering.ui.numbers.fmt`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from clustering import exact1d, kmeans, lloyd1d, plotting
from clustering.constants import DEFAULT_SEED, EXACT_1D_MAX_K, EXACT_1D_MAX_POINTS, MAX_SEED
from clustering.ui import layout, state, urls
from clustering.ui.figures import show_figure
from clustering.ui.numbers import fmt, fmt_sig

OWN_DATA = "Its own: points on a line (a preset,\nor one column of the active data set)"
PAGE = "exact-1d"
SOURCES = {"preset": "A ready-made line", "column": "One coordinate of the active data set"}
STARTS = {
    "preset": "The line's own start",
    "random": "K random data points",
    "typed": "Positions I type",
}
LLOYD_ROW = "Lloyd's algorithm"
OPTIMUM_ROW = "Global optimum (DP)"
WHY = (
    "**Why one dimension is the exception.** Finding the partition with the smallest J is "
    "NP-hard in general: already for K = 2 clusters when the points have many coordinates, and "
    "in the plane when K grows, so no known algorithm does much better than trying very many "
    "partitions. On a line it is easy. Sort the points. In an optimal partition every point "
    "belongs to its nearest centroid (otherwise moving it would lower J), and on a line the "
    "points nearest to one centroid form an interval: every cluster is a *contiguous run* of "
    "the sorted points. A partition is then just a choice of K − 1 split points among the N − 1 "
    "gaps, and J adds up cluster by cluster, so dynamic programming finds the best one: "
    "D(k, m), the smallest J of the first m sorted points in k clusters, is the minimum over "
    "the first point j of the last cluster of D(k − 1, j − 1) + J(x_j … x_m), where each "
    "J(x_j … x_m) is updated in O(1) from the one before. That is K·N values, each a minimum "
    "over up to N split points: O(K N²) time for the global optimum, whatever the start. "
    "Lloyd's algorithm only ever looks at its current centroids, so it can stop in a local "
    "minimum, as the top row shows when the gap is above 0."
)


@dataclass(frozen=True)
class Line:
    """The 1-D data the page works on: the points, the axis title, the line's own start (or None)."""

    x: np.ndarray
    axis_title: str
    start: np.ndarray | None
    lesson: str
    note: str | None = None


@dataclass(frozen=True, eq=False)
class Answers:
    """Both answers, clusters numbered from left to right."""

    x: np.ndarray
    start: np.ndarray
    lloyd: lloyd1d.LloydResult
    lloyd_centroids: np.ndarray
    lloyd_labels: np.ndarray
    optimum_centroids: np.ndarray
    optimum_labels: np.ndarray
    optimum_objective: float

    @property
    def gap(self) -> float:
        """J_Lloyd − J_opt, with rounding noise (both are minima of the same J) shown as 0."""
        gap = self.lloyd.objective - self.optimum_objective
        tolerance = 1e-9 * max(1.0, abs(self.optimum_objective))
        return 0.0 if abs(gap) <= tolerance else gap


# --------------------------------------------------------------------------------------
# The set-up
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What the page shows: the line (a preset, or one column of the active data set), K,
    Lloyd's start, and whether the optimum is revealed yet.

    ``to_query`` / ``from_query`` are the page's link: pure, and each other's inverse
    (``Setup.from_query(s.to_query())[0] == s``).
    """

    source: str = "preset"  # SOURCES
    line: str = "stuck"  # the preset's name (source "preset")
    column: int = 0  # the coordinate, 0 or 1 (source "column")
    k: int = 3
    start: str = "preset"  # STARTS
    seed: int = DEFAULT_SEED  # start "random"
    typed: str = ""  # start "typed": the positions as typed
    revealed: bool = True

    def to_query(self) -> dict[str, str]:
        params: dict[str, str] = {"k": str(self.k), "start": self.start}
        if self.source == "preset":
            params["line"] = self.line
        else:
            params["column"] = str(self.column + 1)
        if self.start == "random":
            params["init_seed"] = str(self.seed)
        if self.start == "typed":
            params["positions"] = self.typed
        if not self.revealed:
            params["reveal"] = "0"
        return params

    @classmethod
    def from_query(cls, query) -> tuple[Setup, list[str]]:
        """The set-up a link asks for (defaults where it says nothing), and a plain message for
        every value it could not use (that value keeps its default)."""
        presets = tuple(lloyd1d.line_presets())
        parsers = {
            "line": lambda: urls.parse_choice(query, "line", presets, None),
            "column": lambda: urls.parse_int(query, "column", 1, 2, None),
            "k": lambda: urls.parse_int(query, "k", 1, EXACT_1D_MAX_K, None),
            "start": lambda: urls.parse_choice(query, "start", tuple(STARTS), None),
            "seed": lambda: urls.parse_int(query, "init_seed", 0, MAX_SEED, None),
            "revealed": lambda: urls.parse_bool(query, "reveal", True),
        }
        found, messages = urls.parse_each(parsers)
        if "column" in found:
            found["column"] -= 1  # the link counts coordinates from 1
            found["source"] = "column"
        if query.get("positions"):
            found["typed"] = str(query["positions"])
        return cls(**found), messages


def read_url() -> None:
    """On the page's first visit, put the link's set-up into the page; a bad value warns."""
    query = layout.read_page_params(PAGE)
    if not query:
        return
    setup, messages = Setup.from_query(query)
    for message in messages:
        st.warning(message)
    for name, value in (("source", setup.source), ("preset", setup.line), ("column", setup.column),
                        ("k", setup.k), ("start", setup.start), ("seed", setup.seed),
                        ("typed", setup.typed), ("revealed", setup.revealed)):
        state.set_value(PAGE, name, value)


def current_setup(k: int, start: str, seed: int, typed: str) -> Setup:
    """The set-up on screen (what the link writes)."""
    return Setup(source=state.get_value(PAGE, "source", "preset"),
                 line=state.get_value(PAGE, "preset", "stuck"),
                 column=int(state.get_value(PAGE, "column", 0)), k=k, start=start, seed=seed,
                 typed=typed, revealed=revealed())


def _load_preset() -> None:
    """Callback of the line menu: K and the start follow the line's own."""
    preset = lloyd1d.line_presets()[state.get_value(PAGE, "preset")]
    state.set_value(PAGE, "k", preset.k)
    state.set_value(PAGE, "start", "preset" if preset.start is not None else "random")


def controls(active: state.ActiveData) -> tuple[Line, int, str, int, str]:
    """The data, K and Lloyd's start; returns (line, K, start method, seed, typed positions)."""
    presets = lloyd1d.line_presets()
    first = next(iter(presets))
    state.set_default(PAGE, "source", "preset")
    state.set_default(PAGE, "preset", first)
    state.set_default(PAGE, "column", 0)
    state.set_default(PAGE, "k", presets[first].k)
    state.set_default(PAGE, "start", "preset")
    state.set_default(PAGE, "seed", DEFAULT_SEED)
    state.set_default(PAGE, "typed", "")
    with st.sidebar:
        st.markdown("**The line, K and Lloyd's start**")
        source = st.radio("Data on the line", list(SOURCES), format_func=SOURCES.get,
                          key=state.widget_key(PAGE, "source"), persist_state="session")
        if source == "preset":
            name = st.selectbox("Line", list(presets), format_func=lambda p: presets[p].title,
                                key=state.widget_key(PAGE, "preset"), on_change=_load_preset,
                                persist_state="session")
            preset = presets[name]
            line = Line(preset.x, "x", preset.start, preset.lesson)
        else:
            names = active.dataset.columns
            column = st.radio("Coordinate", [0, 1], format_func=lambda c: f"{names[c]} (x{'₁₂'[c]})",
                              key=state.widget_key(PAGE, "column"), horizontal=True, persist_state="session")
            x, note = lloyd1d.column_points(active.X, int(column), EXACT_1D_MAX_POINTS)
            scaled = " (standardized)" if active.spec.standardize else ""
            line = Line(x, f"{names[column]}{scaled}", None,
                        f"The {names[column]} coordinate of every point of {active.spec.label()}.",
                        note)
        k = st.number_input("Clusters K", min_value=1, max_value=EXACT_1D_MAX_K, step=1,
                            key=state.widget_key(PAGE, "k"), persist_state="session")
        start = st.radio("Lloyd's start", list(STARTS), format_func=STARTS.get,
                         key=state.widget_key(PAGE, "start"), persist_state="session")
        seed = int(state.get_value(PAGE, "seed", DEFAULT_SEED))
        typed = str(state.get_value(PAGE, "typed", "") or "")
        if start == "random":
            seed = st.number_input("Seed of the random start", min_value=0, max_value=MAX_SEED,
                                   step=1, key=state.widget_key(PAGE, "seed"), persist_state="session")
        elif start == "typed":
            typed = st.text_input("Start positions, comma separated", key=state.widget_key(PAGE, "typed"),
                                  persist_state="session", placeholder="e.g. -1, 0.5, 6")
    return line, int(k), str(start), int(seed), str(typed or "")


# --------------------------------------------------------------------------------------
# Both answers
# --------------------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner="Finding the global optimum by dynamic programming…")
def _optimum(x_bytes: bytes, k: int) -> tuple[np.ndarray, np.ndarray, float]:
    x = np.frombuffer(x_bytes, dtype=np.float64)
    centroids, labels, objective = exact1d.optimal_kmeans_1d(x, k)
    return np.asarray(centroids, dtype=float), np.asarray(labels), float(objective)


def _start(line: Line, k: int, method: str, seed: int, typed: str) -> np.ndarray | None:
    """Lloyd's start as asked, or None after a plain message."""
    if method == "preset":
        if line.start is None:
            st.info("This line has no start of its own (only “Lloyd gets stuck” has one), so "
                    f"Lloyd starts from K random data points (seed {seed}).")
            method = "random"
        elif line.start.size != k:
            st.info(f"The line's own start has {line.start.size} centroids but K = {k}, so "
                    f"Lloyd starts from K random data points (seed {seed}). Set K = "
                    f"{line.start.size} to use it.")
            method = "random"
        else:
            return np.array(line.start, dtype=float)
    if method == "random":
        return kmeans.init_centroids(line.x[:, None], k, method="random", seed=seed)[:, 0]
    try:
        return lloyd1d.parse_positions(typed, k)
    except ValueError as error:
        st.error(str(error))
        return None


def answers(line: Line, k: int, method: str, seed: int, typed: str) -> Answers | None:
    """Lloyd from the chosen start and the DP optimum, or None after a plain message."""
    if line.note:
        st.caption(line.note)
    try:
        x = lloyd1d.as_line(line.x)
        k = lloyd1d.check_k(x, k)
    except ValueError as error:
        st.error(str(error))
        return None
    start = _start(Line(x, line.axis_title, line.start, line.lesson), k, method, seed, typed)
    if start is None:
        return None
    result = lloyd1d.lloyd_1d(x, start)
    lloyd_centroids, lloyd_labels = lloyd1d.in_ascending_order(result.centroids, result.labels)
    opt_centroids, opt_labels, opt_objective = _optimum(np.ascontiguousarray(x).tobytes(), k)
    opt_centroids, opt_labels = lloyd1d.in_ascending_order(opt_centroids, opt_labels)
    return Answers(x, start, result, lloyd_centroids, lloyd_labels, opt_centroids, opt_labels,
                   opt_objective)


REVEAL_LABEL = "Reveal the global optimum"


def _reveal() -> None:
    state.set_value(PAGE, "revealed", True)


def revealed() -> bool:
    """Whether the optimum is shown (a lesson hides it until the person has predicted)."""
    return bool(state.get_value(PAGE, "revealed", True))


def lloyd_only(result: Answers) -> None:
    """Before the reveal: Lloyd's answer alone, the question, and the button that reveals."""
    columns = st.columns(4)
    columns[0].metric("J of Lloyd's answer", fmt_sig(result.lloyd.objective, 6), border=True,
                      help="J = Σₙ (xₙ − u_{zₙ})² where Lloyd's algorithm stopped.")
    columns[1].metric("Lloyd's rounds (E + M)", f"{result.lloyd.iterations}", border=True,
                      help="Rounds until an E step changed no label.")
    st.info("**Predict first:** is this the smallest J any partition of these points into K "
            "clusters can have? Lloyd only ever lowers J, one E or M step at a time, and has "
            "stopped: no single step lowers it further. Decide, then reveal the optimum.")
    st.button(REVEAL_LABEL, key=state.widget_key(PAGE, "reveal"), on_click=_reveal, type="primary")


def metrics(result: Answers) -> None:
    lloyd_j, optimum_j = result.lloyd.objective, result.optimum_objective
    gap = result.gap
    relative = f"{fmt(lloyd_j / optimum_j, 2)} × the optimum's J" if optimum_j > 0 and gap > 0 else None
    columns = st.columns(4)
    columns[0].metric("J of Lloyd's answer", fmt_sig(lloyd_j, 6), border=True,
                      help="J = Σₙ (xₙ − u_{zₙ})² where Lloyd's algorithm stopped.")
    columns[1].metric("J of the global optimum", fmt_sig(optimum_j, 6), border=True,
                      help="The smallest J of any partition into K clusters, found by dynamic "
                           "programming over the sorted points.")
    columns[2].metric("Gap J_Lloyd − J_opt", fmt_sig(gap, 6), delta=relative, delta_color="inverse",
                      delta_arrow="off", border=True,
                      help="Never below 0: no partition has a smaller J than the optimum.")
    columns[3].metric("Lloyd's rounds (E + M)", f"{result.lloyd.iterations}", border=True,
                      help="Rounds until an E step changed no label.")


def verdict(result: Answers) -> None:
    lloyd_j, optimum_j, gap = result.lloyd.objective, result.optimum_objective, result.gap
    if gap > 0:
        st.warning(f"**Lloyd is stuck in a local minimum** at J = {fmt(lloyd_j, 3)}, above the "
                   f"optimum's {fmt(optimum_j, 3)}: no E step or M step can lower J from there, "
                   "yet a better partition exists.")
    else:
        st.success(f"**Lloyd found the global optimum** from this start: J = {fmt(lloyd_j, 3)}. "
                   "Try another start (or the line “Lloyd gets stuck”).")


def notes(result: Answers) -> None:
    """What else happened in Lloyd's run: no convergence, or a cluster that emptied."""
    if not result.lloyd.converged:
        st.warning(f"Lloyd stopped after {result.lloyd.iterations} rounds without settling; its J "
                   "is where it stopped.")
    if result.lloyd.emptied:
        where = ", ".join(fmt(result.start[j], 3) for j in result.lloyd.emptied)
        st.info(f"The centroid that started at {where} lost all its points at some step and stayed "
                "where it was (the lecture's rule for an empty cluster).")


def _sizes(labels: np.ndarray, k: int) -> str:
    """"3, 5, 2": the number of points in each cluster, left to right."""
    return ", ".join(str(int(n)) for n in np.bincount(labels, minlength=k))


def figure(line: Line, result: Answers, with_optimum: bool = True) -> None:
    rows = [
        (f"{LLOYD_ROW}<br>J = {fmt(result.lloyd.objective, 3)}", result.x, result.lloyd_labels,
         result.lloyd_centroids, result.start),
        (f"{OPTIMUM_ROW}<br>J = {fmt(result.optimum_objective, 3)}", result.x,
         result.optimum_labels, result.optimum_centroids, None),
    ][: 2 if with_optimum else 1]
    k = len(result.lloyd_centroids)
    alt = (f"Number line of N = {result.x.size:,} points in K = {k} clusters. "
           f"{LLOYD_ROW}: clusters of {_sizes(result.lloyd_labels, k)} points, "
           f"J = {fmt(result.lloyd.objective, 3)}.")
    if with_optimum:
        alt += (f" {OPTIMUM_ROW}: clusters of {_sizes(result.optimum_labels, k)} points, "
                f"J = {fmt(result.optimum_objective, 3)}.")
    show_figure(plotting.number_line_figure(rows, axis_title=plotting.plain_text(line.axis_title)),
                alt, width="stretch", config=plotting.PLOT_CONFIG, key=state.widget_key(PAGE, "figure"))
    st.caption("Each row is the same points; colours number the clusters from left to right. "
               "Diamonds: the centroids uₖ. Grey triangles: where Lloyd started. Dotted lines: "
               "where one cluster ends and the next begins. Points are spread up and down only "
               "so that close ones stay visible.")


def why() -> None:
    st.markdown(WHY)
