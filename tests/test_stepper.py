"""The stepper (a run as an immutable history of half-steps) and the quantities derived from it."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustering import derived, gmm, kmeans, stepper


def three_blobs(seed: int = 0, n_per: int = 40) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [3.0, 5.0]])
    return np.concatenate([c + rng.normal(size=(n_per, 2)) for c in centres])


def kmeans_run(X: np.ndarray, k: int = 3, seed: int = 0) -> stepper.Run:
    return stepper.new_kmeans_run(kmeans.init_centroids(X, k, method="random", seed=seed))


def gmm_run(X: np.ndarray, k: int = 3, seed: int = 0, **kwargs) -> stepper.Run:
    return stepper.new_gmm_run(gmm.init_params(X, k, method="random", seed=seed), **kwargs)


# --- the reducer --------------------------------------------------------------------------


def test_half_steps_alternate_and_m_before_e_is_refused():
    X = three_blobs()
    run = kmeans_run(X)
    assert stepper.next_kind(run) == "E"
    assert not stepper.allowed(run, stepper.MStep())
    assert stepper.step(run, stepper.MStep(), X) is run  # refused: a no-op
    run = stepper.step(run, stepper.EStep(), X)
    assert [s.kind for s in run.history] == ["init", "E"]
    assert stepper.step(run, stepper.EStep(), X) is run  # E right after E: a no-op
    run = stepper.step(run, stepper.MStep(), X)
    assert [s.kind for s in run.history] == ["init", "E", "M"]
    assert run.current.iteration == 1


def test_e_snapshot_repeats_parameters_and_m_snapshot_is_lloyd():
    X = three_blobs()
    run = kmeans_run(X)
    run = stepper.step(run, stepper.Iterate(), X)
    init, e, m = run.history
    np.testing.assert_array_equal(e.params, init.params)
    expected = kmeans.update(X, kmeans.assign(X, init.params), init.params)
    np.testing.assert_array_equal(m.params, expected)


def test_snapshots_are_read_only():
    X = three_blobs()
    run = stepper.step(kmeans_run(X), stepper.Iterate(), X)
    with pytest.raises(ValueError):
        run.current.params[0, 0] = 1.0


def test_back_jump_and_reset_move_the_cursor_only():
    X = three_blobs()
    run = stepper.step(kmeans_run(X), stepper.RunToConvergence(), X)
    n = len(run.history)
    back = stepper.step(run, stepper.Back(), X)
    assert back.cursor == n - 2 and back.history is run.history
    jumped = stepper.step(run, stepper.JumpTo(1), X)
    assert jumped.cursor == 1 and len(jumped.history) == n
    assert stepper.step(run, stepper.JumpTo(10_000), X).cursor == n - 1
    assert stepper.step(run, stepper.JumpTo(-3), X).cursor == 0
    reset = stepper.step(run, stepper.Reset(), X)
    assert len(reset.history) == 1 and reset.cursor == 0
    np.testing.assert_array_equal(reset.current.params, run.initial.params)
    start = stepper.step(reset, stepper.Back(), X)
    assert start.cursor == 0


def test_a_new_step_in_the_past_drops_the_future():
    X = three_blobs()
    run = stepper.step(kmeans_run(X), stepper.RunToConvergence(), X)
    rewound = stepper.step(run, stepper.JumpTo(2), X)
    stepped = stepper.step(rewound, stepper.EStep(), X)
    assert len(stepped.history) == 4 and stepped.cursor == 3
    assert stepped.history[:3] == run.history[:3]


def test_kmeans_run_to_convergence_ends_when_centroids_stop_moving():
    X = three_blobs()
    run = stepper.step(kmeans_run(X), stepper.RunToConvergence(), X)
    assert run.stop_reason == "converged"
    assert run.current.kind == "M"
    np.testing.assert_array_equal(run.history[-1].params, run.history[-3].params)
    # one more Lloyd iteration from the end changes nothing
    centroids = run.current.params
    np.testing.assert_array_equal(kmeans.update(X, kmeans.assign(X, centroids), centroids), centroids)
    assert stepper.is_converged(run) and not stepper.allowed(run, stepper.RunToConvergence())


def test_run_to_convergence_respects_the_iteration_cap():
    X = three_blobs()
    run = stepper.new_kmeans_run(np.array([[0.0, 0.0], [0.1, 0.0], [0.2, 0.0]]), max_iter=1)
    run = stepper.step(run, stepper.RunToConvergence(), X)
    assert run.stop_reason == "max_iter"
    assert run.current.iteration == 1


def test_em_run_to_convergence_stops_on_small_gain():
    X = three_blobs()
    run = stepper.step(gmm_run(X, tol=1e-6), stepper.RunToConvergence(), X)
    assert run.stop_reason == "converged"
    likelihoods, _ = derived.gmm_curves(X, run)
    gain = likelihoods[-1] - likelihoods[-3]
    assert 0 <= gain < 1e-6 + 1e-9


def test_weights_step_as_repeated_points_and_apply_to_kmeans_only():
    X = three_blobs()
    weights = np.random.default_rng(2).integers(1, 4, size=X.shape[0])
    start = kmeans.init_centroids(X, 3, method="random", seed=0)
    weighted = stepper.step(stepper.new_kmeans_run(start), stepper.RunToConvergence(), X, weights=weights)
    plain = stepper.step(stepper.new_kmeans_run(start), stepper.RunToConvergence(), np.repeat(X, weights, axis=0))
    assert weighted.stop_reason == plain.stop_reason == "converged" and len(weighted) == len(plain)
    for a, b in zip(weighted.history, plain.history, strict=True):
        np.testing.assert_allclose(a.params, b.params, rtol=1e-12)
    with pytest.raises(ValueError, match="K-means runs only"):
        stepper.step(gmm_run(X), stepper.EStep(), X, weights=weights)


def test_unknown_message_raises():
    X = three_blobs()
    with pytest.raises(TypeError):
        stepper.step(kmeans_run(X), object(), X)


def test_collapse_is_a_step_error_and_run_to_convergence_keeps_the_last_good_step():
    # Three distinct points, three components, no regularisation: each component collapses
    # onto a single point at the first M step.
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]] * 4)
    params = gmm.GMMParams(
        np.full(3, 1 / 3), np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), np.stack([np.eye(2) * 0.01] * 3)
    )
    run = stepper.new_gmm_run(params, reg_covar=0.0)
    run = stepper.step(run, stepper.EStep(), X)
    with pytest.raises(stepper.StepError, match="reg_covar"):
        stepper.step(run, stepper.MStep(), X)
    finished = stepper.step(run, stepper.RunToConvergence(), X)
    assert finished.stop_reason.startswith("Stopped at the last good step")
    assert finished.current.kind == "E"


def test_advance_to_takes_half_steps_through_the_reducer():
    X = three_blobs(seed=2)
    run = kmeans_run(X)
    at_three = stepper.advance_to(run, 3, X)
    by_hand = run
    for msg in (stepper.EStep(), stepper.MStep(), stepper.EStep()):
        by_hand = stepper.step(by_hand, msg, X)
    assert at_three.cursor == 3 and at_three.current.kind == "E"
    for a, b in zip(at_three.history[:4], by_hand.history, strict=True):
        np.testing.assert_array_equal(a.params, b.params)
    back = stepper.advance_to(at_three, 1, X)  # the cursor moves, nothing is lost
    assert back.cursor == 1 and len(back.history) == len(at_three.history)
    beyond = stepper.advance_to(run, 10_000, X)  # past the end: the last half-step
    assert beyond.cursor == len(beyond.history) - 1


def test_advance_to_stops_at_a_collapse_and_says_why():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]] * 4)
    params = gmm.GMMParams(
        np.full(3, 1 / 3), np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), np.stack([np.eye(2) * 0.01] * 3)
    )
    run = stepper.advance_to(stepper.new_gmm_run(params, reg_covar=0.0), 6, X)
    assert run.cursor == 1 and run.current.kind == "E"
    assert run.stop_reason.startswith("Stopped at the last good step") and "reg_covar" in run.stop_reason


def test_snapshot_keys_follow_values_not_objects():
    X = three_blobs()
    params = gmm.init_params(X, 3, seed=0)
    same = gmm.GMMParams(params.weights.copy(), params.means.copy(), params.covariances.copy())
    assert derived.snapshot_key(params) == derived.snapshot_key(same)
    moved = gmm.GMMParams(params.weights, params.means + 1e-12, params.covariances)
    assert derived.snapshot_key(moved) != derived.snapshot_key(params)
    assert derived.snapshot_key(np.zeros((2, 3))) != derived.snapshot_key(np.zeros((3, 2)))


# --- derived quantities -------------------------------------------------------------------


def test_kmeans_view_before_any_e_step_has_no_labels_and_no_objective():
    X = three_blobs()
    view = derived.kmeans_view(X, kmeans_run(X))
    assert view.labels is None and view.objective is None and view.sizes is None


def test_m_step_view_keeps_the_e_step_labels_and_reports_shifts():
    X = three_blobs()
    run = stepper.step(kmeans_run(X), stepper.Iterate(), X)
    view = derived.kmeans_view(X, run)
    np.testing.assert_array_equal(view.labels, kmeans.assign(X, run.history[1].params))
    expected_shift = np.linalg.norm(run.history[2].params - run.history[1].params, axis=1)
    np.testing.assert_allclose(view.shifts, expected_shift)
    assert view.objective == pytest.approx(kmeans.objective(X, run.current.params, view.labels))


def test_changed_points_compare_consecutive_e_steps():
    X = three_blobs()
    run = stepper.step(kmeans_run(X), stepper.Iterate(), X)
    run = stepper.step(run, stepper.EStep(), X)
    view = derived.kmeans_view(X, run)
    before = kmeans.assign(X, run.history[1].params)
    after = kmeans.assign(X, run.history[3].params)
    np.testing.assert_array_equal(view.changed, before != after)


def test_empty_cluster_is_reported_and_its_centroid_stays():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    far = np.array([100.0, 100.0])
    run = stepper.new_kmeans_run(np.array([[0.0, 0.0], far]))
    run = stepper.step(run, stepper.Iterate(), X)
    view = derived.kmeans_view(X, run)
    assert view.empty == (1,)
    np.testing.assert_array_equal(run.current.params[1], far)
    np.testing.assert_allclose(run.current.params[0], X.mean(axis=0))


def test_matrix_factorization_equals_j():
    X = three_blobs()
    run = stepper.step(kmeans_run(X), stepper.Iterate(), X)
    view = derived.kmeans_view(X, run)
    indicator, frobenius = derived.kmeans_as_factorization(X, run.current.params, view.labels)
    assert indicator.sum(axis=1).tolist() == [1.0] * X.shape[0]
    assert frobenius == pytest.approx(view.objective, rel=1e-12)


def test_bound_touches_after_e_and_lies_below_after_m():
    X = three_blobs(seed=3)
    run = stepper.step(gmm_run(X, seed=1), stepper.RunToConvergence(), X)
    likelihoods, bounds = derived.gmm_curves(X, run)
    assert bounds[0] is None
    for snapshot, ll, bound in zip(run.history[1:], likelihoods[1:], bounds[1:], strict=True):
        if snapshot.kind == "E":
            assert bound == pytest.approx(ll, rel=1e-12)
        else:
            assert bound <= ll + 1e-9 * abs(ll)
    # the bound computed from scratch at an E step equals the likelihood too
    e_index = 1
    resp = derived.gmm_responsibilities(X, run, e_index)
    assert gmm.lower_bound(X, run.history[e_index].params, resp) == pytest.approx(likelihoods[e_index])


# --- properties over whole runs, one half-step at a time ------------------------------------


points = st.integers(min_value=0, max_value=10_000).map(lambda seed: three_blobs(seed, n_per=15))


@settings(max_examples=30, deadline=None)
@given(X=points, k=st.integers(1, 5), seed=st.integers(0, 1000))
def test_j_never_rises_over_any_half_step(X, k, seed):
    run = stepper.step(kmeans_run(X, k, seed), stepper.RunToConvergence(), X)
    curve = [j for j in derived.kmeans_objective_curve(X, run) if j is not None]
    assert all(b <= a * (1 + 1e-12) + 1e-12 for a, b in zip(curve, curve[1:], strict=False))


@settings(max_examples=20, deadline=None)
@given(X=points, k=st.integers(1, 4), seed=st.integers(0, 1000),
       cov=st.sampled_from(["full", "diag", "spherical", "tied"]))
def test_log_likelihood_and_bound_never_fall(X, k, seed, cov):
    run = stepper.new_gmm_run(gmm.init_params(X, k, method="random", seed=seed), covariance_type=cov,
                              max_iter=15)
    run = stepper.step(run, stepper.RunToConvergence(), X)
    likelihoods, bounds = derived.gmm_curves(X, run)
    tolerance = 1e-9 * max(abs(v) for v in likelihoods)
    assert all(b >= a - tolerance for a, b in zip(likelihoods, likelihoods[1:], strict=False))
    real_bounds = [b for b in bounds if b is not None]
    assert all(b >= a - tolerance for a, b in zip(real_bounds, real_bounds[1:], strict=False))


def test_history_of_200_half_steps_stores_parameters_only():
    X = three_blobs()
    run = kmeans_run(X, k=3)
    for _ in range(100):
        run = stepper.step(run, stepper.Iterate(), X)
    assert len(run.history) == 201
    stored = sum(sys.getsizeof(s.params) for s in run.history)
    assert stored < 201 * (3 * 2 * 8 + 200)  # a few centroids per snapshot, nothing of size N


def test_curve_points_in_one_pass_equal_one_at_a_time():
    """derived.gmm_curve_points shares each E step's q with the M step after it: the numbers
    are exactly gmm_curve_point's, for the whole run and for a part starting at an M step."""
    X = three_blobs(seed=3)
    run = stepper.step(gmm_run(X, seed=1), stepper.RunToConvergence(), X)
    every = range(len(run.history))
    together = derived.gmm_curve_points(X, run, every)
    assert together == {i: derived.gmm_curve_point(X, run, i) for i in every}
    part = [i for i in every if i >= 2]  # starts at an M step whose E step is not in the part
    assert run.history[2].kind == "M"
    assert derived.gmm_curve_points(X, run, part) == {i: together[i] for i in part}
