"""The GMM page's panels: set-up, status, figures, inspector, formulas, degenerate cases, storyboard.

Streamlit glue only: the mathematics comes from :mod:`clustering.gmm` and
:mod:`clustering.derived`, the figures from :mod:`clustering.plotting`, the stage (figure, stepping,
curves) from :mod:`clustering.ui.stage`; session state is reached through :mod:`clustering.ui.state`.
``pages/gmm.py`` calls these in order. Every number shown goes through
:func:`clustering.ui.numbers.fmt`, so nothing on screen is ever "nan".
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from clustering import datasets, derived, gmm, io, plotting, stepper
from clustering.constants import (
    DEFAULT_EM_TOL,
    DEFAULT_K,
    DEFAULT_REG_COVAR,
    DEFAULT_SEED,
    GMM_MAX_STEP,
    GMM_START_CACHE_SIZE,
    MAX_K_GMM,
    MAX_SEED,
)
from clustering.ui import state, urls
from clustering.ui.figures import show_figure
from clustering.ui.numbers import fmt, fmt_exp, fmt_sig

PAGE = "gmm"

INITS = {
    "kmeans": "From a converged K-means",
    "random": "Random data points as means",
    "manual": "Manual: place the means on the plot",
}
INIT_HELP = (
    "K-means: the means, covariances and weights of a converged K-means (k-means++ seeding). "
    "Random: K distinct data points as means, the whole data set's covariance for every "
    "component, equal weights. Manual: you click the K means onto the plot."
)
COVARIANCE_TYPES = {
    "full": "Full: every component has its own ellipse, of any shape and tilt.",
    "diag": "Diagonal: every component has its own ellipse, but its axes stay parallel to the "
            "coordinate axes (no correlation inside a component).",
    "spherical": "Spherical: every component is a circle with its own radius (one variance "
                 "per component), like a soft K-means.",
    "tied": "Tied: all components share one covariance matrix: the same ellipse, moved to "
            "different means.",
}
REG_OPTIONS = (0.0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1)
REG_NOTE = (
    "Why it exists: a component that sits on a single point (or on points along a line) has "
    "zero variance in some direction, so its density there is infinite and the log-likelihood "
    "can grow without limit. The M step therefore adds reg_covar to the diagonal of every "
    "Σ_k (Σ_k + reg_covar·I). Set it to 0 to watch a collapse."
)
TOL_OPTIONS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8)
LEVELS = (1, 2, 3)
COLOUR_MODES = {
    "blend": "Blend of the component colours (by γ)",
    "likely": "Most likely component, opacity γ",
}
NEXT_HINT = {
    "E": "Compute the responsibilities γ from the current π, μ, Σ: the lower bound will touch "
         "the log-likelihood.",
    "M": "Re-estimate π, μ, Σ from the responsibilities: the bound rises and the "
         "log-likelihood rises at least as much.",
}
BOUND_SENTENCE = (
    "**What you see:** after every E step the lower bound 𝓛 (orange) touches the "
    "log-likelihood ℓ (blue), because q is then the exact posterior; the M step raises 𝓛 and ℓ "
    "rises at least as much, and the shaded gap between them is KL(q ‖ posterior) ≥ 0."
)
LECTURE_MOMENTS = (("initial", 0), ("after the first E step", 1), ("after the first M step", 2),
                   ("after 2 EM cycles", 4), ("after 5 EM cycles", 10))
BISHOP_MOMENTS = (("L = 1 cycle", 2), ("L = 2 cycles", 4), ("L = 5 cycles", 10),
                  ("L = 20 cycles", 40))
STORYBOARDS = {
    "lecture": "The lecture's moments (initial, first E, first M, 2 and 5 cycles)",
    "bishop": "Bishop, PRML Fig. 9.8 (after 1, 2, 5 and 20 cycles)",
}




# --------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """The set-up of a run; a change of any of these starts a new run.

    ``to_query`` / ``from_query`` are its part of the link (the half-step travels beside it as
    ``step``): pure, and each other's inverse (``Setup.from_query(s.to_query())[0] == s``).
    """

    k: int = DEFAULT_K
    init: str = "kmeans"
    init_seed: int = DEFAULT_SEED
    covariance_type: str = "full"
    reg_covar: float = DEFAULT_REG_COVAR
    tol: float = DEFAULT_EM_TOL

    def to_query(self) -> dict[str, str]:
        params = {"k": str(self.k), "init": self.init, "init_seed": str(self.init_seed),
                  "cov": self.covariance_type}
        if self.reg_covar != DEFAULT_REG_COVAR:
            params["reg_covar"] = f"{self.reg_covar:g}"
        if self.tol != DEFAULT_EM_TOL:
            params["tol"] = f"{self.tol:g}"
        return params

    @classmethod
    def from_query(cls, query) -> tuple[Setup, list[str]]:
        """The set-up a link asks for (defaults where it says nothing), and a plain message for
        every value it could not use (that value keeps its default)."""
        found, messages = urls.parse_each({
            "k": lambda: urls.parse_int(query, "k", 1, MAX_K_GMM, None),
            "init": lambda: urls.parse_choice(query, "init", tuple(INITS), None),
            "init_seed": lambda: urls.parse_int(query, "init_seed", 0, MAX_SEED, None),
            "covariance_type": lambda: urls.parse_choice(query, "cov", tuple(COVARIANCE_TYPES), None),
            "reg_covar": lambda: _parse_option(query, "reg_covar", REG_OPTIONS),
            "tol": lambda: _parse_option(query, "tol", TOL_OPTIONS),
        })
        return cls(**found), messages

    def run_key(self, data_key: str, manual: tuple | None = None) -> tuple:
        return (data_key, self.k, self.init, self.init_seed, self.covariance_type,
                self.reg_covar, self.tol, manual if self.init == "manual" else None)


@dataclass(frozen=True)
class Display:
    """How the figures look; a change never touches the run."""

    levels: tuple[int, ...]
    density: bool
    colour_mode: str


def read_url() -> None:
    """On the page's first visit, copy the link's k, init, init_seed, cov and step into the set-up.

    A bad value gives a plain warning and its default.
    """
    query = _read_page_params()
    if query is None:
        return
    setup, messages = Setup.from_query(query)
    step, more = urls.parse_each({"step": lambda: urls.parse_int(query, "step", 0, GMM_MAX_STEP, None)})
    for message in messages + more:
        state.push_message(PAGE, message, "warning")
    for name, key in (("k", "k"), ("init", "init"), ("init_seed", "init_seed"),
                      ("covariance_type", "cov"), ("reg_covar", "reg_covar"), ("tol", "tol")):
        if query.get(key):  # what the link names; the rest keeps what the page (or a lesson) set
            state.set_value(PAGE, key, getattr(setup, name))
    if "step" in step:
        state.set_value(PAGE, "pending_step", step["step"])
    read_means(query, setup.k if query.get("k") else int(state.get_value(PAGE, "k", DEFAULT_K)))


def read_means(query, k: int) -> None:
    """The link's manual start ``means`` ("x1,y1;x2,y2;…", K pairs): placed, and init manual.
    Bad means give a plain warning (place them on the plot instead)."""
    from clustering.ui import manual

    raw = query.get("means")
    if not raw:
        return
    try:
        means = io.parse_coordinates(str(raw)[:4000], dim=2, k=k, what="mean")
    except ValueError as error:
        state.push_message(PAGE, f"The link's “means” can't be used: {error} Place the means on "
                                 "the plot instead.", "warning")
        return
    state.set_value(PAGE, "init", "manual")
    manual.set_points(PAGE, means)


def _read_page_params():
    from clustering.ui import layout

    return layout.read_page_params(PAGE)


def _parse_option(query, name: str, options: tuple[float, ...]) -> float | None:
    """The link's ``name`` (reg_covar or tol): one of the menu's ``options``, None when absent."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise urls.UrlError(f"The link's “{name}” must be a number, not “{raw}”.") from None
    if value not in options:
        raise urls.UrlError(
            f"The link's “{name}” must be one of {', '.join(f'{v:g}' for v in options)}; "
            f"it was “{raw}”."
        )
    return value


