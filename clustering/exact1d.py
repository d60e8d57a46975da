"""The global optimum of K-means in one dimension, by dynamic programming.

K-means is NP-hard in general, but for 1-D data an optimal clustering cuts the sorted points
into k contiguous groups, and the best cuts follow from a dynamic programme over the sorted
points (Bellman, 1973; Wang and Song, 2011):

    J(c, j) = min_{i < j} J(c - 1, i) + cost(i, j),

where J(c, j) is the least objective of the first j sorted points in c clusters and cost(i, j)
is the sum of squared deviations of the sorted points i..j-1 from their mean.

The costs are computed with Welford's updates, one new point at a time, rather than from
prefix sums of x and x^2: the latter lose every digit to cancellation when the data sit far
from the origin (1e8 +- 1, say). This takes O(k N^2) time and O(k N) memory, fine for N up
to a few thousand points.
"""

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["optimal_kmeans_1d"]


def _as_values(x: ArrayLike) -> np.ndarray:
    """``x`` as a 1-D float64 array of finite numbers with at least one value."""
    try:
        values = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"x must be an array of numbers; it could not be read as numbers ({error}).") from None
    if values.ndim != 1:
        raise ValueError(f"x must be a 1-D array of N numbers; got an array of shape {values.shape}.")
    if values.size == 0:
        raise ValueError("x must contain at least one number; got an empty array.")
    finite = np.isfinite(values)
    if not finite.all():
        index = int(np.flatnonzero(~finite)[0])
        raise ValueError(
            f"x contains NaN or infinite values (the first at index {index}: {values[index]}); remove them first."
        )
    return values


def _best_cuts(sorted_x: np.ndarray, k: int) -> list[int]:
    """Start indices of the k groups of an optimal clustering of the sorted points.

    sorted_x : (N,) ascending. Returns [0, s_1, ..., s_{k-1}]: group c is sorted_x[s_c:s_{c+1}].
    """
    n = sorted_x.size
    # best[c, j] = least objective of the first j points in c + 1 clusters; start[c, j] = where
    # its last cluster starts. Impossible cases (fewer points than clusters) cost infinity.
    best = np.full((k, n + 1), np.inf)
    start = np.zeros((k, n + 1), dtype=np.intp)

    # Welford's running mean and sum of squared deviations of every group i..j-1 that ends at
    # the current point j - 1, one entry per start i.
    mean = np.zeros(n)
    squares = np.zeros(n)  # cost(i, j) = sum_{t=i}^{j-1} (x_t - mean_ij)^2
    count = np.zeros(n)
    for j in range(1, n + 1):
        point = sorted_x[j - 1]
        # 1. add point j - 1 to every group starting at i <= j - 1
        count[: j] += 1.0
        delta = point - mean[:j]
        mean[:j] += delta / count[:j]
        squares[:j] += delta * (point - mean[:j])
        cost = squares[:j]  # cost(i, j) for i = 0..j-1

        # 2. one cluster: all of the first j points
        best[0, j] = cost[0]
        # 3. c + 1 clusters: the best split i, with the first i points in c clusters
        if k > 1:
            candidates = best[: k - 1, :j] + cost  # (k - 1, j): J(c, i) + cost(i, j)
            split = np.argmin(candidates, axis=1)  # a tie goes to the earliest split
            best[1:, j] = candidates[np.arange(k - 1), split]
            start[1:, j] = split

    cuts = [0] * k
    j = n
    for c in range(k - 1, 0, -1):
        cuts[c] = int(start[c, j])
        j = cuts[c]
    return cuts


def optimal_kmeans_1d(x: ArrayLike, k: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The globally optimal K-means clustering of 1-D data: min over all labelings of
    J = sum_n (x_n - u_{z_n})^2.

    x : (N,) array of numbers (duplicates allowed); k : number of clusters, 1 <= k <= N.
    Returns (centroids, labels, J):
        centroids : (k,) ascending means of the clusters (equal values are possible when x
                    has fewer than k distinct values);
        labels    : (N,) intp, the cluster of every point, in the order of x;
        J         : the optimal objective, a float.
    """
    values = _as_values(x)
    n = values.size
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be a whole number of clusters; got {k!r}.")
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of points N = {n}; got k = {k}.")
    k = int(k)

    order = np.argsort(values, kind="stable")
    sorted_x = values[order]
    cuts = _best_cuts(sorted_x, k) + [n]

    centroids = np.empty(k)
    sorted_labels = np.empty(n, dtype=np.intp)
    objective = 0.0
    for c in range(k):
        group = sorted_x[cuts[c] : cuts[c + 1]]
        # The exact mean lies between the group's extremes; clipping the rounded one there
        # keeps the centroids ascending (three copies of 1e-8 do not average to 1e-8 exactly).
        centroids[c] = np.clip(np.mean(group), group[0], group[-1])
        objective += float(np.sum((group - centroids[c]) ** 2))
        sorted_labels[cuts[c] : cuts[c + 1]] = c
    labels = np.empty(n, dtype=np.intp)
    labels[order] = sorted_labels
    return centroids, labels, objective
