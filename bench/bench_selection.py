"""How long the "How many clusters?" curves take: K = 1 … 10, as the panels compute them.

Run from the repository root:  python bench/bench_selection.py  [--sizes 1000 10000]

One BLAS thread (threadpoolctl), as in the app's server. For each data set and N: the K-means
panel's work (the best of 10 k-means++ restarts per K, then the silhouette of its labels) and
the GMM panel's (EM with full covariances from 3 converged K-means starts per K). Wall-clock
seconds of one pass (the panels cache per K, so this is the cost of a first opening). Figures
only: never a pass/fail test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clustering import datasets, selection  # noqa: E402
from clustering.constants import SELECTION_MAX_K  # noqa: E402

NAMES = ("mouse", "blobs", "uniform")


def kmeans_curve(X) -> None:
    for k in range(1, SELECTION_MAX_K + 1):
        curve = selection.elbow(X, [k])
        if k > 1:
            selection.silhouette(X, curve.labels(X, 0))


def gmm_curve(X, covariance_type: str) -> None:
    for k in range(1, SELECTION_MAX_K + 1):
        selection.fit_mixture(X, k, covariance_type)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--cov", default="full")
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        print(f"{'data':10s} {'N':>8s} {'elbow+silhouette':>17s} {'BIC/AIC (' + args.cov + ')':>17s}")
        for n in args.sizes:
            for name in NAMES:
                X = datasets.make(name, n=n, seed=0).X
                start = time.perf_counter()
                kmeans_curve(X)
                elbow_time = time.perf_counter() - start
                start = time.perf_counter()
                gmm_curve(X, args.cov)
                gmm_time = time.perf_counter() - start
                print(f"{name:10s} {n:8,d} {elbow_time:16.2f}s {gmm_time:16.2f}s", flush=True)


if __name__ == "__main__":
    main()
