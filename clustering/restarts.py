"""Best of n restarts: run K-means to convergence from n random starts and keep the lowest J.

Lloyd's algorithm only finds a local minimum of J, and which one depends on the start. The
usual remedy is to run it from several starts (restart i uses seed ``seed + i``) and keep the
run with the lowest final J. The loop is the stepper's "Run to convergence" itself
(E step, M step, stop when the M step leaves every centroid where it was), so the final J of
restart i equals the final J of the page's run with that seed, to the last bit.

Example (a notebook)::

    from clustering import datasets, restarts
    X = datasets.make("blobs", seed=1).X
    result = restarts.best_of_restarts(X, 3, "random", n=20, seed=0)
    result.best_seed, result.final_objectives.min()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from clustering import kmeans, stepper
from clustering.constants import DEFAULT_RESTARTS, DEFAULT_SEED, MAX_ITER


@dataclass(frozen=True, eq=False)
class Restarts:
    """The outcome of n restarts of one initialization method.

    method : the init method (see kmeans.init_centroids)
    seeds : (n,) seed of every restart (seed, seed + 1, ...)
    starts : (n, K, D) initial centroids of every restart
    final_centroids : (n, K, D) centroids at convergence
    final_objectives : (n,) J at convergence
    iterations : (n,) iterations (M steps) each restart took
    converged : (n,) False where a restart hit the iteration cap
    """

    method: str
    seeds: np.ndarray
    starts: np.ndarray
    final_centroids: np.ndarray
    final_objectives: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray

    @property
    def n(self) -> int:
        return int(self.seeds.shape[0])

    @property
    def k(self) -> int:
        return int(self.starts.shape[1])

    @property
    def best(self) -> int:
        """Index of the restart with the lowest final J (the first one on a tie)."""
        return int(np.argmin(self.final_objectives))

    @property
    def best_seed(self) -> int:
        return int(self.seeds[self.best])

    @property
    def best_objective(self) -> float:
        return float(self.final_objectives[self.best])


def run_to_convergence(
    X: np.ndarray, centroids: np.ndarray, max_iter: int = MAX_ITER
) -> tuple[np.ndarray, np.ndarray, float, int, bool]:
    """Lloyd's algorithm from ``centroids`` (K, D) until an M step moves no centroid.

    Returns (centroids (K, D), labels (N,), J, iterations, converged).
    """
    run = stepper.step(stepper.new_kmeans_run(centroids, max_iter=max_iter),
                       stepper.RunToConvergence(), X)
    final = run.current.params
    # the assignment of the last E step (before any step: the start's own)
    labels = kmeans.assign(X, run.history[-2].params if len(run.history) > 1 else final)
    return (np.array(final), labels, kmeans.objective(X, final, labels), run.current.iteration,
            run.stop_reason == "converged")


def best_of_restarts(
    X: np.ndarray,
    k: int,
    method: str = "kmeans++",
    n: int = DEFAULT_RESTARTS,
    seed: int = DEFAULT_SEED,
    max_iter: int = MAX_ITER,
    progress: Callable[[int, int], None] | None = None,
) -> Restarts:
    """Run K-means to convergence from ``n`` starts of ``method`` (seeds seed, ..., seed + n − 1).

    X : (N, D) points; k : clusters; progress : called as progress(done, n) after each restart.
    Returns a :class:`Restarts` (the best one is ``result.best``).
    """
    if n < 1:
        raise ValueError(f"The number of restarts must be at least 1; got {n}.")
    X = np.asarray(X, dtype=float)
    seeds = np.arange(seed, seed + n, dtype=np.int64)
    starts, finals, objectives, iterations, converged = [], [], [], [], []
    for done, restart_seed in enumerate(seeds, start=1):
        start = kmeans.init_centroids(X, k, method, seed=int(restart_seed))
        final, _, objective, iteration, ok = run_to_convergence(X, start, max_iter)
        starts.append(start)
        finals.append(final)
        objectives.append(objective)
        iterations.append(iteration)
        converged.append(ok)
        if progress is not None:
            progress(done, n)
    return Restarts(
        method=method,
        seeds=seeds,
        starts=np.array(starts),
        final_centroids=np.array(finals),
        final_objectives=np.array(objectives),
        iterations=np.array(iterations),
        converged=np.array(converged),
    )
