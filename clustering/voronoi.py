"""Nearest-centroid regions (the Voronoi cells of the centroids), clipped to a box.

The E step gives every point to its nearest centroid, so the plane is cut into K convex
regions: region k holds every x with ‖x − u_k‖² ≤ ‖x − u_j‖² for all j. Each inequality is a
half-plane, 2 (u_j − u_k)·x ≤ ‖u_j‖² − ‖u_k‖², so a region is the box cut by K − 1 half-planes
(Sutherland–Hodgman clipping). A tie goes to the lowest index, as in ``kmeans.assign``: a
centroid that coincides with one of lower index has an empty region.

Example (a notebook)::

    from clustering import voronoi
    cells = voronoi.regions(centroids, (0, 1), (0, 1))   # K polygons, (M_k, 2) arrays
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _clip(polygon: np.ndarray, normal: np.ndarray, offset: float) -> np.ndarray:
    """The part of a convex polygon (M, 2) where normal · x ≤ offset."""
    if polygon.shape[0] == 0:
        return polygon
    values = polygon @ normal - offset
    kept = []
    count = polygon.shape[0]
    for i in range(count):
        current, following = polygon[i], polygon[(i + 1) % count]
        v_current, v_following = values[i], values[(i + 1) % count]
        if v_current <= 0:
            kept.append(current)
        if (v_current < 0 < v_following) or (v_following < 0 < v_current):
            t = v_current / (v_current - v_following)
            kept.append(current + t * (following - current))
    return np.array(kept) if kept else np.empty((0, 2))


def regions(
    centroids: np.ndarray, x_range: Sequence[float], y_range: Sequence[float]
) -> list[np.ndarray]:
    """The region of every centroid inside the box x_range × y_range.

    centroids : (K, 2) array. Returns K arrays of polygon corners (M_k, 2), counter-clockwise
    as the box; an empty (0, 2) array for a centroid that no point of the box is nearest to.
    """
    centroids = np.asarray(centroids, dtype=float)
    box = np.array([
        [x_range[0], y_range[0]], [x_range[1], y_range[0]],
        [x_range[1], y_range[1]], [x_range[0], y_range[1]],
    ], dtype=float)
    cells = []
    for k, u_k in enumerate(centroids):
        polygon = box
        for j, u_j in enumerate(centroids):
            if j == k:
                continue
            if np.array_equal(u_j, u_k):
                if j < k:  # the tie goes to the lower index: nothing is left for k
                    polygon = np.empty((0, 2))
                    break
                continue
            # ‖x − u_k‖² ≤ ‖x − u_j‖²  ⇔  2 (u_j − u_k) · x ≤ ‖u_j‖² − ‖u_k‖²
            polygon = _clip(polygon, 2.0 * (u_j - u_k), float(u_j @ u_j - u_k @ u_k))
            if polygon.shape[0] == 0:
                break
        cells.append(polygon if polygon.shape[0] >= 3 else np.empty((0, 2)))
    return cells
