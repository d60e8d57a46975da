"""Gaussian mixture models and the EM algorithm, as on the slides.

Notation: ``X`` is an (N, D) array whose rows are the points x_n; a mixture of K Gaussians
has weights π_k, means μ_k and covariances Σ_k (a :class:`GMMParams`); ``resp`` is the (N, K)
array of responsibilities γ_nk = p(z_n = k | x_n, θ).

How the numbers are computed (the habits of scikit-learn's mixture module):

- Probabilities stay in log space: log π_k + log N(x_n; μ_k, Σ_k) is normalised along k with
  the log-sum-exp trick (subtract the largest term before exponentiating), and only the
  responsibilities themselves are exponentiated, at the last moment.
- Cholesky, not inverses: with Σ_k = L_k L_kᵀ, the Mahalanobis distance is
  ‖L_k⁻¹(x_n − μ_k)‖² (a triangular solve) and log det Σ_k = 2 Σ_d log (L_k)_dd.
- Every covariance estimate gets reg_covar·I added to its diagonal. When that is not enough
  (a component collapsed onto a point or a line), :func:`m_step` raises
  :class:`CollapseError`, whose message says so with the values: it never returns NaN.
- The loops over points live in :mod:`clustering._kernels` (blocks of ``GMM_BLOCK_POINTS``,
  one row per component, written straight into the result): one EM iteration needs little
  memory beyond the (N, K) responsibility array itself. The functions here state the equation
  and call one of those loops.

Every function is pure: it never modifies its inputs and returns new arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from clustering import _kernels
from clustering.constants import (
    DEFAULT_REG_COVAR,
    DEFAULT_SEED,
    GMM_COLLAPSE_RTOL,
    GMM_COVARIANCE_TYPES,
    GMM_EMPTY_COMPONENT_MASS,
    GMM_HELD_FRACTION,
    GMM_INIT_KMEANS_MAX_ITER,
    GMM_INIT_METHODS,
    GMM_RESP_ROW_ATOL,
    GMM_RESP_TOTAL_RTOL,
    GMM_RIDGE_FACTOR,
    GMM_SYMMETRY_RTOL,
    GMM_WEIGHTS_ATOL,
)
from clustering.kmeans import _as_points  # the one check of X, shared with K-means

__all__ = [
    "GMMParams",
    "CollapseError",
    "EmptyComponentError",
    "init_params",
    "e_step",
    "e_step_with_log_likelihood",
    "m_step",
    "log_likelihood",
    "lower_bound",
    "log_gaussian_prob",
    "log_density",
    "data_covariance",
    "project_to_covariance_type",
]



class CollapseError(ValueError):
    """A covariance estimate is singular to float64 precision even after adding reg_covar·I.

    Attributes: ``component`` (the index k, or None for the shared "tied" covariance),
    ``n_points`` (the distinct data points it holds) and ``reg_covar``.
    """

    def __init__(self, component: int | None, n_points: int, dim: int, reg_covar: float) -> None:
        self.component = component
        self.n_points = n_points
        self.reg_covar = reg_covar
        # People number components from 1 (μ₁ … μ_K on every page); ``component`` stays 0-based.
        who = "The shared (tied) covariance" if component is None else f"Component {component + 1}"
        if n_points <= 1:
            where = ""
        elif dim == 2:
            where = " on a line"
        else:
            where = f" in a flat of fewer than {dim} dimensions"
        super().__init__(
            f"{who} collapsed onto {n_points} point(s){where}; raise reg_covar (now {reg_covar:g})."
        )


class EmptyComponentError(ValueError):
    """A component received (almost) no responsibility, so its mean and covariance are undefined.

    Attribute: ``component`` (the index k).
    """

    def __init__(self, component: int, mass: float) -> None:
        self.component = component
        super().__init__(
            f"Component {component + 1} is empty: the points give it a total responsibility of "
            f"{mass:.3g}, so its mean and covariance are undefined; use fewer components or "
            "another initialisation."
        )


# --- checking the inputs ------------------------------------------------------------------


def _check_dim(X: np.ndarray, params: GMMParams) -> None:
    if not isinstance(params, GMMParams):
        raise ValueError(f"params must be a GMMParams; got {type(params).__name__}.")
    if X.shape[1] != params.dim:
        raise ValueError(
            f"X has D = {X.shape[1]} columns but the mixture has D = {params.dim}; they must agree."
        )


def _as_resp(values: ArrayLike, n: int, name: str) -> np.ndarray:
    """``values`` as an (N, K) float64 array (no copy if possible); shape checked only."""
    try:
        resp = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of numbers ({error}).") from None
    if resp.ndim != 2 or resp.shape[0] != n or resp.shape[1] == 0:
        raise ValueError(
            f"{name} must have shape (N, K) = ({n}, K), one row per point and one column per "
            f"component; got shape {resp.shape}."
        )
    return resp


def _check_reg_covar(reg_covar: float) -> float:
    try:
        reg = float(reg_covar)
    except (TypeError, ValueError):
        raise ValueError(f"reg_covar must be a number >= 0; got {reg_covar!r}.") from None
    if not (math.isfinite(reg) and reg >= 0.0):
        raise ValueError(f"reg_covar must be a finite number >= 0; got {reg_covar!r}.")
    return reg


def _cholesky(covariances: np.ndarray) -> np.ndarray:
    """Lower Cholesky factors L_k with Σ_k = L_k L_kᵀ, (K, D, D); ValueError naming a bad component."""
    try:
        factors = np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        factors = None
    if factors is not None and np.all(np.diagonal(factors, axis1=1, axis2=2) > 0.0):
        return factors
    for k, covariance in enumerate(covariances):
        try:
            factor = np.linalg.cholesky(covariance)
        except np.linalg.LinAlgError:
            factor = None
        if factor is None or not np.all(np.diag(factor) > 0.0):
            smallest = float(np.linalg.eigvalsh(covariance)[0])
            raise ValueError(
                f"covariance of component {k} is not positive definite (its smallest eigenvalue "
                f"is {smallest:.3g}); add a small multiple of the identity to it."
            )
    raise AssertionError("unreachable")  # pragma: no cover


# --- the parameters -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GMMParams:
    """θ = (π, μ, Σ) of a mixture of K Gaussians in D dimensions; read-only.

    weights : (K,) array, π_k >= 0 with Σ_k π_k = 1 (a drift of up to 1e-8 is renormalised).
    means : (K, D) array, row k is μ_k.
    covariances : (K, D, D) array, Σ_k symmetric positive definite (a relative asymmetry of up
        to 1e-8 is removed by symmetrising).

    The arrays are stored as float64 copies with ``setflags(write=False)``; a bad value raises
    ValueError with a sentence naming the component and the value. ``cholesky`` holds the lower
    Cholesky factors L_k (Σ_k = L_k L_kᵀ), computed once here.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    _cholesky: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weights = _float_copy(self.weights, "weights")
        means = _float_copy(self.means, "means")
        covariances = _float_copy(self.covariances, "covariances")

        if means.ndim != 2 or means.shape[0] == 0 or means.shape[1] == 0:
            raise ValueError(
                f"means must have shape (K, D), one row per component; got shape {means.shape}."
            )
        k, dim = means.shape
        if weights.shape != (k,):
            raise ValueError(
                f"weights must have shape (K,) = ({k},), one per component; got shape {weights.shape}."
            )
        if covariances.shape != (k, dim, dim):
            raise ValueError(
                f"covariances must have shape (K, D, D) = ({k}, {dim}, {dim}); got shape {covariances.shape}."
            )

        if np.any(weights < 0.0):
            j = int(np.flatnonzero(weights < 0.0)[0])
            raise ValueError(f"weight of component {j} is {weights[j]:g}; weights must be at least 0.")
        total = float(weights.sum())
        if abs(total - 1.0) > GMM_WEIGHTS_ATOL:
            raise ValueError(f"the weights sum to {total:.10g}; they must sum to 1.")
        weights /= total  # remove the tiny drift allowed above

        for j in range(k):
            covariance = covariances[j]
            asymmetry = np.abs(covariance - covariance.T)
            scale = float(np.max(np.abs(covariance)))
            if float(asymmetry.max()) > GMM_SYMMETRY_RTOL * scale:
                r, c = np.unravel_index(int(np.argmax(asymmetry)), asymmetry.shape)
                raise ValueError(
                    f"covariance of component {j} is not symmetric: entry [{r}, {c}] is "
                    f"{covariance[r, c]:g} but entry [{c}, {r}] is {covariance[c, r]:g}."
                )
        covariances = 0.5 * (covariances + np.swapaxes(covariances, 1, 2))
        factors = _cholesky(covariances)

        for name, array in (
            ("weights", weights),
            ("means", means),
            ("covariances", covariances),
            ("_cholesky", factors),
        ):
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    @property
    def k(self) -> int:
        """K, the number of components."""
        return self.means.shape[0]

    @property
    def dim(self) -> int:
        """D, the dimension of the points."""
        return self.means.shape[1]

    @property
    def cholesky(self) -> np.ndarray:
        """(K, D, D) lower Cholesky factors L_k of the covariances, Σ_k = L_k L_kᵀ (read-only)."""
        return self._cholesky

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GMMParams):
            return NotImplemented
        return (
            np.array_equal(self.weights, other.weights)
            and np.array_equal(self.means, other.means)
            and np.array_equal(self.covariances, other.covariances)
        )

    __hash__ = None  # type: ignore[assignment]  # arrays are not hashable


