"""Best of n restarts: the same loop as the stepper, so restart i's J is the page's J for seed i."""

from __future__ import annotations

import numpy as np
import pytest

from clustering import datasets, derived, kmeans, restarts, stepper


def test_restarts_match_the_stepper_to_the_last_bit():
    X = datasets.make("blobs", n=400, seed=2, n_blobs=4).X
    result = restarts.best_of_restarts(X, 4, "random", n=6, seed=10)
    assert list(result.seeds) == list(range(10, 16)) and result.n == 6 and result.k == 4
    for i, seed in enumerate(result.seeds):
        start = kmeans.init_centroids(X, 4, "random", seed=int(seed))
        np.testing.assert_array_equal(result.starts[i], start)
        run = stepper.step(stepper.new_kmeans_run(start), stepper.RunToConvergence(), X)
        assert derived.kmeans_objective_curve(X, run)[-1] == result.final_objectives[i]
        np.testing.assert_array_equal(run.current.params, result.final_centroids[i])
        assert run.current.iteration == result.iterations[i]
    assert result.best_objective == result.final_objectives.min()
    assert result.final_objectives[result.best] == result.best_objective
    assert result.best_seed == result.seeds[result.best]


def test_progress_is_reported_and_bad_n_refused():
    X = datasets.make("uniform", n=100, seed=0).X
    seen = []
    restarts.best_of_restarts(X, 2, "kmeans++", n=3, progress=lambda done, n: seen.append((done, n)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(ValueError, match="at least 1"):
        restarts.best_of_restarts(X, 2, "kmeans++", n=0)


def test_run_to_convergence_stops_at_the_cap():
    X = datasets.make("uniform", n=300, seed=1).X
    start = kmeans.init_centroids(X, 8, "random", seed=0)
    _, _, _, iterations, converged = restarts.run_to_convergence(X, start, max_iter=2)
    assert iterations == 2 and not converged