def setup_sidebar() -> Setup:
    """The set-up widgets (in the sidebar): K, initialisation and seed, covariance type, reg_covar, tol."""
    state.set_default(PAGE, "k", DEFAULT_K)
    state.set_default(PAGE, "init", "kmeans")
    state.set_default(PAGE, "init_seed", DEFAULT_SEED)
    state.set_default(PAGE, "cov", "full")
    state.set_default(PAGE, "reg_covar", DEFAULT_REG_COVAR)
    state.set_default(PAGE, "tol", DEFAULT_EM_TOL)
    with st.sidebar:
        st.markdown("**Set-up of the mixture** (a change starts a new run)")
        k = st.slider("Number of components K", 1, MAX_K_GMM, key=state.widget_key(PAGE, "k"),
                      persist_state="session")
        init = st.selectbox("Initialization", list(INITS), format_func=INITS.get,
                            key=state.widget_key(PAGE, "init"), help=INIT_HELP, persist_state="session")
        seed = st.number_input("Initialization seed", min_value=0, max_value=MAX_SEED, step=1,
                               key=state.widget_key(PAGE, "init_seed"), persist_state="session",
                               help="The same seed gives the same start.")
        cov = st.radio("Covariance type", list(COVARIANCE_TYPES), key=state.widget_key(PAGE, "cov"),
                       horizontal=True, persist_state="session",
                       format_func=lambda c: {"diag": "diagonal"}.get(c, c))
        st.caption(COVARIANCE_TYPES[cov])
        reg = st.select_slider("reg_covar (added to every Σ_k's diagonal)", options=REG_OPTIONS,
                               format_func=lambda v: "0" if v == 0 else f"{v:.0e}",
                               key=state.widget_key(PAGE, "reg_covar"), persist_state="session")
        st.caption(REG_NOTE)
        tol = st.select_slider("Convergence tolerance on the log-likelihood gain", options=TOL_OPTIONS,
                               format_func=lambda v: f"{v:.0e}", key=state.widget_key(PAGE, "tol"),
                               persist_state="session",
                               help="Run to convergence stops when one EM iteration raises the "
                                    "log-likelihood by less than this.")
    return Setup(int(k), str(init), int(seed), str(cov), float(reg), float(tol))


