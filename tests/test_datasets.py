"""clustering.datasets: every generator, the mouse rule, Old Faithful, standardize."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from clustering import datasets
from clustering.constants import DEFAULT_DATASET, MAX_POINTS
from clustering.datasets import DESCRIPTIONS, FIXED, NAMES, OPTIONS, USUAL_SIZES, Dataset, make

ROOT = Path(__file__).resolve().parent.parent
RANDOM_NAMES = [name for name in NAMES if name not in FIXED]

# The mouse's specification (shared/data/README.md).
HEAD, EAR_LEFT, EAR_RIGHT = (0.5, 0.5), (0.25, 0.75), (0.75, 0.75)
HEAD_RADIUS, EAR_RADIUS = 0.2587, 0.1128


def distance(X, centre):
    return np.linalg.norm(X - np.asarray(centre), axis=1)


# --- every name ---------------------------------------------------------------------------------


def test_names_cover_the_spec_and_the_metadata():
    spec = {"blobs", "mouse", "anisotropic", "unequal-variance", "unequal-sizes", "uniform",
            "moons", "circles", "old-faithful"}
    assert spec <= set(NAMES)
    assert len(set(NAMES)) == len(NAMES)
    assert DEFAULT_DATASET in NAMES
    for table in (OPTIONS, DESCRIPTIONS, USUAL_SIZES, datasets.TITLES):
        assert set(table) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_name_builds_points(name):
    ds = make(name)
    assert isinstance(ds, Dataset)
    assert ds.name == name
    assert ds.X.dtype == np.float64
    assert ds.X.shape == (USUAL_SIZES[name], 2)
    assert np.all(np.isfinite(ds.X))
    assert ds.n_points == USUAL_SIZES[name]
    if ds.labels is not None:
        assert ds.labels.shape == (ds.X.shape[0],)
        assert ds.labels.dtype.kind in "iuU"


def test_usual_sizes_follow_the_recipes():
    # the mouse spec, scikit-learn's k-means assumptions example, and the real Old Faithful
    expected = {"mouse": 500, "anisotropic": 1500, "unequal-variance": 1500,
                "unequal-sizes": 610, "old-faithful": 272}
    assert {name: make(name).n_points for name in expected} == expected


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_points(name):
    a, b = make(name, seed=7), make(name, seed=7)
    np.testing.assert_array_equal(a.X, b.X)
    if a.labels is not None:
        np.testing.assert_array_equal(a.labels, b.labels)


@pytest.mark.parametrize("name", RANDOM_NAMES)
def test_different_seed_different_points(name):
    assert not np.array_equal(make(name, seed=0).X, make(name, seed=1).X)


@pytest.mark.parametrize("name", RANDOM_NAMES)
@pytest.mark.parametrize("n", [2, 3, 37, 1000])
def test_n_sets_the_number_of_points(name, n):
    ds = make(name, n=n, seed=3)
    assert ds.X.shape == (n, 2)
    assert np.all(np.isfinite(ds.X))
    if ds.labels is not None:
        assert len(ds.labels) == n


@pytest.mark.parametrize("name", NAMES)
def test_arrays_are_read_only(name):
    ds = make(name)
    with pytest.raises(ValueError):
        ds.X[0, 0] = 1.0
    if ds.labels is not None:
        with pytest.raises(ValueError):
            ds.labels[0] = ds.labels[1]


@pytest.mark.parametrize("name", NAMES)
def test_description_is_a_few_plain_sentences(name):
    text = make(name).description
    assert text == DESCRIPTIONS[name]
    assert text.endswith(".")
    sentences = [s for s in text.replace("e.g.", "eg").split(". ") if s]
    assert 1 <= len(sentences) <= 3


def test_options_metadata_is_consistent_and_every_extreme_builds():
    assert {opt.name for opt in OPTIONS["blobs"]} == {"n_blobs", "spread"}
    assert "noise" in {opt.name for opt in OPTIONS["moons"]}
    assert "noise" in {opt.name for opt in OPTIONS["circles"]}
    for name, options in OPTIONS.items():
        for opt in options:
            assert opt.min <= opt.default <= opt.max
            assert opt.step > 0
            assert opt.label and opt.help
            assert opt.integer == isinstance(opt.min, int) == isinstance(opt.max, int)
            for value in (opt.min, opt.default, opt.max):
                ds = make(name, n=200, **{opt.name: value})
                assert np.all(np.isfinite(ds.X))


# --- validation ------------------------------------------------------------------------------------


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError) as info:
        make("mice")
    message = str(info.value)
    assert "'mice'" in message
    assert all(name in message for name in NAMES)


@pytest.mark.parametrize("n", [-5, 0, 1, MAX_POINTS + 1])
def test_n_out_of_range(n):
    with pytest.raises(ValueError, match="between 2 and 1,000,000"):
        make("blobs", n=n)


@pytest.mark.parametrize("n", [2.5, "100", True])
def test_n_must_be_whole(n):
    with pytest.raises(ValueError, match="whole number"):
        make("blobs", n=n)


def test_bad_seed_and_options():
    with pytest.raises(ValueError, match="seed"):
        make("blobs", seed=-1)
    with pytest.raises(ValueError, match="n_blobs, spread"):
        make("blobs", noise=0.1)
    with pytest.raises(ValueError, match="no option 'noise'; its options are: none"):
        make("mouse", noise=0.1)
    with pytest.raises(ValueError, match="between"):
        make("blobs", n_blobs=0)
    with pytest.raises(ValueError, match="whole number"):
        make("blobs", n_blobs=2.5)
    with pytest.raises(ValueError, match="number"):
        make("moons", noise=float("nan"))


def test_dataset_checks_its_arrays_and_leaves_the_input_alone():
    X = np.arange(6.0).reshape(3, 2)
    ds = Dataset(X, np.array([0, 1, 1]), "mine", "Three points.")
    assert X.flags.writeable  # the caller's array is not frozen
    X[0, 0] = 99.0
    assert ds.X[0, 0] == 0.0  # and the dataset holds its own copy
    with pytest.raises(ValueError, match="one entry per point"):
        Dataset(X, np.array([0, 1]), "mine", "")
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        Dataset(np.zeros((3, 3)), None, "mine", "")


def test_with_points_keeps_everything_but_the_points():
    ds = make("mouse")
    moved = datasets.with_points(ds, ds.X + 1.0)
    np.testing.assert_array_equal(moved.X, ds.X + 1.0)
    np.testing.assert_array_equal(moved.labels, ds.labels)
    assert (moved.name, moved.description, moved.columns) == (ds.name, ds.description, ds.columns)
    with pytest.raises(ValueError):
        datasets.with_points(ds, ds.X[:10])


# --- the mouse ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mouse():
    return make("mouse", seed=0)


def test_mouse_sizes_and_labels(mouse):
    names, counts = np.unique(mouse.labels, return_counts=True)
    assert dict(zip(names.tolist(), counts.tolist(), strict=True)) == {
        "Head": 290, "Ear_left": 100, "Ear_right": 100, "Noise": 10,
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [None, 2000])
def test_mouse_shape_follows_the_rejection_rule(seed, n):
    ds = make("mouse", n=n, seed=seed)
    X, labels = ds.X, ds.labels
    assert np.all((X >= 0) & (X <= 1))
    head, left, right, noise = (X[labels == name] for name in datasets.MOUSE_LABELS)
    assert np.all(distance(head, HEAD) <= HEAD_RADIUS)
    assert np.all(distance(left, EAR_LEFT) <= EAR_RADIUS)
    assert np.all(distance(right, EAR_RIGHT) <= EAR_RADIUS)
    # noise only outside all three disks (the rounded radii of the spec, less 1e-4)
    assert np.all(distance(noise, HEAD) >= HEAD_RADIUS - 1e-4)
    assert np.all(distance(noise, EAR_LEFT) >= EAR_RADIUS - 1e-4)
    assert np.all(distance(noise, EAR_RIGHT) >= EAR_RADIUS - 1e-4)


def test_mouse_rule_itself(mouse):
    """Each point's own cluster has the largest density x size there (computed here afresh)."""
    def weighted(X, centre, std, size):
        sq = np.sum((X - np.asarray(centre)) ** 2, axis=1)
        return size * np.exp(-sq / (2 * std**2)) / (2 * np.pi * std**2)

    X = mouse.X
    scores = np.column_stack([
        weighted(X, HEAD, 0.2, 290), weighted(X, EAR_LEFT, 0.05, 100),
        weighted(X, EAR_RIGHT, 0.05, 100), np.full(len(X), 50.0 * 10),
    ])
    own = np.array([datasets.MOUSE_LABELS.index(label) for label in mouse.labels])
    assert np.all(scores[np.arange(len(X)), own] >= scores.max(axis=1))


