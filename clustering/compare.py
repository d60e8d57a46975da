"""K-means next to EM: the same start for both, and how many points each puts in the right group.

A clustering numbers its clusters arbitrarily, so "the right group" needs a matching first:
each cluster is paired with at most one true label (and each label with at most one cluster)
so that as many points as possible agree; the matching is found exactly by the Hungarian
algorithm (``scipy.optimize.linear_sum_assignment``) on the cluster × label table of counts.
Points of a label left without a cluster (the mouse's noise, with K = 3 for four labels) count
as wrong.

Example (a notebook)::

    from clustering import compare, datasets, kmeans, stepper
    data = datasets.make("mouse")
    start = kmeans.init_centroids(data.X, 3, "kmeans++", seed=0)
    em = stepper.step(stepper.new_gmm_run(compare.em_start(data.X, start)),
                      stepper.RunToConvergence(), data.X)
    compare.matched_accuracy(compare.gmm_labels(data.X, em.current.params), data.labels)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment

from clustering import gmm
from clustering.gmm import GMMParams

__all__ = ["Matching", "best_matching", "matched_accuracy", "em_start", "gmm_labels", "START_SHAPES"]

START_SHAPES = ("data", "round")  # EM's initial covariances: the data's, or a circle


@dataclass(frozen=True)
class Matching:
    """The best pairing of clusters with true labels.

    pairs : ((cluster k, true label), ...) for every matched cluster
    correct : number of points whose cluster is paired with their own label
    total : number of points
    counts : (K, L) table, counts[k, l] = points of true label l in cluster k
    label_names : the L true labels, in the order of the table's columns
    """

    pairs: tuple[tuple[int, object], ...]
    correct: int
    total: int
    counts: np.ndarray
    label_names: tuple

    @property
    def accuracy(self) -> float:
        """The share of points in the right group, from 0 to 1."""
        return self.correct / self.total if self.total else 0.0


def best_matching(labels: ArrayLike, truth: ArrayLike, k: int | None = None) -> Matching:
    """Pair clusters with true labels to put as many points as possible in the right group.

    labels : (N,) cluster of each point, integers 0..K-1; truth : (N,) true label of each point
    (integers or strings); k : the number of clusters (default: the largest label + 1).
    """
    labels = np.asarray(labels)
    truth = np.asarray(truth)
    if labels.shape != truth.shape or labels.ndim != 1:
        raise ValueError(
            f"labels and truth must be two (N,) arrays of the same length; got shapes "
            f"{labels.shape} and {truth.shape}."
        )
    names, codes = np.unique(truth, return_inverse=True)
    if k is None:
        k = int(labels.max()) + 1 if labels.size else 0
    # 1. the contingency table: points of true label l that landed in cluster k
    counts = np.zeros((k, len(names)), dtype=np.int64)
    np.add.at(counts, (labels.astype(np.intp), codes.ravel()), 1)
    # 2. the pairing with the most points on it (the Hungarian algorithm maximises the sum)
    rows, columns = linear_sum_assignment(counts, maximize=True)
    pairs = tuple((int(r), names[c].item()) for r, c in zip(rows, columns, strict=True))
    correct = int(counts[rows, columns].sum())
    return Matching(pairs, correct, int(labels.size), counts, tuple(n.item() for n in names))


def matched_accuracy(labels: ArrayLike, truth: ArrayLike, k: int | None = None) -> float:
    """The share of points in the right group after the best matching of cluster to label."""
    return best_matching(labels, truth, k).accuracy


def em_start(X: ArrayLike, means: ArrayLike, shape: str = "data") -> GMMParams:
    """EM's start from K-means' initial centroids: those means, equal weights 1/K, and for every
    component the same covariance (so both algorithms start from the same means):

    shape ``"data"``: the covariance of the whole data set;
    shape ``"round"``: σ²I with σ² the data's average variance per coordinate (circles, as in
    Bishop's Figure 9.8; on standardized data σ² = 1).

    X : (N, D); means : (K, D). The data covariance is :func:`clustering.gmm.data_covariance`
    (the maximum-likelihood covariance plus DEFAULT_REG_COVAR·I, a larger ridge for points on a
    line or a single point), the same start the GMM page gives every component.
    """
    X = np.asarray(X, dtype=float)
    means = np.asarray(means, dtype=float)
    if shape not in START_SHAPES:
        raise ValueError(f"Unknown covariance shape {shape!r}; use one of {', '.join(START_SHAPES)}.")
    k, dim = means.shape
    covariance = gmm.data_covariance(X)
    if shape == "round":
        covariance = float(np.trace(covariance)) / dim * np.eye(dim)
    return GMMParams(np.full(k, 1.0 / k), means, np.broadcast_to(covariance, (k, dim, dim)))


def gmm_labels(X: ArrayLike, params: GMMParams) -> np.ndarray:
    """Each point's most responsible component, argmax_k γ_nk: (N,) int."""
    return np.argmax(gmm.e_step(X, params), axis=1)