def display_options() -> Display:
    """Ellipse levels, density contours and the colour mode (sidebar, below the set-up)."""
    state.set_default(PAGE, "levels", [1, 2])
    state.set_default(PAGE, "density", False)
    state.set_default(PAGE, "colour_mode", "blend")
    with st.sidebar:
        st.markdown("**Display** (never changes the run)")
        levels = st.pills(
            "Ellipses at nσ", LEVELS, selection_mode="multi", format_func=lambda n: f"{n}σ",
            key=state.widget_key(PAGE, "levels"), persist_state="session",
            help="The nσ ellipse is the set of x with (x − μ)ᵀ Σ⁻¹ (x − μ) = n² (Mahalanobis "
                 "distance n); in 2-D it holds 39%, 86% and 99% of a component's mass for "
                 "n = 1, 2, 3.",
        )
        density = st.toggle("Mixture density contours", key=state.widget_key(PAGE, "density"),
                            persist_state="session",
                            help="Contour lines of p(x) = Σₖ πₖ N(x | μₖ, Σₖ), spaced evenly in log p.")
        mode = st.radio("Point colour", list(COLOUR_MODES), format_func=COLOUR_MODES.get,
                        key=state.widget_key(PAGE, "colour_mode"), persist_state="session")
    return Display(tuple(sorted(levels or ())), bool(density), str(mode or "blend"))


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


def _origin(setup: Setup) -> str:
    if setup.init == "kmeans":
        return f"converged K-means, k-means++ seed {setup.init_seed}"
    if setup.init == "random":
        return f"random data points, seed {setup.init_seed}"
    return "means placed by hand"


def initial_params(active: state.ActiveData, setup: Setup, manual_means: np.ndarray | None = None):
    """The start θ₀ for ``setup`` (cached per data set and set-up), or a plain message saying why not."""
    manual = None if manual_means is None else tuple(map(tuple, np.round(manual_means, 12)))
    key = (active.key, setup.k, setup.init, setup.init_seed, manual)

    def start():
        try:
            if setup.init == "manual":
                return manual_params(active.X, manual_means)
            return gmm.init_params(active.X, setup.k, method=setup.init, seed=setup.init_seed)
        except ValueError as error:
            return f"The start could not be made: {error}"

    return state.remember(PAGE, "init_cache", key, start, keep=GMM_START_CACHE_SIZE)


def manual_params(X: np.ndarray, means: np.ndarray | None):
    """Means placed by hand, the data covariance for every component, equal weights."""
    if means is None or len(means) == 0:
        raise ValueError("place the means on the plot first.")
    means = np.asarray(means, dtype=float)
    k = means.shape[0]
    covariance = gmm.data_covariance(X)
    return gmm.GMMParams(np.full(k, 1.0 / k), means, np.broadcast_to(covariance, (k,) + covariance.shape))