def test_mouse_spread_is_the_truncated_one(mouse):
    head = mouse.X[mouse.labels == "Head"]
    ears = mouse.X[np.isin(mouse.labels, ["Ear_left", "Ear_right"])]
    ears = ears - np.where(ears[:, :1] < 0.5, EAR_LEFT, EAR_RIGHT)
    assert np.all((head.std(axis=0) > 0.10) & (head.std(axis=0) < 0.14))  # not 0.2
    assert np.all((ears.std(axis=0) > 0.035) & (ears.std(axis=0) < 0.055))
    np.testing.assert_allclose(head.mean(axis=0), HEAD, atol=0.03)


def test_mouse_scales_its_parts():
    _, counts = np.unique(make("mouse", n=1000).labels, return_counts=True)
    assert sorted(counts.tolist()) == [20, 200, 200, 580]


def test_mouse_credits_elki():
    assert "ELKI" in make("mouse").description


# --- the scikit-learn recipes -----------------------------------------------------------------------


def per_label(ds):
    return [ds.X[ds.labels == k] for k in np.unique(ds.labels)]


def test_blobs_follow_their_options():
    ds = make("blobs", n=3000, seed=2, n_blobs=5, spread=0.5)
    parts = per_label(ds)
    assert len(parts) == 5
    assert [len(p) for p in parts] == [600] * 5
    for part in parts:
        np.testing.assert_allclose(part.std(axis=0), 0.5, rtol=0.15)
        assert np.all(np.abs(part.mean(axis=0)) < 10.5)  # centres in the box (-10, 10)


