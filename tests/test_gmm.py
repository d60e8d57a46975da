"""clustering.gmm: against scikit-learn and scipy, EM's properties, degenerate data, messages."""

from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from clustering import _kernels, gmm, kmeans
from clustering.constants import DEFAULT_REG_COVAR
from clustering.gmm import CollapseError, EmptyComponentError, GMMParams

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COVARIANCE_TYPES = ["full", "diag", "spherical", "tied"]


def blobs(seed: int, n_per: int = 150, dim: int = 2) -> np.ndarray:
    """Three well-scaled, well-separated, sheared Gaussian blobs."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]])
    if dim != 2:
        centres = rng.uniform(-5, 5, size=(3, dim))
    parts = [rng.normal(size=(n_per, dim)) @ (np.eye(dim) + 0.3 * rng.normal(size=(dim, dim))) + c for c in centres]
    return np.concatenate(parts)


def reference_log_weighted(X: np.ndarray, params: GMMParams) -> np.ndarray:
    """log π_k + log N(x_n; μ_k, Σ_k) by scipy, independently of clustering.gmm."""
    return np.stack(
        [
            np.log(params.weights[k]) + multivariate_normal(params.means[k], params.covariances[k]).logpdf(X)
            for k in range(params.k)
        ],
        axis=1,
    ).reshape(X.shape[0], params.k)


def random_params(rng: np.random.Generator, k: int, dim: int, scale: float = 1.0) -> GMMParams:
    weights = rng.dirichlet(np.ones(k))
    means = rng.normal(size=(k, dim)) * 3 * scale
    factors = rng.normal(size=(k, dim, dim))
    covariances = (factors @ factors.transpose(0, 2, 1) + 0.5 * np.eye(dim)) * scale**2
    return GMMParams(weights, means, covariances)


def relative_error(ours: np.ndarray, theirs: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(ours) - theirs)) / np.max(np.abs(theirs)))


# --- against scikit-learn -------------------------------------------------------------------


def theta0_for(covariance_type: str, X: np.ndarray, k: int, rng: np.random.Generator):
    """A starting θ0 that the covariance type can represent, as GMMParams and as sklearn's
    precisions_init (shaped per type: full (K, D, D), tied (D, D), diag (K, D), spherical (K,))."""
    dim = X.shape[1]
    weights = rng.dirichlet(np.full(k, 5.0))
    means = X[rng.choice(X.shape[0], k, replace=False)]
    if covariance_type == "full":
        factors = rng.normal(size=(k, dim, dim)) * 0.4
        covariances = factors @ factors.transpose(0, 2, 1) + np.eye(dim)
        precisions = np.linalg.inv(covariances)
    elif covariance_type == "tied":
        factor = rng.normal(size=(dim, dim)) * 0.4
        shared = factor @ factor.T + np.eye(dim)
        covariances = np.broadcast_to(shared, (k, dim, dim))
        precisions = np.linalg.inv(shared)
    elif covariance_type == "diag":
        variances = rng.uniform(0.5, 2.0, size=(k, dim))
        covariances = variances[:, :, None] * np.eye(dim)
        precisions = 1.0 / variances
    else:
        variances = rng.uniform(0.5, 2.0, size=k)
        covariances = variances[:, None, None] * np.eye(dim)
        precisions = 1.0 / variances
    return GMMParams(weights, means, covariances), precisions


def sklearn_full_covariances(model, covariance_type: str, k: int, dim: int) -> np.ndarray:
    covariances = model.covariances_
    if covariance_type == "diag":
        return covariances[:, :, None] * np.eye(dim)
    if covariance_type == "spherical":
        return covariances[:, None, None] * np.eye(dim)
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (k, dim, dim))
    return covariances


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("seed, dim, reg_covar", [(0, 2, 1e-6), (1, 2, 1e-3), (2, 3, 1e-6)])
def test_one_em_iteration_equals_scikit_learn(covariance_type, seed, dim, reg_covar):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    X = blobs(seed, dim=dim)
    n, k = X.shape[0], 3
    theta0, precisions = theta0_for(covariance_type, X, k, np.random.default_rng(seed + 10))

    ours = gmm.m_step(X, gmm.e_step(X, theta0), reg_covar=reg_covar, covariance_type=covariance_type)

    # fit with max_iter=1 and all three *_init given: no K-means init, then one _e_step and one
    # _m_step from θ0 (then a final E step for labels, which leaves the parameters alone).
    model = GaussianMixture(
        n_components=k,
        covariance_type=covariance_type,
        weights_init=theta0.weights,
        means_init=theta0.means,
        precisions_init=precisions,
        max_iter=1,
        reg_covar=reg_covar,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)

    assert relative_error(ours.weights, model.weights_) <= 1e-8
    assert relative_error(ours.means, model.means_) <= 1e-8
    theirs = sklearn_full_covariances(model, covariance_type, k, dim)
    assert relative_error(ours.covariances, theirs) <= 1e-8
    # score(X) is the mean log-likelihood per point under the fitted (one-step) parameters
    assert gmm.log_likelihood(X, ours) == pytest.approx(model.score(X) * n, rel=1e-8)


def test_log_likelihood_equals_scikit_learn_score_at_theta0():
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    X = blobs(5)
    theta0, precisions = theta0_for("full", X, 3, np.random.default_rng(5))
    model = GaussianMixture(3, weights_init=theta0.weights, means_init=theta0.means,
                            precisions_init=precisions, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    # put θ0 back into the fitted model and score with it
    model.weights_, model.means_ = theta0.weights, theta0.means
    model.precisions_cholesky_ = np.linalg.cholesky(precisions[:, ::-1, ::-1])[:, ::-1, ::-1]
    assert gmm.log_likelihood(X, theta0) == pytest.approx(model.score(X) * X.shape[0], rel=1e-10)


# --- against scipy ----------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_log_probabilities_equal_scipy(dim):
    rng = np.random.default_rng(dim)
    params = random_params(rng, 4, dim)
    X = rng.normal(size=(300, dim)) * 4
    expected = reference_log_weighted(X, params)
    log_weighted = _kernels.log_weighted_prob(X, np.log(params.weights), params.means, params.cholesky)
    np.testing.assert_allclose(log_weighted, expected, rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(
        gmm.log_gaussian_prob(X, params.means, params.covariances),
        expected - np.log(params.weights), rtol=1e-12, atol=1e-11,
    )
    norm = logsumexp(expected, axis=1)
    np.testing.assert_allclose(gmm.e_step(X, params), np.exp(expected - norm[:, None]), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(gmm.log_density(X, params), norm, rtol=1e-13)
    assert gmm.log_likelihood(X, params) == pytest.approx(norm.sum(), rel=1e-13)


def test_log_space_keeps_far_points_and_empty_weights_finite():
    """Densities that underflow to 0 in linear space (points thousands of σ away) still give
    one-hot responsibilities and a finite log-likelihood; a weight of 0 gives γ = 0 and, with
    0·log 0 = 0, a finite lower bound."""
    params = GMMParams(np.array([0.5, 0.5, 0.0]), np.array([[0.0, 0.0], [10.0, 0.0], [5.0, 5.0]]),
                       np.stack([np.eye(2) * 1e-2] * 3))
    X = np.array([[-300.0, 0.0], [310.0, 1.0], [5.0, 0.0]])
    resp, ll = gmm.e_step_with_log_likelihood(X, params)
    np.testing.assert_allclose(resp, [[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0]], atol=1e-12)
    with np.errstate(divide="ignore"):  # log π_2 = log 0 = −inf
        expected = logsumexp(reference_log_weighted(X, params), axis=1).sum()
    assert ll == pytest.approx(expected, rel=1e-12) and np.isfinite(ll)
    assert gmm.lower_bound(X, params, resp) == pytest.approx(ll, rel=1e-12)
    # log π_1 N_1 − log π_0 N_0 at x_0 = −(‖x − μ_1‖² − ‖x − μ_0‖²) / (2σ²), far below the smallest double's log
    log_weighted = gmm.log_gaussian_prob(X, params.means, params.covariances)[0]
    assert log_weighted[1] - log_weighted[0] == pytest.approx(-(310.0**2 - 300.0**2) / 2e-2, rel=1e-9)


def test_data_far_from_the_origin_is_as_accurate_as_near_it():
    """Shifting data and means by 2^26 (exactly, on a grid of 2^-10) changes nothing: the
    computation works relative to the data's centre, not to the origin."""
    rng = np.random.default_rng(8)
    X = rng.integers(-4096, 4096, size=(500, 2)) / 1024.0
    params = GMMParams(np.array([0.5, 0.5]), np.array([[-1.0, 0.5], [1.5, -0.25]]),
                       np.array([[[1.0, 0.25], [0.25, 0.5]], [[0.5, 0.0], [0.0, 0.75]]]))
    shift = 2.0**26
    far = GMMParams(params.weights, params.means + shift, params.covariances)
    resp, ll = gmm.e_step_with_log_likelihood(X, params)
    resp_far, ll_far = gmm.e_step_with_log_likelihood(X + shift, far)
    assert ll_far == pytest.approx(ll, rel=1e-13)
    np.testing.assert_allclose(resp_far, resp, rtol=0, atol=1e-13)
    moved = gmm.m_step(X + shift, resp)
    np.testing.assert_allclose(moved.covariances, gmm.m_step(X, resp).covariances, rtol=1e-9)