def manual_placement(active: state.ActiveData, setup: Setup) -> np.ndarray | None:
    """With the manual start: the means placed on the plot so far (K, 2), else None."""
    if setup.init != "manual":
        return None
    from clustering.ui import manual

    placed = manual.as_array(manual.get_points(PAGE, setup.k), setup.k)
    with st.expander("Place the means μₖ on the plot (manual start)", expanded=placed is None):
        return manual.place_points(PAGE, active.X, setup.k, prefix="μ", what="mean")


def ensure_run(active: state.ActiveData, setup: Setup, manual_means: np.ndarray | None = None):
    """The stored run for this set-up; a new one (at half-step ``step`` of the link) when it changed.

    Returns the Run, or None with the reason shown when no start can be made.
    """
    manual = None if manual_means is None else tuple(map(tuple, np.round(manual_means, 12)))
    key = setup.run_key(active.key, manual)
    run = state.run_for(PAGE, key)
    if run is not None:
        return run
    if setup.init == "manual" and manual_means is None:
        state.forget_run(PAGE)
        st.info(f"Place all {setup.k} means on the plot above; the run starts from them, each "
                "with the data covariance and weight 1/K.")
        return None
    params = initial_params(active, setup, manual_means)
    if isinstance(params, str):
        state.forget_run(PAGE)
        st.error(params + " Change K, the initialization or the data set.")
        return None
    params = gmm.project_to_covariance_type(params, setup.covariance_type)
    run = stepper.new_gmm_run(params, covariance_type=setup.covariance_type,
                              reg_covar=setup.reg_covar, tol=setup.tol, origin=_origin(setup))
    return state.start_run(PAGE, run, key, active.X)


def curves(X: np.ndarray, data_key: str, run: stepper.Run, view: derived.GMMView | None = None):
    """(log-likelihood, lower bound) per half-step, derived.gmm_curve_point for each, computed
    once per (data, snapshot); view : the cursor's derived view, whose numbers are used as they are."""
    keyed = {}
    for index, snapshot in enumerate(run.history):
        if index == run.cursor and view is not None:
            continue
        q_params = derived.e_params(run, index)
        keyed[index] = (snapshot.kind, None if q_params is None else derived.snapshot_key(q_params),
                        derived.snapshot_key(snapshot.params))
    points = state.memo_many(PAGE, data_key, keyed,
                             lambda missing: derived.gmm_curve_points(X, run, missing))
    if view is not None:
        points[run.cursor] = (view.log_likelihood, view.lower_bound)
    likelihoods = [points[i][0] for i in range(len(run.history))]
    bounds = [points[i][1] for i in range(len(run.history))]
    return likelihoods, bounds


# --------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------


def convergence_caption(run: stepper.Run) -> None:
    text = (f"Run to convergence stops when one EM iteration raises the log-likelihood by less "
            f"than tol = {run.tol:g} (or after {run.max_iter} iterations).")
    at_end = run.cursor == len(run.history) - 1
    if at_end and run.stop_reason and run.stop_reason not in ("converged", "max_iter"):
        text += " " + run.stop_reason
    st.caption(f"Start: {run.origin}. " + text)


def status(run: stepper.Run, view: derived.GMMView, likelihoods: list[float]) -> None:
    """The four metrics: Iteration, Log-likelihood (with its gain in an M step), Lower bound, gap."""
    kind = run.current.kind
    top, bottom = st.columns(2), st.columns(2)
    columns = [top[0], bottom[0], bottom[1], top[1]]  # ℓ and 𝓛 side by side
    columns[0].metric("Iteration", str(run.current.iteration),
                      help="Completed EM iterations (M steps) up to the half-step on screen.",
                      border=True)
    gain = None
    if kind == "M" and run.cursor > 0:
        gain = fmt_sig(view.log_likelihood - likelihoods[run.cursor - 1], 4, signed=True)
    columns[1].metric("Log-likelihood", fmt_sig(view.log_likelihood, 6), delta=gain,
                      help="ℓ(θ) = Σₙ log Σₖ πₖ N(xₙ | μₖ, Σₖ), summed over all points.",
                      border=True)
    columns[2].metric("Lower bound", fmt_sig(view.lower_bound, 6),
                      help="𝓛(q, θ) = Σₙ Σₖ qₙₖ [log πₖ N(xₙ | μₖ, Σₖ) − log qₙₖ] with q the "
                           "responsibilities of the last E step (none before the first E step).",
                      border=True)
    columns[3].metric("Gap ℓ − 𝓛 (KL)", fmt_sig(view.gap, 4),
                      help="KL(q ‖ p(z | x, θ)) ≥ 0: zero right after an E step.", border=True)


