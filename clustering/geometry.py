"""Geometry for the figures: covariance ellipses, the mixture density on a grid, axis ranges.

Pure numpy (and clustering.gmm for the density); nothing here draws. The σ-convention: the
ellipse at ``n_sigma`` is the set of points x with (x − μ)ᵀ Σ⁻¹ (x − μ) = n_sigma², i.e. its
half-axes are n_sigma·√λ_i along the eigenvectors of Σ (from ``np.linalg.eigh``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from clustering import gmm
from clustering.constants import AXIS_MARGIN, ELLIPSE_EIGEN_RTOL, VERTICAL_DEGREES

__all__ = ["ellipse", "ellipse_axes", "mixture_density_grid", "axis_ranges"]



def _as_covariance(covariance: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending, >= 0) and eigenvectors (columns) of a symmetric PSD (2, 2) matrix."""
    covariance = np.asarray(covariance, dtype=np.float64)
    if covariance.shape != (2, 2):
        raise ValueError(f"covariance must be a (2, 2) matrix; got shape {covariance.shape}.")
    if not np.isfinite(covariance).all():
        raise ValueError("covariance contains NaN or infinite values.")
    scale = float(np.max(np.abs(covariance)))
    if abs(covariance[0, 1] - covariance[1, 0]) > 1e-8 * scale:
        raise ValueError(
            f"covariance must be symmetric: entry [0, 1] is {covariance[0, 1]:g} but entry "
            f"[1, 0] is {covariance[1, 0]:g}."
        )
    eigenvalues, eigenvectors = np.linalg.eigh(0.5 * (covariance + covariance.T))
    if eigenvalues[0] < -ELLIPSE_EIGEN_RTOL * max(scale, np.finfo(float).tiny):
        raise ValueError(
            f"covariance must be positive semi-definite; its smallest eigenvalue is {eigenvalues[0]:.3g}."
        )
    return np.maximum(eigenvalues, 0.0), eigenvectors


def _check_n_sigma(n_sigma: float) -> float:
    value = float(n_sigma)
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"n_sigma must be a positive number; got {n_sigma!r}.")
    return value




