"""K-means as a limit of EM: a mixture with equal weights and one shared variance σ²I.

Fix every weight at π_k = 1/K and every covariance at Σ_k = σ²I, with σ chosen by the
person, and let EM update only the means. Then

- E step: γ_nk = exp(−‖x_n − μ_k‖² / 2σ²) / Σ_j exp(−‖x_n − μ_j‖² / 2σ²)
  (π_k and the normalising constant of N(x; μ_k, σ²I) are the same for every k and cancel);
- M step: μ_k = Σ_n γ_nk x_n / N_k with N_k = Σ_n γ_nk.

As σ → 0 the largest term of the E step's sum dominates: γ_nk → 1 for the nearest mean and 0
for the others, the E step becomes K-means' assignment and the M step K-means' update, so the
run coincides with K-means from the same start. In float64 γ becomes exactly 0 or 1 once
(‖x_n − μ_j‖² − ‖x_n − μ_k‖²) / 2σ² exceeds about 745 for every other j.

The run's parameters are a :class:`clustering.gmm.GMMParams` (weights 1/K, covariances σ²I),
so the log-likelihood, the lower bound and the figures of the GMM apply unchanged; the stepper
runs it as the algorithm ``"soft-kmeans"``.

Example (a notebook)::

    from clustering import datasets, kmeans, softkmeans, stepper
    X = datasets.make("mouse").X
    start = kmeans.init_centroids(X, 3, "kmeans++", seed=0)
    run = stepper.new_soft_kmeans_run(start, sigma=0.001)
    run = stepper.step(run, stepper.RunToConvergence(), X)
    run.current.params.means      # K-means' centroids from the same start
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from clustering import gmm
from clustering.constants import GMM_EMPTY_COMPONENT_MASS
from clustering.gmm import GMMParams

__all__ = ["mixture", "sigma_of", "e_step", "update_means", "m_step", "distance_from_hard"]


def mixture(means: ArrayLike, sigma: float) -> GMMParams:
    """The mixture of the σ-limit: weights 1/K, means ``means`` (K, D), covariances σ²I."""
    means = np.asarray(means, dtype=float)
    if means.ndim != 2 or means.shape[0] < 1:
        raise ValueError(f"means must be a (K, D) table; got an array of shape {means.shape}.")
    sigma = float(sigma)
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"σ must be a positive number; got {sigma}.")
    k, dim = means.shape
    return GMMParams(np.full(k, 1.0 / k), means, np.broadcast_to(sigma**2 * np.eye(dim), (k, dim, dim)))


def sigma_of(params: GMMParams) -> float:
    """σ of a σ-limit mixture (the square root of its shared variance)."""
    return float(np.sqrt(params.covariances[0, 0, 0]))


def e_step(X: ArrayLike, means: ArrayLike, sigma: float) -> np.ndarray:
    """E step: γ_nk = exp(−‖x_n − μ_k‖²/2σ²) / Σ_j exp(−‖x_n − μ_j‖²/2σ²).

    The GMM's own E step (:func:`clustering.gmm.e_step`) on the σ-limit mixture: weights 1/K
    and covariances σ²I, whose π_k and normalising constants cancel.
    X : (N, D); means : (K, D); returns resp (N, K), rows summing to 1.
    """
    return gmm.e_step(X, mixture(means, sigma))


def update_means(X: ArrayLike, resp: ArrayLike, previous: ArrayLike) -> np.ndarray:
    """M step: μ_k = Σ_n γ_nk x_n / N_k, N_k = Σ_n γ_nk.

    A mean whose N_k is at most GMM_EMPTY_COMPONENT_MASS (no point is near it: its γ underflowed
    to 0) keeps its previous place, the K-means policy for an empty cluster.
    X : (N, D); resp : (N, K); previous : (K, D). Returns (K, D), a new array.
    """
    X = np.asarray(X, dtype=float)
    resp = np.asarray(resp, dtype=float)
    means = np.array(previous, dtype=float, copy=True)
    mass = resp.sum(axis=0)  # N_k
    filled = mass > GMM_EMPTY_COMPONENT_MASS
    means[filled] = (resp[:, filled].T @ X) / mass[filled, None]
    return means


def m_step(X: ArrayLike, resp: ArrayLike, params: GMMParams) -> GMMParams:
    """M step of the σ-limit: new means from ``resp``; weights 1/K and σ²I stay as they are."""
    means = update_means(X, resp, params.means)
    return GMMParams(params.weights, means, params.covariances)


def distance_from_hard(resp: ArrayLike, labels: ArrayLike) -> float:
    """max_{n,k} |γ_nk − z_nk|, z the one-hot matrix of ``labels`` (N,): 0 when γ is hard."""
    resp = np.asarray(resp, dtype=float)
    one_hot = np.zeros_like(resp)
    one_hot[np.arange(resp.shape[0]), np.asarray(labels)] = 1.0
    return float(np.max(np.abs(resp - one_hot))) if resp.size else 0.0
