"""Bad starts for K-means: the classic ways a poor initialization ends in a poor answer.

Each preset is a pure function of the data that returns the initial centroids, a (K, D)
array; the K-means page loads them as a manual start in one click, so a student sees the
failure happen step by step (and can edit the start afterwards).

- ``two_in_one_cluster``: two centroids in one true cluster and none in another. Lloyd's
  algorithm only moves a centroid towards points it already owns, so the two centroids split
  their cluster while one centroid is left to cover two true clusters.
- ``one_corner``: every centroid in one corner of the data's bounding box.
- ``mouse_split_head``: the mouse set with K = 3, two centroids in the head and the third far
  below it; the third cluster stays empty and K-means ends with the head cut in two.

Example (a notebook)::

    from clustering import datasets, presets
    data = datasets.make("blobs", seed=0)
    centroids = presets.two_in_one_cluster(data.X, data.labels)    # (3, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clustering.constants import PRESET_SEARCH_POINTS


@dataclass(frozen=True)
class Preset:
    """A bad start the K-means page offers as one button.

    name : short key (used in code and tests)
    label : the button's text
    dataset : the data set it is made for (loaded by the page when another is active), or
        None when it works on any data
    k : the number of clusters it needs, or None to keep the page's K
    lesson : one or two sentences on what to watch for
    """

    name: str
    label: str
    dataset: str | None
    k: int | None
    lesson: str


PRESETS: tuple[Preset, ...] = (
    Preset(
        "two-in-one", "Two centroids in one blob", "blobs", 3,
        "Two centroids start in the same blob and none in another: the two split their blob, "
        "and one centroid is left to cover two blobs. Each step lowers J, yet the end is poor.",
    ),
    Preset(
        "corner", "All centroids in one corner", None, None,
        "Every centroid starts in the bottom-left corner: watch them fan out over many "
        "iterations, and see whether they find the clusters.",
    ),
    Preset(
        "mouse-head", "Mouse: split the head", "mouse", 3,
        "Two centroids start in the mouse's head and the third far below it, where no point is "
        "nearest: its cluster stays empty, so the other two share the mouse and K-means "
        "converges with the head cut in two, each half joined to an ear.",
    ),
)

PRESET_NAMES = tuple(preset.name for preset in PRESETS)


def get(name: str) -> Preset:
    """The preset called ``name``; ValueError with the known names otherwise."""
    for preset in PRESETS:
        if preset.name == name:
            return preset
    raise ValueError(f"There is no preset named {name!r}; choose one of {', '.join(PRESET_NAMES)}.")


# --------------------------------------------------------------------------------------
# The starts
# --------------------------------------------------------------------------------------



def _groups(X: np.ndarray, true_labels, at_least: int, what: str) -> list[np.ndarray]:
    """A boolean mask of every true cluster (largest first; ties in label order)."""
    if true_labels is None:
        raise ValueError(f"{what} needs the true cluster of every point; this data set has none.")
    true_labels = np.asarray(true_labels)
    if true_labels.shape != (X.shape[0],):
        raise ValueError(
            f"true_labels must give one label per point: {X.shape[0]} points, "
            f"labels of shape {true_labels.shape}."
        )
    values, counts = np.unique(true_labels, return_counts=True)
    if len(values) < at_least:
        raise ValueError(f"{what} needs at least {at_least} true clusters; this data set has {len(values)}.")
    order = np.argsort(-counts, kind="stable")
    return [true_labels == values[j] for j in order]


def _principal_axis(points: np.ndarray) -> tuple[np.ndarray, float]:
    """The unit direction of largest spread of ``points`` and the standard deviation along it."""
    if points.shape[0] < 2:
        return np.eye(points.shape[1])[0], 0.0
    covariance = np.atleast_2d(np.cov(points, rowvar=False))
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)  # ascending
    return eigenvectors[:, -1], float(np.sqrt(max(eigenvalues[-1], 0.0)))


def _search_sample(n: int) -> np.ndarray:
    """Indices of the points the search runs on (all of them up to PRESET_SEARCH_POINTS)."""
    if n <= PRESET_SEARCH_POINTS:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size=PRESET_SEARCH_POINTS, replace=False))


def _split_share(labels: np.ndarray, members: np.ndarray, a: int, b: int) -> float:
    """The smaller of the shares of the ``members`` points that end in cluster a and in b."""
    own = labels[members]
    if own.size == 0:
        return 0.0
    return float(min(np.mean(own == a), np.mean(own == b)))


def two_in_one_cluster(X: np.ndarray, true_labels) -> np.ndarray:
    """Two centroids in one true cluster, none in another, one in each of the rest.

    X : (N, D) points; true_labels : (N,) the true cluster of each point (at least 3 clusters).
    Returns (K, D) centroids with K = the number of true clusters; the first two are the
    pair placed in one cluster (either side of its mean, half a standard deviation along its
    widest direction), the others sit at the means of the other clusters but one.

    Which cluster gets two centroids and which gets none is chosen so that the start stays
    bad: every choice is run to convergence, and among those that end with the doubled
    cluster still cut in two (each centroid keeping at least a fifth of it) the one with the
    highest final J is returned. (When no choice stays bad, e.g. when the blobs overlap a
    lot, the choice with the highest final J is returned.)
    """
    from clustering.restarts import run_to_convergence

    X = np.asarray(X, dtype=float)
    masks = _groups(X, true_labels, 3, "The two-centroids-in-one-cluster start")
    means = np.array([X[mask].mean(axis=0) for mask in masks])
    k = len(masks)
    sample = _search_sample(X.shape[0])
    best_key, best = None, None
    for doubled in range(k):
        axis, spread = _principal_axis(X[masks[doubled]])
        offset = 0.5 * max(spread, 1e-9) * axis
        for empty in range(k):
            if empty == doubled:
                continue
            start = np.array(
                [means[doubled] - offset, means[doubled] + offset]
                + [means[j] for j in range(k) if j not in (doubled, empty)]
            )
            _, labels, objective, _, _ = run_to_convergence(X[sample], start)
            stays_bad = _split_share(labels, masks[doubled][sample], 0, 1) >= 0.2
            key = (stays_bad, objective)
            if best_key is None or key > best_key:
                best_key, best = key, start
    return best


def one_corner(X: np.ndarray, k: int) -> np.ndarray:
    """k centroids close together in the bottom-left corner of the data's bounding box.

    X : (N, D) points (the first two coordinates define the corner); returns (k, D).
    The centroids lie on a small arc (radius 6 % of the box) so that no two coincide.
    """
    X = np.asarray(X, dtype=float)
    if k < 1:
        raise ValueError(f"k must be at least 1; got {k}.")
    low = X.min(axis=0)
    span = np.maximum(X.max(axis=0) - low, 1e-9)
    angles = 0.5 * np.pi * (np.arange(k) + 0.5) / k
    centroids = np.tile(low, (k, 1)).astype(float)
    centroids[:, 0] += span[0] * (0.02 + 0.06 * np.cos(angles))
    if X.shape[1] > 1:
        centroids[:, 1] += span[1] * (0.02 + 0.06 * np.sin(angles))
    return centroids


def mouse_split_head(X: np.ndarray, true_labels) -> np.ndarray:
    """The mouse with K = 3: two centroids in the head, the third far below the mouse.

    X : (N, 2) points of the mouse set; true_labels : their true parts (the head is the
    largest part, the ears the next two). Returns (3, 2) centroids: the head's mean plus and
    minus a fraction of its standard deviation along the line joining the ears, and a point
    below the head, on the side away from the ears, where no point is nearest.

    The third cluster stays empty from the first E step on, so its centroid stays where it
    was, and the other two share the whole mouse: K-means ends with the head cut in two,
    each half joined to one ear. (With three live centroids the mouse has essentially one
    local minimum, the ears eating the sides of the head; a start that keeps the head cut in
    two needs a centroid that takes part in nothing.) Several distances and offsets are run
    to convergence; the first that keeps the third cluster empty and the head most evenly cut
    is returned.
    """
    from clustering.restarts import run_to_convergence

    X = np.asarray(X, dtype=float)
    head_mask, ear_a_mask, ear_b_mask = _groups(X, true_labels, 3, "The mouse start")[:3]
    head = X[head_mask]
    ear_a_mean, ear_b_mean = X[ear_a_mask].mean(axis=0), X[ear_b_mask].mean(axis=0)
    across = ear_b_mean - ear_a_mean
    across = across / max(float(np.linalg.norm(across)), 1e-12)
    head_mean = head.mean(axis=0)
    spread = float(np.std((head - head_mean) @ across))
    # "down": from the ears towards the head, at right angles to the line joining the ears
    down = head_mean - 0.5 * (ear_a_mean + ear_b_mean)
    down = down - (down @ across) * across
    norm = float(np.linalg.norm(down))
    down = down / norm if norm > 1e-12 else np.array([0.0, -1.0])
    size = float(np.max(X.max(axis=0) - X.min(axis=0)))
    lowest = float(np.max((X - head_mean) @ down))  # how far the data reaches below the head

    sample = _search_sample(X.shape[0])
    best_key, best = None, None
    for distance in (0.4, 0.5, 0.6, 0.75, 1.0):
        for fraction in (0.6, 0.9):
            offset = fraction * spread * across
            far = head_mean + (lowest + distance * size) * down
            start = np.array([head_mean - offset, head_mean + offset, far])
            _, labels, _, _, _ = run_to_convergence(X[sample], start)
            third_empty = not np.any(labels == 2)
            key = (third_empty, round(_split_share(labels, head_mask[sample], 0, 1), 2), -distance)
            if best_key is None or key > best_key:
                best_key, best = key, start
    return best


def centroids_for(name: str, X: np.ndarray, k: int, true_labels=None) -> np.ndarray:
    """The start of preset ``name`` on X (``k`` is used by presets that keep the page's K)."""
    preset = get(name)
    if preset.name == "two-in-one":
        return two_in_one_cluster(X, true_labels)
    if preset.name == "corner":
        return one_corner(X, k)
    return mouse_split_head(X, true_labels)
