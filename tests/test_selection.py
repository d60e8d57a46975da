"""clustering.selection against scikit-learn, and its promises as properties.

n_parameters, bic and aic equal GaussianMixture's _n_parameters(), bic(X) and aic(X) on the
same parameters for all four covariance types (both ways: sklearn's fit fed to ours, ours fed
to sklearn); silhouette equals sklearn.metrics.silhouette_score; the elbow's best J falls with
K on blobs, and a K's best start, loaded into the stepper, gives back its number.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky
from threadpoolctl import threadpool_limits

from clustering import datasets, gmm, kmeans, selection, stepper
from clustering.constants import GMM_COVARIANCE_TYPES

TYPES = GMM_COVARIANCE_TYPES


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """One BLAS thread: EM's small triangular solves crawl when threads fight over the cores."""
    with threadpool_limits(limits=1):
        yield


def full_covariances(covariances: np.ndarray, covariance_type: str, k: int, d: int) -> np.ndarray:
    """sklearn's covariances_ (shape by type) as (K, D, D) full matrices."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (k, d, d)).copy()
    if covariance_type == "diag":
        return np.stack([np.diag(row) for row in covariances])
    return np.stack([v * np.eye(d) for v in covariances])  # spherical


def sklearn_covariances(params: gmm.GMMParams, covariance_type: str) -> np.ndarray:
    """Our full (K, D, D) covariances in sklearn's shape for the type."""
    c = params.covariances
    if covariance_type == "full":
        return c.copy()
    if covariance_type == "tied":
        return c[0].copy()
    if covariance_type == "diag":
        return np.diagonal(c, axis1=1, axis2=2).copy()
    return np.diagonal(c, axis1=1, axis2=2)[:, 0].copy()


