"""The Compare page's panels: one start for both algorithms, two pictures, the σ → 0 limit.

Streamlit glue only: the mathematics comes from :mod:`clustering.compare` (the shared start,
the best matching of cluster to label), :mod:`clustering.softkmeans` (EM with weights 1/K and
one variance σ²I) and :mod:`clustering.derived`; the figures from :mod:`clustering.plotting`;
the shared stage (:mod:`clustering.ui.stage`) steps both runs at once.
Session state is reached through :mod:`clustering.ui.state`; the widget keys are the
"compare.<name>" keys ``state.get_value(PAGE, name)`` reads. ``pages/compare.py`` calls these
in order. Every number shown goes through :func:`clustering.ui.numbers.fmt`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from clustering import compare, derived, io, kmeans, plotting, softkmeans, stepper
from clustering.constants import (
    DEFAULT_K,
    DEFAULT_SEED,
    DEFAULT_SIGMA_EXPONENT,
    LIMIT_CACHE_SIZE,
    LIMIT_MAX_POINTS,
    LINK_MAX_STEP,
    MAX_K_GMM,
    MAX_SEED,
)
from clustering.ui import layout, state, urls
from clustering.ui.figures import show_figure
from clustering.ui.numbers import fmt, fmt_sig

PAGE = "compare"
KMEANS = "compare.kmeans"  # the page key of the K-means run
EM = "compare.gmm"  # the page key of the EM run
# EM first: it leads the shared buttons and the timeline, and it usually takes more steps,
# so the timeline spans both runs (K-means stays at its last half-step beyond its end).
RUNS = (EM, KMEANS)
INITS = {
    "kmeans++": "k-means++",
    "random": "Random data points (Forgy)",
    "farthest": "Farthest point",
    "typed": "Means I type",
}
SHAPES = {
    "data": "The data set's covariance",
    "round": "Circles: the data's average variance",
}
assert tuple(SHAPES) == compare.START_SHAPES
SHAPE_HELP = (
    "EM needs a covariance for each component to start from; every component gets the same "
    "one, and weight 1/K. The data set's covariance: the shape of the whole cloud. Circles: σ²I "
    "with σ² the data's average variance per coordinate (unit circles on standardized data, as "
    "in Bishop's Figure 9.8)."
)
INIT_HELP = (
    "Both algorithms start from the same K means. k-means++: each next mean is a data point "
    "drawn with probability ∝ its squared distance to the nearest mean so far. Random data "
    "points: K distinct points of the data. Farthest point: a random first point, then each "
    "time the point farthest from the means so far. Means I type: your own, e.g. "
    "“-1.5, 1.5; 1.5, -1.5”."
)
NEXT_HINT = {
    "E": "Both assign the points: K-means gives each one to its nearest centroid (hard), EM "
         "computes its responsibilities γ (soft).",
    "M": "Both move: K-means' centroids go to the means of their points, EM's π, μ, Σ to the "
         "γ-weighted estimates.",
}
# σ of the limit, as a multiple of the data's spread (the root of its average variance)
SIGMA_EXPONENTS = tuple(float(round(e, 2)) for e in np.arange(-3.0, 0.51, 0.25))




# --------------------------------------------------------------------------------------
# The set-up and the link
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """The shared start; a change of any of these starts both runs again.

    ``to_query`` / ``from_query`` are the page's link: pure, and each other's inverse
    (``Setup.from_query(s.to_query())[0] == s``). The half-step on screen travels beside it as
    ``step``.
    """

    k: int = DEFAULT_K
    init: str = "kmeans++"
    init_seed: int = DEFAULT_SEED
    typed: str = ""  # the typed means, when init is "typed"
    shape: str = "data"  # EM's initial covariances (compare.START_SHAPES)

    def to_query(self) -> dict[str, str]:
        params = {"k": str(self.k), "init": self.init, "em_start": self.shape}
        if self.init == "typed":
            params["means"] = self.typed
        else:
            params["init_seed"] = str(self.init_seed)
        return params

    @classmethod
    def from_query(cls, query) -> tuple[Setup, list[str]]:
        """The set-up a link asks for (defaults where it says nothing) and a plain message for
        every value it could not use (that value keeps its default)."""
        parsers = {
            "k": lambda: urls.parse_int(query, "k", 1, MAX_K_GMM, None),
            "init": lambda: urls.parse_choice(query, "init", tuple(INITS), None),
            "init_seed": lambda: urls.parse_int(query, "init_seed", 0, MAX_SEED, None),
            "shape": lambda: urls.parse_choice(query, "em_start", tuple(SHAPES), None),
        }
        found, messages = urls.parse_each(parsers)
        if query.get("means"):
            found["typed"] = str(query["means"])
            found["init"] = "typed"
        return cls(**found), messages


def parse_means(text: str, k: int) -> np.ndarray:
    """Typed means "x1, y1; x2, y2; ..." as a (k, 2) array; ValueError with a plain sentence."""
    return io.parse_coordinates(text, dim=2, k=k, what="mean")


def format_means(means: np.ndarray) -> str:
    """(K, 2) means as typed: "x1, y1; x2, y2" (shortest exact digits)."""
    return "; ".join(f"{float(x)!r}, {float(y)!r}" for x, y in np.asarray(means, dtype=float))


def read_url() -> None:
    """On the page's first visit, copy the link's set-up and half-step; a bad value warns."""
    query = layout.read_page_params(PAGE)
    if not query:
        return
    setup, messages = Setup.from_query(query)
    try:
        step = urls.parse_int(query, "step", 0, LINK_MAX_STEP, None)
    except ValueError as error:
        step = None
        messages.append(f"{error} Starting at half-step 0 instead.")
    for message in messages:
        state.push_message(PAGE, message, "warning")
    for name in ("k", "init", "init_seed", "typed", "shape"):
        state.set_value(PAGE, name, getattr(setup, name))
    state.set_value(PAGE, "pending_step", step)
    state.set_value(PAGE, "run_key", None)  # the link's set-up makes new runs


def url_params(setup: Setup, run: stepper.Run | None = None) -> dict[str, str]:
    """The page's link: the shared start and the half-step on screen."""
    params = setup.to_query()
    if run is not None:
        params["step"] = str(run.cursor)
    return params