def _sigma_columns(cov: np.ndarray) -> dict[str, str]:
    """A 2 × 2 covariance as three table cells: the two variances and the covariance."""
    return {"Σₖ var x₁": fmt(cov[0, 0], 4), "Σₖ cov": fmt(cov[0, 1], 4), "Σₖ var x₂": fmt(cov[1, 1], 4)}


def params_table(params, n_k: np.ndarray | None) -> None:
    """π_k, μ_k, Σ_k (and N_k = Σ_n γ_nk, derived.GMMView.counts, when given) per component."""
    rows = []
    for k in range(len(params.weights)):
        mean = params.means[k]
        cov = params.covariances[k]
        rows.append({
            "k": f"{k + 1}",
            "πₖ": fmt(params.weights[k], 3),
            "Nₖ": "—" if n_k is None else fmt(n_k[k], 1),
            "μₖ": f"({fmt(mean[0], 3)}, {fmt(mean[1], 3)})",
            **_sigma_columns(cov),
        })
    frame = pd.DataFrame(rows)

    def colour_k(column):
        return [f"color: {plotting.colour(int(v) - 1)}; font-weight: 700" for v in column]

    st.table(frame.style.apply(colour_k, subset=["k"]).hide(axis="index"))


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------


def _on_select() -> None:
    """Callback of the main figure: a click on a point makes it the inspected point."""
    event = state.get_value(PAGE, "figure")
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return
    n = state.get_data().n
    for point in points:
        index = clicked_point(point, n)
        if index is not None:
            state.set_value(PAGE, "point", index)
            return


def clicked_point(point, n: int) -> int | None:
    """The number n of a clicked data point (None for a click on anything else).

    Up to ``plotting.GAMMA_HOVER_POINTS`` drawn points each carry [n, γ_n1, ...] as customdata
    (a list, or a dict keyed by column "0", "1", ...); beyond, they carry nothing (less to
    send) and the click's position in the points trace is mapped back through the drawn sample.
    """
    if not isinstance(point, dict):
        return None
    data = point.get("customdata")
    if isinstance(data, dict):
        data = data.get("0", data.get(0))
    elif isinstance(data, (list, tuple)):
        data = data[0] if data else None
    if data is None and str(point.get("name", "")).startswith("points"):
        position = point.get("point_index")
        indices = plotting.drawn_indices(n)
        if isinstance(position, int) and 0 <= position < (n if indices is None else len(indices)):
            data = position if indices is None else indices[position]
    try:
        index = int(data)
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < n else None


def inspected_point(X: np.ndarray, resp: np.ndarray | None, params=None) -> tuple[int, bool]:
    """(n, chosen): the point under inspection; the most shared point when nobody chose one.

    Before the first E step the "most shared" point is judged by the responsibilities the
    next E step will compute from ``params``.
    """
    chosen = state.get_value(PAGE, "point")
    if chosen is not None and 0 <= int(chosen) < X.shape[0]:
        return int(chosen), True
    if chosen is not None:  # from another data set: forget it before its widget is drawn
        state.set_value(PAGE, "point", None)
    if resp is None and params is not None:
        resp = gmm.e_step(X, params)
    if resp is None or resp.shape[1] < 2:
        return 0, False
    return int(np.argmin(resp.max(axis=1))), False


def _density_grid(params, x_range, y_range):
    from clustering import geometry

    return geometry.mixture_density_grid(params, x_range, y_range, resolution=90)


# --------------------------------------------------------------------------------------
# Point inspector and formulas
# --------------------------------------------------------------------------------------


def _resp_params(run: stepper.Run):
    """The parameters the responsibilities in force were computed from (the current ones before an E step)."""
    index = run.cursor
    if run.current.kind == "M":
        index -= 1
    return run.history[index].params


