"""Tests of clustering.kmeans: scikit-learn as the reference, properties, degenerate data, errors."""

import warnings
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.cluster import KMeans

from clustering import _kernels
from clustering.constants import KMEANS_INIT_METHODS
from clustering.kmeans import (
    assign,
    cluster_sizes,
    empty_clusters,
    init_centroids,
    objective,
    update,
)

EPS = np.finfo(np.float64).eps
SETTINGS = settings(max_examples=60, deadline=None)


# --- data for the properties ------------------------------------------------------------------

# How a small array of numbers becomes a data set: the degenerate cases the app must survive.
SHAPES = ("plain", "tiny", "far", "outlier", "collinear", "identical", "duplicated")


def shape_data(base: np.ndarray, shape: str) -> np.ndarray:
    """Turn base (N, D) numbers of order 1-10 into one of the SHAPES."""
    n, d = base.shape
    if shape == "tiny":  # coordinates around 1e-8
        return base * 1e-8
    if shape == "far":  # coordinates around 1e8
        return base + 1e8
    if shape == "outlier":  # one point very far from the others
        data = base.copy()
        data[0] += 1e8
        return data
    if shape == "collinear":
        direction = np.array([1.0, -2.0, 0.5])[:d]
        return base[:, :1] * direction
    if shape == "identical":
        return np.repeat(base[:1], n, axis=0)
    if shape == "duplicated":  # every point twice
        return np.concatenate([base, base])[: max(n, 2)]
    return base


@st.composite
def data_sets(draw, max_points: int = 30, max_dims: int = 3) -> np.ndarray:
    """Small (N, D) data sets: integers (many exact ties) or floats, in one of SHAPES."""
    n = draw(st.integers(1, max_points))
    d = draw(st.integers(1, max_dims))
    if draw(st.booleans()):
        elements = st.integers(-5, 5).map(float)
    else:
        elements = st.floats(-10, 10).map(no_underflow)
    base = draw(arrays(np.float64, (n, d), elements=elements))
    return shape_data(base, draw(st.sampled_from(SHAPES)))


def no_underflow(value: float) -> float:
    """0 for values so small that their squares (times 1e-16, for the "tiny" shape) underflow,
    which the references below, unlike assign, do not guard against; see
    test_extreme_scales_neither_underflow_nor_overflow for those."""
    return 0.0 if abs(value) < 1e-100 else value


def n_distinct(X: np.ndarray) -> int:
    return len(np.unique(X, axis=0))


def m_step_slack(X: np.ndarray, J: float) -> float:
    """How far rounding alone can raise J in an M step: the computed mean misses the exact
    mean by a few units in the last place of the coordinates."""
    n, d = X.shape
    return 1e-12 * J + n * d * (8 * EPS * np.abs(X).max()) ** 2