def setup_sidebar() -> Setup:
    """K, the initialization and its seed (or the typed means), in the sidebar."""
    state.set_default(PAGE, "k", DEFAULT_K)
    state.set_default(PAGE, "init", "kmeans++")
    state.set_default(PAGE, "init_seed", DEFAULT_SEED)
    state.set_default(PAGE, "typed", "")
    state.set_default(PAGE, "shape", "data")
    with st.sidebar:
        st.markdown("**The shared start** (a change starts both runs again)")
        k = st.number_input("Number of clusters K", min_value=1, max_value=MAX_K_GMM, step=1,
                            key=state.widget_key(PAGE, "k"), persist_state="session")
        init = st.selectbox("Initialization", list(INITS), format_func=INITS.get,
                            key=state.widget_key(PAGE, "init"), help=INIT_HELP, persist_state="session")
        seed = int(state.get_value(PAGE, "init_seed", DEFAULT_SEED))
        typed = str(state.get_value(PAGE, "typed", "") or "")
        if init == "typed":
            typed = st.text_input("Means, “x, y” pairs separated by semicolons",
                                  key=state.widget_key(PAGE, "typed"),
                                  placeholder="-1.5, 1.5; 1.5, -1.5", persist_state="session")
        else:
            seed = st.number_input("Initialization seed", min_value=0, max_value=MAX_SEED, step=1,
                                   key=state.widget_key(PAGE, "init_seed"), persist_state="session",
                                   help="The same seed gives the same start.")
        shape = st.radio("EM's initial covariances", list(SHAPES), format_func=SHAPES.get,
                         key=state.widget_key(PAGE, "shape"), help=SHAPE_HELP, persist_state="session")
    return Setup(int(k), str(init), int(seed), str(typed or ""), str(shape))


def start_means(active: state.ActiveData, setup: Setup) -> np.ndarray | None:
    """The K means both algorithms start from, or None after a plain message."""
    try:
        if setup.init == "typed":
            return parse_means(setup.typed, setup.k)
        return kmeans.init_centroids(active.X, setup.k, setup.init, seed=setup.init_seed)
    except ValueError as error:
        st.error(f"{error} Change K, the initialization or the data set.")
        return None


def _origin(setup: Setup) -> str:
    if setup.init == "typed":
        return "the means you typed"
    return f"{INITS[setup.init].lower()}, seed {setup.init_seed}"