def inspector(active: state.ActiveData, run: stepper.Run, view: derived.GMMView, n: int,
              chosen: bool) -> None:
    """γ_nk of one point as bars, and the E-step formula with that point's own numbers."""
    from clustering.ui import layout

    X = active.X
    st.number_input("Point n (or click one on the plot)", min_value=0, max_value=active.n - 1,
                    step=1, key=state.widget_key(PAGE, "point"), value=None,
                    placeholder=f"{n} (the most uncertain point)")
    params = _resp_params(run)
    point = X[n:n + 1]
    # γ in force comes from derived; before the first E step, the one the next E step computes
    gamma = view.resp[n] if view.resp is not None else gmm.e_step(point, params)[0]
    log_dens = gmm.log_gaussian_prob(point, params.means, params.covariances)[0]  # log N_k, (K,)
    with np.errstate(divide="ignore"):  # a weight of 0: log π_k N_k = −inf, shown as 0
        log_joint = np.log(params.weights) + log_dens
    log_norm = float(gmm.log_density(point, params)[0])  # log p(x_n) = log Σ_j π_j N_j
    which = "chosen" if chosen else "most uncertain (type a number or click another)"
    if view.resp is None:
        st.caption(f"Point {n} ({which}) at ({fmt(X[n, 0])}, {fmt(X[n, 1])}). No E step yet: "
                   "these are the responsibilities the next E step will compute.")
    else:
        st.caption(f"Point {n} ({which}) at ({fmt(X[n, 0])}, {fmt(X[n, 1])}), with the "
                   "parameters of the last E step.")
    st.html(plotting.responsibility_bars_html(gamma))  # plain HTML: no chart bundle to load
    k_best = int(np.argmax(gamma))
    shown = min(len(gamma), 4)
    terms = " + ".join(fmt_exp(log_joint[j], latex=True) for j in range(shown))
    terms += " + \\dots" if len(gamma) > shown else ""
    b = k_best + 1
    st.latex(
        f"\\gamma_{{n{b}}} = \\frac{{\\pi_{{{b}}}\\,\\mathcal N(x_n\\mid\\mu_{{{b}}},\\Sigma_{{{b}}})}}"
        f"{{\\sum_{{j}} \\pi_j\\,\\mathcal N(x_n\\mid\\mu_j,\\Sigma_j)}}"
    )
    st.latex(
        f"= \\frac{{{fmt(params.weights[k_best], 3)}\\times {fmt_exp(log_dens[k_best], latex=True)}}}"
        f"{{{terms}}} = {fmt(gamma[k_best], 4)}"
    )
    rows = [{
        "k": f"{j + 1}",
        "πₖ": fmt(params.weights[j], 4),
        "N(xₙ | μₖ, Σₖ)": fmt_exp(log_dens[j]),
        "πₖ·N": fmt_exp(log_joint[j]),
        "γₙₖ = πₖ·N / Σ": fmt(gamma[j], 4),
    } for j in range(len(gamma))]
    layout.table(rows)
    st.caption(f"Normalisation Σⱼ πⱼ N(xₙ | μⱼ, Σⱼ) = {fmt_exp(log_norm)} = p(xₙ); "
               "the γₙₖ of a point sum to 1.")