def test_blocks_give_the_same_numbers_as_one_pass(monkeypatch):
    rng = np.random.default_rng(7)
    params = random_params(rng, 3, 2)
    X = rng.normal(size=(103, 2)) * 3
    resp, ll = gmm.e_step_with_log_likelihood(X, params)
    new = gmm.m_step(X, resp, covariance_type="full")
    q = rng.dirichlet(np.ones(3), size=103)
    bound = gmm.lower_bound(X, params, q)
    monkeypatch.setattr(_kernels, "GMM_BLOCK_POINTS", 10)  # 11 blocks, the last one of 3 points
    resp_blocked, ll_blocked = gmm.e_step_with_log_likelihood(X, params)
    np.testing.assert_allclose(resp_blocked, resp, rtol=1e-13, atol=1e-15)
    assert ll_blocked == pytest.approx(ll, rel=1e-13)
    assert gmm.log_likelihood(X, params) == pytest.approx(ll, rel=1e-13)
    blocked = gmm.m_step(X, resp, covariance_type="full")
    np.testing.assert_allclose(blocked.covariances, new.covariances, rtol=1e-12)
    np.testing.assert_allclose(blocked.means, new.means, rtol=1e-12)
    assert gmm.lower_bound(X, params, q) == pytest.approx(bound, rel=1e-12)


