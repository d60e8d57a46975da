"""Lloyd's algorithm on a line, next to the exact optimum of :mod:`clustering.exact1d`.

On 1-D data K-means is the one case the lecture solves exactly: sort the points; every cluster
of an optimal partition is then a contiguous run of the sorted points, so dynamic programming
over the K − 1 split points finds the global minimum of J in O(K N²). Lloyd's algorithm (E
step, M step, repeat) only finds a *local* minimum, and which one depends on the start. This
module runs Lloyd on 1-D points (with :mod:`clustering.kmeans`'s own steps) and holds the
small data sets the Exact 1-D optimum page offers, among them one where Lloyd is stuck.

numpy only; every function is pure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clustering import kmeans, stepper
from clustering.constants import MAX_ITER
from clustering.io import parse_coordinates


@dataclass(frozen=True, eq=False)
class LloydResult:
    """Where Lloyd's algorithm ended on 1-D points.

    centroids : (K,) final centroids, in the order of the start (cluster k started at start[k])
    labels : (N,) the cluster of each point at the end
    objective : J = Σ_n (x_n − u_{z_n})²
    iterations : the number of E step + M step rounds taken
    converged : True when an E step changed no label (so the M step moved nothing)
    emptied : the clusters that had no point at some step (they kept their centroid)
    path : (iterations + 1, K) centroids after each round, the start first
    """

    centroids: np.ndarray
    labels: np.ndarray
    objective: float
    iterations: int
    converged: bool
    emptied: tuple[int, ...]
    path: np.ndarray


def as_line(x: object, name: str = "x") -> np.ndarray:
    """``x`` as an (N,) float array of finite numbers with N ≥ 1, or a plain ValueError."""
    try:
        values = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"The points {name} must be numbers.") from None
    if values.ndim != 1:
        values = values.reshape(-1) if values.ndim == 2 and 1 in values.shape else values
    if values.ndim != 1:
        raise ValueError(f"The points {name} must be one number each (a 1-D array); got shape {values.shape}.")
    if values.size == 0:
        raise ValueError("There are no points on the line.")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"The points {name} must be finite numbers; remove the missing or infinite ones.")
    return values


def check_k(x: np.ndarray, k: int) -> int:
    """k, after checking 1 ≤ k ≤ the number of distinct values of x (plain ValueError otherwise)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"K must be a whole number of at least 1; it is {k!r}.")
    distinct = int(np.unique(x).size)
    if k > distinct:
        raise ValueError(
            f"K = {k} is more than the {distinct} distinct value{'s' if distinct != 1 else ''} on "
            f"the line, so some cluster would have to be empty; choose K of at most {distinct}."
        )
    return int(k)


def lloyd_1d(x: object, start: object, max_iter: int = MAX_ITER) -> LloydResult:
    """Lloyd's algorithm from ``start`` until an M step moves no centroid (or ``max_iter`` rounds).

    x : (N,) points; start : (K,) initial centroids u_1..u_K.
    The rounds are the stepper's own "Run to convergence" (:func:`clustering.stepper.step`
    with :func:`clustering.kmeans.assign` and :func:`clustering.kmeans.update`; an empty
    cluster keeps its centroid). The last M step of a converged run moves nothing, so it is
    not counted as a round and not repeated in ``path``.
    """
    points = as_line(x)[:, None]
    centroids = as_line(start, "start")[:, None]
    k = centroids.shape[0]
    run = stepper.step(stepper.new_kmeans_run(centroids, max_iter=max_iter),
                       stepper.RunToConvergence(), points)
    converged = run.stop_reason == "converged"
    moves = [s.params for s in run.history if s.kind == "M"]
    if converged:
        moves = moves[:-1]  # the M step that confirmed convergence left every centroid in place
    path = np.array([centroids[:, 0]] + [m[:, 0] for m in moves])
    emptied: set[int] = set()
    for snapshot in run.history:
        if snapshot.kind == "E":
            emptied.update(kmeans.empty_clusters(kmeans.assign(points, snapshot.params), k))
    final = run.current.params
    labels = kmeans.assign(points, final)
    return LloydResult(
        centroids=final[:, 0].copy(),
        labels=labels,
        objective=kmeans.objective(points, final, labels),
        iterations=len(moves),
        converged=converged,
        emptied=tuple(sorted(emptied)),
        path=path,
    )


def in_ascending_order(centroids: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same partition with clusters renumbered from left to right (by centroid).

    Returns (centroids ascending, labels renumbered), so that cluster 0 is the leftmost in
    every row of a figure and a colour means the same place on the line.
    """
    centroids = np.asarray(centroids, dtype=float)
    order = np.argsort(centroids, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return centroids[order], rank[np.asarray(labels)]


def parse_positions(text: str, k: int) -> np.ndarray:
    """The K start positions a person typed ("-1, 0.5, 6") as a (K,) array, or a plain ValueError."""
    return parse_coordinates(text, dim=1, k=k, what="start position")[:, 0]


# --------------------------------------------------------------------------------------
# The page's data sets
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LinePreset:
    """A 1-D data set for the Exact 1-D optimum page.

    title : the menu entry; lesson : one or two sentences on what to look at
    x : (N,) the points; k : the K it is made for; start : (k,) a start for Lloyd, or None
    """

    title: str
    lesson: str
    x: np.ndarray
    k: int
    start: np.ndarray | None = None


def _groups(centres, spreads, sizes, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    parts = [rng.normal(c, s, size) for c, s, size in zip(centres, spreads, sizes, strict=True)]
    return np.round(np.concatenate(parts), 3)


def line_presets() -> dict[str, LinePreset]:
    """The page's data sets, in menu order (built fresh: callers may not modify them)."""
    three = _groups((0.0, 4.0, 8.0), (0.4, 0.4, 0.4), (20, 20, 20), seed=7)
    return {
        "stuck": LinePreset(
            "Lloyd gets stuck",
            "Two start centroids sit in the left group and one sits between the other two groups. "
            "Lloyd splits the left group and never separates the other two: every step keeps J "
            "falling, yet it stops far above the optimum.",
            _groups((0.0, 6.0, 9.0), (0.4, 0.4, 0.4), (20, 20, 20), seed=7), 3,
            np.array([-0.5, 0.5, 7.5]),
        ),
        "three-groups": LinePreset(
            "Three groups on a line",
            "Three clear groups. From most random starts Lloyd finds them; try a few seeds and "
            "watch for one where it does not.",
            three, 3, None,
        ),
        "uneven": LinePreset(
            "A wide group and a tight one",
            "A wide group of 60 points and a tight group of 8 far to the right, with K = 3. The "
            "optimum splits the wide group in two; from most random starts Lloyd stops a little "
            "above it: a small gap, but a gap.",
            _groups((0.0, 9.0), (1.5, 0.3), (60, 8), seed=3), 3, None,
        ),
    }


def column_points(X: np.ndarray, column: int, limit: int, seed: int = 0) -> tuple[np.ndarray, str | None]:
    """One coordinate of 2-D points as 1-D data, at most ``limit`` of them.

    Returns (x, note): beyond ``limit`` points a fixed random sample is taken (the exact
    optimum costs O(K N²)), and the note says so; otherwise the note is None.
    """
    X = np.asarray(X, dtype=float)
    x = X[:, column]
    x = x[np.isfinite(x)]
    if x.size <= limit:
        return x, None
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(x.size, size=limit, replace=False))
    note = (
        f"The active data set has {x.size:,} points; the exact optimum takes time that grows like "
        f"N², so a fixed random sample of {limit:,} of them is used here."
    )
    return x[chosen], note