def formulas(active: state.ActiveData, run: stepper.Run, view: derived.GMMView) -> None:
    """The M-step updates with N_k and the live numbers; the Jensen bound in an expander."""
    from clustering.ui import layout

    st.markdown("**E step** (responsibilities)")
    st.latex(r"\gamma_{nk} = \frac{\pi_k\,\mathcal N(x_n\mid\mu_k,\Sigma_k)}"
             r"{\sum_{j=1}^{K}\pi_j\,\mathcal N(x_n\mid\mu_j,\Sigma_j)}")
    st.markdown("**M step** (new parameters from the responsibilities)")
    # one short formula a line, so none is cut at a narrow column's edge
    st.latex(r"N_k = \sum_{n=1}^{N}\gamma_{nk},\qquad \pi_k = \frac{N_k}{N}")
    st.latex(r"\mu_k = \frac{1}{N_k}\sum_{n=1}^{N}\gamma_{nk}\,x_n")
    st.latex(r"\begin{aligned}\Sigma_k = {}& \frac{1}{N_k}\sum_{n=1}^{N}\gamma_{nk}\,"
             r"(x_n-\mu_k)(x_n-\mu_k)^{\top} \\ & + \text{reg\_covar}\cdot I\end{aligned}")
    kind_note = {
        "full": "",
        "diag": " With diagonal covariances the M step keeps only the diagonal of Σₖ.",
        "spherical": " With spherical covariances Σₖ = σₖ² I, σₖ² the mean of Σₖ's diagonal.",
        "tied": " With a tied covariance one Σ = Σₖ (Nₖ/N) Σₖ is shared by every component.",
    }[run.covariance_type]
    if view.resp is None:
        st.info("No responsibilities yet: take an E step, and the M step's numbers appear here.")
    else:
        n_k = view.counts
        if run.current.kind == "M":
            result, lead = run.current.params, "This M step set (from the γ of the E step before it):"
        else:
            lead = "The next M step will set (from the γ on screen):"
            try:
                result = gmm.m_step(active.X, view.resp, reg_covar=run.reg_covar,
                                    covariance_type=run.covariance_type)
            except ValueError as error:
                result = None
                st.warning(f"The next M step will fail: {error}")
        if result is not None:
            rows = []
            for k in range(len(n_k)):
                cov = result.covariances[k]
                rows.append({
                    "k": f"{k + 1}",
                    "Nₖ = Σₙ γₙₖ": fmt(n_k[k], 2),
                    "πₖ = Nₖ / N": f"{fmt(n_k[k], 2)} / {active.n:,} = {fmt(result.weights[k], 4)}",
                    "μₖ": f"({fmt(result.means[k][0], 3)}, {fmt(result.means[k][1], 3)})",
                    **_sigma_columns(cov),
                })
            st.markdown(lead + kind_note)
            layout.table(rows)
    box = layout.lazy_expander(PAGE, "jensen", "Why 𝓛 is a lower bound: Jensen's inequality")
    if not box.open:
        return
    with box:
        st.markdown("For any distribution q over the component zₙ of each point (qₙₖ ≥ 0, "
                    "Σₖ qₙₖ = 1), because log is concave:")
        st.latex(r"\log p(X\mid\theta) = \sum_{n=1}^{N}\log\sum_{k=1}^{K} q_{nk}\,"
                 r"\frac{\pi_k\,\mathcal N(x_n\mid\mu_k,\Sigma_k)}{q_{nk}}")
        st.latex(r"\ge\;\sum_{n=1}^{N}\sum_{k=1}^{K} q_{nk}\log"
                 r"\frac{\pi_k\,\mathcal N(x_n\mid\mu_k,\Sigma_k)}{q_{nk}} = \mathcal L(q,\theta)")
        st.latex(r"\log p(X\mid\theta) - \mathcal L(q,\theta) = \sum_{n=1}^{N}"
                 r"\mathrm{KL}\big(q_{n\cdot}\,\big\|\,p(z_n\mid x_n,\theta)\big) \;\ge\; 0")
        st.markdown("The E step sets qₙₖ = γₙₖ = p(zₙ = k | xₙ, θ): the KL term is 0 and the "
                    "bound touches. The M step maximises 𝓛(q, θ) over θ with q held fixed: 𝓛 "
                    "rises, and ℓ = 𝓛 + KL rises at least as much. So the log-likelihood never "
                    "falls.")


# --------------------------------------------------------------------------------------
# Degenerate cases
# --------------------------------------------------------------------------------------


def load_collapse_example() -> None:
    """Callback: a data set on which a component must collapse, with K = 4 and reg_covar = 0."""
    state.set_data(state.DataSpec(name="collapse"))  # a named set: the link rebuilds it
    state.set_value(PAGE, "k", len(datasets.COLLAPSE_POINTS))
    state.set_value(PAGE, "init", "random")
    state.set_value(PAGE, "init_seed", 0)
    state.set_value(PAGE, "cov", "full")
    state.set_value(PAGE, "reg_covar", 0.0)
    state.set_value(PAGE, "point", None)
    state.request_app_rerun(PAGE)  # new data and set-up: the whole page runs again


def degenerate_cases(run: stepper.Run | None) -> None:
    from clustering.ui import layout

    box = layout.lazy_expander(PAGE, "degenerate", "Degenerate cases: collapse, and why reg_covar exists")
    if not box.open:
        return
    with box:
        st.markdown(
            "The log-likelihood of a mixture has no maximum: put one component on a single data "
            "point and let its variance shrink, and that point's density, and so ℓ, grows "
            "without limit. The same happens when a component's points lie on a line (zero "
            "variance across it). EM walks into this when a component owns too few distinct "
            "points. **reg_covar** adds a small number to every Σₖ's diagonal in the M step, "
            "so no variance can reach zero. With reg_covar = 0 a collapse stops the run at its "
            "last good step, with a message naming the component."
        )
        st.button("Load the collapse example (4 distinct points × 6 copies, K = 4, reg_covar = 0)",
                  key=state.widget_key(PAGE, "collapse"), on_click=load_collapse_example)
        st.caption("Then click Run to convergence: the components shrink onto the points until "
                   "one covariance becomes singular. Go back to the Data page for another data set.")