def naive_labels(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """argmin_k ||x_n - u_k||^2 by broadcasting, summing dimensions in order; np.argmin
    takes the first of equal values."""
    squared = np.zeros((X.shape[0], centroids.shape[0]))
    for d in range(X.shape[1]):
        squared += (X[:, None, d] - centroids[None, :, d]) ** 2
    return np.argmin(squared, axis=1)


# --- against scikit-learn ------------------------------------------------------------------------


def blobs(seed: int, n: int, k: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(k, d))
    return centres[rng.integers(k, size=n)] + rng.normal(size=(n, d))


def sklearn_one_iteration(X: np.ndarray, centroids: np.ndarray) -> KMeans:
    """KMeans with max_iter=1. In scikit-learn 1.9, _kmeans_single_lloyd runs one Lloyd
    iteration (E step with the initial centres, M step) and then, since the labels changed
    from their initial -1, one more E step with the new centres ("rerun E-step so that
    predicted labels match cluster centers"): cluster_centers_ is update(X, assign(X, C0), C0),
    labels_ is assign(X, C1) and inertia_ is objective(X, C1, labels_)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return KMeans(
            n_clusters=centroids.shape[0], init=centroids, n_init=1, max_iter=1, algorithm="lloyd"
        ).fit(X)


def check_against_sklearn(X: np.ndarray, initial: np.ndarray) -> None:
    labels = assign(X, initial)
    # Distinct data points as initial centroids: each keeps at least its own point, so no
    # cluster empties (scikit-learn would move an empty cluster's centre; we keep it).
    assert not empty_clusters(labels, initial.shape[0])
    centroids = update(X, labels, initial)
    reference = sklearn_one_iteration(X, initial)

    scale = np.abs(X).max()
    np.testing.assert_allclose(centroids, reference.cluster_centers_, rtol=1e-8, atol=1e-8 * scale)
    new_labels = assign(X, centroids)
    np.testing.assert_array_equal(new_labels, reference.labels_)
    assert objective(X, centroids, new_labels) == pytest.approx(reference.inertia_, rel=1e-8)


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(10, 400),
    k=st.integers(1, 8),
    d=st.integers(1, 3),
)
def test_one_iteration_matches_sklearn(seed, n, k, d):
    X = blobs(seed, n, k, d)
    initial = init_centroids(X, k, method="random", seed=seed)
    check_against_sklearn(X, initial)


def test_one_iteration_matches_sklearn_over_many_blocks():
    """N spans several blocks of assign and update, the last one partial."""
    X = blobs(seed=7, n=3 * _kernels.KMEANS_BLOCK_POINTS + 123, k=10, d=2)
    initial = init_centroids(X, 10, method="kmeans++", seed=7)
    check_against_sklearn(X, initial)


# --- the E step -------------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_assign_picks_the_nearest_centroid_and_the_lowest_index_on_ties(data):
    """Small integer coordinates (possibly shifted by 1e8) keep every squared distance exact,
    so ties are real ties, and duplicate centroids are common; the expected label is found
    with Python integers."""
    d = data.draw(st.integers(1, 3))
    coordinates = st.integers(-4, 4)
    points = data.draw(arrays(np.int64, (data.draw(st.integers(1, 25)), d), elements=coordinates))
    centroids = data.draw(arrays(np.int64, (data.draw(st.integers(1, 8)), d), elements=coordinates))
    offset = data.draw(st.sampled_from([0.0, 0.5, 1e8]))

    expected = []
    for x in points.tolist():
        distances = [sum((a - b) ** 2 for a, b in zip(x, u, strict=True)) for u in centroids.tolist()]
        expected.append(distances.index(min(distances)))
    np.testing.assert_array_equal(assign(points + offset, centroids + offset), expected)


def test_assign_tie_between_two_centroids_goes_to_the_lower_index():
    X = np.array([[0.5, 0.0], [0.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(assign(X, np.array([[0.0, 0.0], [1.0, 0.0]])), [0, 0, 1])
    np.testing.assert_array_equal(assign(X, np.array([[1.0, 0.0], [0.0, 0.0]])), [0, 1, 0])
    np.testing.assert_array_equal(assign(X, np.array([[3.0, 3.0], [3.0, 3.0]])), [0, 0, 0])


@SETTINGS
@given(X=data_sets(max_points=40), k=st.integers(1, 6), seed=st.integers(0, 1000), block=st.integers(1, 9))
def test_assign_equals_the_naive_argmin_for_any_block_size(X, k, seed, block):
    rng = np.random.default_rng(seed)
    centroids = X[rng.integers(X.shape[0], size=k)] + rng.normal(size=(k, X.shape[1])) * np.abs(X).max()
    with mock.patch.object(_kernels, "KMEANS_BLOCK_POINTS", block):
        labels = assign(X, centroids)
    np.testing.assert_array_equal(labels, naive_labels(X, centroids))
    assert labels.dtype == np.intp


def test_near_ties_finer_than_single_precision_are_decided_by_the_exact_sums():
    """The screen runs in single precision (about 7 digits): points within 3e-8 of the
    bisector of two centroids, on either side, are still labelled as the squared distances
    in double precision say (a screen trusted without its rounding bound mislabels a quarter)."""
    rng = np.random.default_rng(0)
    centroids = np.array([[0.1, 0.2], [0.9, 0.7]])
    along = (centroids[1] - centroids[0]) / np.linalg.norm(centroids[1] - centroids[0])
    across = np.array([-along[1], along[0]])
    middle = centroids.mean(axis=0)
    X = (middle + rng.uniform(-1, 1, (20_000, 1)) * across
         + rng.uniform(-3e-8, 3e-8, (20_000, 1)) * along)
    np.testing.assert_array_equal(assign(X, centroids), naive_labels(X, centroids))
    np.testing.assert_array_equal(assign(X + 1e3, centroids + 1e3), naive_labels(X + 1e3, centroids + 1e3))


def test_pixel_colours_get_the_labels_of_the_direct_sums():
    """A photo's colours (multiples of 1/255, many repeats, many near ties between K = 16 and
    64 centroids) over several blocks."""
    rng = np.random.default_rng(5)
    X = rng.integers(0, 256, size=(3 * _kernels.KMEANS_BLOCK_POINTS + 17, 3)) / 255.0
    for k in (16, 64):
        centroids = X[rng.choice(X.shape[0], k, replace=False)] + rng.normal(0, 1e-3, (k, 3))
        np.testing.assert_array_equal(assign(X, centroids), naive_labels(X, centroids))


def test_extreme_scales_neither_underflow_nor_overflow():
    """Squared differences of 1e-308 underflow and of 1e300 overflow; assign and the
    initialisations still tell the points apart."""
    tiny = np.array([[3e-308], [0.0], [1e-308], [2.5e-308]])
    np.testing.assert_array_equal(assign(tiny, np.array([[0.0], [3e-308]])), [1, 0, 0, 1])
    huge = np.array([[1e300], [-1e300], [0.9e300], [-0.95e300]])
    np.testing.assert_array_equal(assign(huge, np.array([[-1e300], [1e300]])), [1, 0, 1, 0])
    for X in (tiny, huge):
        for method in ("kmeans++", "farthest"):
            assert n_distinct(init_centroids(X, 4, method=method)) == 4


# --- J never rises ------------------------------------------------------------------------------


@SETTINGS
@given(X=data_sets(), k=st.integers(1, 6), method=st.sampled_from(KMEANS_INIT_METHODS), seed=st.integers(0, 100))
def test_objective_never_rises_over_any_half_step(X, k, method, seed):
    k = min(k, X.shape[0])
    assume(method != "random" or n_distinct(X) >= k)
    centroids = init_centroids(X, k, method=method, seed=seed)
    labels = assign(X, centroids)
    J = objective(X, centroids, labels)
    for _ in range(6):
        # M step: the means minimise J for fixed labels (up to the rounding of the means).
        centroids = update(X, labels, centroids)
        J_after_m = objective(X, centroids, labels)
        assert J_after_m <= J + m_step_slack(X, J)
        # E step: objective sums the very squared distances assign compares, so the nearest
        # centroid can never make J larger, not even by rounding.
        labels = assign(X, centroids)
        J_after_e = objective(X, centroids, labels)
        assert J_after_e <= J_after_m
        J = J_after_e


def test_objective_by_hand():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 1.0]])
    centroids = np.array([[1.0, 0.0], [10.0, 0.0]])
    assert objective(X, centroids, np.array([0, 0, 1])) == 1.0 + 1.0 + 1.0
    assert objective(X, centroids, np.array([1, 1, 0])) == 100.0 + 64.0 + 82.0


# --- the M step ---------------------------------------------------------------------------------


def test_update_by_hand_keeps_the_previous_centroid_of_an_empty_cluster():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 2.0]])
    previous = np.array([[0.0, 1.0], [9.0, 0.0], [100.0, 100.0]])
    labels = np.array([0, 0, 1])
    expected = np.array([[0.5, 0.0], [10.0, 2.0], [100.0, 100.0]])
    np.testing.assert_array_equal(update(X, labels, previous), expected)
    assert empty_clusters(labels, 3) == (2,)
    np.testing.assert_array_equal(cluster_sizes(labels, 3), [2, 1, 0])


def test_a_far_centroid_gets_no_points_and_stays_put():
    X = np.array([[0.0], [1.0], [2.0], [10.0]])
    centroids = np.array([[0.0], [10.0], [1e6]])
    labels = assign(X, centroids)
    np.testing.assert_array_equal(labels, [0, 0, 0, 1])
    assert empty_clusters(labels, 3) == (2,)
    np.testing.assert_array_equal(update(X, labels, centroids), [[1.0], [10.0], [1e6]])


@SETTINGS
@given(X=data_sets(), k=st.integers(1, 6), seed=st.integers(0, 1000), block=st.integers(1, 9))
def test_update_gives_the_mean_of_every_non_empty_cluster(X, k, seed, block):
    rng = np.random.default_rng(seed)
    labels = rng.integers(k, size=X.shape[0])
    previous = rng.normal(size=(k, X.shape[1]))
    with mock.patch.object(_kernels, "KMEANS_BLOCK_POINTS", block):
        centroids = update(X, labels, previous)
    for j in range(k):
        members = X[labels == j]
        expected = members.mean(axis=0) if len(members) else previous[j]
        np.testing.assert_allclose(centroids[j], expected, rtol=1e-12, atol=1e-12 * np.abs(X).max())
    assert empty_clusters(labels, k) == tuple(j for j in range(k) if not np.any(labels == j))
    np.testing.assert_array_equal(cluster_sizes(labels, k), [np.sum(labels == j) for j in range(k)])


@SETTINGS
@given(X=data_sets(), k=st.integers(1, 6), seed=st.integers(0, 1000), block=st.integers(1, 9))
def test_weights_count_each_point_as_often_as_repeating_it(X, k, seed, block):
    """update and objective with whole-number weights w_n equal the same on X with point n
    repeated w_n times (a weight of 0 drops the point; a cluster left with none keeps its
    previous centroid)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(k, size=X.shape[0])
    weights = rng.integers(0, 4, size=X.shape[0])
    previous = rng.normal(size=(k, X.shape[1]))
    repeated, repeated_labels = np.repeat(X, weights, axis=0), np.repeat(labels, weights)
    with mock.patch.object(_kernels, "KMEANS_BLOCK_POINTS", block):
        centroids = update(X, labels, previous, weights=weights)
    if repeated.shape[0]:
        expected = update(repeated, repeated_labels, previous)
        J, expected_J = objective(X, centroids, labels, weights=weights), objective(repeated, centroids, repeated_labels)
    else:  # every weight 0: every cluster keeps its centroid, J = 0
        expected, J, expected_J = previous, objective(X, centroids, labels, weights=weights), 0.0
    np.testing.assert_allclose(centroids, expected, rtol=1e-12, atol=1e-12 * np.abs(X).max())
    assert J == pytest.approx(expected_J, rel=1e-12, abs=1e-300)
    # no weights and weights of 1 are the same thing, bit for bit
    np.testing.assert_array_equal(update(X, labels, previous, weights=np.ones(X.shape[0])),
                                  update(X, labels, previous))
    assert objective(X, centroids, labels, weights=np.ones(X.shape[0])) == objective(X, centroids, labels)