def test_m_step_covariance_types_from_their_definitions():
    """diag: per-dimension variances; spherical: their mean; tied: Σ_k N_k Σ_k / N (+ reg)."""
    rng = np.random.default_rng(11)
    X = blobs(11)
    resp = rng.dirichlet(np.ones(3), size=X.shape[0])
    reg = 1e-3
    counts = resp.sum(axis=0)
    means = resp.T @ X / counts[:, None]
    full = np.stack([(resp[:, k, None] * (X - means[k])).T @ (X - means[k]) / counts[k] for k in range(3)])
    eye = np.eye(2)
    expected = {
        "full": full + reg * eye,
        "diag": np.stack([np.diag(np.diag(c)) for c in full]) + reg * eye,
        "spherical": np.stack([np.trace(c) / 2 * eye for c in full]) + reg * eye,
        "tied": np.broadcast_to(np.einsum("k,kij->ij", counts, full) / X.shape[0] + reg * eye, (3, 2, 2)),
    }
    for covariance_type, covariances in expected.items():
        params = gmm.m_step(X, resp, reg_covar=reg, covariance_type=covariance_type)
        np.testing.assert_allclose(params.weights, counts / X.shape[0], rtol=1e-12)
        np.testing.assert_allclose(params.means, means, rtol=1e-12)
        np.testing.assert_allclose(params.covariances, covariances, rtol=1e-11, err_msg=covariance_type)


