"""Memory of a run's history: 200 half-steps at N = 100,000, K = 10 (issue 3's target: < 1 MB).

A run stores parameters only (centroids, or π, μ, Σ), so its size does not grow with N.
Prints the deep size of the K-means and EM histories, measured two ways: by summing the
snapshots' array buffers, and by tracemalloc around building the history (less the data).

    python bench/bench_history.py
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clustering import datasets, gmm, kmeans, stepper  # noqa: E402


def buffers(run: stepper.Run) -> int:
    """Bytes of every parameter array the history holds (each buffer once)."""
    seen, total = set(), 0
    for snapshot in run.history:
        params = snapshot.params
        arrays = [params] if isinstance(params, np.ndarray) else [params.weights, params.means, params.covariances]
        for array in arrays:
            base = array if array.base is None else array.base
            if id(base) not in seen:
                seen.add(id(base))
                total += base.nbytes + 112  # the buffer and the array header
    return total + sys.getsizeof(run.history) + len(run.history) * 64  # tuple + snapshot objects


def history(X: np.ndarray, algorithm: str, half_steps: int = 200) -> tuple[stepper.Run, int]:
    tracemalloc.start()
    if algorithm == "kmeans":
        run = stepper.new_kmeans_run(kmeans.init_centroids(X, 10, "random", seed=0))
    else:
        run = stepper.new_gmm_run(gmm.init_params(X, 10, method="random", seed=0))
    before = tracemalloc.take_snapshot()
    for _ in range(half_steps // 2):
        run = stepper.step(run, stepper.Iterate(), X)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return run, grown


def main() -> None:
    X = datasets.make("blobs", n=100_000, seed=0, n_blobs=10).X
    print(f"data: N = {X.shape[0]:,}, {X.nbytes / 1e6:.1f} MB")
    for algorithm in ("kmeans", "gmm"):
        run, grown = history(X, algorithm)
        print(f"{algorithm:6s}: {len(run.history)} snapshots, parameters {buffers(run) / 1e3:.1f} kB, "
              f"tracemalloc growth {grown / 1e3:.1f} kB (target < 1,000 kB)")


if __name__ == "__main__":
    main()