# --------------------------------------------------------------------------------------
# Storyboard
# --------------------------------------------------------------------------------------


def _story_run(active: state.ActiveData, run: stepper.Run) -> stepper.Run:
    """The same start and settings, iterated 20 full EM cycles (stopping early at a collapse)."""
    key = (active.key, derived.snapshot_key(run.initial.params), run.covariance_type, run.reg_covar)
    stored = state.get_value(PAGE, "story")
    if stored is not None and stored[0] == key:
        return stored[2]
    story = stepper.Run("gmm", (run.initial,), covariance_type=run.covariance_type,
                        reg_covar=run.reg_covar, tol=run.tol)
    for _ in range(20):
        try:
            story = stepper.step(story, stepper.Iterate(), active.X)
        except stepper.StepError:
            break
    state.set_value(PAGE, "story", (key, run.initial, story))
    return story


def storyboard(active: state.ActiveData, run: stepper.Run, display: Display) -> None:
    st.header("Storyboard for slides")
    show = st.toggle("Show the storyboard", key=state.widget_key(PAGE, "show_story"), persist_state="session")
    if not show:
        st.caption("Small multiples of EM from this start at the lecture's moments, or at "
                   "Bishop's (PRML Fig. 9.8), as one figure to download as a PNG.")
        return
    state.set_default(PAGE, "story_kind", "lecture")
    kind = st.radio("Moments", list(STORYBOARDS), format_func=STORYBOARDS.get, horizontal=True,
                    key=state.widget_key(PAGE, "story_kind"), persist_state="session")
    story = _story_run(active, run)
    moments = LECTURE_MOMENTS if kind == "lecture" else BISHOP_MOMENTS
    panels, said = [], []
    last = len(story.history) - 1
    for title, index in moments:
        if index > last:
            title = f"{title}: stopped at half-step {last} (collapse)"
            index = last
        snapshot_view = derived.gmm_view(active.X, story, index)
        previous = snapshot_view.previous if story.history[index].kind == "M" else None
        panels.append((title, story.history[index].params, snapshot_view.resp, previous))
        said.append(f"{title}: ℓ = {fmt(snapshot_view.log_likelihood, 2)}")
    x_range, y_range = plotting.axis_ranges(active.X)
    figure = plotting.storyboard_figure(active.X, panels, x_range, y_range,
                                        levels=display.levels or (2,))
    name = f"gmm-storyboard-{kind}-{active.spec.name}-k{run.k}"
    config = dict(plotting.PLOT_CONFIG)
    config["toImageButtonOptions"] = {"format": "png", "scale": 2, "filename": name,
                                      "width": 1800, "height": figure.layout.height}
    alt = (f"Storyboard of EM on {active.spec.label()}, N = {active.n:,} points, K = {run.k} "
           f"components, {len(panels)} panels: " + "; ".join(said) + ".")
    show_figure(figure, alt, key=state.widget_key(PAGE, "storyboard"), config=config, theme=None)
    st.caption("Download it as one PNG with the camera icon (“Download plot as a png”) at the "
               "figure's top right. Dashed: the ellipses before that M step.")
    if importlib.util.find_spec("kaleido") is not None:  # static export needs kaleido
        st.download_button("Download the storyboard (PNG)", figure.to_image(format="png", scale=2),
                           file_name=f"{name}.png", mime="image/png", key=state.widget_key(PAGE, "story_png"))


# --------------------------------------------------------------------------------------
# The link
# --------------------------------------------------------------------------------------


def url_params(setup: Setup, run: stepper.Run | None) -> dict[str, str]:
    """The page's link: the set-up, the half-step, and a manual start's ``means``."""
    from clustering.ui import manual

    params = setup.to_query()
    if run is not None:
        params["step"] = str(run.cursor)
    means = manual.as_array(manual.get_points(PAGE, setup.k), setup.k)
    if setup.init == "manual" and means is not None:
        params["means"] = ";".join(f"{float(x)!r},{float(y)!r}" for x, y in means)
    return params
