"""The Generative model page's panels: the mixture table, the sample, the story, "Fit EM".

Streamlit glue only: the mathematics is in :mod:`clustering.generative`, the figure in
:mod:`clustering.plotting`; session state is reached through :mod:`clustering.ui.state` (the
widget keys below are the same "generative.<name>" keys ``state.get_value`` reads).
``pages/generative.py`` calls these in order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

from clustering import generative, plotting
from clustering.constants import (
    DEFAULT_SEED,
    GENERATIVE_DEFAULT_POINTS,
    GENERATIVE_MAX_POINTS,
    MAX_K_GMM,
    MAX_SEED,
)
from clustering.gmm import GMMParams
from clustering.ui import state, urls
from clustering.ui.figures import show_figure
from clustering.ui.numbers import fmt

PAGE = "generative"
GMM_PAGE = "gmm"
GMM_PAGE_FILE = "pages/gmm.py"
FIT_LABEL = "Fit EM to these points"
RESAMPLE_LABEL = "Draw a new sample"
OWN_DATA = ("Its own: points sampled from the\nmixture in the table (“Fit EM”\nmakes them the "
            "active data set)")

# The table's columns: the Component field each edits, its header and its help text.
COLUMNS = {
    "weight": ("π", "The weight πₖ: the probability that a point comes from this component. "
                    "Weights that do not add up to 1 are divided by their sum."),
    "mean_x": ("μx", "The x coordinate of the mean μₖ."),
    "mean_y": ("μy", "The y coordinate of the mean μₖ."),
    "sigma_x": ("σx", "Standard deviation along x (> 0)."),
    "sigma_y": ("σy", "Standard deviation along y (> 0)."),
    "rho": ("ρ", "Correlation of x and y inside the component, strictly between −1 and 1: "
                 "Σₖ = [[σx², ρσxσy], [ρσxσy, σy²]]. ρ > 0 tilts the ellipse up to the right."),
}
STORY = (
    r"\begin{aligned}"
    r"&\text{1. pick a component:} && z_n \sim \operatorname{Categorical}(\pi_1, \dots, \pi_K)"
    r" \quad\text{i.e. } P(z_n = k) = \pi_k \\"
    r"&\text{2. draw the point from it:} && x_n \mid z_n = k \;\sim\; \mathcal{N}(\mu_k, \Sigma_k)"
    r"\end{aligned}"
)
# Means of the components added when K grows beyond the table (a ring around the origin).
_RING = 5.0




# --------------------------------------------------------------------------------------
# The set-up and the link
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What the page shows: the mixture's rows, N and the seed of the sample.

    ``to_query`` / ``from_query`` are the page's link (keys ``components``, ``points`` and
    ``sample_seed``, apart from the active data set's ``n`` and ``seed``); pure, and each other's
    inverse: ``Setup.from_query(s.to_query())[0] == s``.
    """

    rows: tuple[generative.Component, ...] = generative.PRESETS[generative.DEFAULT_PRESET]
    n: int = GENERATIVE_DEFAULT_POINTS
    seed: int = DEFAULT_SEED

    def to_query(self) -> dict[str, str]:
        return {"components": generative.format_components(self.rows), "points": str(self.n),
                "sample_seed": str(self.seed)}

    @classmethod
    def from_query(cls, query) -> tuple[Setup, list[str]]:
        """The set-up a link asks for (defaults where it says nothing), and a plain message for
        every value it could not use (that value keeps its default)."""
        found: dict = {}
        messages: list[str] = []
        if query.get("components"):
            try:
                rows = generative.parse_components(query["components"])
                if len(rows) > MAX_K_GMM:
                    raise ValueError(f"it has {len(rows)} components; at most {MAX_K_GMM} fit.")
                found["rows"] = rows
            except ValueError as error:
                messages.append(f"The link's “components” can't be used: {error} "
                                "Showing the default mixture instead.")
        for name, key, low, high in (("n", "points", 2, GENERATIVE_MAX_POINTS),
                                     ("seed", "sample_seed", 0, urls.MAX_SEED)):
            try:
                value = urls.parse_int(query, key, low, high, None)
            except ValueError as error:
                messages.append(f"{error} Using the default instead.")
                continue
            if value is not None:
                found[name] = value
        return cls(**found), messages


def read_url() -> None:
    """On the page's first visit, put the link's mixture, N and seed into the page."""
    from clustering.ui import layout

    query = layout.read_page_params(PAGE)
    if not query or not any(key in query for key in ("components", "points", "sample_seed")):
        return
    setup, messages = Setup.from_query(query)
    for message in messages:
        state.push_message(PAGE, message, "warning")
    _set_rows(setup.rows)
    state.set_value(PAGE, "k", len(setup.rows))
    state.set_value(PAGE, "n", setup.n)
    state.set_value(PAGE, "seed", setup.seed)


