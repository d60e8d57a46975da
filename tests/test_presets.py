"""Bad starts: each preset ends badly when run to convergence, on the data sets it is made for."""

from __future__ import annotations

import numpy as np
import pytest

from clustering import datasets, kmeans, presets, restarts


@pytest.mark.parametrize("seed", range(4))
def test_two_in_one_cluster_keeps_two_centroids_in_one_blob(seed):
    data = datasets.make("blobs", seed=seed)
    start = presets.two_in_one_cluster(data.X, data.labels)
    assert start.shape == (3, 2)
    # at the start: the first two centroids sit in the same true blob, no centroid in another
    nearest_blob = [np.argmin([np.linalg.norm(data.X[data.labels == b].mean(axis=0) - c)
                               for b in range(3)]) for c in start]
    assert nearest_blob[0] == nearest_blob[1] and len(set(nearest_blob)) == 2
    final, labels, objective, _, converged = restarts.run_to_convergence(data.X, start)
    assert converged
    blob_of = [set(np.unique(data.labels[labels == k])) for k in range(3)]
    assert blob_of[0] == blob_of[1] and len(blob_of[0]) == 1  # still split in two
    assert len(blob_of[2]) == 2  # one centroid covers two blobs
    best = restarts.best_of_restarts(data.X, 3, "kmeans++", n=5).best_objective
    assert objective > 2 * best


@pytest.mark.parametrize(("n", "seed", "standardize"),
                         [(None, 0, False), (None, 1, False), (None, 2, True), (2000, 0, False)])
def test_mouse_start_ends_with_the_head_split(n, seed, standardize):
    data = datasets.make("mouse", n=n, seed=seed)
    X = datasets.standardize(data.X) if standardize else data.X
    start = presets.mouse_split_head(X, data.labels)
    assert start.shape == (3, 2)
    head = data.labels == "Head"
    assert np.all(kmeans.assign(start[:2], start) == [0, 1])
    _, labels, _, _, converged = restarts.run_to_convergence(X, start)
    assert converged
    shares = np.bincount(labels[head], minlength=3) / head.sum()
    assert shares[0] >= 0.25 and shares[1] >= 0.25, shares  # the head is cut in two
    assert not np.any(labels == 2)  # the third centroid never gets a point
    ears = [np.bincount(labels[data.labels == ear]).argmax() for ear in ("Ear_left", "Ear_right")]
    assert ears[0] != ears[1]  # each half of the head joined by one ear


def test_one_corner_puts_every_centroid_near_the_lower_left_corner():
    X = datasets.make("uniform", seed=0).X
    start = presets.one_corner(X, 5)
    low, span = X.min(axis=0), X.max(axis=0) - X.min(axis=0)
    assert start.shape == (5, 2)
    assert np.all(start >= low) and np.all(start <= low + 0.1 * span)
    assert len({tuple(c) for c in start}) == 5  # no two coincide


def test_presets_need_true_labels_and_say_so():
    X = datasets.make("old-faithful").X
    with pytest.raises(ValueError, match="needs the true cluster of every point"):
        presets.two_in_one_cluster(X, None)
    with pytest.raises(ValueError, match="There is no preset named 'nope'"):
        presets.get("nope")
    assert presets.centroids_for("corner", X, 2).shape == (2, 2)
