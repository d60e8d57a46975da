"""Everything on screen that is not a parameter, recomputed from (X, run, half-step index).

A run stores parameters only (see :mod:`clustering.stepper`). What a half-step *means* is:

- K-means, E step at i: labels z = assign(X, u_i); J = J(u_i, z).
- K-means, M step at i: the assignment of the E step before it is held fixed, the centroids
  move: J = J(u_i, z_{i-1}).  So J falls (or stays) at every half-step.
- EM, E step at i: q = γ(θ_i); the lower bound 𝓛(q, θ_i) equals the log-likelihood ℓ(θ_i).
- EM, M step at i: q = γ(θ_{i-1}) is held fixed, θ moves: 𝓛(q, θ_i) ≤ ℓ(θ_i).
- The initial configuration has no assignment yet: its labels, J, q and bound are None.

Every function here is pure; the UI may cache their results per (data, snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clustering import gmm, kmeans
from clustering.stepper import Run


def _e_index(run: Run, index: int) -> int | None:
    """The index of the E step whose assignment is in force at ``index`` (None before one)."""
    kind = run.history[index].kind
    if kind == "E":
        return index
    if kind == "M":
        return index - 1
    return None


# --------------------------------------------------------------------------------------
# K-means
# --------------------------------------------------------------------------------------


def kmeans_labels(X: np.ndarray, run: Run, index: int) -> np.ndarray | None:
    """Labels z_n in force at half-step ``index``: (N,) int, or None before the first E step."""
    e_index = _e_index(run, index)
    if e_index is None:
        return None
    return kmeans.assign(X, run.history[e_index].params)


def kmeans_objective(X: np.ndarray, run: Run, index: int) -> float | None:
    """J = Σ_n ‖x_n − u_{z_n}‖² at half-step ``index`` (None before the first E step)."""
    labels = kmeans_labels(X, run, index)
    if labels is None:
        return None
    return kmeans.objective(X, run.history[index].params, labels)


@dataclass(frozen=True)
class KMeansView:
    """What the K-means page shows for one half-step.

    labels : (N,) int or None
    objective : J or None
    previous_centroids : (K, D) centroids before this half-step, or None at the start
    changed : (N,) bool, points whose cluster changed in this E step (None if not an E step
        or the first one)
    shifts : (K,) distances each centroid moved in this M step (None if not an M step)
    sizes : (K,) number of points per cluster (None before the first E step)
    empty : clusters with no point (their centroid stays where it was)
    """

    labels: np.ndarray | None
    objective: float | None
    previous_centroids: np.ndarray | None
    changed: np.ndarray | None
    shifts: np.ndarray | None
    sizes: np.ndarray | None
    empty: tuple[int, ...]


def kmeans_view(X: np.ndarray, run: Run, index: int | None = None) -> KMeansView:
    """Derive the labels, J, changes and centroid moves of half-step ``index`` (default: cursor)."""
    index = run.cursor if index is None else index
    snapshot = run.history[index]
    centroids = snapshot.params
    labels = kmeans_labels(X, run, index)
    objective = None if labels is None else kmeans.objective(X, centroids, labels)
    previous = run.history[index - 1].params if index > 0 else None

    changed = None
    if snapshot.kind == "E" and index >= 2:
        previous_labels = kmeans_labels(X, run, index - 2)
        if previous_labels is not None:
            changed = labels != previous_labels

    shifts = None
    if snapshot.kind == "M":
        shifts = np.linalg.norm(centroids - previous, axis=1)

    sizes = None
    empty: tuple[int, ...] = ()
    if labels is not None:
        sizes = np.bincount(labels, minlength=run.k)
        empty = tuple(int(k) for k in np.flatnonzero(sizes == 0))
    return KMeansView(labels, objective, previous, changed, shifts, sizes, empty)


def kmeans_objective_curve(X: np.ndarray, run: Run) -> list[float | None]:
    """J after every half-step of the history (None for the initial configuration)."""
    return [kmeans_objective(X, run, i) for i in range(len(run.history))]


# --------------------------------------------------------------------------------------
# EM for a Gaussian mixture
# --------------------------------------------------------------------------------------


def gmm_responsibilities(X: np.ndarray, run: Run, index: int) -> np.ndarray | None:
    """q = γ in force at half-step ``index``: (N, K) rows summing to 1, or None before an E step."""
    e_index = _e_index(run, index)
    if e_index is None:
        return None
    return gmm.e_step(X, run.history[e_index].params)


@dataclass(frozen=True)
class GMMView:
    """What the GMM page shows for one half-step.

    resp : (N, K) responsibilities in force (None before the first E step)
    log_likelihood : ℓ(θ) of this half-step's parameters
    lower_bound : 𝓛(q, θ) with the q in force (None before the first E step)
    previous : the parameters before this half-step (None at the start)
    """

    resp: np.ndarray | None
    log_likelihood: float
    lower_bound: float | None
    previous: object | None

    @property
    def gap(self) -> float | None:
        """ℓ(θ) − 𝓛(q, θ) = KL(q ‖ p(z | x, θ)) ≥ 0 (None before the first E step)."""
        if self.lower_bound is None:
            return None
        return max(self.log_likelihood - self.lower_bound, 0.0)


def gmm_view(X: np.ndarray, run: Run, index: int | None = None) -> GMMView:
    """Derive γ, the log-likelihood and the lower bound of half-step ``index`` (default: cursor)."""
    index = run.cursor if index is None else index
    params = run.history[index].params
    resp = gmm_responsibilities(X, run, index)
    log_likelihood = gmm.log_likelihood(X, params)
    if resp is None:
        bound = None
    elif run.history[index].kind == "E":
        bound = log_likelihood  # the E step makes the bound touch: q is the posterior
    else:
        bound = gmm.lower_bound(X, params, resp)
    previous = run.history[index - 1].params if index > 0 else None
    return GMMView(resp, log_likelihood, bound, previous)


def gmm_curves(X: np.ndarray, run: Run) -> tuple[list[float], list[float | None]]:
    """(log-likelihood, lower bound) after every half-step of the history."""
    likelihoods, bounds = [], []
    for i in range(len(run.history)):
        view = gmm_view(X, run, i)
        likelihoods.append(view.log_likelihood)
        bounds.append(view.lower_bound)
    return likelihoods, bounds


def kmeans_as_factorization(X: np.ndarray, centroids: np.ndarray, labels: np.ndarray):
    """K-means as matrix factorization: X ≈ Z U with Z the (N, K) one-hot indicator matrix.

    Returns (Z, ‖X − Z U‖²_F); the second equals J (the slides write X ≈ U Z with points as
    columns; here points are rows, so the factors are transposed).
    """
    k = centroids.shape[0]
    indicator = np.zeros((X.shape[0], k))
    indicator[np.arange(X.shape[0]), labels] = 1.0
    residual = X - indicator @ centroids
    return indicator, float(np.sum(residual**2))
