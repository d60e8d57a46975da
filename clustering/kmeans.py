"""K-means as on the slides: initialisation, the E step, the M step and the objective J.

Notation: ``X`` is an (N, D) array whose rows are the points x_n; ``centroids`` is a (K, D)
array whose rows are the centroids u_k; ``labels`` is an (N,) integer array, labels[n] = k
meaning z_nk = 1 (point n belongs to cluster k).

Every function is pure: it never modifies its inputs and returns new arrays.
"""

import numpy as np
from numpy.typing import ArrayLike

from clustering import _kernels
from clustering.constants import DEFAULT_KMEANS_INIT, DEFAULT_SEED, KMEANS_INIT_METHODS

__all__ = [
    "init_centroids",
    "assign",
    "squared_distances",
    "update",
    "objective",
    "cluster_sizes",
    "empty_clusters",
]


# --- checking the inputs ------------------------------------------------------------------


def _as_points(values: ArrayLike, name: str = "X") -> np.ndarray:
    """``values`` as an (N, D) float64 array of finite numbers with N >= 1, D >= 1."""
    points = _as_array(values, name)
    _require_finite(points, name)
    return points


def _as_array(values: ArrayLike, name: str = "X") -> np.ndarray:
    """``values`` as an (N, D) float64 array with N >= 1, D >= 1, not yet checked for NaN or
    infinities (``assign`` and ``update`` fold that check into their own pass over the data)."""
    try:
        points = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of numbers; it could not be read as numbers ({error}).") from None
    if points.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (N, D), one row per point; got an array of shape {points.shape}."
        )
    if points.shape[0] == 0 or points.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column; got an array of shape {points.shape}.")
    return points


def _require_finite(points: np.ndarray, name: str = "X") -> None:
    """Raise the plain message naming the first row of ``points`` (N, D) with a NaN or an infinity."""
    finite = np.isfinite(points)
    if not finite.all():
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        raise ValueError(
            f"{name} contains NaN or infinite values (the first in row {row}: {points[row].tolist()}); "
            "remove those rows first."
        )


def _as_centroids(values: ArrayLike, X: np.ndarray, name: str = "centroids") -> np.ndarray:
    """``values`` as a (K, D) float64 array with the same D as ``X``."""
    centroids = _as_points(values, name)
    if centroids.shape[1] != X.shape[1]:
        raise ValueError(
            f"{name} must have D = {X.shape[1]} columns, like X; got an array of shape {centroids.shape}."
        )
    return centroids


def _check_k(k: int, n: int | None = None) -> int:
    """k as an int, after checking that it is a whole number with 1 <= k (<= n if given)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be a whole number of clusters; got {k!r}.")
    if n is None and k < 1:
        raise ValueError(f"k must be at least 1; got k = {k}.")
    if n is not None and not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of points N = {n}; got k = {k}.")
    return int(k)


def _labels_and_sizes(labels: ArrayLike, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``labels`` checked (N,) integers in 0..k-1, as intp, and the size of every cluster (k,)."""
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one label per point; got shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers from 0 to {k - 1}; got values of type {labels.dtype}.")
    labels = labels.astype(np.intp, copy=False)
    # np.bincount doubles as the range check: it refuses negative labels and returns more than
    # k counts when a label is k or more.
    try:
        sizes = np.bincount(labels, minlength=k)
    except ValueError:
        sizes = None
    if sizes is None or sizes.size > k:
        bad = labels[(labels < 0) | (labels >= k)]
        raise ValueError(
            f"labels must be integers from 0 to {k - 1} (one per cluster); got the label {int(bad[0])}."
        )
    return labels, sizes