def ensure_runs(active: state.ActiveData, setup: Setup, start: np.ndarray) -> tuple[stepper.Run, stepper.Run]:
    """(K-means run, EM run) from ``start``; both made again when the set-up or the data changed."""
    key = (active.key, setup.k, tuple(map(tuple, np.round(start, 12))), setup.shape)
    km_run, em_run = state.get_run(KMEANS), state.get_run(EM)
    if km_run is not None and em_run is not None and state.get_value(PAGE, "run_key") == key:
        return km_run, em_run
    origin = _origin(setup)
    km_run = stepper.new_kmeans_run(start, origin=origin)
    em_run = stepper.new_gmm_run(compare.em_start(active.X, start, setup.shape),
                                 covariance_type="full", origin=origin)
    pending = state.get_value(PAGE, "pending_step")
    if pending:  # a link's half-step: both runs walk there together, as the buttons would
        state.set_value(PAGE, "pending_step", None)
        km_run = stepper.advance_to(km_run, int(pending), active.X)
        em_run = stepper.advance_to(em_run, int(pending), active.X)
    state.set_run(KMEANS, km_run)
    state.set_run(EM, em_run)
    state.set_value(PAGE, "run_key", key)
    state.set_value(RUNS[0], "animating", False)
    return km_run, em_run


def show_run_messages() -> None:
    """The one-shot messages the shared buttons left for either run (a failed half-step, a
    reset after a change of data), each text once, naming the algorithms it concerns."""
    found: dict[tuple[str, str], list[str]] = {}
    for page, name in ((KMEANS, "K-means"), (EM, "EM")):
        for level, text in state.pop_messages(page):
            found.setdefault((level, text), []).append(name)
    for (level, text), names in found.items():
        show = getattr(st, level if level in ("info", "warning", "error", "success") else "info")
        show(f"{' and '.join(names)}: {text}")


# --------------------------------------------------------------------------------------
# The two columns
# --------------------------------------------------------------------------------------


def ranges(active: state.ActiveData, start: np.ndarray):
    """Axis ranges shared by every figure of the page: the data and the start."""
    return plotting.axis_ranges(np.vstack([active.X, start]))


def accuracy(active: state.ActiveData, labels: np.ndarray | None, k: int) -> float | None:
    """The share of points in the right group after the best matching (None: nothing to say)."""
    truth = active.dataset.labels
    if labels is None or truth is None:
        return None
    return compare.matched_accuracy(labels, truth, k)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{fmt(100 * value, 1)}%"


def _run_status(name: str, run: stepper.Run) -> str:
    at_end = run.cursor == len(run.history) - 1
    if at_end and run.stop_reason == "converged":
        return f"✅ {name} converged after {run.current.iteration} iterations."
    if at_end and run.stop_reason and run.stop_reason != "converged":
        return f"⏹ {name}: {run.stop_reason}"
    return f"{name}: half-step {run.cursor} (iteration {run.current.iteration})."


ACCURACY_LABEL = "Points in the right group"
ACCURACY_HELP = (
    "The share of points put in the right group: each cluster is paired with at most one true "
    "label so that as many points as possible agree (the Hungarian algorithm, "
    "scipy.optimize.linear_sum_assignment), then the agreeing points are counted. Points of a "
    "label left without a cluster (the mouse's noise) count as wrong."
)


@dataclass(frozen=True, eq=False)
class Side:
    """One algorithm at its half-step: the derived view and the share in the right group."""

    run: stepper.Run
    view: derived.KMeansView | derived.GMMView
    share: float | None


def kmeans_side(active: state.ActiveData, run: stepper.Run) -> Side:
    view = derived.kmeans_view(active.X, run)
    return Side(run, view, accuracy(active, view.labels, run.k))


def em_side(active: state.ActiveData, run: stepper.Run) -> Side:
    view = derived.gmm_view(active.X, run)
    labels = view.labels  # most responsible
    return Side(run, view, accuracy(active, labels, run.k))


def kmeans_column(active: state.ActiveData, side: Side, x_range, y_range) -> None:
    """K-means at its half-step: J and the share in the right group over the picture."""
    run, view = side.run, side.view
    st.markdown("### K-means: hard assignments")
    columns = st.columns(2)
    columns[0].metric("J", fmt_sig(view.objective, 6), border=True,
                      help="J = Σₙ ‖xₙ − u_{zₙ}‖², the sum of squared distances to the centroids "
                           "(“—” before the first E step).")
    if active.dataset.labels is not None:
        columns[1].metric(ACCURACY_LABEL, _percent(side.share), border=True, help=ACCURACY_HELP)
    if view.sizes is not None:
        shares = " · ".join(fmt(n / active.n, 2) for n in view.sizes)
        st.markdown(f"Shares of the points Nₖ / N = {shares}")
    else:
        st.markdown("Shares of the points Nₖ / N: after the first E step")
    st.caption(_run_status("K-means", run))