def test_weighted_update_matches_sklearn_sample_weight():
    X = blobs(seed=7, n=500, k=4, d=3)
    weights = np.random.default_rng(7).uniform(0.1, 5.0, size=500)
    start = X[[0, 100, 200, 300]]
    labels = assign(X, start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = KMeans(n_clusters=4, init=start, n_init=1, max_iter=1, algorithm="lloyd").fit(
            X, sample_weight=weights)
    centroids = update(X, labels, start, weights=weights)
    np.testing.assert_allclose(centroids, reference.cluster_centers_, rtol=1e-10, atol=1e-10)
    new_labels = assign(X, centroids)
    np.testing.assert_array_equal(new_labels, reference.labels_)
    assert objective(X, centroids, new_labels, weights=weights) == pytest.approx(reference.inertia_, rel=1e-10)


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        (np.ones(4), "(5,)"),
        (np.array([1.0, 1.0, -1.0, 1.0, 1.0]), "-1.0 for point 2"),
        (np.array([1.0, np.nan, 1.0, 1.0, 1.0]), "nan for point 1"),
        (np.array([1.0, 1.0, 1.0, 1.0, np.inf]), "inf for point 4"),
        (["a"] * 5, "could not be read"),
    ],
)
def test_bad_weights_get_plain_sentences(weights, expected):
    for call in (lambda: update(X5, np.array([0, 1, 1, 0, 1]), C2, weights=weights),
                 lambda: objective(X5, C2, np.array([0, 1, 1, 0, 1]), weights=weights)):
        with pytest.raises(ValueError) as error:
            call()
        assert expected in str(error.value) and plain(str(error.value))


