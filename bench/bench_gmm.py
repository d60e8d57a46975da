"""One EM iteration (E step + M step, full covariances) of clustering.gmm against scikit-learn's.

Run from the repository root:  python bench/bench_gmm.py  [--quick]

Both sides run in this one process with one BLAS thread (threadpoolctl), on the same data and
the same starting parameters θ0. scikit-learn's per-iteration work is what
``GaussianMixture.fit`` does inside its loop: ``_e_step(X)`` then ``_m_step(X, log_resp)``.
Times are the median of several repeats, taken in alternating rounds (see median_times). Then the peak memory of one iteration at N = 1e6,
K = 10, measured with tracemalloc (numpy reports its allocations to it), as a multiple of
the size of the (N, K) float64 responsibility array.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clustering import gmm  # noqa: E402

D = 2


def make_data(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, gmm.GMMParams]:
    """n points from k well-spread 2-D Gaussians, and a starting θ0 (k random data points as
    means, the data covariance for every component, equal weights)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(k, D))
    labels = rng.integers(k, size=n)
    X = centres[labels] + rng.normal(size=(n, D)) * rng.uniform(0.5, 1.5, size=(k, D))[labels]
    return X, gmm.init_params(X, k, method="random", seed=seed)


def sklearn_model(X: np.ndarray, theta: gmm.GMMParams):
    """A GaussianMixture set to θ0, ready for _e_step / _m_step."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    model = GaussianMixture(
        n_components=theta.k,
        covariance_type="full",
        weights_init=theta.weights,
        means_init=theta.means,
        precisions_init=np.linalg.inv(theta.covariances),
        max_iter=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[: max(theta.k, 2)])  # sets up the fitted state; parameters are reset below
    return model


def reset_sklearn(model, theta: gmm.GMMParams) -> None:
    from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

    model.weights_ = theta.weights.copy()
    model.means_ = theta.means.copy()
    model.covariances_ = theta.covariances.copy()
    model.precisions_cholesky_ = _compute_precision_cholesky(model.covariances_, "full")


def ours_iteration(X: np.ndarray, theta: gmm.GMMParams) -> gmm.GMMParams:
    resp = gmm.e_step(X, theta)
    return gmm.m_step(X, resp)


def sklearn_iteration(X: np.ndarray, model) -> None:
    _, log_resp = model._e_step(X)
    model._m_step(X, log_resp)


def median_times(X: np.ndarray, theta: gmm.GMMParams, model, repeats: int) -> tuple[float, float]:
    """Median seconds of one iteration, ours and scikit-learn's. Three rounds, each timing
    ``repeats`` of ours and then ``repeats`` of scikit-learn's, so that a busy machine slows
    both alike while each side runs back to back as in a real EM loop."""
    ours, theirs = [], []
    for _ in range(3):
        for _ in range(repeats):
            start = time.perf_counter()
            ours_iteration(X, theta)
            ours.append(time.perf_counter() - start)
        for _ in range(repeats):
            reset_sklearn(model, theta)
            start = time.perf_counter()
            sklearn_iteration(X, model)
            theirs.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(theirs)


def peak_memory(run, *args) -> int:
    """Peak bytes allocated (beyond what was live before) while ``run(*args)`` executes."""
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        run(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N up to 1e5 only, fewer repeats")
    args = parser.parse_args()
    sizes = [1_000, 10_000, 100_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000]

    with threadpool_limits(limits=1):
        print("One EM iteration (e_step + m_step, full covariance), D = 2, one BLAS thread")
        print(f"{'N':>9} {'K':>3} {'ours ms':>10} {'sklearn ms':>11} {'ours/sklearn':>13}")
        for n in sizes:
            for k in (3, 10):
                X, theta = make_data(n, k)
                model = sklearn_model(X, theta)
                repeats = 3 if n >= 1_000_000 else 7 if n >= 100_000 else 21
                ours_iteration(X, theta)  # warm up both
                reset_sklearn(model, theta)
                sklearn_iteration(X, model)
                ours, theirs = median_times(X, theta, model, repeats)
                print(f"{n:>9} {k:>3} {ours * 1e3:>10.2f} {theirs * 1e3:>11.2f} {ours / theirs:>13.3f}")

        n, k = sizes[-1], 10
        X, theta = make_data(n, k)
        model = sklearn_model(X, theta)
        resp_bytes = n * k * 8
        ours = peak_memory(ours_iteration, X, theta)
        reset_sklearn(model, theta)
        theirs = peak_memory(sklearn_iteration, X, model)
        print()
        print(f"Peak memory of one EM iteration at N = {n}, K = {k} (tracemalloc), "
              f"in units of the responsibility array ({resp_bytes / 1e6:.0f} MB):")
        print(f"  ours    {ours / 1e6:8.1f} MB  = {ours / resp_bytes:.2f} x")
        print(f"  sklearn {theirs / 1e6:8.1f} MB  = {theirs / resp_bytes:.2f} x")


if __name__ == "__main__":
    main()