def em_column(active: state.ActiveData, side: Side, x_range, y_range) -> None:
    """EM at its half-step: the log-likelihood, the share in the right group and the weights
    over the picture."""
    run, view = side.run, side.view
    params = run.current.params
    st.markdown("### EM: soft assignments, an ellipse each")
    columns = st.columns(2)
    columns[0].metric("Log-likelihood", fmt_sig(view.log_likelihood, 6), border=True,
                      help="ℓ(θ) = Σₙ log Σₖ πₖ N(xₙ | μₖ, Σₖ), summed over all points.")
    if active.dataset.labels is not None:
        columns[1].metric(ACCURACY_LABEL, _percent(side.share), border=True,
                          help=ACCURACY_HELP + " A point's group is its most responsible component.")
    st.markdown("Weights π = " + " · ".join(fmt(w, 2) for w in params.weights))
    st.caption(_run_status("EM", run))


def verdict(active: state.ActiveData, kmeans_part: Side, em_part: Side) -> None:
    """One sentence comparing the two shares (or why there is none)."""
    km_share, em_share = kmeans_part.share, em_part.share
    if active.dataset.labels is None:
        st.caption("This data set has no true labels, so the page can't count the points in the "
                   "right group; compare J and the pictures instead.")
        return
    if km_share is None or em_share is None:
        return
    if em_share > km_share:
        better = "EM puts more points in the right group"
    elif em_share < km_share:
        better = "K-means puts more points in the right group"
    else:
        better = "Both put as many points in the right group"
    st.info(f"**From the same start, {better}:** EM {_percent(em_share)}, K-means "
            f"{_percent(km_share)}.")


def explain_start(setup: Setup, start: np.ndarray) -> None:
    where = "; ".join(f"({fmt(x, 2)}, {fmt(y, 2)})" for x, y in start)
    covariance = ("the data set's covariance" if setup.shape == "data"
                  else "a circle σ²I, σ² the data's average variance")
    st.caption(f"Both start from the same means, {_origin(setup)}: {where}. EM's components "
               f"start with {covariance} and weight 1/K each.")


# --------------------------------------------------------------------------------------
# K-means as the σ → 0 limit of EM
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Limit:
    """EM with weights 1/K and σ²I from ``start`` and K-means from the same start, both converged."""

    sigma: float
    soft: stepper.Run
    resp: np.ndarray  # γ of the soft run's final means
    kmeans: stepper.Run
    labels: np.ndarray  # K-means' final labels
    points: np.ndarray  # the points both ran on (a fixed sample of a very large data set)

    @property
    def distance_from_hard(self) -> float:
        return softkmeans.distance_from_hard(self.resp, self.labels)

    @property
    def mean_difference(self) -> float:
        """max_k ‖μ_k − u_k‖ between the final means of the two runs."""
        return float(np.max(np.linalg.norm(self.soft.current.params.means - self.kmeans.current.params,
                                           axis=1)))


def spread(X: np.ndarray) -> float:
    """The data's spread: the root of its average variance per coordinate (1 when it has none)."""
    value = float(np.sqrt(np.mean(np.var(X, axis=0)))) if X.shape[0] > 1 else 0.0
    return value if value > 0 else 1.0


def limit(active: state.ActiveData, start: np.ndarray, sigma: float) -> Limit:
    """Both runs to convergence (kept for the last few σ of this start and data)."""
    def converge() -> Limit:
        sample = plotting.drawn_indices(active.n, LIMIT_MAX_POINTS)
        X = active.X if sample is None else active.X[sample]
        soft = stepper.step(stepper.new_soft_kmeans_run(start, sigma), stepper.RunToConvergence(), X)
        hard = stepper.step(stepper.new_kmeans_run(start), stepper.RunToConvergence(), X)
        means = soft.current.params.means
        return Limit(float(sigma), soft, softkmeans.e_step(X, means, sigma), hard,
                     kmeans.assign(X, hard.current.params), X)

    key = (active.key, start.tobytes(), float(sigma))
    return state.remember(PAGE, "limit_cache", key, converge, keep=LIMIT_CACHE_SIZE)