# --- initialisation -------------------------------------------------------------------------------


@SETTINGS
@given(X=data_sets(), k=st.integers(1, 6), method=st.sampled_from(KMEANS_INIT_METHODS), seed=st.integers(0, 2**32 - 1))
def test_init_gives_k_centroids_the_same_for_the_same_seed(X, k, method, seed):
    k = min(k, X.shape[0])
    distinct = n_distinct(X)
    assume(method != "random" or distinct >= k)
    centroids = init_centroids(X, k, method=method, seed=seed)
    assert centroids.shape == (k, X.shape[1])
    assert np.isfinite(centroids).all()
    np.testing.assert_array_equal(init_centroids(X, k, method=method, seed=seed), centroids)

    data_rows = {tuple(row) for row in X.tolist()}
    if method == "random-partition":
        # means of groups: inside the bounding box of the data
        scale = np.abs(X).max()
        assert np.all(centroids >= X.min(axis=0) - 4 * EPS * scale)
        assert np.all(centroids <= X.max(axis=0) + 4 * EPS * scale)
    else:
        assert all(tuple(row) in data_rows for row in centroids.tolist())
    if method in ("random", "kmeans++", "farthest"):
        # Forgy picks distinct points; D^2 weighting and farthest-first never pick a point
        # that sits on a chosen centroid while another point is left.
        assert n_distinct(centroids) == min(k, distinct)


