"""One K-means iteration (E step + M step), ours against scikit-learn's, side by side.

scikit-learn's side is the Lloyd routine that ``KMeans.fit`` calls once per iteration,
``sklearn.cluster._k_means_lloyd.lloyd_iter_chunked_dense``, with its buffers allocated once
outside the timing (as ``fit`` does). Ours is ``update(X, assign(X, centroids), centroids)``,
allocations included. Both run in this process with BLAS and OpenMP limited to one thread.

Run from the repository root:  python bench/bench_kmeans.py
"""

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.cluster._k_means_lloyd import lloyd_iter_chunked_dense
from threadpoolctl import threadpool_info, threadpool_limits

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from clustering.kmeans import assign, init_centroids, update  # noqa: E402

SIZES = (1_000, 10_000, 100_000, 1_000_000)
CLUSTER_COUNTS = (3, 10)
DIMENSIONS = 2
REPEATS = 15  # timings per (N, K); the median is reported


def make_points(n: int, k: int, seed: int = 0) -> np.ndarray:
    """n points in D = 2 around k random centres (Gaussian blobs)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10.0, 10.0, size=(k, DIMENSIONS))
    return centres[rng.integers(k, size=n)] + rng.normal(size=(n, DIMENSIONS))


def ours(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """One iteration of our K-means: E step, then M step."""
    return update(X, assign(X, centroids), centroids)


def make_sklearn_iteration(X: np.ndarray, k: int, sample_weight: np.ndarray | None = None):
    """scikit-learn's per-iteration Lloyd work, with its buffers allocated once (as in fit);
    ``sample_weight`` (N,) as in ``KMeans.fit`` (ones if not given)."""
    n, dims = X.shape
    sample_weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=X.dtype)
    centers_new = np.zeros((k, dims))
    weight_in_clusters = np.zeros(k)
    labels = np.full(n, -1, dtype=np.int32)
    center_shift = np.zeros(k)

    def iteration(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
        lloyd_iter_chunked_dense(
            X, sample_weight, centroids, centers_new, weight_in_clusters, labels, center_shift, 1
        )
        return centers_new

    return iteration


def median_times(functions: dict, X: np.ndarray, centroids: np.ndarray,
                 repeats: int = REPEATS) -> dict:
    """Median wall time (seconds) of each function, calls interleaved to share any noise."""
    times = {name: [] for name in functions}
    for function in functions.values():  # warm up
        function(X, centroids)
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function(X, centroids)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in times.items()}


def main() -> None:
    with threadpool_limits(limits=1):
        print(f"python {platform.python_version()}, numpy {np.__version__}, "
              f"scikit-learn {sklearn.__version__}, {platform.machine()}, {os.cpu_count()} CPUs")
        print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(not set)')}, "
              f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(not set)')}")
        print("threadpoolctl inside threadpool_limits(1):")
        for pool in threadpool_info():
            print(f"  {pool['user_api']:8} {pool['internal_api']:9} num_threads={pool['num_threads']}"
                  f"  {pool.get('architecture', '')}  {Path(pool['filepath']).name}")
        print()
        print(f"one K-means iteration (assign + update), D = {DIMENSIONS}, median of {REPEATS}")
        header = f"{'N':>9} {'K':>3} {'ours ms':>10} {'sklearn ms':>11} {'ratio':>7}"
        print(header)
        print("-" * len(header))
        for k in CLUSTER_COUNTS:
            for n in SIZES:
                X = make_points(n, k)
                centroids = init_centroids(X, k, method="random", seed=0)
                sklearn_iteration = make_sklearn_iteration(X, k)
                np.testing.assert_allclose(ours(X, centroids), sklearn_iteration(X, centroids), rtol=1e-9)
                times = median_times({"ours": ours, "sklearn": sklearn_iteration}, X, centroids)
                ratio = times["ours"] / times["sklearn"]
                print(f"{n:>9} {k:>3} {times['ours'] * 1e3:>10.3f} {times['sklearn'] * 1e3:>11.3f} {ratio:>7.2f}")


if __name__ == "__main__":
    main()