def _float_copy(values: ArrayLike, name: str) -> np.ndarray:
    try:
        array = np.array(values, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of numbers ({error}).") from None
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values; every entry must be a finite number.")
    return array


# --- E step and the quantities derived from it ----------------------------------------------
# Each function states its equation and calls one blocked pass of clustering._kernels.


def _log_weights(params: GMMParams) -> np.ndarray:
    with np.errstate(divide="ignore"):  # a weight of 0 has log weight −inf: fine in log-sum-exp
        return np.log(params.weights)


def _checked(X: ArrayLike, params: GMMParams) -> np.ndarray:
    X = _as_points(X)
    _check_dim(X, params)
    return X


def e_step_with_log_likelihood(X: ArrayLike, params: GMMParams) -> tuple[np.ndarray, float]:
    """E step and log-likelihood in one pass: (γ (N, K), Σ_n log Σ_k π_k N(x_n; μ_k, Σ_k)).

    The same numbers as ``(e_step(X, params), log_likelihood(X, params))`` for half the work.
    """
    X = _checked(X, params)
    resp, _, total = _kernels.mixture_pass(X, _log_weights(params), params.means, params.cholesky,
                                           resp=True)
    return resp, total


def e_step(X: ArrayLike, params: GMMParams) -> np.ndarray:
    """E step: γ_nk = π_k N(x_n; μ_k, Σ_k) / Σ_j π_j N(x_n; μ_j, Σ_j).

    X : (N, D) array; params : a GMMParams with the same D.
    Returns resp : (N, K) array of responsibilities, every row summing to 1.

    Computed in log space and normalised with log-sum-exp (see the module docstring), block by
    block straight into the result; the result is column-major (its transpose is C-contiguous).
    """
    return e_step_with_log_likelihood(X, params)[0]


def log_likelihood(X: ArrayLike, params: GMMParams) -> float:
    """log p(X | θ) = Σ_n log Σ_k π_k N(x_n; μ_k, Σ_k), a sum over points (not a mean).

    X : (N, D) array; params : a GMMParams with the same D.
    """
    X = _checked(X, params)
    return _kernels.mixture_pass(X, _log_weights(params), params.means, params.cholesky)[2]


def log_density(X: ArrayLike, params: GMMParams) -> np.ndarray:
    """log p(x_n | θ) = log Σ_k π_k N(x_n; μ_k, Σ_k) for every point: an (N,) array."""
    X = _checked(X, params)
    return _kernels.mixture_pass(X, _log_weights(params), params.means, params.cholesky,
                                 log_density=True)[1]


def log_gaussian_prob(X: ArrayLike, means: ArrayLike, covariances: ArrayLike) -> np.ndarray:
    """log N(x_n; μ_k, Σ_k) for every point and component: an (N, K) array.

    X : (N, D) array; means : (K, D) array; covariances : (K, D, D) symmetric positive definite.
    log N = −D/2 log 2π − Σ_d log (L_k)_dd − ½ ‖L_k⁻¹(x_n − μ_k)‖², with Σ_k = L_k L_kᵀ.
    """
    means = np.asarray(means, dtype=np.float64)
    k = means.shape[0] if means.ndim == 2 else 0
    components = GMMParams(np.full(k, 1.0 / max(k, 1)), means, covariances)  # checks the shapes
    X = _checked(X, components)
    return _kernels.log_weighted_prob(X, np.zeros(k), components.means, components.cholesky)


def lower_bound(X: ArrayLike, params: GMMParams, q: ArrayLike) -> float:
    """𝓛(q, θ) = Σ_n Σ_k q_nk [log N(x_n; μ_k, Σ_k) + log π_k − log q_nk], with 0·log 0 = 0.

    X : (N, D) array; params : a GMMParams with the same D; q : (N, K) array of
    probabilities, every row summing to 1 (within 1e-6). Equals :func:`log_likelihood` when
    q = e_step(X, params) and is below it for every other q (Jensen's inequality).
    """
    X = _checked(X, params)
    q = _as_resp(q, X.shape[0], "q")
    if q.shape[1] != params.k:
        raise ValueError(f"q has {q.shape[1]} columns but the mixture has K = {params.k} components.")
    smallest = float(q.min())
    if not smallest >= 0.0 or not np.isfinite(q).all():
        raise ValueError("q must hold probabilities: finite numbers of at least 0.")
    row_sums = q.sum(axis=1)
    bad = np.flatnonzero(np.abs(row_sums - 1.0) > GMM_RESP_ROW_ATOL)
    if bad.size:
        raise ValueError(f"every row of q must sum to 1; row {bad[0]} sums to {row_sums[bad[0]]:.6g}.")
    return _kernels.bound_sum(X, _log_weights(params), params.means, params.cholesky, q)


# --- M step ---------------------------------------------------------------------------------


def m_step(
    X: ArrayLike,
    resp: ArrayLike,
    reg_covar: float = DEFAULT_REG_COVAR,
    covariance_type: str = "full",
) -> GMMParams:
    """M step: π_k = N_k/N, μ_k = Σ_n γ_nk x_n / N_k, Σ_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k + reg_covar·I.

    X : (N, D) array; resp : (N, K) responsibilities γ_nk >= 0, rows summing to 1;
    N_k = Σ_n γ_nk. covariance_type, as in scikit-learn:
        ``"full"``       each component its own Σ_k (above);
        ``"diag"``       only the diagonal of Σ_k (per-dimension variances) + reg_covar;
        ``"spherical"``  the mean of that diagonal times I, + reg_covar·I;
        ``"tied"``       one shared Σ = Σ_k N_k Σ_k / N + reg_covar·I for every component.
    Returns a GMMParams whose covariances are always full (K, D, D) matrices.

    Raises EmptyComponentError when N_k <= GMM_EMPTY_COMPONENT_MASS for some k (nothing
    defines its mean: use fewer components or another start), and CollapseError when a
    covariance is singular to float64 precision even with reg_covar·I (its smallest eigenvalue at
    most GMM_COLLAPSE_RTOL times its largest), e.g. reg_covar = 0 and a component holding one
    point or points on a line: the message names the component and says to raise reg_covar.
    The covariances are computed in two passes (first μ_k, then the spread about μ_k), which
    keeps them accurate for data far from the origin.
    """
    X = _as_points(X)
    n, dim = X.shape
    resp = _as_resp(resp, n, "resp")
    k = resp.shape[1]
    reg = _check_reg_covar(reg_covar)
    if covariance_type not in GMM_COVARIANCE_TYPES:
        allowed = ", ".join(f'"{name}"' for name in GMM_COVARIANCE_TYPES)
        raise ValueError(f"Unknown covariance_type {covariance_type!r}; choose one of {allowed}.")

    gamma = resp.T  # (K, N): one row per component (contiguous when resp comes from e_step)

    # 1. N_k = Σ_n γ_nk and Σ_n γ_nk x_n, in one pass as Σ_n γ_nk [x_n, 1]
    sums, valid = _kernels.weighted_sums(X, gamma)
    if not valid or not np.isfinite(sums).all():
        raise ValueError("resp must hold responsibilities: finite numbers of at least 0.")
    counts = sums[:, dim]  # N_k
    total = float(counts.sum())
    if abs(total - n) > GMM_RESP_TOTAL_RTOL * n:
        raise ValueError(
            f"the rows of resp must sum to 1 (as e_step's do); together they sum to {total:.6g} "
            f"instead of N = {n}."
        )
    for j in range(k):
        if counts[j] <= GMM_EMPTY_COMPONENT_MASS:
            raise EmptyComponentError(j, float(counts[j]))

    # 2. μ_k = Σ_n γ_nk x_n / N_k
    means = sums[:, :dim] / counts[:, None]

    # 3. the scatter Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ (two passes: accurate far from the origin)
    scatter = _kernels.weighted_scatter(X, gamma, means)
    spread = scatter / counts[:, None, None]  # Σ_k before regularisation

    # 4. the covariance type, then + reg_covar·I
    identity = np.eye(dim)
    if covariance_type == "full":
        covariances = spread + reg * identity
    elif covariance_type == "diag":
        variances = np.diagonal(spread, axis1=1, axis2=2) + reg  # (K, D)
        covariances = variances[:, :, None] * identity
    elif covariance_type == "spherical":
        variances = np.diagonal(spread, axis1=1, axis2=2).mean(axis=1) + reg  # (K,)
        covariances = variances[:, None, None] * identity
    else:  # "tied"
        shared = np.tensordot(counts, spread, axes=1) / total + reg * identity
        covariances = np.broadcast_to(shared, (k, dim, dim)).copy()

    # 5. a covariance singular to float64 precision means reg_covar was not enough
    eigenvalues = np.linalg.eigvalsh(covariances)  # ascending, (K, D)
    collapsed = ~(eigenvalues[:, 0] > GMM_COLLAPSE_RTOL * eigenvalues[:, -1]) | ~(eigenvalues[:, -1] > 0.0)
    if collapsed.any():
        j = int(np.flatnonzero(collapsed)[0])
        if covariance_type == "tied":
            raise CollapseError(None, _distinct_points(X), dim, reg)
        column = gamma[j]
        held = X[column >= GMM_HELD_FRACTION * float(column.max())]
        raise CollapseError(j, _distinct_points(held), dim, reg)

    return GMMParams(counts / total, means, covariances)


def _distinct_points(points: np.ndarray) -> int:
    # + 0.0 turns −0.0 into 0.0, so that the two count as one point
    return int(np.unique(points + 0.0, axis=0).shape[0])


# --- initialisation -------------------------------------------------------------------------


def _regularised(covariance: np.ndarray, reg: float) -> np.ndarray | None:
    """covariance + reg·I if that is usable (not singular to float64 precision), else None."""
    result = covariance + reg * np.eye(covariance.shape[0])
    eigenvalues = np.linalg.eigvalsh(result)
    if eigenvalues[-1] > 0.0 and eigenvalues[0] > GMM_COLLAPSE_RTOL * eigenvalues[-1]:
        return result
    return None


def data_covariance(X: ArrayLike, reg: float = DEFAULT_REG_COVAR) -> np.ndarray:
    """The data covariance Σ_n (x_n − x̄)(x_n − x̄)ᵀ / N + reg·I, with a larger ridge if needed.

    X : (N, D) array. Returns a (D, D) symmetric positive definite array: when reg is too small
    for the data's scale (one point, collinear points, coordinates near 1e8), the ridge grows to
    GMM_RIDGE_FACTOR · GMM_COLLAPSE_RTOL times the largest variance (or to 1 when every
    variance is 0), so the result is always a valid covariance. Every start that gives each
    component the data covariance (init_params "random", compare.em_start, the GMM page's
    manual start) uses this one.
    """
    X = _as_points(X)
    reg = _check_reg_covar(reg)
    centred = X - X.mean(axis=0)
    covariance = centred.T @ centred / X.shape[0]
    covariance = 0.5 * (covariance + covariance.T)
    result = _regularised(covariance, reg)
    if result is None:
        largest = float(np.linalg.eigvalsh(covariance)[-1])
        ridge = GMM_RIDGE_FACTOR * GMM_COLLAPSE_RTOL * largest if largest > 0.0 else 1.0
        result = _regularised(covariance, max(reg, ridge))
    assert result is not None
    return result


def init_params(
    X: ArrayLike,
    k: int,
    method: str = "kmeans",
    seed: int | None = DEFAULT_SEED,
) -> GMMParams:
    """Initial θ = (π, μ, Σ) for EM.

    X : (N, D) array; k : number of components, 1 <= k <= N.
    method :
        ``"kmeans"``  K-means from k-means++ seeding, run to convergence by the stepper (until
                      an M step moves no centroid, at most GMM_INIT_KMEANS_MAX_ITER iterations); then μ_k = the centroids,
                      π_k = the cluster's share of the points, Σ_k = the cluster's covariance
                      + DEFAULT_REG_COVAR·I. A cluster with fewer than 2 points, or whose
                      covariance is singular even so, gets the data covariance instead; a
                      cluster that K-means left empty counts as one point, so no weight is 0.
        ``"random"``  k distinct data points as means (kmeans.init_centroids "random"), the
                      data covariance + DEFAULT_REG_COVAR·I for every component, equal weights.
    The data covariance gets a larger ridge if DEFAULT_REG_COVAR is too small for the data's
    scale (see data_covariance), so the result is always a valid GMMParams.
    seed : seed of ``np.random.default_rng``; the same seed gives the same parameters.
    """
    from clustering import kmeans, stepper  # imported here: gmm needs K-means only to start

    X = _as_points(X)
    n, dim = X.shape
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be a whole number of components; got {k!r}.")
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of points N = {n}; got k = {k}.")
    k = int(k)
    if method not in GMM_INIT_METHODS:
        allowed = ", ".join(f'"{name}"' for name in GMM_INIT_METHODS)
        raise ValueError(f"Unknown init method {method!r}; choose one of {allowed}.")

    reg = DEFAULT_REG_COVAR
    shared = data_covariance(X, reg)
    if method == "random":
        means = kmeans.init_centroids(X, k, "random", seed)
        return GMMParams(np.full(k, 1.0 / k), means, np.broadcast_to(shared, (k, dim, dim)))

    # K-means from k-means++ seeding, run to convergence by the stepper's one Lloyd loop
    start = kmeans.init_centroids(X, k, "kmeans++", seed)
    run = stepper.step(stepper.new_kmeans_run(start, max_iter=GMM_INIT_KMEANS_MAX_ITER),
                       stepper.RunToConvergence(), X)
    centroids = run.current.params
    labels = kmeans.assign(X, centroids)

    sizes = np.bincount(labels, minlength=k)
    covariances = np.empty((k, dim, dim))
    for j in range(k):
        covariance = None
        if sizes[j] >= 2:
            members = X[labels == j]
            centred = members - centroids[j]
            spread = centred.T @ centred / sizes[j]
            covariance = _regularised(0.5 * (spread + spread.T), reg)
        covariances[j] = shared if covariance is None else covariance
    counts = np.maximum(sizes, 1).astype(np.float64)
    return GMMParams(counts / counts.sum(), centroids, covariances)


def project_to_covariance_type(params: GMMParams, covariance_type: str) -> GMMParams:
    """θ with its covariances made of ``covariance_type`` (diag, spherical, tied; full: unchanged).

    The starts (K-means, data covariance) have full covariances; EM's log-likelihood can only
    be guaranteed not to fall when θ₀ already belongs to the model the M step fits, so the
    start is projected first: the diagonal, the mean variance times I, or the π-weighted
    average covariance shared by every component.
    """
    covariances = np.array(params.covariances, dtype=float)
    dim = covariances.shape[-1]
    if covariance_type == "diag":
        covariances = np.stack([np.diag(np.diag(c)) for c in covariances])
    elif covariance_type == "spherical":
        covariances = np.stack([np.trace(c) / dim * np.eye(dim) for c in covariances])
    elif covariance_type == "tied":
        shared = np.einsum("k,kij->ij", np.asarray(params.weights, dtype=float), covariances)
        covariances = np.broadcast_to(shared, covariances.shape).copy()
    else:
        return params
    return GMMParams(params.weights, params.means, covariances)
