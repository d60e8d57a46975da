"""The "How many clusters?" panels of the K-means and GMM pages.

Streamlit glue only: the numbers come from :mod:`clustering.selection` (the elbow through
the restarts code, the silhouette, EM through the stepper for BIC and AIC), the figures from
:mod:`clustering.plotting_selection`; session state is reached through
:mod:`clustering.ui.state`. Each page calls one function, near its end:

    selection_panels.kmeans_panel(active, setup)   # pages/kmeans.py
    selection_panels.gmm_panel(active, setup)      # pages/gmm.py

The panel sits in a lazy expander: nothing is computed while it is closed. Opened, it fits
every K that is not cached yet, one K at a time under a progress bar naming the K, and keeps
each K's result in this session's state under (data set, settings) as soon as it is made, so
a click elsewhere (which stops the script run) loses at most the K being fitted. Clicking a K
on a chart, or "Load K = …", writes the page's own set-up values (K, initialization, seed):
the page then starts a run from that K's best start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from clustering import plotting, selection
from clustering.constants import (
    KMEANS_INIT_METHODS,
    MAX_K_GMM,
    MAX_K_KMEANS,
    SELECTION_CACHE_SIZE,
    SELECTION_EM_TOL_PER_POINT,
    SELECTION_GMM_SEEDS,
    SELECTION_MAX_K,
    SELECTION_RESTARTS,
    SILHOUETTE_MAX_POINTS,
)
from clustering.plotting import selection as plotting_selection
from clustering.ui import layout, state
from clustering.ui.figures import show_figure
from clustering.ui.numbers import fmt

KMEANS = "kmeans"
GMM = "gmm"
PANEL = "selection"  # the expander's name: its open state is under "<page>.open.selection"
KMEANS_LABEL = "How many clusters? The elbow of J and the silhouette"
GMM_LABEL = "How many clusters? BIC and AIC against K"
LOAD_LABEL = "Load K = {k}"
MAX_STARTS = 50
FLOOR_FACTOR = 10  # a variance below this many reg_covar is "only reg_covar" (a collapse held off)
METHOD_NAMES = {"random": "random data points", "random-partition": "random partition",
                "kmeans++": "k-means++", "farthest": "farthest point"}

READING = (
    "**Reading the curve.** J always falls as K grows (with K = N every point is its own "
    "centroid and J = 0), so its minimum says nothing: look for the bend, the K after which one "
    "more cluster buys little. The mean silhouette (right) compares each point's distance to "
    "its own cluster with its distance to the nearest other one: higher means compact, "
    "well-separated clusters; it needs at least two clusters."
)
WHY_BIC = (
    "**Why BIC penalises more than AIC.** Both start from −2ℓ, which only falls as K grows "
    "(a bigger mixture fits the same points at least as well), and add a price per free "
    "parameter: AIC 2, BIC ln N (here ln {n:,} = {log_n:.2f}). From N = 8 on, ln N > 2, so BIC "
    "charges more for every extra component and picks fewer. BIC approximates how probable the "
    "data are under each K (the evidence); AIC aims at predicting new points and, as N grows, "
    "keeps components that only fit noise."
)
BIC_GAPS = (  # Kass and Raftery (1995): how strongly a BIC difference favours the smaller BIC
    (2.0, "hardly any evidence"), (6.0, "positive evidence"), (10.0, "strong evidence"),
    (math.inf, "very strong evidence"),
)


# --------------------------------------------------------------------------------------
# The cache: per page, per (data, settings), one result per K
# --------------------------------------------------------------------------------------


def _cached(page: str, key: tuple) -> dict:
    """The results per K kept for (data, settings) ``key`` (a copy; empty when none)."""
    return dict(state.recall(page, "selection_cache", key, {}))


def _fill(page: str, key: tuple, ks: list[int], fit_one, what: str) -> dict:
    """The results of every K in ``ks``: from the cache, else fitted under a progress bar."""
    per_k = _cached(page, key)
    missing = [k for k in ks if k not in per_k]
    if missing:
        bar = st.progress(0.0, text=f"Fitting K = {missing[0]}…")
        for done, k in enumerate(missing):
            bar.progress(done / len(missing),
                         text=f"Fitting K = {k} ({done + 1} of {len(missing)}): {what}…")
            per_k[k] = fit_one(k)
            # kept at once (the newest settings last): an interrupted curve resumes here
            state.retain(page, "selection_cache", key, dict(per_k), keep=SELECTION_CACHE_SIZE)
        bar.empty()
    return per_k


def _k_range(active: state.ActiveData, page: str, largest: int) -> int:
    """The "Largest K" input (2 … the page's largest K, at most N); returns its value."""
    upper = max(1, min(largest, active.n))
    name = "selection_kmax"
    value = state.get_value(page, name)
    if value is None or not 1 <= int(value) <= upper:
        state.set_value(page, name, min(SELECTION_MAX_K, upper))
    return int(st.number_input("Largest K", min_value=1, max_value=upper, step=1,
                               key=state.widget_key(page, name),
                               help=f"The curves run from K = 1 to this (at most {upper})."))


def _load_choice(page: str, ks: list[int], current_k: int, on_load) -> None:
    """A small "K to load" select box and its "Load K = …" button."""
    name = "selection_load_k"
    if state.get_value(page, name) not in ks:
        state.set_value(page, name, current_k if current_k in ks else ks[-1])
    k = st.selectbox("K to load", ks, key=state.widget_key(page, name),
                     help="Or click a K on a chart.")
    st.button(LOAD_LABEL.format(k=k), key=state.widget_key(page, "btn.selection_load"),
              on_click=on_load, args=(int(k),), type="primary", width="stretch",
              help="Set the page's K to this and load this K's best start into the stepper.")


def _notice(page: str, k: int, text: str) -> None:
    """After a load: the panel says what was loaded (once), and its "K to load" follows."""
    state.set_value(page, "selection_load_k", int(k))
    state.set_value(page, "selection_notice", text)


def _show_notice(page: str) -> None:
    text = state.get_value(page, "selection_notice")
    if text:
        state.set_value(page, "selection_notice", None)
        st.success(text)


def _clicked_k(page: str, chart: str) -> int | None:
    event = state.get_value(page, chart)
    try:
        return int(round(float(event["selection"]["points"][0]["x"])))
    except (TypeError, KeyError, IndexError, ValueError):
        return None


def _on_chart_click(page: str, chart: str, on_load, ks: tuple[int, ...]) -> None:
    k = _clicked_k(page, chart)
    if k is not None and k in ks:
        on_load(k)


def _chart(page: str, name: str, figure, on_load, ks: list[int], alt: str) -> None:
    key = state.widget_key(page, name)
    show_figure(figure, alt, key=key, config=plotting.PLOT_CONFIG, selection_mode="points",
                    on_select=partial(_on_chart_click, page, name, on_load, tuple(ks)))


# --------------------------------------------------------------------------------------
# K-means: the elbow and the silhouette
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElbowPoint:
    """One K of the elbow: the best J of the restarts, its seed, and the silhouette of its labels.

    error : a plain sentence when K could not be fitted (then the numbers are None)
    silhouette_note : why the silhouette is missing (K = 1, fewer than 2 non-empty clusters)
    """

    k: int
    objective: float | None
    seed: int | None
    converged: bool
    silhouette: selection.Silhouette | None
    silhouette_note: str
    error: str = ""
    empty: int = 0  # clusters the best restart left empty (fewer distinct points than K)


def _fit_elbow_point(X, k: int, n_restarts: int, method: str) -> ElbowPoint:
    try:
        curve = selection.elbow(X, [k], n_restarts=n_restarts, seed=0, method=method)
    except ValueError as error:
        return ElbowPoint(k, None, None, False, None, "", str(error))
    labels = curve.labels(X, 0)
    silhouette, note = None, ""
    if k == 1:
        note = "undefined for one cluster"
    else:
        try:
            silhouette = selection.silhouette(X, labels)
        except ValueError as error:
            note = str(error)
    empty = k - len(set(labels.tolist()))
    return ElbowPoint(k, float(curve.objectives[0]), int(curve.best_seeds[0]),
                      bool(curve.converged[0]), silhouette, note, empty=empty)


def _load_kmeans(key: tuple, method: str, n_restarts: int, k: int) -> None:
    """Callback: the K-means page's K, initialization and seed become K's best start."""
    point = _cached(KMEANS, key).get(k)
    if point is None or point.seed is None:
        state.push_message(KMEANS, f"K = {k} has no fitted start yet; open the panel again.",
                           "warning")
        return
    state.set_value(KMEANS, "k", int(k))
    state.set_value(KMEANS, "init", method)
    state.set_value(KMEANS, "init_seed", int(point.seed))
    state.set_value(KMEANS, "selected", None)
    state.request_app_rerun(KMEANS)  # the sidebar's set-up changed: the whole page runs again
    _notice(KMEANS, k, f"Loaded K = {k}: the start of the best of {n_restarts} "
                       f"{METHOD_NAMES[method]} restarts (seed {point.seed}) is in the stepper. "
                       f"Click **Run to convergence** (above) to reach its J = "
                       f"{fmt(point.objective)}.")


def _falls(points: list[ElbowPoint]) -> str:
    """ "J falls by 44 % from K = 1 to 2, 52 % to 3, …" for the first few K."""
    parts = []
    for before, after in zip(points[:-1], points[1:], strict=True):
        if before.objective is None or after.objective is None or before.objective <= 0:
            break
        share = 100 * (1 - after.objective / before.objective)
        parts.append(f"{share:.0f} % from K = {before.k} to {after.k}" if not parts
                     else f"{share:.0f} % to {after.k}")
        if len(parts) == 5:
            break
    return ("J falls by " + ", ".join(parts) + ".") if parts else ""


def kmeans_panel(active: state.ActiveData, setup) -> None:
    """The K-means page's panel: J of the best restarts and the silhouette against K; load a K.

    setup : the page's Setup (its k and init are read).
    """
    box = layout.lazy_expander(KMEANS, PANEL, KMEANS_LABEL)
    if not box.open:
        return
    with box:
        method = setup.init if setup.init in KMEANS_INIT_METHODS else "kmeans++"
        settings, load = st.columns([2, 1], gap="medium")
        with settings:
            a, b = st.columns(2)
            with a:
                largest = _k_range(active, KMEANS, MAX_K_KMEANS)
            with b:
                state.set_default(KMEANS, "selection_restarts", SELECTION_RESTARTS)
                n_restarts = int(st.number_input(
                    "Restarts per K", min_value=1, max_value=MAX_STARTS, step=1,
                    key=state.widget_key(KMEANS, "selection_restarts"),
                    help="Each K keeps the lowest final J of this many runs (seeds 0, 1, …)."))
            st.caption(f"For every K from 1 to {largest}: the best of {n_restarts} "
                       f"{METHOD_NAMES[method]} starts (seeds 0 to {n_restarts - 1}), each run "
                       "to convergence" + (" (the sidebar's initialization)." if method == setup.init
                                           else "; a manual start can't be restarted, so "
                                                "k-means++ is used."))
        ks = list(range(1, largest + 1))
        key = (active.key, method, n_restarts)
        per_k = _fill(KMEANS, key, ks,
                      partial(_fit_elbow_point, active.X, n_restarts=n_restarts, method=method),
                      f"best of {n_restarts} restarts")
        points = [per_k[k] for k in ks]
        on_load = partial(_load_kmeans, key, method, n_restarts)
        fitted = [p.k for p in points if p.seed is not None]
        with load:
            if fitted:
                _load_choice(KMEANS, fitted, setup.k, on_load)
        _show_notice(KMEANS)

        left, right = st.columns([1, 1], gap="medium")
        with left:
            st.markdown("**J of the best restart, for each K**")
            _chart(KMEANS, "selection_elbow",
                   plotting_selection.elbow_figure(ks, [p.objective for p in points], setup.k,
                                                   n_restarts), on_load, fitted,
                   _elbow_alt(points, setup.k, n_restarts))
        with right:
            values = [None if p.silhouette is None else p.silhouette.value for p in points]
            best = plotting_selection.highest(ks, values)
            st.markdown("**Mean silhouette, for each K ≥ 2**"
                        + ("" if best is None else f" (★ highest: K = {best})"))
            _chart(KMEANS, "selection_silhouette",
                   plotting_selection.silhouette_figure(ks, values, setup.k), on_load, fitted,
                   _silhouette_alt(ks, values, best, setup.k))
        st.markdown(READING)
        _kmeans_reading(active, points)


def _elbow_alt(points: list[ElbowPoint], current_k: int, n_restarts: int) -> str:
    """The elbow chart in words: J of the best restart for each K fitted."""
    values = "; ".join(f"K = {p.k}: J = {fmt(p.objective)}" for p in points if p.objective is not None)
    return (f"Line chart of J of the best of {n_restarts} restarts against K, from K = "
            f"{points[0].k} to {points[-1].k}, the page's K = {current_k} marked: "
            f"{values or 'no K fitted'}.")


def _silhouette_alt(ks: list[int], values: list[float | None], best: int | None,
                    current_k: int) -> str:
    """The silhouette chart in words: its highest K and each K's mean silhouette."""
    said = "; ".join(f"K = {k}: {fmt(v, 3)}" for k, v in zip(ks, values, strict=True) if v is not None)
    top = "no K ≥ 2 fitted" if best is None else f"highest at K = {best}"
    return (f"Line chart of the mean silhouette against K, {top}, the page's K = {current_k} "
            f"marked: {said or 'no values'}.")


def _kmeans_reading(active: state.ActiveData, points: list[ElbowPoint]) -> None:
    notes = [_falls(points)]
    with_silhouette = [p for p in points if p.silhouette is not None]
    if with_silhouette:
        best = max(with_silhouette, key=lambda p: (p.silhouette.value, -p.k))
        notes.append(f"The mean silhouette is highest at K = {best.k} "
                     f"({fmt(best.silhouette.value)}).")
        sampled = with_silhouette[0].silhouette.sample is not None
        if sampled:
            notes.append(f"(The silhouette uses a fixed random sample of {SILHOUETTE_MAX_POINTS:,} "
                         f"of the {active.n:,} points.)")
    st.markdown("**Here:** " + " ".join(n for n in notes if n))
    rises = [(a.k, b.k) for a, b in zip(points[:-1], points[1:], strict=True)
             if a.objective is not None and b.objective is not None
             and b.objective > a.objective * (1 + 1e-12)]
    for before, after in rises:
        st.warning(f"J at K = {after} is above J at K = {before}: the restarts missed a better "
                   f"partition for K = {after} (one exists: split a cluster of K = {before}). "
                   "More restarts per K would find it.")
    problems = [f"K = {p.k}: {p.error}" for p in points if p.error]
    problems += [f"K = {p.k}: the best restart left {p.empty} cluster{'s' if p.empty > 1 else ''} "
                 "empty (too few distinct points)" for p in points if p.empty]
    problems += [f"K = {p.k}: no silhouette ({p.silhouette_note})" for p in points
                 if p.k > 1 and p.silhouette is None and p.silhouette_note and not p.error]
    if problems:
        st.caption(" · ".join(problems))
    if any(not p.converged for p in points if p.seed is not None):
        st.caption("Some best restarts stopped at the iteration cap before converging; their J "
                   "may still fall a little.")


# --------------------------------------------------------------------------------------
# GMM: BIC and AIC
# --------------------------------------------------------------------------------------


def _load_gmm(key: tuple, n_seeds: int, k: int) -> None:
    """Callback: the GMM page's K, initialization and seed become K's best start."""
    fit = _cached(GMM, key).get(k)
    if fit is None or fit.best_seed is None:
        state.push_message(GMM, f"K = {k} has no fit to load (see the panel's notes).", "warning")
        return
    state.set_value(GMM, "k", int(k))
    state.set_value(GMM, "init", "kmeans")
    state.set_value(GMM, "init_seed", int(fit.best_seed))
    state.set_value(GMM, "point", None)
    state.request_app_rerun(GMM)  # the sidebar's set-up changed: the whole page runs again
    _notice(GMM, k, f"Loaded K = {k}: the converged K-means start (seed {fit.best_seed}) whose EM "
                    f"fit had the highest log-likelihood of {n_seeds} is in the stepper. Click "
                    f"**Run to convergence** (above): ℓ ends at about "
                    f"{fmt(fit.log_likelihood, 2)}, or a little higher (the page's tolerance is "
                    "tighter than the curve's).")


def _bic_margin(criteria: selection.MixtureCriteria) -> str:
    """How far BIC's runner-up is above its minimum, and what that gap means."""
    finite = sorted((float(b), int(k)) for k, b in zip(criteria.ks, criteria.bics, strict=True)
                    if math.isfinite(b))
    if len(finite) < 2:
        return ""
    (best, best_k), (second, second_k) = finite[0], finite[1]
    gap = second - best
    words = next(text for limit, text in BIC_GAPS if gap < limit)
    return (f"The runner-up, K = {second_k}, is {fmt(gap, 1)} higher: {words} for K = {best_k} "
            "over it (a rule of thumb: below 2 hardly any, above 10 very strong).")


def gmm_panel(active: state.ActiveData, setup) -> None:
    """The GMM page's panel: BIC and AIC against K for the sidebar's covariance type; load a K.

    setup : the page's Setup (its k, covariance_type and reg_covar are read).
    """
    box = layout.lazy_expander(GMM, PANEL, GMM_LABEL)
    if not box.open:
        return
    with box:
        cov = setup.covariance_type
        settings, load = st.columns([2, 1], gap="medium")
        with settings:
            a, b = st.columns(2)
            with a:
                largest = _k_range(active, GMM, MAX_K_GMM)
            with b:
                state.set_default(GMM, "selection_seeds", SELECTION_GMM_SEEDS)
                n_seeds = int(st.number_input(
                    "Starts per K", min_value=1, max_value=MAX_STARTS, step=1,
                    key=state.widget_key(GMM, "selection_seeds"),
                    help="EM runs from this many converged K-means starts (seeds 0, 1, …); the "
                         "highest log-likelihood is kept."))
            tol = SELECTION_EM_TOL_PER_POINT * active.n
            st.caption(
                f"For every K from 1 to {largest}: EM with **{cov}** covariances (the sidebar's "
                f"type) and reg_covar = {setup.reg_covar:g}, from {n_seeds} converged K-means "
                f"starts (seeds 0 to {n_seeds - 1}); the highest ℓ is kept. Each run stops when "
                f"an iteration raises ℓ by less than {SELECTION_EM_TOL_PER_POINT:g} per point "
                f"({fmt(tol, 2)} in total).")
        ks = list(range(1, largest + 1))
        key = (active.key, cov, setup.reg_covar, n_seeds)
        per_k = _fill(GMM, key, ks,
                      partial(selection.fit_mixture, active.X, covariance_type=cov,
                              n_seeds=n_seeds, reg_covar=setup.reg_covar),
                      f"EM from {n_seeds} start{'s' if n_seeds > 1 else ''}")
        criteria = selection.criteria_of(per_k[k] for k in ks)
        on_load = partial(_load_gmm, key, n_seeds)
        fitted = [int(f.k) for f in criteria.fits if f.params is not None]
        with load:
            if fitted:
                _load_choice(GMM, fitted, setup.k, on_load)
        _show_notice(GMM)

        left, right = st.columns([3, 2], gap="medium")
        with left:
            st.markdown("**BIC and AIC against K** (★ the smallest of each; lower is better)")
            _chart(GMM, "selection_criteria",
                   plotting_selection.criteria_figure(ks, criteria.bics, criteria.aics,
                                                      criteria.n_parameters, setup.k),
                   on_load, fitted, _criteria_alt(ks, criteria, setup.k))
        with right:
            st.markdown("**Each K's best fit** (p: free parameters)")
            st.table(_criteria_table(criteria).style.hide(axis="index"))  # fits its column
        best_bic, best_aic = criteria.best_bic_k, criteria.best_aic_k
        if best_bic is not None:
            st.markdown(f"**Here:** BIC is smallest at **K = {best_bic}**, AIC at **K = {best_aic}**. "
                        + _bic_margin(criteria))
        st.markdown(WHY_BIC.format(n=active.n, log_n=math.log(active.n)))
        pinned = [int(f.k) for f in criteria.fits if _on_the_floor(f, setup.reg_covar)]
        if pinned:
            st.warning(
                f"At K = {', '.join(map(str, pinned))} a component has shrunk onto one point "
                f"(or repeated points, or a line): its variance across them is reg_covar "
                f"({setup.reg_covar:g}) and no more, so its ℓ is as high as reg_covar lets it be "
                "(see “Degenerate cases”), and BIC and AIC reward it. Such a K fits those few "
                "points, not a cluster.")
        for fit in criteria.fits:
            if fit.failures:
                lost = "no start gave a fit" if fit.params is None else (
                    f"{len(fit.failures)} of {n_seeds} starts left out")
                st.caption(f"K = {fit.k}: {lost}. " + " ".join(fit.failures))


def _on_the_floor(fit: selection.MixtureFit, reg_covar: float) -> bool:
    """True when a component's smallest variance is (almost) only the added reg_covar."""
    if fit.params is None or reg_covar <= 0:
        return False
    smallest = float(np.linalg.eigvalsh(fit.params.covariances)[:, 0].min())
    return smallest <= FLOOR_FACTOR * reg_covar


def _criteria_alt(ks: list[int], criteria, current_k: int) -> str:
    """The BIC/AIC chart in words: where each is smallest, and each K's BIC."""
    said = "; ".join(f"K = {k}: BIC = {fmt(b)}" for k, b in zip(ks, criteria.bics, strict=True)
                     if b is not None and math.isfinite(b))
    if criteria.best_bic_k is None:
        best = "no K fitted"
    else:
        best = f"BIC smallest at K = {criteria.best_bic_k}, AIC smallest at K = {criteria.best_aic_k}"
    return (f"Line chart of BIC and AIC against K from K = {ks[0]} to {ks[-1]}, the page's "
            f"K = {current_k} marked: {best}; {said or 'no values'}.")


def _criteria_table(criteria: selection.MixtureCriteria) -> pd.DataFrame:
    """K, p, ℓ, BIC and AIC, one row per K; "—" where K has no fit."""
    return pd.DataFrame({
        "K": [int(k) for k in criteria.ks],
        "p": [int(p) for p in criteria.n_parameters],
        "ℓ": [fmt(v, 1) for v in criteria.log_likelihoods],
        "BIC": [fmt(v, 1) for v in criteria.bics],
        "AIC": [fmt(v, 1) for v in criteria.aics],
    })