# --------------------------------------------------------------------------------------
# The mixture: a preset, K and the table
# --------------------------------------------------------------------------------------


def _load_preset() -> None:
    """Callback of the preset menu: its rows become the table (and K follows)."""
    rows = generative.PRESETS[state.get_value(PAGE, "preset")]
    _set_rows(rows)
    state.set_value(PAGE, "k", len(rows))


def _set_rows(rows: tuple[generative.Component, ...]) -> None:
    """Replace the table's rows; the editor gets a new key, so no old edit is laid over them."""
    state.set_value(PAGE, "rows", tuple(rows))
    state.set_value(PAGE, "table_revision", int(state.get_value(PAGE, "table_revision", 0)) + 1)


def resized(rows: tuple[generative.Component, ...], k: int) -> tuple[generative.Component, ...]:
    """The first k rows, or the rows plus new ones on a ring; the weights rescaled to add up to 1.

    Kept rows keep their share among themselves; a new row gets weight 1/k.
    """
    rows = tuple(rows)[:k]
    added = []
    for j in range(len(rows), k):
        angle = 2 * math.pi * j / max(k, 1)
        added.append(generative.Component(1.0 / k, round(_RING * math.cos(angle), 2),
                                          round(_RING * math.sin(angle), 2), 1.0, 1.0, 0.0))
    kept_weights = [r.weight for r in rows]
    finite = all(isinstance(w, (int, float)) and math.isfinite(w) and w >= 0 for w in kept_weights)
    total = sum(kept_weights) if finite else 0.0
    if added and finite and total > 0:
        share = 1.0 - len(added) / k
        rows = tuple(replace(r, weight=r.weight / total * share) for r in rows)
    return rows + tuple(added)


def mixture_controls() -> tuple[int, int, int]:
    """The preset menu, K, N and the seed; returns (K, N, seed)."""
    state.set_default(PAGE, "preset", generative.DEFAULT_PRESET)
    state.set_default(PAGE, "rows", generative.PRESETS[generative.DEFAULT_PRESET])
    state.set_default(PAGE, "k", len(state.get_value(PAGE, "rows")))
    state.set_default(PAGE, "n", GENERATIVE_DEFAULT_POINTS)
    state.set_default(PAGE, "seed", DEFAULT_SEED)
    st.selectbox("Start from a mixture", list(generative.PRESETS), key=state.widget_key(PAGE, "preset"),
                 on_change=_load_preset, persist_state="session",
                 help="Loads the mixture into the table below; then edit any number.")
    k_column, n_column, seed_column = st.columns(3)
    k = k_column.number_input("Components K", min_value=1, max_value=MAX_K_GMM, step=1,
                              key=state.widget_key(PAGE, "k"), persist_state="session",
                              help=f"1 to {MAX_K_GMM}, as on the GMM page.")
    n = n_column.number_input("Points N", min_value=2, max_value=GENERATIVE_MAX_POINTS, step=100,
                              key=state.widget_key(PAGE, "n"), persist_state="session",
                              help=f"2 to {GENERATIVE_MAX_POINTS:,}.")
    seed = seed_column.number_input("Seed", min_value=0, max_value=MAX_SEED, step=1,
                                    key=state.widget_key(PAGE, "seed"), persist_state="session",
                                    help="The same mixture, N and seed always give the same points.")
    return int(k), int(n), int(seed)


def _frame(rows: tuple[generative.Component, ...]) -> pd.DataFrame:
    frame = pd.DataFrame([[getattr(r, field) for field in COLUMNS] for r in rows],
                         columns=[header for header, _ in COLUMNS.values()], dtype=float)
    frame.index = [f"{j + 1}" for j in range(len(rows))]
    return frame


def _rows(frame: pd.DataFrame) -> tuple[generative.Component, ...]:
    rows = []
    for values in frame.itertuples(index=False):
        cleaned = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]
        rows.append(generative.Component(*cleaned))
    return tuple(rows)


def mixture_table(k: int) -> tuple[generative.Component, ...]:
    """The editable table, one row per component; returns its rows as typed (unchecked)."""
    st.markdown("**The components** (click a number to edit it)")
    rows = tuple(state.get_value(PAGE, "rows"))
    if len(rows) != k:
        _set_rows(resized(rows, k))
        rows = tuple(state.get_value(PAGE, "rows"))
    config = {
        header: st.column_config.NumberColumn(header, help=help_text, format="plain", width=74)
        for header, help_text in COLUMNS.values()
    }
    config["_index"] = st.column_config.TextColumn("k", width=40)
    edited = st.data_editor(
        _frame(rows), key=state.widget_key(PAGE, f"table.{state.get_value(PAGE, 'table_revision', 0)}"),
        column_config=config, num_rows="fixed", width="stretch",
    )
    rows = _rows(edited)
    state.set_value(PAGE, "rows", rows)
    return rows