def _as_weights(weights: ArrayLike, n: int) -> np.ndarray:
    """``weights`` as an (N,) float64 array of finite numbers >= 0 (how often each point counts)."""
    try:
        values = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"weights must be numbers, one per point; they could not be read as numbers ({error}).") from None
    if values.shape != (n,):
        raise ValueError(f"weights must have shape ({n},), one weight per point; got shape {values.shape}.")
    bad = ~(np.isfinite(values) & (values >= 0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"weights must be finite numbers of at least 0 (how many times each point counts); "
            f"got {values[row]} for point {row}."
        )
    return values


# --- the objective and cluster bookkeeping --------------------------------------------------


def objective(X: ArrayLike, centroids: ArrayLike, labels: ArrayLike, weights: ArrayLike | None = None) -> float:
    """The K-means objective J = sum_n ||x_n - u_{z_n}||^2 (sum_n w_n ||x_n - u_{z_n}||^2 with weights).

    X : (N, D) array; centroids : (K, D) array; labels : (N,) integers in 0..K-1;
    weights : optional (N,) numbers >= 0, how many times each point counts (a photo's distinct
    colours with their pixel counts give the J of the whole photo).
    Returns J, a float >= 0.
    """
    X = _as_points(X)
    centroids = _as_centroids(centroids, X)
    labels, _ = _labels_and_sizes(labels, X.shape[0], centroids.shape[0])
    # Summed dimension by dimension in the same order as in ``assign``, so that an E step can
    # never raise J through rounding.
    squared_distances = np.zeros(X.shape[0])
    for d in range(X.shape[1]):
        difference = X[:, d] - centroids[labels, d]
        squared_distances += difference * difference
    if weights is not None:
        squared_distances *= _as_weights(weights, X.shape[0])
    return float(np.sum(squared_distances))


def cluster_sizes(labels: ArrayLike, k: int) -> np.ndarray:
    """N_k = sum_n z_nk, the number of points in every cluster.

    labels : (N,) integers in 0..k-1. Returns a (k,) integer array.
    """
    k = _check_k(k)
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-D array, one label per point; got shape {labels.shape}.")
    _, sizes = _labels_and_sizes(labels, labels.shape[0], k)
    return sizes


def empty_clusters(labels: ArrayLike, k: int) -> tuple[int, ...]:
    """The clusters with no points (N_k = 0), in increasing order.

    labels : (N,) integers in 0..k-1. Returns a tuple of cluster indices, () if none is empty.
    """
    sizes = cluster_sizes(labels, k)
    return tuple(int(j) for j in np.flatnonzero(sizes == 0))


# --- the two steps --------------------------------------------------------------------------


def squared_distances(X: ArrayLike, centroids: ArrayLike) -> np.ndarray:
    """||x_n - u_k||^2 = sum_d (x_nd - u_kd)^2 for every point and centroid: an (N, K) array.

    The quantity the E step minimises, summed in the same order as ``objective``; for a few
    points (a formula on screen). ``assign`` computes the argmin without storing it.
    """
    X = _as_points(X)
    centroids = _as_centroids(centroids, X)
    distances = np.zeros((X.shape[0], centroids.shape[0]))
    for d in range(X.shape[1]):
        difference = X[:, d, None] - centroids[None, :, d]
        distances += difference * difference
    return distances


def assign(X: ArrayLike, centroids: ArrayLike) -> np.ndarray:
    """E step: k*(x_n) = argmin_k ||x_n - u_k||^2, a tie going to the lowest index k.

    X : (N, D) array; centroids : (K, D) array.
    Returns labels : (N,) intp array with values in 0..K-1.

    The squared distances are computed directly, as sum_d (x_nd - u_kd)^2, which stays
    accurate for data far from the origin (no ||x||^2 - 2 x.u + ||u||^2 cancellation) and
    compares exactly the numbers that ``objective`` sums (up to an exact power-of-two scale),
    so an E step never raises J, not even by rounding. The blocked loop is
    ``_kernels.nearest_centroid``; it also notices a NaN or an infinity in X (the bound of its
    screen is then not finite), so X is not read once more just to check it.
    """
    X = _as_array(X)
    try:
        centroids = _as_centroids(centroids, X)
    except ValueError:
        _require_finite(X)  # a bad X is reported first, as everywhere
        raise
    labels = _kernels.nearest_centroid(X, centroids)
    if labels is None:  # X holds a NaN or an infinity
        _require_finite(X)
    return labels


def update(X: ArrayLike, labels: ArrayLike, previous: ArrayLike, weights: ArrayLike | None = None) -> np.ndarray:
    """M step: u_k = sum_n z_nk x_n / sum_n z_nk; a cluster with no points keeps its previous centroid.

    X : (N, D) array; labels : (N,) integers in 0..K-1; previous : (K, D) centroids before
    the step (kept for every empty cluster); weights : optional (N,) numbers >= 0, how many
    times each point counts: u_k = sum_n z_nk w_n x_n / sum_n z_nk w_n, and a cluster of total
    weight 0 keeps its previous centroid. A photo's distinct colours with their pixel counts
    give the means of its pixels (up to the order of summation), from far fewer points.
    Returns centroids : (K, D) array, a new array.
    """
    X = _as_array(X)
    try:
        previous = _as_centroids(previous, X, name="previous")
        labels, sizes = _labels_and_sizes(labels, X.shape[0], previous.shape[0])
        if weights is not None:
            weights = _as_weights(weights, X.shape[0])
    except ValueError:
        _require_finite(X)  # a bad X is reported first, as everywhere
        raise
    k = previous.shape[0]
    sums = _kernels.sums_by_label(X, labels, k, weights)  # sum_n z_nk w_n x_n
    # Every x_nd is added (times its weight) into exactly one sum, and 0 * inf is NaN, so finite
    # sums mean a finite X: the check of X costs a pass over the data only when a sum is not
    # finite (a NaN, an infinity, or an overflow of finite numbers, which is let through as before).
    if not np.isfinite(sums).all():
        _require_finite(X)
    totals = sizes if weights is None else np.bincount(labels, weights=weights, minlength=k)
    centroids = previous.copy()
    filled = totals > 0
    centroids[filled] = sums[filled] / totals[filled, None]
    return centroids


# --- initialisation -------------------------------------------------------------------------


def _squared_distances_to(points: np.ndarray, point: np.ndarray) -> np.ndarray:
    """||x_n - point||^2 for every row of points: an (N,) array."""
    difference = points - point
    return np.sum(difference * difference, axis=1)


def _first_occurrences(points: np.ndarray) -> np.ndarray:
    """Row indices of the first copy of every distinct row of points, ascending."""
    by_value = np.lexsort(points.T[::-1])  # a stable sort: copies of a point keep their order
    sorted_points = points[by_value]
    is_new = np.ones(points.shape[0], dtype=bool)
    is_new[1:] = np.any(sorted_points[1:] != sorted_points[:-1], axis=1)
    return np.sort(by_value[is_new])


def _random_distinct_points(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Forgy: k data points drawn at random without replacement, skipping repeats of a point
    already drawn, so that the k centroids are distinct."""
    n = X.shape[0]
    order = rng.permutation(n)  # the points in a random order; we want its first k distinct ones
    # A short prefix of the order holds them unless the data repeat a lot: look there first.
    size = min(n, 4 * k)
    first = _first_occurrences(X[order[:size]])
    while first.size < k and size < n:
        size = min(n, 4 * size)
        first = _first_occurrences(X[order[:size]])
    if first.size < k:
        raise ValueError(
            f"X has only {first.size} distinct points, fewer than k = {k}; choose k of at most "
            f"{first.size}, or another init method."
        )
    return X[order[first[:k]]]


def _random_partition_means(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Random partition: a random label per point, then the means of the k groups."""
    # A shuffled 0, 1, ..., k-1, 0, 1, ... gives every point a random label and every cluster
    # at least one point (k <= N), so that every mean exists.
    labels = rng.permutation(np.arange(X.shape[0]) % k)
    return update(X, labels, np.zeros((k, X.shape[1])))


def _kmeans_plus_plus(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++: the first centroid uniformly, each next one a data point drawn with
    probability D(x_n)^2 / sum_m D(x_m)^2, D(x) being the distance to the nearest centroid
    chosen so far."""
    n = X.shape[0]
    points = X * _kernels.unit_scale(X)
    chosen = [int(rng.integers(n))]
    closest = _squared_distances_to(points, points[chosen[0]])  # D(x_n)^2
    for _ in range(1, k):
        total = closest.sum()
        if total > 0:
            index = int(rng.choice(n, p=closest / total))
        else:
            # Every point coincides with a chosen centroid (fewer than k distinct points).
            index = int(rng.integers(n))
        chosen.append(index)
        np.minimum(closest, _squared_distances_to(points, points[index]), out=closest)
    return X[chosen]


def _farthest_first(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Farthest-first traversal: a random first centroid, then each time the data point
    farthest from the centroids chosen so far (a tie going to the lowest index)."""
    n = X.shape[0]
    points = X * _kernels.unit_scale(X)
    chosen = [int(rng.integers(n))]
    closest = _squared_distances_to(points, points[chosen[0]])
    for _ in range(1, k):
        index = int(np.argmax(closest))
        chosen.append(index)
        np.minimum(closest, _squared_distances_to(points, points[index]), out=closest)
    return X[chosen]


def init_centroids(
    X: ArrayLike,
    k: int,
    method: str = DEFAULT_KMEANS_INIT,
    seed: int | None = DEFAULT_SEED,
) -> np.ndarray:
    """Initial centroids u_1..u_k for K-means.

    X : (N, D) array; k : number of clusters, 1 <= k <= N.
    method :
        ``"random"``            k distinct data points (Forgy); needs at least k distinct points.
        ``"random-partition"``  a random label per point (every cluster non-empty), then the means.
        ``"kmeans++"``          D^2-weighted seeding (Arthur and Vassilvitskii, 2007).
        ``"farthest"``          a random first point, then farthest-first traversal.
    seed : seed of ``np.random.default_rng``; the same seed gives the same centroids.
    Returns centroids : (k, D) array.
    """
    X = _as_points(X)
    k = _check_k(k, X.shape[0])
    if method not in KMEANS_INIT_METHODS:
        allowed = ", ".join(f'"{name}"' for name in KMEANS_INIT_METHODS)
        raise ValueError(f"Unknown init method {method!r}; choose one of {allowed}.")
    rng = np.random.default_rng(seed)
    if method == "random":
        return _random_distinct_points(X, k, rng)
    if method == "random-partition":
        return _random_partition_means(X, k, rng)
    if method == "kmeans++":
        return _kmeans_plus_plus(X, k, rng)
    return _farthest_first(X, k, rng)
