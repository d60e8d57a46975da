"""How many clusters? The elbow of J, the silhouette, and the BIC and AIC of a mixture.

K-means and EM take K as given. Three common ways to choose it, as on the slides:

- **The elbow.** J, the best of n restarts for each K, against K. J always falls as K grows
  (K = N gives J = 0), so the minimum says nothing: one looks for the bend after which an extra
  cluster buys little.
- **The silhouette.** For a point x_n in cluster A, a(n) is its mean distance to the other
  points of A and b(n) the smallest mean distance to the points of another cluster;
  s(n) = (b(n) − a(n)) / max(a(n), b(n)) lies in [−1, 1], and the mean over the points is
  larger for compact, well-separated clusters (s = 0 for a point alone in its cluster).
- **Information criteria.** With ℓ the maximised log-likelihood of a mixture of K Gaussians
  and p its number of free parameters, BIC = −2ℓ + p ln N and AIC = −2ℓ + 2p; the smallest is
  best. ℓ grows with K, the penalty stops it; BIC's penalty grows with N (ln N > 2 from N = 8
  on), so it picks fewer components than AIC.

Nothing here adds a loop of its own: the elbow runs :func:`clustering.restarts.best_of_restarts`
(the stepper's Lloyd loop), and every mixture is fitted by the stepper's ``RunToConvergence``
from :func:`clustering.gmm.init_params` ("kmeans": a converged K-means start).

Example (a notebook)::

    from clustering import datasets, selection
    X = datasets.make("mouse", seed=0).X
    curve = selection.elbow(X, range(1, 11))                      # J per K
    scores = selection.mixture_criteria(X, range(1, 11), "full")  # BIC, AIC per K
    int(scores.ks[scores.bics.argmin()])                          # 3
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial.distance import cdist

from clustering import gmm, kmeans, restarts, stepper
from clustering.constants import (
    DEFAULT_REG_COVAR,
    GMM_COVARIANCE_TYPES,
    MAX_ITER,
    SELECTION_EM_TOL_PER_POINT,
    SELECTION_GMM_SEEDS,
    SELECTION_RESTARTS,
    SILHOUETTE_MAX_POINTS,
    SILHOUETTE_SEED,
)
from clustering.kmeans import _as_points  # the one check of X

__all__ = [
    "n_parameters",
    "bic",
    "aic",
    "Elbow",
    "elbow",
    "Silhouette",
    "silhouette",
    "MixtureFit",
    "fit_mixture",
    "MixtureCriteria",
    "mixture_criteria",
]

_SILHOUETTE_BLOCK = 1_024  # rows of the distance matrix made at a time (memory: block × N)


# --------------------------------------------------------------------------------------
# Counting parameters; BIC and AIC
# --------------------------------------------------------------------------------------


def _check_covariance_type(covariance_type: str) -> str:
    if covariance_type not in GMM_COVARIANCE_TYPES:
        allowed = ", ".join(f'"{name}"' for name in GMM_COVARIANCE_TYPES)
        raise ValueError(f"Unknown covariance_type {covariance_type!r}; choose one of {allowed}.")
    return covariance_type


def _whole(value, name: str, smallest: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
        raise ValueError(f"{name} must be a whole number of at least {smallest}; got {value!r}.")
    return int(value)


def n_parameters(k: int, d: int, covariance_type: str = "full") -> int:
    """The free parameters p of a mixture of k Gaussians in d dimensions.

    (k − 1) weights (they sum to 1), k·d means, and the covariances by type:
    ``"full"`` k·d(d + 1)/2, ``"diag"`` k·d, ``"spherical"`` k, ``"tied"`` d(d + 1)/2.
    """
    k = _whole(k, "k")
    d = _whole(d, "d")
    covariance_type = _check_covariance_type(covariance_type)
    symmetric = d * (d + 1) // 2  # the entries on and above the diagonal of one Σ
    covariances = {"full": k * symmetric, "diag": k * d, "spherical": k, "tied": symmetric}
    return (k - 1) + k * d + covariances[covariance_type]


def bic(X: ArrayLike, params: gmm.GMMParams, covariance_type: str = "full") -> float:
    """BIC = −2ℓ + p ln N, with ℓ = gmm.log_likelihood(X, params) and p = n_parameters.

    X : (N, D) array; params : a GMMParams fitted with ``covariance_type`` (its covariances
    are full matrices either way; the type says how many of their entries were free).
    Smaller is better.
    """
    X = _as_points(X)
    p = n_parameters(params.k, params.dim, covariance_type)
    return -2.0 * gmm.log_likelihood(X, params) + p * math.log(X.shape[0])


def aic(X: ArrayLike, params: gmm.GMMParams, covariance_type: str = "full") -> float:
    """AIC = −2ℓ + 2p, with ℓ = gmm.log_likelihood(X, params) and p = n_parameters.

    X : (N, D) array; params : a GMMParams fitted with ``covariance_type``. Smaller is better.
    """
    X = _as_points(X)
    p = n_parameters(params.k, params.dim, covariance_type)
    return -2.0 * gmm.log_likelihood(X, params) + 2.0 * p


def _ks(ks: Iterable[int], n: int) -> np.ndarray:
    """The K values as an (m,) int array, each checked to lie in 1..N."""
    values = list(ks)
    if not values:
        raise ValueError("Give at least one K.")
    checked = [_whole(k, "every K") for k in values]
    too_big = [k for k in checked if k > n]
    if too_big:
        raise ValueError(f"K = {too_big[0]} is more than the {n} points; every K must be at most N.")
    return np.array(checked, dtype=np.int64)


# --------------------------------------------------------------------------------------
# The elbow of J
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Elbow:
    """The best J of n restarts for each K.

    ks : (m,) the K values; objectives : (m,) the lowest final J over the restarts of each K;
    best_seeds : (m,) the seed of that restart (``kmeans.init_centroids(X, k, method, seed)``
    is its start); centroids : m arrays (K, D), its converged centroids; converged : (m,)
    False where that restart hit the iteration cap; method, n_restarts, seed : the settings
    (restart i of every K uses seed ``seed + i``).
    """

    ks: np.ndarray
    objectives: np.ndarray
    best_seeds: np.ndarray
    centroids: tuple[np.ndarray, ...]
    converged: np.ndarray
    method: str
    n_restarts: int
    seed: int

    def labels(self, X: ArrayLike, index: int) -> np.ndarray:
        """The converged assignment (N,) of the best restart of ``ks[index]``."""
        return kmeans.assign(X, self.centroids[index])


def elbow(
    X: ArrayLike,
    ks: Iterable[int],
    n_restarts: int = SELECTION_RESTARTS,
    seed: int = 0,
    method: str = "kmeans++",
    max_iter: int = MAX_ITER,
    progress: Callable[[int, int, int | None], None] | None = None,
) -> Elbow:
    """The best final J of ``n_restarts`` K-means runs for every K in ``ks``.

    X : (N, D) array; ks : the K values (each 1..N); restart i uses seed ``seed + i`` and
    ``method`` (see kmeans.init_centroids); each runs to convergence through
    restarts.best_of_restarts, the Lloyd loop of the page's "Run to convergence".
    progress : called as progress(done, total, k) before K = k is fitted and as
    progress(total, total, None) at the end.

    J of the best restart need not fall with K when the restarts miss the best partition of
    some K (rare with k-means++ and a few restarts); it is never forced to.
    """
    X = _as_points(X)
    values = _ks(ks, X.shape[0])
    n_restarts = _whole(n_restarts, "n_restarts")
    objectives, seeds, centroids, converged = [], [], [], []
    for done, k in enumerate(values):
        if progress is not None:
            progress(done, len(values), int(k))
        result = restarts.best_of_restarts(X, int(k), method, n=n_restarts, seed=seed,
                                           max_iter=max_iter)
        best = result.best
        objectives.append(result.best_objective)
        seeds.append(result.best_seed)
        centroids.append(result.final_centroids[best])
        converged.append(bool(result.converged[best]))
    if progress is not None:
        progress(len(values), len(values), None)
    return Elbow(values, np.array(objectives), np.array(seeds, dtype=np.int64), tuple(centroids),
                 np.array(converged), method, n_restarts, int(seed))


# --------------------------------------------------------------------------------------
# The silhouette
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Silhouette:
    """The mean silhouette and the points it was computed on.

    value : the mean of s(n) over the points used, in [−1, 1]
    n_points : how many points were used (all of them, or the sample)
    sample : (n_points,) indices of the sampled points (ascending), or None when all were used
    """

    value: float
    n_points: int
    sample: np.ndarray | None


def silhouette(
    X: ArrayLike,
    labels: ArrayLike,
    sample: int | None = SILHOUETTE_MAX_POINTS,
    seed: int = SILHOUETTE_SEED,
) -> Silhouette:
    """The mean silhouette (1/N) Σ_n s(n), s(n) = (b(n) − a(n)) / max(a(n), b(n)).

    X : (N, D) array; labels : (N,) cluster of every point (any integers).
    a(n) = mean Euclidean distance from x_n to the other points of its cluster; b(n) = the
    smallest, over the other clusters, of the mean distance from x_n to that cluster's points.
    s(n) = 0 for a point alone in its cluster (and where a(n) = b(n) = 0, duplicate points).
    sample : when N is larger, the silhouette of a random sample of this many points (drawn
    without replacement with ``np.random.default_rng(seed)``: the same data give the same
    sample); None uses every point. The distances are computed in blocks of rows with scipy's
    ``cdist`` (memory: about 1,000 × the points used).
    Raises ValueError unless the points used fall in 2 to N − 1 clusters.
    """
    X = _as_points(X)
    labels = np.asarray(labels)
    n = X.shape[0]
    if labels.shape != (n,):
        raise ValueError(f"labels must give one cluster per point: {n} points, labels of shape "
                         f"{labels.shape}.")
    chosen = None
    if sample is not None:
        sample = _whole(sample, "sample", 2)
        if n > sample:
            chosen = np.sort(np.random.default_rng(seed).choice(n, size=sample, replace=False))
            X, labels = X[chosen], labels[chosen]
            n = sample
    _, clusters = np.unique(labels, return_inverse=True)
    clusters = clusters.reshape(-1)
    k = int(clusters.max()) + 1
    if not 2 <= k <= n - 1:
        raise ValueError(f"The silhouette needs between 2 and N − 1 = {n - 1} clusters; the "
                         f"labels give {k}.")
    sizes = np.bincount(clusters, minlength=k).astype(float)
    members = np.zeros((n, k))
    members[np.arange(n), clusters] = 1.0  # z_nk: point n is in cluster k

    scores = np.empty(n)
    for start in range(0, n, _SILHOUETTE_BLOCK):
        stop = min(start + _SILHOUETTE_BLOCK, n)
        own = clusters[start:stop]
        rows = np.arange(stop - start)
        # 1. Σ_m ‖x_n − x_m‖ over the points m of every cluster: (block, K)
        totals = cdist(X[start:stop], X) @ members
        # 2. a(n): the mean over the other points of its own cluster (itself is at distance 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            a = totals[rows, own] / (sizes[own] - 1.0)
        # 3. b(n): the nearest other cluster by mean distance
        means = totals / sizes
        means[rows, own] = np.inf
        b = means.min(axis=1)
        # 4. s(n); a point alone in its cluster (0/0) or with a = b = 0 scores 0
        with np.errstate(invalid="ignore", divide="ignore"):
            s = (b - a) / np.maximum(a, b)
        scores[start:stop] = np.where(np.isfinite(s), s, 0.0)
    return Silhouette(float(np.mean(scores)), int(n), chosen)


# --------------------------------------------------------------------------------------
# BIC and AIC against K
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MixtureFit:
    """The best of several EM fits of one K (the highest final log-likelihood).

    k : components; covariance_type : the M step's type; params : the best fit's θ, or None
    when no seed gave one; log_likelihood, bic, aic : its ℓ and criteria (NaN when params is
    None); n_parameters : p; best_seed : the seed of its start (gmm.init_params(X, k, "kmeans",
    seed), projected to the type), or None; iterations : its EM iterations; stop_reason : its
    run's ("converged", "max_iter"); failures : one plain sentence per seed whose run stopped
    on an error (a collapse, an empty component, an impossible start).
    """

    k: int
    covariance_type: str
    params: gmm.GMMParams | None
    log_likelihood: float
    n_parameters: int
    bic: float
    aic: float
    best_seed: int | None
    iterations: int
    stop_reason: str | None
    failures: tuple[str, ...]


def fit_mixture(
    X: ArrayLike,
    k: int,
    covariance_type: str = "full",
    n_seeds: int = SELECTION_GMM_SEEDS,
    seed: int = 0,
    reg_covar: float = DEFAULT_REG_COVAR,
    tol: float | None = None,
    max_iter: int = MAX_ITER,
) -> MixtureFit:
    """EM for K = ``k`` from ``n_seeds`` converged K-means starts; the highest ℓ is kept.

    Start i is gmm.init_params(X, k, "kmeans", seed + i), projected to ``covariance_type``
    (gmm.project_to_covariance_type), exactly the start the GMM page makes for that seed; it
    runs through stepper.RunToConvergence with ``reg_covar``, ``tol`` and ``max_iter``; tol None
    is SELECTION_EM_TOL_PER_POINT × N (stop when an iteration raises ℓ by less than 0.001 per
    point, scikit-learn's default). A run
    that stopped on an error (a covariance collapsed, a component emptied) is left out and
    named in ``failures``: its last parameters are no maximum of ℓ.
    """
    X = _as_points(X)
    n, dim = X.shape
    k = int(_ks([k], n)[0])
    covariance_type = _check_covariance_type(covariance_type)
    n_seeds = _whole(n_seeds, "n_seeds")
    tol = SELECTION_EM_TOL_PER_POINT * n if tol is None else float(tol)
    p = n_parameters(k, dim, covariance_type)
    best = None  # (ℓ, seed, run)
    failures = []
    for start_seed in range(seed, seed + n_seeds):
        try:
            start = gmm.project_to_covariance_type(
                gmm.init_params(X, k, method="kmeans", seed=start_seed), covariance_type)
            run = stepper.new_gmm_run(start, covariance_type=covariance_type,
                                      reg_covar=reg_covar, tol=tol, max_iter=max_iter)
            run = stepper.step(run, stepper.RunToConvergence(), X)
            if run.stop_reason not in ("converged", "max_iter"):
                failures.append(f"seed {start_seed}: {run.stop_reason}")
                continue
            ll = gmm.log_likelihood(X, run.current.params)
        except ValueError as error:  # an impossible start, or a density that underflowed
            failures.append(f"seed {start_seed}: {error}")
            continue
        if best is None or ll > best[0]:
            best = (ll, start_seed, run)
    if best is None:
        nan = math.nan
        return MixtureFit(k, covariance_type, None, nan, p, nan, nan, None, 0, None, tuple(failures))
    ll, best_seed, run = best
    return MixtureFit(
        k, covariance_type, run.current.params, ll, p,
        -2.0 * ll + p * math.log(n), -2.0 * ll + 2.0 * p,  # bic() and aic() of these params
        best_seed, run.current.iteration, run.stop_reason, tuple(failures),
    )


@dataclass(frozen=True, eq=False)
class MixtureCriteria:
    """BIC and AIC against K for one covariance type.

    ks, log_likelihoods, n_parameters, bics, aics : (m,) arrays, NaN where no seed gave a fit
    (``fits[i].failures`` says why); fits : the m MixtureFit objects.
    """

    ks: np.ndarray
    log_likelihoods: np.ndarray
    n_parameters: np.ndarray
    bics: np.ndarray
    aics: np.ndarray
    fits: tuple[MixtureFit, ...]

    @property
    def best_bic_k(self) -> int | None:
        """The K of the smallest BIC (the smallest K on a tie), or None if nothing was fitted."""
        return _argmin_k(self.ks, self.bics)

    @property
    def best_aic_k(self) -> int | None:
        """The K of the smallest AIC (the smallest K on a tie), or None if nothing was fitted."""
        return _argmin_k(self.ks, self.aics)


def _argmin_k(ks: np.ndarray, values: np.ndarray) -> int | None:
    finite = np.isfinite(values)
    if not finite.any():
        return None
    return int(ks[np.flatnonzero(finite)[np.argmin(values[finite])]])


def criteria_of(fits: Iterable[MixtureFit]) -> MixtureCriteria:
    """Gather MixtureFit objects (one per K) into a MixtureCriteria."""
    fits = tuple(fits)
    return MixtureCriteria(
        np.array([f.k for f in fits], dtype=np.int64),
        np.array([f.log_likelihood for f in fits]),
        np.array([f.n_parameters for f in fits], dtype=np.int64),
        np.array([f.bic for f in fits]),
        np.array([f.aic for f in fits]),
        fits,
    )


def mixture_criteria(
    X: ArrayLike,
    ks: Iterable[int],
    covariance_type: str = "full",
    n_seeds: int = SELECTION_GMM_SEEDS,
    seed: int = 0,
    reg_covar: float = DEFAULT_REG_COVAR,
    tol: float | None = None,
    max_iter: int = MAX_ITER,
    progress: Callable[[int, int, int | None], None] | None = None,
) -> MixtureCriteria:
    """:func:`fit_mixture` for every K in ``ks``: ℓ, p, BIC and AIC against K.

    progress : called as progress(done, total, k) before K = k is fitted and as
    progress(total, total, None) at the end.
    """
    X = _as_points(X)
    values = _ks(ks, X.shape[0])
    fits = []
    for done, k in enumerate(values):
        if progress is not None:
            progress(done, len(values), int(k))
        fits.append(fit_mixture(X, int(k), covariance_type, n_seeds, seed, reg_covar, tol, max_iter))
    if progress is not None:
        progress(len(values), len(values), None)
    return criteria_of(fits)
