"""Nearest-centroid regions: they tile the box and agree with kmeans.assign."""

from __future__ import annotations

import numpy as np
import pytest

from clustering import kmeans, voronoi


def area(polygon: np.ndarray) -> float:
    if len(polygon) < 3:
        return 0.0
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


@pytest.mark.parametrize("k", [1, 2, 3, 7, 20])
def test_regions_tile_the_box_and_match_assign(k):
    rng = np.random.default_rng(k)
    centroids = rng.uniform(-1, 3, size=(k, 2))
    cells = voronoi.regions(centroids, (0, 2), (-1, 1))
    assert len(cells) == k
    assert sum(area(cell) for cell in cells) == pytest.approx(4.0)
    points = rng.uniform((0, -1), (2, 1), size=(4000, 2))
    labels = kmeans.assign(points, centroids)
    for j, cell in enumerate(cells):
        if len(cell) == 0:
            assert not np.any(labels == j)
            continue
        # a point well inside region j (its centre of mass) is assigned to j
        centre = cell.mean(axis=0)
        assert kmeans.assign(centre[None, :], centroids)[0] == j
        assert np.mean(labels == j) == pytest.approx(area(cell) / 4.0, abs=0.04)


def test_a_duplicate_centroid_has_no_region():
    cells = voronoi.regions(np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]), (-1, 2), (-1, 2))
    assert len(cells[2]) == 0 and len(cells[0]) >= 3