def test_anisotropic_is_round_blobs_under_the_map():
    ds = make("anisotropic", seed=4)
    assert len(ds.X) == 1500
    unmapped = ds.X @ np.linalg.inv(datasets.ANISOTROPIC_MAP)
    for part in per_label(datasets.with_points(ds, unmapped)):
        np.testing.assert_allclose(np.cov(part.T), np.eye(2), atol=0.2)
    for part in per_label(ds):  # and the map really stretches them
        eigenvalues = np.linalg.eigvalsh(np.cov(part.T))
        assert eigenvalues[1] / eigenvalues[0] > 4


def test_unequal_variance_stds():
    stds = [part.std(axis=0).mean() for part in per_label(make("unequal-variance", seed=5))]
    np.testing.assert_allclose(stds, [1.0, 2.5, 0.5], rtol=0.1)


def test_unequal_sizes_counts():
    assert [len(p) for p in per_label(make("unequal-sizes"))] == [500, 100, 10]
    assert [len(p) for p in per_label(make("unequal-sizes", n=1220))] == [1000, 200, 20]


def test_moons_and_circles_without_noise_lie_on_their_curves():
    moons = make("moons", n=101, noise=0.0)
    outer, inner = per_label(moons)
    np.testing.assert_allclose(np.linalg.norm(outer, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(inner - [1.0, 0.5], axis=1), 1.0)
    assert (len(outer), len(inner)) == (50, 51)
    circles = make("circles", n=100, noise=0.0, factor=0.3)
    radii = [np.linalg.norm(part, axis=1) for part in per_label(circles)]
    np.testing.assert_allclose(radii[0], 1.0)
    np.testing.assert_allclose(radii[1], 0.3)


def test_noise_option_adds_noise():
    moons = make("moons", n=2000, noise=0.1)
    outer = moons.X[moons.labels == 0]
    residual = np.linalg.norm(outer, axis=1) - 1.0
    assert 0.07 < residual.std() < 0.13


def test_uniform_fills_the_unit_square_without_labels():
    ds = make("uniform", n=5000)
    assert ds.labels is None
    assert np.all((ds.X >= 0) & (ds.X <= 1))
    np.testing.assert_allclose(ds.X.mean(axis=0), 0.5, atol=0.02)


# --- Old Faithful -----------------------------------------------------------------------------------


def test_old_faithful_is_the_real_data_from_assets():
    ds = make("old-faithful")
    assert ds.X.shape == (272, 2)
    assert ds.labels is None
    assert ds.columns == ("eruptions", "waiting")
    np.testing.assert_array_equal(np.round(ds.X.mean(axis=0), 3), [3.488, 70.897])
    shipped = ROOT / "assets" / "data" / "old_faithful.csv"
    assert datasets.OLD_FAITHFUL_CSV == shipped
    np.testing.assert_array_equal(ds.X, np.loadtxt(shipped, delimiter=",", skiprows=1))
    assert "shared" not in str(datasets.OLD_FAITHFUL_CSV)


def test_old_faithful_ignores_n_and_seed():
    np.testing.assert_array_equal(make("old-faithful", n=50, seed=9).X, make("old-faithful").X)


# --- standardize --------------------------------------------------------------------------------------


def test_standardize_gives_zero_mean_unit_variance():
    X = make("old-faithful").X
    Z = datasets.standardize(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)
    assert not np.shares_memory(Z, X)


def test_standardize_keeps_a_constant_column_centred():
    X = np.column_stack([np.full(5, 3.0), np.arange(5.0)])
    Z = datasets.standardize(X)
    assert np.all(np.isfinite(Z))
    np.testing.assert_array_equal(Z[:, 0], 0.0)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 30), st.just(2)),
              elements=st.floats(-1e6, 1e6, allow_nan=False)))
def test_standardize_never_makes_nan_and_leaves_input_alone(X):
    before = X.copy()
    Z = datasets.standardize(X)
    np.testing.assert_array_equal(X, before)
    assert np.all(np.isfinite(Z))
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-6)