def _principal_axes(covariance: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(λ_major, λ_minor), the unit major axis u and the minor axis w = u turned by +90°.

    u is the eigenvector of the largest eigenvalue (``np.linalg.eigh``) with its sign chosen so
    that its angle lies in (−90°, 90°]; for a circle, u = (1, 0).
    """
    eigenvalues, eigenvectors = _as_covariance(covariance)
    eigenvalues = eigenvalues[::-1]  # eigh sorts ascending: major first
    if eigenvalues[0] - eigenvalues[1] <= 1e-12 * eigenvalues[0]:
        major = np.array([1.0, 0.0])  # a circle (or a point): every direction is an axis
    else:
        major = eigenvectors[:, 1]
        # an axis has no sign: keep the direction whose angle lies in (−90°, 90°], judged on the
        # angle itself (a vertical axis with an x part of 1e-22 has an angle of exactly ±90°)
        angle = math.degrees(math.atan2(major[1], major[0]))
        if angle <= -90.0 + VERTICAL_DEGREES or angle > 90.0 + VERTICAL_DEGREES:
            major = -major
    minor = np.array([-major[1], major[0]])
    return eigenvalues, major, minor


def ellipse_axes(covariance: ArrayLike, n_sigma: float = 1.0) -> tuple[np.ndarray, float]:
    """Half-axes and orientation of the n_sigma ellipse of a 2-D covariance.

    covariance : (2, 2) symmetric positive semi-definite.
    Returns (half_lengths (2,), angle): half_lengths = n_sigma·√λ, major first; angle is the
    direction of the major axis in degrees from the x axis, in (−90, 90] (0 for a circle).
    """
    n_sigma = _check_n_sigma(n_sigma)
    eigenvalues, major, _ = _principal_axes(covariance)
    angle = math.degrees(math.atan2(major[1], major[0]))
    if abs(abs(angle) - 90.0) <= VERTICAL_DEGREES:
        angle = 90.0  # vertical, up to rounding
    return n_sigma * np.sqrt(eigenvalues), angle


def ellipse(
    mean: ArrayLike,
    covariance: ArrayLike,
    n_sigma: float = 1.0,
    n_points: int = 100,
) -> np.ndarray:
    """Outline of the n_sigma ellipse {x : (x − μ)ᵀ Σ⁻¹ (x − μ) = n_sigma²}: an (n_points, 2) array.

    mean : (2,); covariance : (2, 2) symmetric positive semi-definite (a singular one gives a
    segment). With λ_1 >= λ_2 and unit eigenvectors u, w from ``np.linalg.eigh`` (u as in
    :func:`ellipse_axes`, w = u turned by +90°), the outline is
    x(t) = μ + n_sigma (√λ_1 cos t · u + √λ_2 sin t · w) for t from 0 to 2π: it starts at the
    end of the major axis, runs anticlockwise, and its first and last points coincide.
    """
    mean = np.asarray(mean, dtype=np.float64)
    if mean.shape != (2,) or not np.isfinite(mean).all():
        raise ValueError(f"mean must be 2 finite numbers; got shape {mean.shape}.")
    n_sigma = _check_n_sigma(n_sigma)
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or n_points < 3:
        raise ValueError(f"n_points must be a whole number of at least 3; got {n_points!r}.")
    eigenvalues, major, minor = _principal_axes(covariance)
    t = np.linspace(0.0, 2.0 * math.pi, int(n_points))
    t[-1] = 0.0  # so that the last point is the first one exactly
    half_major, half_minor = n_sigma * np.sqrt(eigenvalues)
    # scale the unit circle by the half-axes, then rotate it onto the eigenvectors
    return mean + np.outer(half_major * np.cos(t), major) + np.outer(half_minor * np.sin(t), minor)


def mixture_density_grid(
    params: gmm.GMMParams,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    resolution: int = 100,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mixture density p(x) = Σ_k π_k N(x; μ_k, Σ_k) on a regular grid.

    params : a 2-D GMMParams; x_range, y_range : (low, high); resolution : grid points per axis.
    Returns (xs (nx,), ys (ny,), density (ny, nx)) with density[i, j] = p((xs[j], ys[i])), the
    layout of a contour or heatmap's z. Computed as exp of gmm.log_density (log space).
    """
    if not isinstance(params, gmm.GMMParams) or params.dim != 2:
        raise ValueError("params must be a GMMParams of a 2-D mixture.")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution must be a whole number of at least 2; got {resolution!r}.")
    axes = []
    for name, (low, high) in (("x_range", x_range), ("y_range", y_range)):
        low, high = float(low), float(high)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"{name} must be two finite numbers (low, high) with low < high; got {(low, high)}.")
        axes.append(np.linspace(low, high, int(resolution)))
    xs, ys = axes
    grid_x, grid_y = np.meshgrid(xs, ys)  # (ny, nx) each
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    density = np.exp(gmm.log_density(points, params)).reshape(ys.size, xs.size)
    return xs, ys, density


def axis_ranges(X: ArrayLike, margin: float = AXIS_MARGIN) -> tuple[tuple[float, float], tuple[float, float]]:
    """Fixed axis ranges for a figure of the points X, so that nothing jumps between steps.

    X : (N, 2) array. Each axis spans the data plus ``margin`` times the larger of the two data
    spans on both sides (the same padding on both axes, as suits an equal-scale plot). An axis
    with no spread (one point, or points on a horizontal or vertical line) gets the other axis's
    span, or 1 if both are 0, centred on the data, so that every range has positive width.
    Returns ((x_low, x_high), (y_low, y_high)).
    """
    points = np.asarray(X, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] == 0:
        raise ValueError(f"X must be an (N, 2) array with N >= 1; got shape {points.shape}.")
    if not np.isfinite(points).all():
        raise ValueError("X contains NaN or infinite values; remove those rows first.")
    margin = float(margin)
    if not (math.isfinite(margin) and margin >= 0.0):
        raise ValueError(f"margin must be a number >= 0; got {margin!r}.")
    low = points.min(axis=0)
    high = points.max(axis=0)
    spans = high - low
    largest = float(spans.max())
    if largest <= 0.0:
        largest = 1.0
    pad = margin * largest
    ranges = []
    for d in range(2):
        lo, hi = float(low[d]), float(high[d])
        if not hi > lo:
            centre = 0.5 * (lo + hi)
            lo, hi = centre - 0.5 * largest, centre + 0.5 * largest
            if not hi > lo:  # the span is below the resolution of floats at this magnitude
                lo, hi = float(np.nextafter(lo, -np.inf)), float(np.nextafter(hi, np.inf))
        ranges.append((lo - pad, hi + pad))
    return ranges[0], ranges[1]
