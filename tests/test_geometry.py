"""clustering.geometry: ellipses from eigh, the density grid, axis ranges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal

from clustering import geometry
from clustering.gmm import GMMParams

PROPERTY = settings(max_examples=40, deadline=None)


@st.composite
def covariances(draw):
    """A random symmetric positive definite 2 x 2 matrix: R diag(λ) Rᵀ."""
    angle = draw(st.floats(-math.pi, math.pi))
    scale = draw(st.sampled_from([1e-6, 1.0, 1e4]))
    eigenvalues = np.array([draw(st.floats(0.01, 100.0)), draw(st.floats(0.01, 100.0))]) * scale
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    return rotation @ np.diag(eigenvalues) @ rotation.T


means = st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)).map(np.array)
sigmas = st.floats(0.1, 5.0)


@PROPERTY
@given(means, covariances(), sigmas, st.integers(3, 200))
def test_ellipse_points_are_at_mahalanobis_distance_n_sigma(mean, covariance, n_sigma, n_points):
    outline = geometry.ellipse(mean, covariance, n_sigma=n_sigma, n_points=n_points)
    assert outline.shape == (n_points, 2)
    difference = outline - mean
    squared = np.einsum("ni,ij,nj->n", difference, np.linalg.inv(covariance), difference)
    np.testing.assert_allclose(squared, n_sigma**2, rtol=1e-7)
    np.testing.assert_array_equal(outline[0], outline[-1])  # the outline closes


@PROPERTY
@given(covariances(), sigmas)
def test_ellipse_axes_match_the_eigenvalues(covariance, n_sigma):
    half_lengths, angle = geometry.ellipse_axes(covariance, n_sigma)
    eigenvalues = np.linalg.eigvalsh(covariance)[::-1]  # descending: major first
    np.testing.assert_allclose(half_lengths, n_sigma * np.sqrt(eigenvalues), rtol=1e-9)
    assert -90.0 < angle <= 90.0
    if eigenvalues[0] - eigenvalues[1] > 1e-6 * eigenvalues[0]:
        # the direction at `angle` is an eigenvector of the largest eigenvalue
        direction = np.array([math.cos(math.radians(angle)), math.sin(math.radians(angle))])
        np.testing.assert_allclose(covariance @ direction, eigenvalues[0] * direction,
                                   rtol=1e-6, atol=1e-9 * eigenvalues[0])


def test_ellipse_axes_by_hand():
    half_lengths, angle = geometry.ellipse_axes(np.diag([1.0, 9.0]), n_sigma=2.0)
    np.testing.assert_allclose(half_lengths, [6.0, 2.0])
    assert angle == pytest.approx(90.0)
    half_lengths, angle = geometry.ellipse_axes([[2.0, 1.0], [1.0, 2.0]])  # λ = 3 along (1, 1)
    np.testing.assert_allclose(half_lengths, [math.sqrt(3.0), 1.0])
    assert angle == pytest.approx(45.0)
    assert geometry.ellipse_axes(np.eye(2) * 4.0) == (pytest.approx([2.0, 2.0]), 0.0)
    outline = geometry.ellipse([1.0, 2.0], np.diag([4.0, 1.0]), n_points=5)
    np.testing.assert_allclose(outline, [[3, 2], [1, 3], [-1, 2], [1, 1], [3, 2]], atol=1e-12)


def test_singular_covariance_gives_a_segment():
    outline = geometry.ellipse([0.0, 0.0], [[1.0, 1.0], [1.0, 1.0]], n_points=50)
    np.testing.assert_allclose(outline[:, 0], outline[:, 1], atol=1e-12)
    half_lengths, angle = geometry.ellipse_axes([[1.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(half_lengths, [math.sqrt(2.0), 0.0], atol=1e-12)
    assert angle == pytest.approx(45.0)


@pytest.mark.parametrize(
    "args, message",
    [
        (([0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]]), "covariance must be symmetric"),
        (([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]]), "covariance must be positive semi-definite; its smallest eigenvalue is -1"),
        (([0.0, 0.0], np.eye(3)), "covariance must be a (2, 2) matrix"),
        (([0.0, 0.0, 0.0], np.eye(2)), "mean must be 2 finite numbers"),
        (([0.0, 0.0], np.eye(2), -1.0), "n_sigma must be a positive number"),
        (([0.0, 0.0], np.eye(2), 1.0, 2), "n_points must be a whole number of at least 3"),
    ],
)
def test_ellipse_rejects_bad_input(args, message):
    with pytest.raises(ValueError) as caught:
        geometry.ellipse(*args)
    assert str(caught.value).startswith(message)


def mixture() -> GMMParams:
    return GMMParams(
        np.array([0.3, 0.7]),
        np.array([[0.0, 0.0], [3.0, 1.0]]),
        np.array([[[1.0, 0.3], [0.3, 0.5]], [[0.4, 0.0], [0.0, 2.0]]]),
    )


def test_density_grid_layout_and_values():
    params = mixture()
    xs, ys, density = geometry.mixture_density_grid(params, (-3.0, 6.0), (-4.0, 5.0), resolution=37)
    assert xs.shape == (37,) and ys.shape == (37,) and density.shape == (37, 37)
    assert xs[0] == -3.0 and xs[-1] == 6.0 and ys[0] == -4.0 and ys[-1] == 5.0
    i, j = 11, 29  # density[i, j] is at (xs[j], ys[i])
    expected = sum(
        w * multivariate_normal(m, c).pdf([xs[j], ys[i]])
        for w, m, c in zip(params.weights, params.means, params.covariances, strict=True)
    )
    assert density[i, j] == pytest.approx(expected, rel=1e-12)


def test_density_grid_integrates_to_one():
    xs, ys, density = geometry.mixture_density_grid(mixture(), (-8.0, 10.0), (-9.0, 10.0), resolution=300)
    area = (xs[1] - xs[0]) * (ys[1] - ys[0])
    assert density.sum() * area == pytest.approx(1.0, abs=1e-3)


def test_density_grid_rejects_bad_input():
    with pytest.raises(ValueError, match="x_range must be two finite numbers"):
        geometry.mixture_density_grid(mixture(), (1.0, 1.0), (0.0, 1.0))
    with pytest.raises(ValueError, match="2-D mixture"):
        geometry.mixture_density_grid(GMMParams(np.ones(1), np.zeros((1, 3)), np.eye(3)[None]), (0, 1), (0, 1))


@PROPERTY
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 30),
    st.sampled_from([1e-8, 1.0, 1e8]),
    st.sampled_from([0.0, 1e8]),
    st.sampled_from(["cloud", "horizontal", "vertical", "point"]),
)
def test_axis_ranges_hold_every_point_with_a_margin(seed, n, scale, offset, shape):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) * scale + offset
    if shape == "horizontal":
        X[:, 1] = X[0, 1]
    elif shape == "vertical":
        X[:, 0] = X[0, 0]
    elif shape == "point":
        X[:] = X[0]
    (x_low, x_high), (y_low, y_high) = geometry.axis_ranges(X, margin=0.05)
    for low, high, column in ((x_low, x_high, X[:, 0]), (y_low, y_high, X[:, 1])):
        assert math.isfinite(low) and math.isfinite(high) and low < high
        assert low <= column.min() and column.max() <= high
    spans = X.max(axis=0) - X.min(axis=0)
    if spans.max() > 1e-12 * abs(offset):
        # the same padding on both axes, 5% of the larger span, on every axis with a spread
        pad = 0.05 * spans.max()
        if spans[0] > 0:
            assert X[:, 0].min() - x_low == pytest.approx(pad, rel=1e-6)
        if spans[1] > 0:
            assert y_high - X[:, 1].max() == pytest.approx(pad, rel=1e-6)


def test_axis_ranges_by_hand():
    X = np.array([[0.0, 0.0], [10.0, 2.0]])
    assert geometry.axis_ranges(X, margin=0.1) == (
        (pytest.approx(-1.0), pytest.approx(11.0)),
        (pytest.approx(-1.0), pytest.approx(3.0)),
    )
    # one point: a unit-wide box around it
    assert geometry.axis_ranges(np.array([[2.0, 3.0]]), margin=0.0) == ((1.5, 2.5), (2.5, 3.5))
    # a horizontal line: the y axis gets the x span
    assert geometry.axis_ranges(np.array([[0.0, 1.0], [4.0, 1.0]]), margin=0.0) == ((0.0, 4.0), (-1.0, 3.0))
    with pytest.raises(ValueError, match=r"X must be an \(N, 2\) array"):
        geometry.axis_ranges(np.zeros((3, 3)))


def test_a_vertical_axis_with_a_rounding_error_is_at_plus_90_degrees():
    """Hypothesis found it: an x part of 1e-22 once gave exactly −90°, outside (−90, 90]."""
    covariance = np.array([[2.5e-07, -9.18485099e-23], [-9.18485099e-23, 1e-06]])
    half_lengths, angle = geometry.ellipse_axes(covariance, 1.0)
    assert angle == pytest.approx(90.0) and -90.0 < angle <= 90.0
    np.testing.assert_allclose(half_lengths, [1e-3, 5e-4], rtol=1e-9)