def test_random_finds_distinct_points_among_many_copies():
    X = np.vstack([np.zeros((1000, 2)), [[1.0, 1.0]], np.zeros((1000, 2))])
    for seed in range(5):
        centroids = init_centroids(X, 2, method="random", seed=seed)
        assert sorted(map(tuple, centroids.tolist())) == [(0.0, 0.0), (1.0, 1.0)]


def test_random_partition_with_k_equal_n_returns_the_points():
    X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 8.0]])
    centroids = init_centroids(X, 4, method="random-partition", seed=3)
    assert sorted(map(tuple, centroids.tolist())) == sorted(map(tuple, X.tolist()))


def test_farthest_first_by_hand():
    X = np.array([[0.0], [1.0], [5.0], [20.0], [21.0]])
    centroids = init_centroids(X, 3, method="farthest", seed=0)
    first = centroids[0, 0]
    # Whatever the first point, the next is the farthest from it, then the farthest from both.
    expected_second = 21.0 if first <= 5.0 else 0.0
    assert centroids[1, 0] == expected_second
    distances = np.min(np.abs(X - centroids[:2, 0]), axis=1)
    assert centroids[2, 0] == X[np.argmax(distances), 0]


def test_kmeans_plus_plus_picks_every_distinct_point_when_k_equals_their_number():
    X = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 3 + [[7.0, -2.0]])
    for seed in range(20):
        centroids = init_centroids(X, 3, method="kmeans++", seed=seed)
        assert n_distinct(centroids) == 3


def test_default_method_is_kmeans_plus_plus():
    X = blobs(seed=1, n=50, k=3, d=2)
    np.testing.assert_array_equal(init_centroids(X, 3), init_centroids(X, 3, method="kmeans++", seed=0))


# --- degenerate data: no NaN, no inf ----------------------------------------------------------------

DEGENERATE = {
    "all points identical": np.full((12, 2), 3.5),
    "collinear": np.outer(np.arange(15.0), [1.0, 2.0]),
    "K = N": np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]]),
    "duplicated points": np.repeat(np.array([[0.0, 0.0], [1.0, 1.0], [4.0, 0.0]]), 4, axis=0),
    "coordinates around 1e-8": blobs(seed=2, n=60, k=3, d=2) * 1e-8,
    "coordinates around 1e8": blobs(seed=3, n=60, k=3, d=2) + 1e8,
    "one far outlier": np.vstack([blobs(seed=4, n=40, k=2, d=2), [[1e8, -1e8]]]),
}


@pytest.mark.parametrize("method", KMEANS_INIT_METHODS)
@pytest.mark.parametrize("name", DEGENERATE)
def test_degenerate_data_gives_finite_results(name, method):
    X = DEGENERATE[name]
    k = X.shape[0] if name == "K = N" else 3
    if method == "random" and n_distinct(X) < k:
        with pytest.raises(ValueError, match="distinct points"):
            init_centroids(X, k, method=method)
        return
    centroids = init_centroids(X, k, method=method, seed=1)
    previous_J = np.inf
    for _ in range(10):
        assert np.isfinite(centroids).all()
        labels = assign(X, centroids)
        assert labels.min() >= 0 and labels.max() < k
        J = objective(X, centroids, labels)
        assert np.isfinite(J) and 0.0 <= J <= previous_J
        centroids = update(X, labels, centroids)
        previous_J = J + m_step_slack(X, J)
    if name in ("all points identical", "K = N"):
        assert objective(X, centroids, assign(X, centroids)) == 0.0


# --- purity -------------------------------------------------------------------------------------------


def read_only(array: np.ndarray) -> np.ndarray:
    array = array.copy()
    array.setflags(write=False)
    return array