# --- properties (hypothesis) ------------------------------------------------------------------


@st.composite
def data_and_k(draw, max_n: int = 40):
    """A small data set (N, D) of well-spread points, K <= N, and a seed."""
    seed = draw(st.integers(0, 2**32 - 1))
    dim = draw(st.integers(1, 3))
    n = draw(st.integers(2, max_n))
    k = draw(st.integers(1, min(4, n)))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    offset = draw(st.sampled_from([0.0, 10.0, 1e4]))
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n, dim)) + rng.integers(0, 3, size=(n, 1)) * 3) * scale + offset * scale
    return X, k, seed


@PROPERTY
@given(data_and_k(), st.sampled_from(COVARIANCE_TYPES), st.sampled_from(["kmeans", "random"]))
@example(  # a component on two points: its thin direction is reg_covar alone (cond ~ 2e9)
    (np.array([[0.12573022, -0.13210486], [0.64042265, 0.10490012], [2.46433063, 3.36159505],
               [4.30400005, 3.94708096], [2.29626476, 1.73457853], [-0.62327446, 0.04132598],
               [-2.32503077, -0.21879166], [-1.24591095, -0.73226735], [-0.54425898, -0.31630016]]), 3, 0),
    "full",
    "kmeans",
)
def test_em_never_lowers_the_log_likelihood(case, covariance_type, method):
    X, k, seed = case
    variance = float(X.var(axis=0).min())
    assume(variance > 0)
    reg = 1e-10 * variance  # negligible against the data's variance
    params = gmm.init_params(X, k, method=method, seed=seed)
    previous = None  # the first M step moves θ into the covariance type's family
    for _ in range(7):
        try:
            params = gmm.m_step(X, gmm.e_step(X, params), reg_covar=reg, covariance_type=covariance_type)
        except (CollapseError, EmptyComponentError):
            return  # a component fell onto fewer points than dimensions: allowed, never NaN
        current = gmm.log_likelihood(X, params)
        assert np.isfinite(current)
        if previous is not None:
            # Rounding leaves the smallest eigenvalue of a covariance uncertain by ~eps·λ_max, which
            # moves log det Σ_k, and so the log-likelihood, by ~D·eps·cond(Σ_k) per point: only a
            # component squeezed onto a segment (held by reg_covar alone) makes this term matter.
            eigenvalues = np.linalg.eigvalsh(params.covariances)
            condition = float(np.max(eigenvalues[:, -1] / eigenvalues[:, 0]))
            rounding = 10 * X.size * np.finfo(float).eps * condition
            assert current >= previous - 1e-9 * (1.0 + abs(previous)) - rounding, (previous, current)
        previous = current


