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
from scipy.linalg import solve_triangular

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


def nearest_centroid(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """argmin_k sum_d (x_nd - u_kd)^2 for every point, a tie going to the lowest k: (N,) intp.

    X : (N, D) checked float64; centroids : (K, D) checked float64. The squared distances are
    summed dimension by dimension in the order ``kmeans.objective`` uses, after an exact
    power-of-two scale, so an E step never raises J, not even by rounding.
    """
    n, dims = X.shape
    k = centroids.shape[0]
    block = min(n, KMEANS_BLOCK_POINTS)
    labels = np.empty(n, dtype=np.intp)

    scale = unit_scale(centroids)
    centroid_columns = [centroids[:, d, None] * scale for d in range(dims)]  # u_kd as (K, 1)

    # Work buffers, reused by every block.
    points = np.empty((dims, block))  # the block's x_nd, one row per dimension
    squared_distances = np.empty((k, block))  # ||x_n - u_k||^2
    difference = np.empty((k, block))
    smallest = np.empty(block)
    is_nearest = np.empty((k, block), dtype=bool)
    # Centroid j scores K - j where it is nearest, 0 elsewhere; the highest score per point is
    # then the lowest index among the nearest centroids (a branch-free argmin with ties to the
    # lowest index; np.argmin along a short axis is several times slower).
    score_type = np.min_scalar_type(k)
    reverse_index = (k - np.arange(k)).astype(score_type)[:, None]
    score = np.empty((k, block), dtype=score_type)

    for start, stop in blocks(n, block):
        size = stop - start
        x = points[:, :size]
        dist = squared_distances[:, :size]
        diff = difference[:, :size]
        np.multiply(X[start:stop].T, scale, out=x)
        # 1. ||x_n - u_k||^2 = sum_d (u_kd - x_nd)^2 for every centroid k and point n
        np.subtract(centroid_columns[0], x[0], out=dist)
        np.multiply(dist, dist, out=dist)
        for d in range(1, dims):
            np.subtract(centroid_columns[d], x[d], out=diff)
            np.multiply(diff, diff, out=diff)
            np.add(dist, diff, out=dist)
        # 2. the smallest squared distance of every point
        np.minimum.reduce(dist, axis=0, out=smallest[:size])
        # 3. the lowest index k attaining it
        np.equal(dist, smallest[:size], out=is_nearest[:, :size])
        np.multiply(is_nearest[:, :size], reverse_index, out=score[:, :size])
        labels[start:stop] = k - np.maximum.reduce(score[:, :size], axis=0)
    return labels


def sums_by_label(X: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """sum_n z_nk x_nd for every cluster k and dimension d: a (k, D) array.

    X : (N, D); labels : (N,) intp in 0..k-1. A block of points at a time (a column of X
    passed whole to np.bincount would be copied: N floats per dimension).
    """
    n, dims = X.shape
    sums = np.zeros((k, dims))
    for start, stop in blocks(n, KMEANS_BLOCK_POINTS):
        for d in range(dims):
            sums[:, d] += np.bincount(labels[start:stop], weights=X[start:stop, d], minlength=k)
    return sums


# --- Gaussian mixtures ----------------------------------------------------------------------


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
        identity = np.eye(dim)
        # L_k⁻¹ by a triangular solve of L_k Y = I (the factor's inverse, never Σ_k's).
        inverse = np.stack([solve_triangular(f, identity, lower=True) for f in factors])
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
