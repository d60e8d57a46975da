"""Tests of clustering.exact1d: brute force as the reference, Lloyd never beats it, errors."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from clustering.constants import KMEANS_INIT_METHODS
from clustering.exact1d import optimal_kmeans_1d
from clustering.kmeans import assign, init_centroids, objective, update

EPS = np.finfo(np.float64).eps
SETTINGS = settings(max_examples=80, deadline=None)


@st.composite
def values(draw, min_size: int = 1, max_size: int = 8) -> np.ndarray:
    """1-D data: small integers (many duplicates) or floats, at scale 1, 1e-8 or around 1e8."""
    n = draw(st.integers(min_size, max_size))
    if draw(st.booleans()):
        elements = st.integers(-4, 4).map(float)
    else:
        elements = st.floats(-10, 10).map(lambda v: 0.0 if abs(v) < 1e-100 else v)  # no underflow
    base = draw(arrays(np.float64, n, elements=elements))
    transform = draw(st.sampled_from(["plain", "tiny", "far", "outlier"]))
    if transform == "tiny":
        return base * 1e-8
    if transform == "far":
        return base + 1e8
    if transform == "outlier":
        base[0] += 1e8
    return base


def tolerance(x: np.ndarray, J: float) -> float:
    """Rounding noise in J: relative, plus the last digits of the coordinates squared."""
    return 1e-9 * J + x.size * (8 * EPS * np.abs(x).max()) ** 2


def sum_of_squares(group: np.ndarray) -> float:
    return float(np.sum((group - group.mean()) ** 2)) if group.size else 0.0


def brute_force_contiguous(x: np.ndarray, k: int) -> float:
    """The least J over every cut of the sorted points into k non-empty contiguous groups."""
    s = np.sort(x)
    n = s.size
    best = np.inf
    for cuts in itertools.combinations(range(1, n), k - 1):
        bounds = (0, *cuts, n)
        best = min(best, sum(sum_of_squares(s[a:b]) for a, b in itertools.pairwise(bounds)))
    return best


def brute_force_labelings(x: np.ndarray, k: int) -> float:
    """The least J over every labeling of the points with k labels (no sorting assumed)."""
    best = np.inf
    for labels in itertools.product(range(k), repeat=x.size):
        labels = np.array(labels)
        best = min(best, sum(sum_of_squares(x[labels == j]) for j in range(k)))
    return best


def check_result(x: np.ndarray, k: int, result) -> float:
    """The three outputs agree with each other; returns J."""
    centroids, labels, J = result
    assert centroids.shape == (k,) and labels.shape == x.shape
    assert np.all(np.diff(centroids) >= 0), "centroids must be ascending"
    assert set(labels.tolist()) == set(range(k)), "every cluster has a point"
    for j in range(k):
        np.testing.assert_allclose(centroids[j], x[labels == j].mean(), rtol=1e-12, atol=1e-12 * np.abs(x).max())
    assert J == pytest.approx(float(np.sum((x - centroids[labels]) ** 2)), rel=1e-12, abs=tolerance(x, 0.0))
    return J


@SETTINGS
@given(x=values(max_size=9), data=st.data())
def test_equals_brute_force_over_contiguous_cuts(x, data):
    k = data.draw(st.integers(1, x.size))
    J = check_result(x, k, optimal_kmeans_1d(x, k))
    best = brute_force_contiguous(x, k)
    assert abs(J - best) <= tolerance(x, best)


@settings(max_examples=50, deadline=None)
@given(x=values(max_size=6), data=st.data())
def test_equals_brute_force_over_all_labelings(x, data):
    k = data.draw(st.integers(1, min(3, x.size)))
    J = check_result(x, k, optimal_kmeans_1d(x, k))
    best = brute_force_labelings(x, k)
    assert abs(J - best) <= tolerance(x, best)


def lloyd(x: np.ndarray, k: int, method: str, seed: int, max_iter: int = 100) -> float:
    """J of Lloyd's algorithm run to convergence from the given initialisation."""
    X = x[:, None]
    centroids = init_centroids(X, k, method=method, seed=seed)
    for _ in range(max_iter):
        new_centroids = update(X, assign(X, centroids), centroids)
        if np.array_equal(new_centroids, centroids):
            break
        centroids = new_centroids
    return objective(X, centroids, assign(X, centroids))