@PROPERTY
@given(data_and_k(), st.integers(0, 2**32 - 1))
def test_lower_bound_is_below_the_log_likelihood_and_touches_it_at_the_e_step(case, q_seed):
    X, k, seed = case
    params = random_params(np.random.default_rng(seed), k, X.shape[1], scale=float(np.abs(X).max()) + 1.0)
    ll = gmm.log_likelihood(X, params)
    resp = gmm.e_step(X, params)
    assert gmm.lower_bound(X, params, resp) == pytest.approx(ll, rel=1e-9, abs=1e-9)
    rng = np.random.default_rng(q_seed)
    q = rng.dirichlet(np.full(k, 0.5), size=X.shape[0])
    q[rng.random(q.shape) < 0.2] = 0.0  # some exact zeros: 0·log 0 = 0
    q[q.sum(axis=1) == 0, 0] = 1.0
    q /= q.sum(axis=1, keepdims=True)
    assert gmm.lower_bound(X, params, q) <= ll + 1e-9 * (1.0 + abs(ll))
    # a one-hot q is a valid q too (the K-means limit)
    one_hot = np.eye(k)[rng.integers(k, size=X.shape[0])]
    assert gmm.lower_bound(X, params, one_hot) <= ll + 1e-9 * (1.0 + abs(ll))


@PROPERTY
@given(data_and_k(max_n=60))
def test_responsibility_rows_sum_to_one(case):
    X, k, seed = case
    params = random_params(np.random.default_rng(seed), k, X.shape[1], scale=float(np.abs(X).max()) + 1.0)
    resp = gmm.e_step(X, params)
    assert resp.shape == (X.shape[0], k)
    assert np.all(resp >= 0) and np.all(resp <= 1)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)


# --- degenerate data --------------------------------------------------------------------------


def degenerate_cases() -> dict[str, tuple[np.ndarray, int]]:
    rng = np.random.default_rng(0)
    t = rng.uniform(-3, 3, size=30)
    cloud = rng.normal(size=(30, 2))
    return {
        "all points identical": (np.tile([[2.0, -1.0]], (20, 1)), 3),
        "collinear points": (np.column_stack([t, 2 * t + 1]), 3),
        "K = N": (cloud[:6], 6),
        "duplicated points": (np.repeat(cloud[:5], 8, axis=0), 4),
        "coordinates around 1e-8": (cloud * 1e-8, 3),
        "coordinates around 1e8": (cloud * 1e8, 3),
        "offset 1e8, unit spread": (cloud + 1e8, 3),
        "K = N around 1e8": (cloud[:5] * 1e8, 5),
        "one far outlier": (np.vstack([cloud, [[1e6, -1e6]]]), 3),
    }


@pytest.mark.parametrize(
    "method, covariance_type",
    [("kmeans", c) for c in COVARIANCE_TYPES] + [("random", "full"), ("random", "tied")],
)
@pytest.mark.parametrize("name", list(degenerate_cases()))
def test_degenerate_data_gives_finite_numbers_with_default_reg_covar(name, method, covariance_type):
    X, k = degenerate_cases()[name]
    if method == "random" and np.unique(X, axis=0).shape[0] < k:
        with pytest.raises(ValueError, match="distinct points"):
            gmm.init_params(X, k, method=method)
        return
    params = gmm.init_params(X, k, method=method)
    for _ in range(5):
        resp, ll = gmm.e_step_with_log_likelihood(X, params)
        assert np.isfinite(resp).all() and np.isfinite(ll)
        np.testing.assert_allclose(resp.sum(axis=1), 1.0, atol=1e-12)
        assert np.isfinite(gmm.lower_bound(X, params, resp))
        try:
            params = gmm.m_step(X, resp, covariance_type=covariance_type)
        except CollapseError as error:
            # Only where reg_covar = 1e-6 is below float64's resolution of the data: a component
            # on two points 1e8 apart is a segment whose width 1e-6 is lost in rounding.
            assert name == "K = N around 1e8" and covariance_type == "full", str(error)
            assert str(error).endswith("point(s) on a line; raise reg_covar (now 1e-06).")
            return
        for array in (params.weights, params.means, params.covariances):
            assert np.isfinite(array).all()
    assert np.isfinite(gmm.log_likelihood(X, params))