def three_d(seed: int, n: int = 300) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0], [4, 1, -2], [-3, 5, 2]], dtype=float)
    return np.vstack([c + rng.normal(size=(n // 3, 3)) * [1.0, 0.6, 1.4] for c in centres])


# --------------------------------------------------------------------------------------
# Parameters, BIC, AIC
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", TYPES)
@pytest.mark.parametrize("d", [1, 2, 3, 5])
@pytest.mark.parametrize("k", [1, 2, 4, 7])
def test_n_parameters_equals_sklearn(k, d, covariance_type):
    model = GaussianMixture(n_components=k, covariance_type=covariance_type)
    model.means_ = np.zeros((k, d))  # _n_parameters reads K and D from the fitted means
    assert selection.n_parameters(k, d, covariance_type) == model._n_parameters()


def test_n_parameters_as_the_slides_count_them():
    # mouse-like: K = 3, D = 2: 2 weights, 6 means, 3 x 3 covariance entries
    assert selection.n_parameters(3, 2, "full") == 2 + 6 + 9
    assert selection.n_parameters(3, 2, "diag") == 2 + 6 + 6
    assert selection.n_parameters(3, 2, "spherical") == 2 + 6 + 3
    assert selection.n_parameters(3, 2, "tied") == 2 + 6 + 3


@pytest.mark.parametrize("covariance_type", TYPES)
@pytest.mark.parametrize("data", ["mouse", "three-d"])
def test_bic_and_aic_equal_sklearn_on_sklearns_fit(covariance_type, data):
    X = datasets.make("mouse", seed=0).X if data == "mouse" else three_d(1)
    k, d = 3, X.shape[1]
    model = GaussianMixture(n_components=k, covariance_type=covariance_type, random_state=0).fit(X)
    params = gmm.GMMParams(model.weights_, model.means_,
                           full_covariances(model.covariances_, covariance_type, k, d))
    assert selection.bic(X, params, covariance_type) == pytest.approx(model.bic(X), rel=1e-9)
    assert selection.aic(X, params, covariance_type) == pytest.approx(model.aic(X), rel=1e-9)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_bic_and_aic_equal_sklearn_on_our_fit(covariance_type):
    X = three_d(2)
    fit = selection.fit_mixture(X, 3, covariance_type, n_seeds=2)
    model = GaussianMixture(n_components=3, covariance_type=covariance_type)
    model.weights_ = np.array(fit.params.weights)
    model.means_ = np.array(fit.params.means)
    model.covariances_ = sklearn_covariances(fit.params, covariance_type)
    model.precisions_cholesky_ = _compute_precision_cholesky(model.covariances_, covariance_type)
    assert fit.n_parameters == model._n_parameters()
    assert fit.bic == pytest.approx(model.bic(X), rel=1e-9)
    assert fit.aic == pytest.approx(model.aic(X), rel=1e-9)
    # the fit's numbers are bic() and aic() of its own parameters
    assert fit.bic == pytest.approx(selection.bic(X, fit.params, covariance_type), rel=1e-12)
    assert fit.aic == pytest.approx(selection.aic(X, fit.params, covariance_type), rel=1e-12)


def test_bad_arguments_are_refused_plainly():
    with pytest.raises(ValueError, match="Unknown covariance_type 'round'"):
        selection.n_parameters(2, 2, "round")
    with pytest.raises(ValueError, match="k must be a whole number of at least 1"):
        selection.n_parameters(0, 2)
    X = datasets.make("blobs", n=30, seed=0).X
    with pytest.raises(ValueError, match="K = 31 is more than the 30 points"):
        selection.elbow(X, [2, 31])
    with pytest.raises(ValueError, match="Give at least one K"):
        selection.mixture_criteria(X, [])


# --------------------------------------------------------------------------------------
# Silhouette
# --------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 6), n=st.integers(8, 120))
def test_silhouette_equals_sklearn(seed, k, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) + rng.integers(0, 3, size=(n, 1)) * 3.0
    X[: n // 5] = X[0]  # duplicate points: a = b = 0 is possible
    labels = rng.integers(0, k, size=n) * 7 - 3  # any integers, possibly a singleton cluster
    if not 2 <= len(np.unique(labels)) <= n - 1:
        return
    ours = selection.silhouette(X, labels)
    assert ours.n_points == n and ours.sample is None
    # the same formula on the same exact distances: equal to rounding
    exact = silhouette_score(cdist(X, X), labels, metric="precomputed")
    assert ours.value == pytest.approx(exact, abs=1e-12)
    # scikit-learn's own distances (‖x‖² − 2x·y + ‖y‖²) round differently near duplicates
    assert ours.value == pytest.approx(silhouette_score(X, labels), abs=1e-7)


def test_silhouette_of_blobs_equals_sklearn_at_every_k():
    X = datasets.make("blobs", n=400, seed=3).X
    curve = selection.elbow(X, range(2, 7), n_restarts=3)
    for index in range(len(curve.ks)):
        labels = curve.labels(X, index)
        assert selection.silhouette(X, labels).value == pytest.approx(
            silhouette_score(X, labels), abs=1e-9)


def test_silhouette_samples_large_data_and_says_so():
    X = datasets.make("blobs", n=900, seed=0).X
    labels = kmeans.assign(X, kmeans.init_centroids(X, 3, seed=0))
    sampled = selection.silhouette(X, labels, sample=250, seed=4)
    assert sampled.n_points == 250 and len(np.unique(sampled.sample)) == 250
    assert sampled.value == pytest.approx(
        silhouette_score(X[sampled.sample], labels[sampled.sample]), abs=1e-9)
    again = selection.silhouette(X, labels, sample=250, seed=4)  # same seed, same sample
    np.testing.assert_array_equal(again.sample, sampled.sample)
    assert again.value == sampled.value
    assert selection.silhouette(X, labels, sample=None).n_points == 900


def test_silhouette_needs_two_to_n_minus_one_clusters():
    X = datasets.make("blobs", n=20, seed=0).X
    with pytest.raises(ValueError, match="between 2 and N − 1 = 19 clusters; the labels give 1"):
        selection.silhouette(X, np.zeros(20, dtype=int))
    with pytest.raises(ValueError, match="one cluster per point"):
        selection.silhouette(X, np.zeros(5, dtype=int))


# --------------------------------------------------------------------------------------
# The elbow
# --------------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None, derandomize=True)
@given(seed=st.integers(0, 100_000))
def test_elbow_falls_with_k_on_blobs(seed):
    X = datasets.make("blobs", n=300, seed=seed).X
    curve = selection.elbow(X, range(1, 9), n_restarts=10, seed=seed % 7)
    assert np.all(np.diff(curve.objectives) <= 1e-9 * curve.objectives[:-1]), curve.objectives
    assert curve.objectives[0] == pytest.approx(np.sum((X - X.mean(axis=0)) ** 2))  # K = 1


def test_a_ks_best_start_loaded_into_the_stepper_gives_its_j():
    X = datasets.make("mouse", seed=0).X
    curve = selection.elbow(X, [2, 3, 5], n_restarts=6, seed=0)
    for index, k in enumerate(curve.ks):
        start = kmeans.init_centroids(X, int(k), curve.method, seed=int(curve.best_seeds[index]))
        run = stepper.step(stepper.new_kmeans_run(start), stepper.RunToConvergence(), X)
        labels = kmeans.assign(X, run.current.params)
        assert kmeans.objective(X, run.current.params, labels) == curve.objectives[index]
        np.testing.assert_array_equal(labels, curve.labels(X, index))


def test_elbow_reports_progress_with_the_k_being_fitted():
    X = datasets.make("blobs", n=100, seed=0).X
    calls = []
    selection.elbow(X, [1, 2, 4], n_restarts=2, progress=lambda *a: calls.append(a))
    assert calls == [(0, 3, 1), (1, 3, 2), (2, 3, 4), (3, 3, None)]


# --------------------------------------------------------------------------------------
# BIC and AIC against K
# --------------------------------------------------------------------------------------


def test_bic_picks_three_for_the_mouse_with_full_covariances():
    X = datasets.make("mouse", seed=0).X
    scores = selection.mixture_criteria(X, range(1, 7), "full")
    assert scores.best_bic_k == 3
    assert scores.best_aic_k >= scores.best_bic_k  # AIC's penalty is the smaller one (ln 500 > 2)
    assert np.all(np.diff(scores.n_parameters) == 6)  # 1 weight, 2 means, 3 covariance entries
    assert np.all(np.isfinite(scores.bics))


def test_a_ks_best_start_loaded_into_the_stepper_gives_its_log_likelihood():
    X = datasets.make("mouse", seed=0).X
    fit = selection.fit_mixture(X, 3, "diag", n_seeds=3, tol=1e-3)
    start = gmm.project_to_covariance_type(gmm.init_params(X, 3, "kmeans", fit.best_seed), "diag")
    run = stepper.step(stepper.new_gmm_run(start, "diag", tol=1e-3), stepper.RunToConvergence(), X)
    assert gmm.log_likelihood(X, run.current.params) == fit.log_likelihood
    others = [selection.fit_mixture(X, 3, "diag", n_seeds=1, seed=s, tol=1e-3).log_likelihood
              for s in range(3)]
    assert fit.log_likelihood == max(others)  # the best ℓ of the seeds is kept


def test_a_collapse_is_left_out_and_named():
    points = np.repeat(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), 6, axis=0)
    fit = selection.fit_mixture(points, 4, "full", n_seeds=2, reg_covar=0.0)
    assert fit.params is None and math.isnan(fit.bic) and len(fit.failures) == 2
    assert all("collapsed" in failure for failure in fit.failures)
    scores = selection.mixture_criteria(points, [1, 4], "full", n_seeds=2, reg_covar=0.0)
    assert scores.best_bic_k == 1 and scores.best_aic_k == 1  # K = 4 has no value