def test_no_function_modifies_its_inputs():
    X = read_only(blobs(seed=5, n=100, k=3, d=2))
    for method in KMEANS_INIT_METHODS:
        init_centroids(X, 3, method=method)
    centroids = read_only(init_centroids(X, 3, seed=5))
    labels = read_only(assign(X, centroids))
    new_centroids = update(X, labels, centroids)
    objective(X, new_centroids, labels)
    cluster_sizes(labels, 3)
    empty_clusters(labels, 3)
    np.testing.assert_array_equal(X, blobs(seed=5, n=100, k=3, d=2))
    np.testing.assert_array_equal(centroids, init_centroids(X, 3, seed=5))
    assert not np.shares_memory(new_centroids, centroids)


# --- messages -------------------------------------------------------------------------------------------

X5 = np.arange(10.0).reshape(5, 2)
C2 = np.array([[0.0, 0.0], [5.0, 5.0]])


def plain(message: str) -> bool:
    """One or two sentences, no traceback, no numpy jargon such as 'broadcast' or 'axis'."""
    return message.endswith(".") and "\n" not in message and "Traceback" not in message and (
        "broadcast" not in message and "axis" not in message
    )


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: init_centroids(X5, 0), "k = 0"),
        (lambda: init_centroids(X5, 6), "k = 6"),
        (lambda: init_centroids(X5, 6), "N = 5"),
        (lambda: init_centroids(X5, 2.5), "2.5"),
        (lambda: init_centroids(X5, 2, method="kmeans+"), "'kmeans+'"),
        (lambda: init_centroids(np.zeros((3, 2)), 2, method="random"), "only 1 distinct"),
        (lambda: init_centroids(np.arange(5.0), 2), "(5,)"),
        (lambda: assign(X5, np.zeros((2, 3))), "(2, 3)"),
        (lambda: assign(X5, np.zeros((0, 2))), "(0, 2)"),
        (lambda: assign(np.array([[0.0, 1.0], [np.nan, 2.0]]), C2), "row 1"),
        (lambda: assign(X5, [[0.0, np.inf]]), "row 0"),
        (lambda: update(X5, np.array([0, 1, 7, 0, 1]), C2), "label 7"),
        (lambda: update(X5, np.array([0, -1, 1, 0, 1]), C2), "label -1"),
        (lambda: update(X5, np.array([0, 1, 1]), C2), "(3,)"),
        (lambda: update(X5, np.array([0.0, 1.0, 1.0, 0.0, 1.0]), C2), "float64"),
        (lambda: objective(X5, C2, np.array([0, 1, 2, 0, 1])), "label 2"),
        (lambda: cluster_sizes(np.array([0, 3]), 2), "label 3"),
        (lambda: empty_clusters(np.array([0, 1]), 0), "k = 0"),
    ],
)
def test_errors_are_plain_sentences_naming_the_value(call, expected):
    with pytest.raises(ValueError) as error:
        call()
    message = str(error.value)
    assert expected in message
    assert plain(message)


def test_a_nan_or_infinity_anywhere_in_x_is_named_by_its_first_row():
    """assign and update check X for NaN and infinities inside their own pass over the data
    (the screen's bound, the sums): the first bad row is still named, in any block, and before
    any complaint about the centroids or the labels."""
    n = 3 * _kernels.KMEANS_BLOCK_POINTS + 5
    rng = np.random.default_rng(3)
    centroids = rng.normal(size=(4, 3))
    for bad in (np.nan, np.inf, -np.inf):
        for row in (0, _kernels.KMEANS_BLOCK_POINTS + 7, n - 1):
            X = rng.normal(size=(n, 3))
            X[row, 1] = bad
            X[row + 1:, 2] = bad  # later bad rows too (none after the last row)
            labels = rng.integers(4, size=n)
            calls = ((assign, X, centroids), (update, X, labels, centroids),
                     (assign, X, np.zeros((4, 2))), (update, X, labels + 4, centroids))
            for function, *arguments in calls:
                with pytest.raises(ValueError, match=f"the first in row {row}:"):
                    function(*arguments)
    huge = np.array([[1e308, 1e308], [1e308, 1e308], [0.0, 0.0]])  # finite: no complaint
    assert assign(huge, huge[1:]).tolist() == [0, 0, 1]


def test_unknown_method_lists_the_allowed_ones():
    with pytest.raises(ValueError) as error:
        init_centroids(X5, 2, method="k-means++")
    for name in KMEANS_INIT_METHODS:
        assert f'"{name}"' in str(error.value)
