"""Fast blocked kernels behind :mod:`clustering.kmeans` and :mod:`clustering.gmm`.

The formula files state the lecture's equations and call these loops; the loops only make the
same numbers quickly and in bounded memory. Points are processed in blocks of
``KMEANS_BLOCK_POINTS`` / ``GMM_BLOCK_POINTS``, laid out one row per centroid or component so
that every numpy operation runs along the long axis of points. Every kernel works for any
dimension D and never builds an (N, K, D) temporary: the largest work array is (K, block) for
K-means and (D·K, block) for a mixture.

Private: the public names are in kmeans.py and gmm.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from scipy.sparse import csc_array

from clustering.constants import FLOAT_EXPONENT_LIMIT, GMM_BLOCK_POINTS, KMEANS_BLOCK_POINTS

_LOG_2PI = math.log(2.0 * math.pi)


def blocks(n: int, block: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of the consecutive blocks of ``block`` points covering 0..n."""
    for start in range(0, n, block):
        yield start, min(start + block, n)


def unit_scale(values: np.ndarray) -> float:
    """A power of two that brings the largest |value| to about 1.

    Multiplying by a power of two is exact, and it changes no comparison of distances; it only
    keeps squared differences from underflowing (data near 1e-300) or overflowing (near 1e300).
    """
    _, exponent = np.frexp(np.max(np.abs(values)))  # largest = m 2^exponent, 1/2 <= m < 1
    return 2.0 ** int(np.clip(-exponent, -FLOAT_EXPONENT_LIMIT, FLOAT_EXPONENT_LIMIT))


# --- K-means --------------------------------------------------------------------------------