@PROPERTY
@given(
    st.sampled_from(list(degenerate_cases())),
    st.sampled_from(COVARIANCE_TYPES),
    st.sampled_from([0.0, 1e-300, 1e-20, DEFAULT_REG_COVAR]),
    st.integers(0, 1000),
)
def test_too_small_reg_covar_raises_collapse_error_never_nan(name, covariance_type, reg, seed):
    X, k = degenerate_cases()[name]
    params = gmm.init_params(X, k, method="kmeans", seed=seed)
    for _ in range(4):
        try:
            resp, ll = gmm.e_step_with_log_likelihood(X, params)
            assert np.isfinite(resp).all() and np.isfinite(ll)
            params = gmm.m_step(X, resp, reg_covar=reg, covariance_type=covariance_type)
        except CollapseError as error:
            assert re.fullmatch(
                r"(Component \d+|The shared \(tied\) covariance) collapsed onto \d+ point\(s\)"
                r"( on a line)?; raise reg_covar \(now [^)]+\)\.",
                str(error),
            ), str(error)
            return
        except EmptyComponentError:
            return
        assert np.isfinite(params.covariances).all()


def test_collapse_error_text_is_pinned():
    X = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])
    with pytest.raises(CollapseError) as caught:
        gmm.m_step(X, np.eye(3), reg_covar=0.0)  # K = N: every component on its own point
    assert str(caught.value) == "Component 1 collapsed onto 1 point(s); raise reg_covar (now 0)."
    assert caught.value.component == 0 and caught.value.n_points == 1 and caught.value.reg_covar == 0.0
    assert isinstance(caught.value, ValueError)

    line = np.column_stack([np.arange(5.0), 2 * np.arange(5.0)])
    resp = np.column_stack([np.ones(5), np.zeros(5)])
    resp[0] = [0.0, 1.0]
    resp[1] = [0.0, 1.0]
    with pytest.raises(CollapseError) as caught:
        gmm.m_step(line, resp, reg_covar=1e-20)
    assert str(caught.value) == "Component 1 collapsed onto 3 point(s) on a line; raise reg_covar (now 1e-20)."

    with pytest.raises(CollapseError) as caught:
        gmm.m_step(line, resp, reg_covar=0.0, covariance_type="tied")
    assert str(caught.value) == (
        "The shared (tied) covariance collapsed onto 5 point(s) on a line; raise reg_covar (now 0)."
    )
    # the default reg_covar is enough for the same data
    assert np.isfinite(gmm.m_step(line, resp).covariances).all()


def test_empty_component_raises_a_plain_error():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    resp = np.column_stack([np.ones(4), np.zeros(4)])
    with pytest.raises(EmptyComponentError) as caught:
        gmm.m_step(X, resp)
    assert str(caught.value) == (
        "Component 2 is empty: the points give it a total responsibility of 0, so its mean and "
        "covariance are undefined; use fewer components or another initialisation."
    )
    assert caught.value.component == 1