def checked_params(rows: tuple[generative.Component, ...]) -> GMMParams | None:
    """The mixture the rows describe; notes and plain errors are shown here (None on an error)."""
    try:
        params, notes = generative.params_from_components(rows)
    except ValueError as error:
        st.error(f"{error} Nothing is sampled until the table is fixed.")
        return None
    for note in notes:
        st.info(note)
    return params


# --------------------------------------------------------------------------------------
# The story, the sample and the figure
# --------------------------------------------------------------------------------------


def story() -> None:
    st.markdown("**How a Gaussian mixture makes each of its N points**")
    st.latex(STORY)
    st.caption("The colour of a point below is its z_n, the component it was drawn from. "
               "EM never sees these colours: it has to infer them (the responsibilities γ).")


def _resample() -> None:
    """Callback: a new sample of the same mixture (the next seed)."""
    state.set_value(PAGE, "seed", (int(state.get_value(PAGE, "seed", DEFAULT_SEED)) + 1) % (MAX_SEED + 1))


def sample(params: GMMParams, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return generative.sample_mixture(params, n, seed)


def figure(X: np.ndarray, z: np.ndarray, params: GMMParams) -> None:
    k = len(params.weights)
    counts = ", ".join(str(int(n)) for n in np.bincount(z, minlength=k))
    alt = (f"Scatter plot of N = {X.shape[0]:,} points sampled from a mixture of K = {k} "
           f"Gaussians, coloured by the component each was drawn from ({counts} points), with "
           "each component's true mean and its 1σ and 2σ ellipses.")
    show_figure(plotting.generative_figure(X, z, params, levels=(1, 2)), alt, width="stretch",
                config=plotting.PLOT_CONFIG, key=state.widget_key(PAGE, "figure"))
    st.caption("Thick ellipses: 1σ (holds 39% of a component's points); thin: 2σ (86%). "
               "Black-ringed circles: the true means μₖ.")
    note = plotting.sample_note(X.shape[0])
    if note:
        st.caption(note)


def counts_table(z: np.ndarray, params: GMMParams) -> None:
    """π_k next to the share of points actually drawn from component k."""
    k = len(params.weights)
    counts = generative.component_counts(z, k)
    n = max(int(z.size), 1)
    frame = pd.DataFrame({
        "component": [f"{j + 1}" for j in range(k)],
        "πₖ": [fmt(params.weights[j], 3) for j in range(k)],
        "drawn Nₖ": [f"{counts[j]:,}" for j in range(k)],
        "share Nₖ / N": [fmt(counts[j] / n, 3) for j in range(k)],
    })

    def colour_k(column):
        return [f"color: {plotting.colour(int(v) - 1)}; font-weight: 700" for v in column]

    st.markdown("**What was drawn:** the shares follow π, up to chance")
    st.dataframe(frame.style.apply(colour_k, subset=["component"]), hide_index=True, width="stretch")


def resample_button() -> None:
    st.button(RESAMPLE_LABEL, on_click=_resample, help="The same mixture, the next seed.",
              width="stretch")


# --------------------------------------------------------------------------------------
# Fit EM: the sample becomes the active data set, the truth goes to the GMM page
# --------------------------------------------------------------------------------------


def _fit(params: GMMParams, n: int, seed: int) -> None:
    """Callback of "Fit EM": the sample becomes the active data set, the truth goes to the GMM page."""
    rows = tuple(state.get_value(PAGE, "rows"))
    k = len(params.weights)
    spec = state.DataSpec(name="generated", n=n, seed=seed,
                          options=(("mixture", generative.format_components(rows)),),
                          source_name=f"K = {k}, N = {n:,}, seed {seed}")
    try:  # the very points on screen: the same rows, N and seed (and what a link rebuilds)
        active = state.set_data(spec)
    except ValueError as error:
        state.push_message(PAGE, f"These points could not become the active data set: {error}", "error")
        return
    state.set_value(GMM_PAGE, "true_params", params)
    state.set_value(GMM_PAGE, "true_params_version", active.version)
    state.set_value(GMM_PAGE, "k", min(k, MAX_K_GMM))
    state.push_message(GMM_PAGE, f"Fitting EM to the {n:,} points you sampled from a mixture of "
                                 f"{k} components; their true π, μ, Σ are shown under EM's "
                                 "estimates.", "info")
    state.set_value(PAGE, "open_gmm", True)


def fit_button(params: GMMParams | None, n: int, seed: int) -> None:
    """"Fit EM to these points": make them the active data set (in the callback), then open the GMM page."""
    st.button(FIT_LABEL, type="primary", disabled=params is None, width="stretch",
              on_click=_fit, args=(params, n, seed),
              help="Makes these points the active data set for every page, and shows the true "
                   "π, μ, Σ under EM's estimates on the GMM page.")
    if state.get_value(PAGE, "open_gmm"):
        state.set_value(PAGE, "open_gmm", False)
        st.switch_page(GMM_PAGE_FILE)
