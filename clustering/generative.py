"""The generative model of a Gaussian mixture, as on the lecture's slide.

To make one point x_n:

1. draw its component  z_n ~ Categorical(π)              (P(z_n = k) = π_k)
2. draw the point      x_n | z_n = k ~ N(μ_k, Σ_k)

``sample_mixture`` runs exactly this process for N points. The Generative model page edits a
2-D mixture one component per row (weight, mean x, mean y, σx, σy, ρ); ``params_from_components``
checks such rows and turns them into :class:`clustering.gmm.GMMParams`, and
``components_from_params`` goes back.

numpy only; every function is pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from clustering.constants import (
    GENERATIVE_MAX_ABS_VALUE,
    GENERATIVE_MIN_SIGMA,
    GENERATIVE_WEIGHT_TOLERANCE,
)
from clustering.gmm import GMMParams


@dataclass(frozen=True)
class Component:
    """One component of a 2-D mixture as a person types it.

    weight : π_k before normalisation (≥ 0)
    mean_x, mean_y : μ_k
    sigma_x, sigma_y : standard deviations along x and y (> 0)
    rho : correlation of x and y (−1 < ρ < 1); Σ_k = [[σx², ρσxσy], [ρσxσy, σy²]]
    """

    weight: float
    mean_x: float
    mean_y: float
    sigma_x: float
    sigma_y: float
    rho: float = 0.0


# Ready-made mixtures for the page's menu (the first is the default).
PRESETS: dict[str, tuple[Component, ...]] = {
    "Three round groups": (
        Component(0.4, 0.0, 0.0, 1.0, 1.0, 0.0),
        Component(0.35, 5.0, 1.0, 1.0, 1.0, 0.0),
        Component(0.25, 2.0, 5.0, 1.0, 1.0, 0.0),
    ),
    "Tilted and overlapping": (
        Component(0.5, 0.0, 0.0, 2.0, 0.6, 0.8),
        Component(0.5, 1.5, 2.5, 0.6, 2.0, -0.6),
    ),
    "A mouse: head and two ears": (
        Component(0.6, 0.5, 0.5, 0.2, 0.2, 0.0),
        Component(0.2, 0.25, 0.75, 0.05, 0.05, 0.0),
        Component(0.2, 0.75, 0.75, 0.05, 0.05, 0.0),
    ),
    "Unequal sizes and spreads": (
        Component(0.7, 0.0, 0.0, 2.0, 2.0, 0.0),
        Component(0.2, 5.0, 0.0, 0.5, 0.5, 0.0),
        Component(0.1, 0.0, 5.0, 0.3, 0.3, 0.0),
    ),
}
DEFAULT_PRESET = "Three round groups"


def _number(value: object, row: int, what: str) -> float:
    """``value`` as a finite float, or ValueError naming the row and the column."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        shown = "empty" if value is None or (isinstance(value, float) and math.isnan(value)) else repr(value)
        raise ValueError(f"Row {row}: {what} must be a number; it is {shown}.")
    return float(value)


def covariance_2d(sigma_x: float, sigma_y: float, rho: float) -> np.ndarray:
    """Σ = [[σx², ρσxσy], [ρσxσy, σy²]], a (2, 2) array."""
    off_diagonal = rho * sigma_x * sigma_y
    return np.array([[sigma_x**2, off_diagonal], [off_diagonal, sigma_y**2]])


FIELDS = ("weight", "mean_x", "mean_y", "sigma_x", "sigma_y", "rho")  # a row, as a link writes it


def format_components(components: tuple[Component, ...] | list[Component]) -> str:
    """The rows as a link carries them: "π,μx,μy,σx,σy,ρ;..." (shortest exact digits)."""
    return ";".join(",".join(repr(float(getattr(c, name))) for name in FIELDS) for c in components)


def parse_components(text: str) -> tuple[Component, ...]:
    """The rows a link's text names (the inverse of :func:`format_components`).

    Raises ValueError with a plain sentence when a row is not six numbers; whether the numbers
    make a mixture is :func:`params_from_components`' to say.
    """
    rows = [row for row in str(text).replace("−", "-").split(";") if row.strip()]
    if not rows:
        raise ValueError("The mixture names no component; it needs rows “π,μx,μy,σx,σy,ρ”.")
    components = []
    for number, row in enumerate(rows, start=1):
        try:
            values = [float(value) for value in row.split(",")]
        except ValueError:
            values = []
        if len(values) != len(FIELDS):
            raise ValueError(f"Component {number} of the mixture must be six numbers "
                             f"“π,μx,μy,σx,σy,ρ”; it is “{row}”.")
        components.append(Component(*values))
    return tuple(components)