def nearest_centroid(X: np.ndarray, centroids: np.ndarray) -> np.ndarray | None:
    """argmin_k sum_d (x_nd - u_kd)^2 for every point, a tie going to the lowest k: (N,) intp.

    X : (N, D) float64, not yet checked for NaN or infinities: None is returned if it holds
    one (then the caller words the message); centroids : (K, D) checked float64. The labels are those of
    the squared distances summed directly, dimension by dimension in the order
    ``kmeans.objective`` uses, after an exact power-of-two scale, so an E step never raises J,
    not even by rounding (no ||x||^2 - 2 x.u + ||u||^2 cancellation far from the origin).

    For speed, every point is first screened with one single-precision matrix product,
    ||u_k||^2 - 2 x_n.u_k (= ||x_n - u_k||^2 - ||x_n||^2, the same order of the centroids); a
    point whose best and second-best centroid are closer than a bound on the rounding of both
    ways of computing is then decided by the direct sums in double precision, so the labels are
    exactly the direct ones. Memory stays bounded by K x block (never an (N, K, D) array).
    """
    n, dims = X.shape
    k = centroids.shape[0]
    # A block's (K, block) work arrays stay near 1 MB, within the processor's cache.
    block = min(n, KMEANS_BLOCK_POINTS, max(1024, 2**18 // k))
    labels = np.empty(n, dtype=np.intp)

    # Coordinates in units of the centroids' extent (_unit_scale: exact, changes no comparison).
    scale = unit_scale(centroids)
    scaled_centroids = centroids * scale
    centroid_columns = [scaled_centroids[:, d, None] for d in range(dims)]  # u_kd as (K, 1)
    # Centroid j scores K - j where it is nearest, 0 elsewhere; the highest score per point is
    # then the lowest index among the nearest centroids (a branch-free argmin with ties to the
    # lowest index; np.argmin along a short axis is several times slower).
    score_type = np.min_scalar_type(k)
    reverse_index = (k - np.arange(k)).astype(score_type)[:, None]

    # Work buffers, reused by every block (fresh large arrays cost page faults at every block).
    # Arrays are laid out one row per centroid so that every numpy operation runs along the
    # long axis of points; a block's (rows, size) view of a buffer is its first rows * size
    # numbers, so that it is contiguous even for the last, shorter block.
    def buffer(rows: int, dtype=np.float64):
        storage = np.empty(rows * block, dtype=dtype)
        return lambda size: storage[: rows * size].reshape(rows, size)

    points_buffer = buffer(dims + 1, np.float32)  # the block's x_nd, one row per dimension, then ones
    scores_buffer = buffer(k, np.float32)
    near_buffer = buffer(k, bool)
    rank_buffer = buffer(k, score_type)
    smallest_buffer = buffer(1, np.float32)
    best_buffer = buffer(1, score_type)
    count_buffer = buffer(1, score_type)

    def lowest_nearest(is_nearest: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The lowest index k with is_nearest[k, n] for every column n (into out, (1, m))."""
        score = np.multiply(is_nearest, reverse_index, out=rank_buffer(is_nearest.shape[1]))
        np.maximum.reduce(score, axis=0, out=out[0])
        return k - out[0].astype(np.intp)

    def direct(points: np.ndarray) -> np.ndarray:
        """Labels from the squared distances summed directly; points : (D, m) scaled, m <= block."""
        # ||x_n - u_k||^2 = sum_d (u_kd - x_nd)^2, one row per centroid, in double precision
        distances = np.subtract(centroid_columns[0], points[0])
        np.multiply(distances, distances, out=distances)
        difference = np.empty_like(distances)
        for d in range(1, dims):
            np.subtract(centroid_columns[d], points[d], out=difference)
            np.multiply(difference, difference, out=difference)
            np.add(distances, difference, out=distances)
        smallest = np.minimum.reduce(distances, axis=0)
        is_nearest = np.equal(distances, smallest)
        score = np.multiply(is_nearest, reverse_index)
        return k - np.maximum.reduce(score, axis=0).astype(np.intp)

    # The screen: [-2 u_k, ||u_k||^2] . [x_n, 1] = ||u_k||^2 - 2 x_n.u_k, a (K, D + 1) matrix
    # times the block's points as columns with a row of ones, in single precision.
    screen = np.empty((k, dims + 1), dtype=np.float32)
    screen[:, :dims] = -2.0 * scaled_centroids
    squared_centroid_norms = np.einsum("kd,kd->k", scaled_centroids, scaled_centroids)
    screen[:, dims] = squared_centroid_norms
    centroid_norm = float(np.sqrt(np.max(squared_centroid_norms)))
    # Both ways of computing err by at most about (D + 2) eps (||x|| + max ||u||)^2 per
    # distance (eps of single precision for the screen: its inputs are rounded to it too); a
    # difference below twice that (with margin) is left to the direct sums.
    slack = 8.0 * (dims + 4) * float(np.finfo(np.float32).eps)

    for start in range(0, n, block):
        stop = min(start + block, n)
        size = stop - start
        points = points_buffer(size)
        with np.errstate(over="ignore"):  # beyond single precision: the direct sums decide
            np.multiply(X[start:stop].T, scale, out=points[:dims], casting="same_kind")
            points[dims] = 1.0
            squared_norms = np.einsum("dn,dn->n", points[:dims], points[:dims])
            bound = slack * (float(np.sqrt(np.max(squared_norms))) + centroid_norm) ** 2
        if not np.isfinite(bound) or bound >= float(np.finfo(np.float32).max) / 4:
            # A NaN or an infinity in the block makes the bound NaN or infinite: the one place
            # where X is checked, at no cost for finite data.
            if not np.isfinite(X[start:stop]).all():
                return None
            labels[start:stop] = direct(X[start:stop].T * scale)
            continue
        screened = np.dot(screen, points, out=scores_buffer(size))  # (K, size)
        smallest = np.minimum.reduce(screened, axis=0, out=smallest_buffer(size)[0])
        smallest += np.float32(bound)
        is_near = np.less_equal(screened, smallest, out=near_buffer(size))
        labels[start:stop] = lowest_nearest(is_near, best_buffer(size))
        # Points with a second centroid within the bound: decided by the direct sums.
        near_count = np.add.reduce(is_near, axis=0, dtype=score_type, out=count_buffer(size)[0])
        unsure = np.flatnonzero(near_count > 1)
        if unsure.size:
            labels[start + unsure] = direct(X[start + unsure].T * scale)
    return labels


def sums_by_label(X: np.ndarray, labels: np.ndarray, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """sum_n z_nk x_nd (sum_n z_nk w_n x_nd with weights) for every cluster k and dimension d: (k, D).

    X : (N, D); labels : (N,) intp in 0..k-1; weights : optional (N,) float64. The sums are the
    product Z X of the (k, N) indicator matrix, z_nk = 1 (or w_n) where labels[n] = k, stored
    sparse (one entry per column), a block of points at a time: every sum adds its points in
    the order of n, in one pass over X.
    """
    n, dims = X.shape
    block = min(n, 4 * KMEANS_BLOCK_POINTS)  # fewer, longer blocks: a block's arrays are (size,)
    ones = np.ones(block)
    column_starts = np.arange(block + 1)  # column n of Z holds its one entry at row labels[n]
    sums = np.zeros((k, dims))
    for start, stop in blocks(n, block):
        size = stop - start
        entries = ones[:size] if weights is None else weights[start:stop]
        indicator = csc_array((entries, labels[start:stop], column_starts[: size + 1]), shape=(k, size))
        sums += indicator @ X[start:stop]
    return sums


def gmm_block_size(n: int) -> int:
    return max(1, min(n, GMM_BLOCK_POINTS))


class LogProbKernel:
    """log π_k + log N(x_n; μ_k, Σ_k) for a block of points, written as a (K, n) array.

    With Σ_k = L_k L_kᵀ, z_nk = L_k⁻¹(x_n − μ_k) / √2 gives ½ (x_n − μ_k)ᵀ Σ_k⁻¹ (x_n − μ_k) =
    ‖z_nk‖². All K whitening maps are stacked into one (D·K, D + 1) matrix acting on
    [x_n − c; 1], so a block costs one matrix product (the last column subtracts the means).
    The centre c (the mean of X) keeps the numbers small for data far from the origin.
    """

    def __init__(self, X: np.ndarray, log_weights: np.ndarray, means: np.ndarray, factors: np.ndarray):
        k, dim = means.shape
        self.X = X
        self.k = k
        self.dim = dim
        self.center = X.mean(axis=0)
        # L_k⁻¹, the Cholesky factor's inverse (never Σ_k's), all K in one stacked call (a
        # triangular solve per component cost ~50 µs of call overhead each, and a page's first
        # EM run builds this kernel about three times per iteration)
        inverse = np.linalg.inv(factors)
        inverse *= math.sqrt(0.5)  # folds the ½ of the exponent into z
        shifted_means = np.einsum("kij,kj->ki", inverse, means - self.center)  # (K, D)
        whiten = np.empty((dim * k, dim + 1))
        # row d·K + k holds row d of L_k⁻¹/√2, so the products come out grouped by dimension
        whiten[:, :dim] = inverse.transpose(1, 0, 2).reshape(dim * k, dim)
        whiten[:, dim] = -shifted_means.T.reshape(dim * k)
        self.whiten = whiten
        # log N = −D/2 log 2π − ½ log det Σ_k − ½ maha, and log det Σ_k = 2 Σ_d log (L_k)_dd:
        # the diagonal of a Cholesky factor is positive, so its log is defined and the 2 and the
        # −½ cancel to a single minus sign.
        log_det_half = np.log(np.diagonal(factors, axis1=1, axis2=2)).sum(axis=1)
        self.const = (log_weights - 0.5 * dim * _LOG_2PI - log_det_half)[:, None]  # (K, 1)
        block = gmm_block_size(X.shape[0])
        self.block = block
        self._points = np.empty((dim + 1, block))
        self._points[dim] = 1.0
        self._z = np.empty((dim * k, block))

    def fill(self, start: int, stop: int, out: np.ndarray) -> np.ndarray:
        """Write log π_k + log N(x_n; μ_k, Σ_k) for n in [start, stop) into ``out`` (K, stop − start)."""
        n = stop - start
        dim = self.dim
        points = self._points[:, :n]
        np.subtract(self.X[start:stop].T, self.center[:, None], out=points[:dim])
        z = np.matmul(self.whiten, points, out=self._z[:, :n])  # (D·K, n)
        # A point beyond ~1e154 standard deviations overflows to an infinite distance, i.e. a
        # log density of −inf: the exact limit, which the log-sum-exp then handles.
        with np.errstate(over="ignore"):
            np.square(z, out=z)
        np.add.reduce(z.reshape(dim, self.k, n), axis=0, out=out)  # ‖z_nk‖² = ½ maha
        np.subtract(self.const, out, out=out)
        return out


def normalise_block(a: np.ndarray, start: int, largest: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Log-sum-exp along the components, in place: a (K, n) of log π_k N_k becomes γ (K, n).

    Returns log p(x_n) = log Σ_k exp(a_kn) (n,), written into ``largest``.
    """
    # 1. the largest term of every column, so that exp never overflows and one term is exp(0)
    np.maximum.reduce(a, axis=0, out=largest)
    if not np.all(np.isfinite(largest)):
        bad = int(np.flatnonzero(~np.isfinite(largest))[0])
        raise ValueError(
            f"point {start + bad} is so far from every component that its density underflows to 0 "
            "under all of them; check the data and the parameters (or rescale the data)."
        )
    # 2. exp(a − max), the normalising sum, and γ = exp(a − max) / sum = exp(a − log-sum-exp)
    a -= largest
    np.exp(a, out=a)
    np.add.reduce(a, axis=0, out=sums)
    np.divide(1.0, sums, out=sums)
    a *= sums
    # 3. log p(x_n) = max + log sum (sums now holds 1 / sum, hence the minus sign)
    np.log(sums, out=sums)
    np.subtract(largest, sums, out=largest)
    return largest


def log_weighted_prob(X: np.ndarray, log_weights: np.ndarray, means: np.ndarray,
                      factors: np.ndarray) -> np.ndarray:
    """log π_k + log N(x_n; μ_k, Σ_k) for every point and component: (N, K) (column-major)."""
    kernel = LogProbKernel(X, log_weights, means, factors)
    storage = np.empty((means.shape[0], X.shape[0]))
    for start, stop in blocks(X.shape[0], kernel.block):
        kernel.fill(start, stop, storage[:, start:stop])
    return storage.T


def mixture_pass(
    X: np.ndarray,
    log_weights: np.ndarray,
    means: np.ndarray,
    factors: np.ndarray,
    resp: bool = False,
    log_density: bool = False,
) -> tuple[np.ndarray | None, np.ndarray | None, float]:
    """One blocked pass of the E step over X: (γ (N, K) or None, log p(x_n) (N,) or None, ℓ).

    γ_nk = π_k N_k / Σ_j π_j N_j by log-sum-exp; ℓ = Σ_n log p(x_n), summed block by block.
    γ is returned as the transpose of a (K, N) array (column k, all γ_nk, is contiguous).
    """
    n, k = X.shape[0], means.shape[0]
    kernel = LogProbKernel(X, log_weights, means, factors)
    storage = np.empty((k, n)) if resp else np.empty((k, kernel.block))
    densities = np.empty(n) if log_density else None
    largest = np.empty(kernel.block)
    sums = np.empty(kernel.block)
    total = 0.0
    for start, stop in blocks(n, kernel.block):
        m = stop - start
        a = kernel.fill(start, stop, storage[:, start:stop] if resp else storage[:, :m])
        log_p = normalise_block(a, start, largest[:m], sums[:m])
        total += float(log_p.sum())
        if densities is not None:
            densities[start:stop] = log_p
    return (storage.T if resp else None), densities, total


def bound_sum(X: np.ndarray, log_weights: np.ndarray, means: np.ndarray, factors: np.ndarray,
              q: np.ndarray) -> float:
    """Σ_n Σ_k q_nk [log π_k + log N(x_n; μ_k, Σ_k) − log q_nk], with 0·log 0 = 0.

    q : (N, K) checked probabilities.
    """
    k = means.shape[0]
    kernel = LogProbKernel(X, log_weights, means, factors)
    scratch = np.empty((k, kernel.block))
    log_q = np.empty((k, kernel.block))
    total = 0.0
    for start, stop in blocks(X.shape[0], kernel.block):
        m = stop - start
        a = kernel.fill(start, stop, scratch[:, :m])  # log π_k + log N_k
        q_block = q[start:stop].T
        held = q_block > 0.0
        # 0·log 0 = 0: only the entries with q_nk > 0 contribute (and there log q is finite);
        # q_nk > 0 where π_k N_k = 0 gives −inf, the true value of the bound.
        log_q[:, :m] = 0.0
        np.log(q_block, out=log_q[:, :m], where=held)
        with np.errstate(invalid="ignore"):
            a -= log_q[:, :m]
            a *= q_block
        total += float(np.sum(a, where=held))
    return total


def weighted_sums(X: np.ndarray, gamma: np.ndarray) -> tuple[np.ndarray, bool]:
    """Σ_n γ_nk [x_n, 1] for every component: ((K, D + 1), whether every γ was >= 0).

    X : (N, D); gamma : (K, N), one row per component. The last column is N_k.
    """
    n, dim = X.shape
    k = gamma.shape[0]
    block = gmm_block_size(n)
    sums = np.zeros((k, dim + 1))
    points = np.empty((dim + 1, block))
    points[dim] = 1.0
    valid = True
    for start, stop in blocks(n, block):
        g = gamma[:, start:stop]
        valid &= bool(g.min() >= 0.0)  # False for a negative entry or a NaN
        points[:dim, : stop - start] = X[start:stop].T
        sums += g @ points[:, : stop - start].T
    return sums, valid


def weighted_scatter(X: np.ndarray, gamma: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ for every component: (K, D, D), exactly symmetric.

    X : (N, D); gamma : (K, N); means : (K, D). Work arrays are (K, D, block).
    """
    n, dim = X.shape
    k = gamma.shape[0]
    block = gmm_block_size(n)
    points = np.empty((dim, block))
    scatter = np.zeros((k, dim, dim))
    product = np.empty((k, dim, dim))
    difference = np.empty((k, dim, block))
    weighted = np.empty((k, dim, block))
    for start, stop in blocks(n, block):
        m = stop - start
        x = points[:, :m]
        x[...] = X[start:stop].T  # the block's x_nd, one row per dimension
        d = np.subtract(x[None, :, :], means[:, :, None], out=difference[:, :, :m])  # x_n − μ_k
        w = np.multiply(d, gamma[:, None, start:stop], out=weighted[:, :, :m])  # γ_nk (x_n − μ_k)
        scatter += np.matmul(w, d.transpose(0, 2, 1), out=product)
    return 0.5 * (scatter + scatter.transpose(0, 2, 1))