def test_m_step_rejects_bad_responsibilities():
    X = np.zeros((3, 2)) + np.arange(3.0)[:, None]
    with pytest.raises(ValueError, match="rows of resp must sum to 1"):
        gmm.m_step(X, np.full((3, 2), 0.3))
    with pytest.raises(ValueError, match="at least 0"):
        gmm.m_step(X, np.array([[1.5, -0.5], [0.5, 0.5], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="at least 0"):
        gmm.m_step(X, np.array([[np.nan, 0.5], [0.5, 0.5], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="shape"):
        gmm.m_step(X, np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="covariance_type"):
        gmm.m_step(X, np.full((3, 2), 0.5), covariance_type="banded")
    with pytest.raises(ValueError, match="reg_covar"):
        gmm.m_step(X, np.full((3, 2), 0.5), reg_covar=-1.0)


# --- GMMParams ------------------------------------------------------------------------------


def valid_arrays():
    return (
        np.array([0.25, 0.75]),
        np.array([[0.0, 0.0], [1.0, 1.0]]),
        np.array([np.eye(2), [[2.0, 0.5], [0.5, 1.0]]]),
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda w, m, c: (np.array([-0.25, 1.25]), m, c), "weight of component 0 is -0.25; weights must be at least 0."),
        (lambda w, m, c: (np.array([0.5, 0.6]), m, c), "the weights sum to 1.1; they must sum to 1."),
        (lambda w, m, c: (np.array([1.0]), m, c), "weights must have shape (K,) = (2,), one per component; got shape (1,)."),
        (lambda w, m, c: (w, m[:, :1], c), "covariances must have shape (K, D, D) = (2, 1, 1); got shape (2, 2, 2)."),
        (lambda w, m, c: (w, m[0], c), "means must have shape (K, D), one row per component; got shape (2,)."),
        (
            lambda w, m, c: (w, m, np.array([np.eye(2), [[2.0, 0.5], [0.4, 1.0]]])),
            "covariance of component 1 is not symmetric: entry [0, 1] is 0.5 but entry [1, 0] is 0.4.",
        ),
        (
            lambda w, m, c: (w, m, np.array([[[1.0, 2.0], [2.0, 1.0]], np.eye(2)])),
            "covariance of component 0 is not positive definite (its smallest eigenvalue is -1); "
            "add a small multiple of the identity to it.",
        ),
        (lambda w, m, c: (w, np.array([[0.0, np.nan], [1.0, 1.0]]), c), "means contains NaN or infinite values"),
    ],
)
def test_gmm_params_validation_messages(change, message):
    with pytest.raises(ValueError) as caught:
        GMMParams(*change(*valid_arrays()))
    assert str(caught.value).startswith(message)


def test_gmm_params_is_a_read_only_copy():
    weights, means, covariances = valid_arrays()
    weights = weights * (1 + 1e-10)  # a tiny drift is renormalised
    params = GMMParams(weights, means, covariances)
    assert params.k == 2 and params.dim == 2
    assert params.weights.sum() == pytest.approx(1.0, abs=1e-15)
    means[0, 0] = 99.0  # the caller's array is not shared
    assert params.means[0, 0] == 0.0
    for array in (params.weights, params.means, params.covariances, params.cholesky):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.means = means  # type: ignore[misc]
    np.testing.assert_allclose(params.cholesky @ params.cholesky.transpose(0, 2, 1), params.covariances)
    assert params == GMMParams(*valid_arrays()) and params != GMMParams(
        np.array([0.5, 0.5]), *valid_arrays()[1:]
    )


def test_functions_do_not_modify_their_inputs():
    X = blobs(3)
    params = gmm.init_params(X, 3)
    resp = gmm.e_step(X, params)
    X_copy, resp_copy = X.copy(), resp.copy()
    X.setflags(write=False)
    resp.setflags(write=False)
    gmm.e_step(X, params)
    gmm.m_step(X, resp, covariance_type="tied")
    gmm.lower_bound(X, params, resp)
    gmm.log_likelihood(X, params)
    gmm.log_density(X, params)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(resp, resp_copy)


# --- init_params ----------------------------------------------------------------------------


def test_init_kmeans_is_a_converged_kmeans():
    X = blobs(4)
    params = gmm.init_params(X, 3, method="kmeans", seed=4)
    labels = kmeans.assign(X, params.means)
    # a fixed point of Lloyd's iteration: the means of the final clusters are the centroids
    np.testing.assert_allclose(kmeans.update(X, labels, params.means), params.means, rtol=1e-12)
    sizes = np.bincount(labels, minlength=3)
    np.testing.assert_allclose(params.weights, sizes / X.shape[0])
    for k in range(3):
        members = X[labels == k]
        expected = np.cov(members.T, bias=True) + DEFAULT_REG_COVAR * np.eye(2)
        np.testing.assert_allclose(params.covariances[k], expected, rtol=1e-10)
    assert gmm.init_params(X, 3, method="kmeans", seed=4) == params  # same seed, same result


def test_init_random_uses_distinct_points_and_the_data_covariance():
    X = blobs(6)
    params = gmm.init_params(X, 4, method="random", seed=2)
    assert np.unique(params.means, axis=0).shape[0] == 4
    assert all((X == mean).all(axis=1).any() for mean in params.means)
    np.testing.assert_allclose(params.weights, 0.25)
    expected = np.cov(X.T, bias=True) + DEFAULT_REG_COVAR * np.eye(2)
    for covariance in params.covariances:
        np.testing.assert_allclose(covariance, expected, rtol=1e-10)
    assert gmm.init_params(X, 4, method="random", seed=2) == params
    assert gmm.init_params(X, 4, method="random", seed=3) != params


def test_init_gives_valid_parameters_on_degenerate_data():
    identical = np.tile([[1e8, 1e8]], (5, 1))
    params = gmm.init_params(identical, 3)  # clusters K-means leaves empty count as one point
    assert np.all(params.weights > 0) and np.isfinite(params.covariances).all()
    line = np.column_stack([np.arange(10.0), np.arange(10.0)]) * 1e8  # reg 1e-6 is below eps here
    for method in ("kmeans", "random"):
        params = gmm.init_params(line, 2, method=method)
        eigenvalues = np.linalg.eigvalsh(params.covariances)
        assert np.all(eigenvalues[:, 0] > 0)


@pytest.mark.parametrize(
    "k, method, message",
    [
        (0, "kmeans", "k must be between 1 and the number of points N = 5; got k = 0."),
        (6, "random", "k must be between 1 and the number of points N = 5; got k = 6."),
        (2.5, "kmeans", "k must be a whole number of components; got 2.5."),
        (2, "kmeans++", "Unknown init method 'kmeans++'; choose one of \"kmeans\", \"random\"."),
    ],
)
def test_init_params_rejects_bad_arguments(k, method, message):
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError) as caught:
        gmm.init_params(X, k, method=method)
    assert str(caught.value) == message


def test_e_step_checks_its_inputs():
    params = GMMParams(*valid_arrays())
    with pytest.raises(ValueError, match="D = 3 columns but the mixture has D = 2"):
        gmm.e_step(np.zeros((4, 3)), params)
    with pytest.raises(ValueError, match="NaN or infinite"):
        gmm.e_step(np.array([[0.0, np.inf]]), params)
    with pytest.raises(ValueError, match="every row of q must sum to 1"):
        gmm.lower_bound(np.zeros((2, 2)), params, np.full((2, 2), 0.4))


@pytest.mark.parametrize("covariance_type", ["diag", "spherical", "tied"])
def test_a_projected_start_belongs_to_its_family_and_em_never_falls_from_it(covariance_type):
    rng = np.random.default_rng(5)
    X = np.concatenate([rng.normal(size=(60, 2)) @ [[2.0, 0.8], [0.0, 0.5]], rng.normal(size=(60, 2)) + 6])
    start = gmm.project_to_covariance_type(gmm.init_params(X, 2, method="kmeans", seed=0), covariance_type)
    covariances = start.covariances
    if covariance_type == "diag":
        assert np.all(covariances[:, 0, 1] == 0) and np.all(covariances[:, 1, 0] == 0)
    elif covariance_type == "spherical":
        assert np.all(covariances[:, 0, 1] == 0)
        np.testing.assert_allclose(covariances[:, 0, 0], covariances[:, 1, 1])
    else:
        np.testing.assert_allclose(covariances[0], covariances[1])
    # the M step of the family maps the start into the family, so EM cannot lose likelihood
    params, previous = start, gmm.log_likelihood(X, start)
    for _ in range(5):
        params = gmm.m_step(X, gmm.e_step(X, params), reg_covar=1e-9, covariance_type=covariance_type)
        current = gmm.log_likelihood(X, params)
        assert current >= previous - 1e-9 * abs(previous)
        previous = current