@SETTINGS
@given(x=values(min_size=2, max_size=40), data=st.data())
def test_lloyd_never_goes_below_the_optimum(x, data):
    k = data.draw(st.integers(1, min(5, x.size)))
    method = data.draw(st.sampled_from(KMEANS_INIT_METHODS))
    seed = data.draw(st.integers(0, 1000))
    _, _, J = optimal_kmeans_1d(x, k)
    if method == "random" and np.unique(x).size < k:
        method = "kmeans++"
    assert lloyd(x, k, method, seed) >= J - tolerance(x, J)


def test_lloyd_can_be_worse_than_the_optimum():
    """The point of the page: a bad start leaves Lloyd in a local optimum."""
    x = np.array([0.0, 1.0, 10.0, 11.0, 20.0, 21.0])
    centroids, labels, J = optimal_kmeans_1d(x, 3)
    np.testing.assert_array_equal(centroids, [0.5, 10.5, 20.5])
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 2, 2])
    assert J == 1.5
    X = x[:, None]
    stuck = np.array([[0.0], [1.0], [15.5]])  # two centroids in the first pair
    for _ in range(10):
        stuck = update(X, assign(X, stuck), stuck)
    assert objective(X, stuck, assign(X, stuck)) > J


def test_labels_follow_the_original_order_and_duplicates():
    x = np.array([5.0, -1.0, 5.0, 100.0, -1.0, 5.0])
    centroids, labels, J = optimal_kmeans_1d(x, 3)
    np.testing.assert_array_equal(centroids, [-1.0, 5.0, 100.0])
    np.testing.assert_array_equal(labels, [1, 0, 1, 2, 0, 1])
    assert J == 0.0


def test_more_clusters_than_distinct_values():
    x = np.array([2.0, 2.0, 2.0, 7.0])
    centroids, labels, J = optimal_kmeans_1d(x, 3)
    np.testing.assert_array_equal(centroids, [2.0, 2.0, 7.0])
    assert labels[3] == 2 and set(labels[:3].tolist()) == {0, 1}
    assert J == 0.0


def test_copies_of_one_value_give_that_value_as_centroid():
    """Rounding alone would put the mean of 0.7, 0.7, 0.7 at 0.6999999999999998, below the
    centroid 0.7 of the fourth copy: the centroids would not be ascending."""
    centroids, labels, J = optimal_kmeans_1d(np.full(4, 0.7), 2)
    np.testing.assert_array_equal(centroids, [0.7, 0.7])
    assert J == 0.0


def test_single_point_and_single_cluster():
    centroids, labels, J = optimal_kmeans_1d([3.25], 1)
    np.testing.assert_array_equal(centroids, [3.25])
    np.testing.assert_array_equal(labels, [0])
    assert J == 0.0
    x = np.array([1.0, 2.0, 6.0])
    centroids, labels, J = optimal_kmeans_1d(x, 1)
    np.testing.assert_array_equal(centroids, [3.0])
    assert J == 4.0 + 1.0 + 9.0


def test_far_from_the_origin_the_costs_keep_their_digits():
    """Prefix sums of x and x^2 would cancel catastrophically here (x^2 ~ 1e16)."""
    x = np.array([0.0, 0.0, 1e8, 1e8 + 1.0, 1e8 + 3.0])
    centroids, labels, J = optimal_kmeans_1d(x, 3)
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 2])
    assert J == 0.5


def test_input_is_not_modified():
    x = np.array([3.0, 1.0, 2.0, 10.0])
    x.setflags(write=False)
    optimal_kmeans_1d(x, 2)
    np.testing.assert_array_equal(x, [3.0, 1.0, 2.0, 10.0])


@pytest.mark.parametrize(
    ("x", "k", "expected"),
    [
        ([1.0, 2.0, 3.0], 0, "k = 0"),
        ([1.0, 2.0, 3.0], 4, "k = 4"),
        ([1.0, 2.0, 3.0], 4, "N = 3"),
        ([1.0, 2.0, 3.0], 1.5, "1.5"),
        ([[1.0, 2.0], [3.0, 4.0]], 1, "(2, 2)"),
        ([], 1, "empty"),
        ([1.0, np.nan, 3.0], 1, "index 1"),
    ],
)
def test_errors_are_plain_sentences_naming_the_value(x, k, expected):
    with pytest.raises(ValueError) as error:
        optimal_kmeans_1d(x, k)
    message = str(error.value)
    assert expected in message
    assert message.endswith(".") and "\n" not in message