LIMIT_TEXT = (
    "Fix every weight at 1/K and every covariance at σ²I, and let EM move only the means. "
    "The E step then gives each point the responsibilities below, and the M step moves each "
    "mean to the γ-weighted mean of the points. As σ shrinks, the nearest mean's term "
    "dominates the sum: γ becomes 1 for the nearest mean and 0 for the others, which is "
    "K-means' assignment, and the run becomes K-means, step for step."
)


SIGMA_TITLE = "K-means as a limit of EM: σ → 0"


def sigma_section(active: state.ActiveData, start: np.ndarray, x_range, y_range) -> Limit | None:
    """In an expander made only while open (a lesson shows nothing of it before the first
    step): the slider, the soft assignments at that σ, and whether the run equals K-means."""
    box = layout.lazy_expander(PAGE, "sigma", SIGMA_TITLE)
    if not box.open:
        return None
    with box:
        return _sigma_limit(active, start, x_range, y_range)


def _sigma_limit(active: state.ActiveData, start: np.ndarray, x_range, y_range) -> Limit:
    st.markdown(LIMIT_TEXT)
    st.latex(r"\gamma_{nk} = \frac{\exp\!\big(-\lVert x_n-\mu_k\rVert^2 / 2\sigma^2\big)}"
             r"{\sum_{j=1}^{K}\exp\!\big(-\lVert x_n-\mu_j\rVert^2 / 2\sigma^2\big)}"
             r"\qquad \mu_k = \frac{\sum_n \gamma_{nk}\,x_n}{\sum_n \gamma_{nk}}")
    state.set_default(PAGE, "sigma", DEFAULT_SIGMA_EXPONENT)
    scale = spread(active.X)
    exponent = st.select_slider(
        "σ (log scale: each step multiplies σ by 10^¼ ≈ 1.78)", options=SIGMA_EXPONENTS,
        format_func=lambda e: f"σ = {fmt(scale * 10**e, 3)}", key=state.widget_key(PAGE, "sigma"),
        help=f"From 0.001 to 3 times the data's spread ({fmt(scale, 3)}, the root of its "
             "average variance). Both runs start from the page's shared start.",
    )
    sigma = scale * 10 ** float(exponent)
    result = limit(active, start, sigma)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        figure = plotting.sigma_limit_figure(result.points, result.soft.current.params, result.resp,
                                             result.kmeans.current.params, x_range, y_range)
        alt = (f"Scatter plot of N = {active.n:,} points at σ = {fmt(sigma, 3)}, each coloured by "
               f"its responsibilities for K = {len(start)} means, with EM's final means and "
               f"K-means' final centroids from the same start: max |γ − one-hot(K-means labels)| = "
               f"{fmt(result.distance_from_hard, 3)}.")
        show_figure(figure, alt, key=state.widget_key(PAGE, "limit_figure"), config=plotting.PLOT_CONFIG,
                    theme=None)
        st.caption("Colour of a point: the blend of the component colours weighted by its γ "
                   "(pure colours: hard assignments). Dots: EM's final means μₖ; ✕: K-means' "
                   "final centroids from the same start.")
    with right:
        hard = result.distance_from_hard
        st.markdown(f"#### max |γ − one-hot(K-means labels)| = {fmt(hard, 3)}",
                    help="The largest difference, over all points and clusters, between the "
                         "responsibilities of EM's final means and K-means' final assignment "
                         "written as 0s and 1s. 0: every point is assigned exactly as by K-means.")
        st.caption(f"at σ = {fmt(sigma, 3)}")
        gap = result.mean_difference
        tolerance = 1e-9 * max(1.0, float(np.max(np.abs(result.points))))
        if gap <= tolerance:
            st.success(f"**The final means equal K-means' centroids** (largest difference "
                       f"{fmt(gap, 3)}): EM with this σ took {result.soft.current.iteration} "
                       f"iterations, K-means {result.kmeans.current.iteration}.")
        else:
            st.info(f"**The final means differ from K-means' centroids** by up to "
                       f"{fmt(gap, 3)}: EM with this σ took {result.soft.current.iteration} "
                       f"iterations, K-means {result.kmeans.current.iteration}. Make σ smaller.")
        st.caption("With a large σ every point is shared by all means and they crowd "
                   "together near the centre of the data; as σ shrinks the colours turn pure and "
                   "the dots land on the ✕.")
        if len(result.points) < active.n:
            st.caption(f"Both runs here use a fixed sample of {len(result.points):,} of the "
                       f"{active.n:,} points, so that moving σ stays quick.")
    return result