def params_from_components(components: tuple[Component, ...] | list[Component]) -> tuple[GMMParams, tuple[str, ...]]:
    """The mixture (π, μ, Σ) the rows describe, and the notes to show (e.g. weights normalised).

    components : K rows, K ≥ 1. Weights that do not add up to 1 are divided by their sum (and
    a note says so). Raises ValueError with a plain sentence naming the row (counted from 1)
    for anything that is not a number, a negative weight, all weights zero, σ ≤ 0, or |ρ| ≥ 1.
    """
    components = tuple(components)
    if not components:
        raise ValueError("The mixture needs at least one component (one row).")
    weights, means, covariances = [], [], []
    for row, component in enumerate(components, start=1):
        weight = _number(component.weight, row, "the weight")
        mean_x = _number(component.mean_x, row, "mean x")
        mean_y = _number(component.mean_y, row, "mean y")
        sigma_x = _number(component.sigma_x, row, "σx")
        sigma_y = _number(component.sigma_y, row, "σy")
        rho = _number(component.rho, row, "the correlation ρ")
        if weight < 0:
            raise ValueError(f"Row {row}: the weight must be zero or positive; it is {weight:g}.")
        for name, value in (("σx", sigma_x), ("σy", sigma_y)):
            if value <= 0:
                raise ValueError(
                    f"Row {row}: {name} is a standard deviation and must be positive; it is {value:g}."
                )
            if value < GENERATIVE_MIN_SIGMA:
                raise ValueError(
                    f"Row {row}: {name} must be at least {GENERATIVE_MIN_SIGMA:g}; it is {value:g}, so small "
                    "that Σ could not be inverted."
                )
        for name, value in (("mean x", mean_x), ("mean y", mean_y), ("σx", sigma_x), ("σy", sigma_y)):
            if abs(value) > GENERATIVE_MAX_ABS_VALUE:
                raise ValueError(
                    f"Row {row}: {name} must lie between −{GENERATIVE_MAX_ABS_VALUE:,.0f} and {GENERATIVE_MAX_ABS_VALUE:,.0f}; "
                    f"it is {value:g}."
                )
        if not -1 < rho < 1:
            raise ValueError(
                f"Row {row}: the correlation ρ must lie strictly between −1 and 1; it is {rho:g}. "
                "At ±1 the ellipse flattens into a line and Σ has no inverse."
            )
        weights.append(weight)
        means.append((mean_x, mean_y))
        covariances.append(covariance_2d(sigma_x, sigma_y, rho))
    weights = np.array(weights)
    total = float(weights.sum())
    if total <= 0:
        raise ValueError("All weights are zero; give at least one component a positive weight.")
    notes: list[str] = []
    if abs(total - 1.0) > GENERATIVE_WEIGHT_TOLERANCE:
        normalised = weights / total
        shown = ", ".join(f"{w:.3g}" for w in normalised)
        notes.append(
            f"The weights add up to {total:.4g}, not 1, so each was divided by {total:.4g}: "
            f"π = ({shown})."
        )
        weights = normalised
    else:
        weights = weights / total  # exactly 1 up to rounding
    empty = [str(k + 1) for k, w in enumerate(weights) if w == 0]
    if empty:
        notes.append(
            f"Component{'s' if len(empty) > 1 else ''} {', '.join(empty)} "
            f"{'have' if len(empty) > 1 else 'has'} weight 0 and will get no points."
        )
    try:
        params = GMMParams(weights=weights, means=np.array(means), covariances=np.array(covariances))
    except ValueError as error:
        raise ValueError(f"These rows do not make a valid mixture: {error}") from None
    return params, tuple(notes)


def components_from_params(params: GMMParams) -> tuple[Component, ...]:
    """The rows (weight, mean, σx, σy, ρ) of a 2-D mixture: the inverse of params_from_components."""
    means = np.asarray(params.means, dtype=float)
    covariances = np.asarray(params.covariances, dtype=float)
    if means.ndim != 2 or means.shape[1] != 2:
        raise ValueError(f"Only 2-D mixtures have rows (σx, σy, ρ); these means have shape {means.shape}.")
    rows = []
    for weight, mean, cov in zip(np.asarray(params.weights, dtype=float), means, covariances, strict=True):
        sigma_x, sigma_y = math.sqrt(cov[0, 0]), math.sqrt(cov[1, 1])
        rho = cov[0, 1] / (sigma_x * sigma_y)
        rows.append(Component(float(weight), float(mean[0]), float(mean[1]), sigma_x, sigma_y, float(rho)))
    return tuple(rows)


def sample_mixture(params: GMMParams, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """N points drawn by the generative process: z_n ~ Categorical(π), x_n ~ N(μ_{z_n}, Σ_{z_n}).

    params : the mixture, K components in D dimensions.
    n : the number of points, N ≥ 1.
    seed : seed of ``numpy.random.default_rng``; the same (params, n, seed) give the same points.
    Returns X : (N, D) float array, z : (N,) int array (the component of each point).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"The number of points N must be a whole number of at least 1; it is {n!r}.")
    weights = np.asarray(params.weights, dtype=float)
    means = np.asarray(params.means, dtype=float)
    covariances = np.asarray(params.covariances, dtype=float)
    rng = np.random.default_rng(seed)
    # 1. z_n ~ Categorical(π), one draw per point
    z = rng.choice(weights.shape[0], size=int(n), p=weights / weights.sum())
    # 2. x_n = μ_{z_n} + L_{z_n} ε_n with Σ_k = L_k L_kᵀ (Cholesky) and ε_n ~ N(0, I),
    #    so that x_n ~ N(μ_{z_n}, Σ_{z_n})
    factors = np.linalg.cholesky(covariances) if not hasattr(params, "cholesky") else params.cholesky
    noise = rng.standard_normal((int(n), means.shape[1]))
    X = means[z] + np.einsum("nij,nj->ni", factors[z], noise)
    return X, z.astype(np.intp)


def component_counts(z: np.ndarray, k: int) -> np.ndarray:
    """N_k, the number of points drawn from each of the k components: a (k,) int array."""
    return np.bincount(np.asarray(z, dtype=np.intp), minlength=k)[:k]


def mixture_dataset(components: tuple[Component, ...], n: int, seed: int = 0):
    """The Dataset of N points sampled from the mixture the rows describe (labels: the true z).

    The same (rows, n, seed) give the same points, so a link that carries them rebuilds the
    very sample on screen. Raises ValueError with a plain sentence for rows that make no mixture.
    """
    from clustering.datasets import Dataset

    params, _ = params_from_components(components)
    X, z = sample_mixture(params, n, seed)
    k = len(params.weights)
    return Dataset(
        X=X, labels=z, name="generated",
        description=(f"{n:,} points sampled on the Generative model page from a mixture of {k} "
                     f"Gaussians (seed {seed}); the labels are the true components z."),
    )
