"""The data sets of Clustering Lab: generators, the mouse set, Old Faithful, standardization.

``make(name, n=None, seed=0, **options)`` builds one of the sets in ``NAMES``; the same
name, n, seed and options always give the same points (``numpy.random.default_rng``).
Every generator is written here with numpy alone (no scikit-learn at run time).

The metadata the Data page needs to build its widgets without knowing the sets:

- ``TITLES[name]``: a short human title for the menu;
- ``DESCRIPTIONS[name]``: one to three sentences on what the set teaches;
- ``USUAL_SIZES[name]``: the number of points when ``n`` is None;
- ``OPTIONS[name]``: a tuple of ``Option`` (name, label, min, max, default, step, help),
  the extra keyword arguments of ``make`` that matter for that set;
- ``FIXED``: the sets whose points are fixed (real data): ``n`` and ``seed`` are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path

import numpy as np

from clustering.constants import COLLAPSE_COPIES, MAX_POINTS, MOUSE_NOISE_DENSITY

ASSETS_DATA = Path(__file__).resolve().parent.parent / "assets" / "data"
OLD_FAITHFUL_CSV = ASSETS_DATA / "old_faithful.csv"


# --- the Dataset ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Dataset:
    """A set of 2-D points with, where known, the true component of each point.

    X : (N, 2) float64 array, read-only (a copy of what was passed in).
    labels : (N,) read-only array of int or str, or None when the truth is unknown.
    name : the generator's name (one of ``NAMES``) or the uploaded file's name.
    description : one to three plain sentences (what the set teaches, or how a file was read).
    columns : the names of the two coordinates, for axis titles and CSV downloads.
    dropped : rows of an uploaded file that were left out (missing or non-numeric values).
    """

    X: np.ndarray
    labels: np.ndarray | None
    name: str
    description: str
    columns: tuple[str, str] = ("x", "y")
    dropped: int = 0

    def __post_init__(self) -> None:
        # A copy: setting the flag on the caller's own array would modify their input.
        X = np.array(self.X, dtype=np.float64, copy=True)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must be an (N, 2) array of points; it has shape {X.shape}.")
        X.setflags(write=False)
        object.__setattr__(self, "X", X)
        if self.labels is not None:
            labels = np.array(self.labels, copy=True)
            if labels.dtype.kind == "O":
                labels = labels.astype(str)
            if labels.shape != (X.shape[0],):
                raise ValueError(
                    f"labels must hold one entry per point: {X.shape[0]} points "
                    f"but labels of shape {labels.shape}."
                )
            labels.setflags(write=False)
            object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "columns", tuple(str(c) for c in self.columns))
        if len(self.columns) != 2:
            raise ValueError("columns must name the two coordinates, e.g. ('x', 'y').")

    @property
    def n_points(self) -> int:
        """N, the number of points."""
        return int(self.X.shape[0])


def with_points(dataset: Dataset, X: np.ndarray, description: str | None = None) -> Dataset:
    """The same data set (name, labels, columns) with new points X, e.g. standardized ones.

    X : (N, 2) array with the same N as ``dataset``.
    """
    return Dataset(
        X=X,
        labels=dataset.labels,
        name=dataset.name,
        description=dataset.description if description is None else description,
        columns=dataset.columns,
        dropped=dataset.dropped,
    )


def standardize(X: np.ndarray) -> np.ndarray:
    """z-score each column: (x - mean) / standard deviation (ddof=0).

    X : (N, D) array. Returns a new (N, D) float64 array. A column with zero variance is
    only centred (it becomes all zeros), so the result never holds NaN.
    """
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=0)
    std = centred.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return centred / std


def spread_ratio(X: np.ndarray) -> float:
    """How many times the larger standard deviation of the first two columns is the smaller.

    X : (N, D) array with D >= 2. Returns a float >= 1; inf when one column is constant and
    the other is not, 1.0 when both are constant. With equal axis scales a ratio above
    ``constants.STANDARDIZE_OFFER_RATIO`` draws the points as a line (the pages offer
    :func:`standardize`).
    """
    std = np.asarray(X, dtype=np.float64)[:, :2].std(axis=0)
    low, high = float(std.min()), float(std.max())
    if high == 0:
        return 1.0
    return np.inf if low == 0 else high / low


# --- option metadata ------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One extra parameter of a generator, enough to build a slider for it.

    The values' types say what kind of widget it is: ints for an integer option
    (e.g. the number of blobs), floats otherwise.
    """

    name: str
    label: str
    min: int | float
    max: int | float
    default: int | float
    step: int | float
    help: str = ""

    @property
    def integer(self) -> bool:
        """True when the option takes whole numbers only."""
        return isinstance(self.default, int)


_NOISE = Option(
    "noise", "Noise", 0.0, 0.5, 0.05, 0.01,
    "Standard deviation of the Gaussian noise added to every point.",
)

OPTIONS: dict[str, tuple[Option, ...]] = {
    "blobs": (
        Option("n_blobs", "Number of blobs", 1, 10, 3, 1, "How many Gaussian blobs to draw."),
        Option(
            "spread", "Spread", 0.1, 5.0, 1.0, 0.1,
            "Standard deviation of every blob; the centres lie in a 20 x 20 box.",
        ),
    ),
    "mouse": (),
    "anisotropic": (),
    "unequal-variance": (),
    "unequal-sizes": (),
    "moons": (_NOISE,),
    "circles": (
        _NOISE,
        Option(
            "factor", "Inner radius", 0.1, 0.9, 0.5, 0.05,
            "Radius of the inner circle, the outer one having radius 1.",
        ),
    ),
    "uniform": (),
    "old-faithful": (),
    "collapse": (),
}

NAMES: tuple[str, ...] = tuple(OPTIONS)

TITLES: dict[str, str] = {
    "blobs": "Gaussian blobs",
    "mouse": "Mouse (ELKI)",
    "anisotropic": "Anisotropic blobs",
    "unequal-variance": "Unequal variance",
    "unequal-sizes": "Unequal sizes",
    "moons": "Two moons",
    "circles": "Two circles",
    "uniform": "Uniform square",
    "old-faithful": "Old Faithful",
    "collapse": "Collapse example (4 points × 6 copies)",
}

DESCRIPTIONS: dict[str, str] = {
    "blobs": (
        "Round Gaussian blobs of equal size and spread: the case K-means is made for. "
        "Raise the spread until the blobs overlap and watch the answer start to depend on "
        "the initial centroids."
    ),
    "mouse": (
        "A large round head and two small ears, the classic set for comparing K-means and EM, "
        "generated from the specification of the ELKI project's data generator (mouse.xml). "
        "K-means draws its boundaries halfway between centroids and gives part of the head "
        "to the ears; EM for a Gaussian mixture recovers the head, both ears and their sizes."
    ),
    "anisotropic": (
        "Three Gaussian blobs stretched and sheared by one linear map. "
        "K-means assumes round clusters and cuts straight across the stretched ones; a "
        "Gaussian mixture with full covariances follows their shape."
    ),
    "unequal-variance": (
        "Three Gaussian blobs with standard deviations 1.0, 2.5 and 0.5. "
        "K-means puts every boundary halfway between two centroids, so the wide cluster loses "
        "its outer points to its tight neighbours; a Gaussian mixture gives each component "
        "its own spread."
    ),
    "unequal-sizes": (
        "Three Gaussian blobs holding 500, 100 and 10 points. "
        "K-means only minimizes the total squared distance, so a tiny cluster counts for "
        "little and can be absorbed or split off the wrong way; the weights of a Gaussian "
        "mixture measure how large each cluster is."
    ),
    "moons": (
        "Two interleaving half circles. "
        "K-means and Gaussian mixtures both describe a cluster by a centre and a spread "
        "around it, so neither can follow curved clusters."
    ),
    "circles": (
        "A small circle inside a larger one, sharing its centre. "
        "Clusters defined by the distance to a centre cannot separate two rings around the "
        "same centre."
    ),
    "uniform": (
        "Points spread evenly over the unit square, with no clusters at all. "
        "K-means still returns K clusters, so always ask whether the structure it finds is "
        "really in the data."
    ),
    "old-faithful": (
        "The 272 eruptions of the Old Faithful geyser: eruption time and waiting time to the "
        "next eruption, in minutes (R's datasets::faithful, after Härdle 1991 and Azzalini "
        "and Bowman 1990). Two clusters of different shape and tilt, the standard example "
        "for Gaussian mixtures in Bishop's PRML, which standardizes the data first; these "
        "are the real measurements, so N and the seed do not apply."
    ),
    "collapse": (
        "Four distinct points, each repeated six times: with K = 4 and reg_covar = 0 every "
        "component of a Gaussian mixture can sit on one point and shrink to zero variance, so "
        "the log-likelihood grows without limit. A fixed example: N and the seed do not apply."
    ),
}

COLLAPSE_POINTS = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

USUAL_SIZES: dict[str, int] = {
    "blobs": 1500,
    "mouse": 500,
    "anisotropic": 1500,
    "unequal-variance": 1500,
    "unequal-sizes": 610,
    "moons": 500,
    "circles": 500,
    "uniform": 500,
    "old-faithful": 272,
    "collapse": len(COLLAPSE_POINTS) * COLLAPSE_COPIES,
}

# Fixed sets: n and seed are ignored (real data, or an example made to show one thing)
FIXED: frozenset[str] = frozenset({"old-faithful", "collapse"})


# --- helpers ----------------------------------------------------------------------------------


def _split(n: int, weights: tuple[float, ...]) -> list[int]:
    """Split n into whole parts proportional to weights (largest remainder; sums to n)."""
    w = np.asarray(weights, dtype=np.float64)
    exact = n * w / w.sum()
    sizes = np.floor(exact).astype(int)
    remainder = n - int(sizes.sum())
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[:remainder]] += 1
    return [int(s) for s in sizes]


def _blob_centres(
    rng: np.random.Generator, k: int, box: tuple[float, float] = (-10.0, 10.0),
    min_distance: float = 5.0, attempts: int = 200,
) -> np.ndarray:
    """k centres drawn uniformly in the square box, at least min_distance apart where possible.

    Like scikit-learn's make_blobs (centres uniform in (-10, 10)), but redraws a centre that
    lands on top of another, so every seed shows k distinct blobs at spread 1.
    """
    centres = np.empty((k, 2))
    for j in range(k):
        best, best_gap = None, -1.0
        for _ in range(attempts):
            candidate = rng.uniform(box[0], box[1], size=2)
            gap = np.inf if j == 0 else float(np.min(np.linalg.norm(centres[:j] - candidate, axis=1)))
            if gap > best_gap:
                best, best_gap = candidate, gap
            if gap >= min_distance:
                break
        centres[j] = best
    return centres


def _gaussian_blobs(
    rng: np.random.Generator, sizes: list[int], centres: np.ndarray, stds: tuple[float, ...],
) -> tuple[np.ndarray, np.ndarray]:
    """Points of isotropic Gaussian blobs: sizes[k] points around centres[k] with stds[k]."""
    X = np.concatenate([
        centres[k] + stds[k] * rng.standard_normal((size, 2)) for k, size in enumerate(sizes)
    ])
    labels = np.repeat(np.arange(len(sizes)), sizes)
    return X, labels


def _shuffled(rng: np.random.Generator, X: np.ndarray, labels: np.ndarray | None):
    """Points in random order, so that the row order carries no information."""
    order = rng.permutation(X.shape[0])
    return X[order], (None if labels is None else labels[order])


# --- the generators -----------------------------------------------------------------------------


def _blobs(n: int, rng: np.random.Generator, n_blobs: int, spread: float):
    centres = _blob_centres(rng, n_blobs)
    sizes = _split(n, (1.0,) * n_blobs)
    return _shuffled(rng, *_gaussian_blobs(rng, sizes, centres, (spread,) * n_blobs))


ANISOTROPIC_MAP = np.array([[0.60834549, -0.63667341], [-0.40887718, 0.85253229]])


def _anisotropic(n: int, rng: np.random.Generator):
    centres = _blob_centres(rng, 3)
    X, labels = _gaussian_blobs(rng, _split(n, (1.0, 1.0, 1.0)), centres, (1.0, 1.0, 1.0))
    return _shuffled(rng, X @ ANISOTROPIC_MAP, labels)


def _unequal_variance(n: int, rng: np.random.Generator):
    centres = _blob_centres(rng, 3)
    X, labels = _gaussian_blobs(rng, _split(n, (1.0, 1.0, 1.0)), centres, (1.0, 2.5, 0.5))
    return _shuffled(rng, X, labels)


def _unequal_sizes(n: int, rng: np.random.Generator):
    centres = _blob_centres(rng, 3)
    X, labels = _gaussian_blobs(rng, _split(n, (500, 100, 10)), centres, (1.0, 1.0, 1.0))
    return _shuffled(rng, X, labels)


def _moons(n: int, rng: np.random.Generator, noise: float):
    n_outer = n // 2
    n_inner = n - n_outer
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = np.column_stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)])
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n, 2))
    labels = np.repeat([0, 1], [n_outer, n_inner])
    return _shuffled(rng, X, labels)


def _circles(n: int, rng: np.random.Generator, noise: float, factor: float):
    n_outer = n // 2
    n_inner = n - n_outer
    t_outer = np.linspace(0.0, 2.0 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)])
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n, 2))
    labels = np.repeat([0, 1], [n_outer, n_inner])
    return _shuffled(rng, X, labels)


def _uniform(n: int, rng: np.random.Generator):
    return rng.random((n, 2)), None


# The mouse, after the ELKI generator's specification (shared/data/README.md).
MOUSE_LABELS = ("Head", "Ear_left", "Ear_right", "Noise")  # the specification's names
# How a built-in label reads on screen (legends, tables); any other label shows as it is
LABEL_TITLES = {"Ear_left": "Ear left", "Ear_right": "Ear right"}
MOUSE_SIZES = (290, 100, 100, 10)  # at N = 500
MOUSE_MEANS = np.array([[0.5, 0.5], [0.25, 0.75], [0.75, 0.75]])
MOUSE_STDS = np.array([0.2, 0.05, 0.05])


def mouse_scores(P: np.ndarray) -> np.ndarray:
    """Each mouse cluster's density x size at the points P, the quantity of ELKI's rule.

    P : (M, 2) array. Returns (M, 4): Head, Ear_left, Ear_right (isotropic Gaussian densities
    times 290, 100, 100) and Noise (50 x 10 everywhere).
    """
    P = np.asarray(P, dtype=np.float64)
    scores = np.empty((P.shape[0], 4))
    for k in range(3):
        var = MOUSE_STDS[k] ** 2
        sq_dist = np.sum((P - MOUSE_MEANS[k]) ** 2, axis=1)
        density = np.exp(-0.5 * sq_dist / var) / (2.0 * np.pi * var)
        scores[:, k] = MOUSE_SIZES[k] * density
    scores[:, 3] = MOUSE_SIZES[3] * MOUSE_NOISE_DENSITY
    return scores


def _mouse_draw(rng: np.random.Generator, k: int, count: int) -> np.ndarray:
    """count candidate points from mouse cluster k (before the rejection rule)."""
    if k == 3:
        return rng.random((count, 2))
    return MOUSE_MEANS[k] + MOUSE_STDS[k] * rng.standard_normal((count, 2))


def _mouse(n: int, rng: np.random.Generator):
    # The rule always uses the specification's sizes 290/100/100/10: at another N the sizes
    # are scaled proportionally, so the products density x size keep their ratios and the
    # shape (head radius 0.2587, ear radius 0.1128) stays the same.
    sizes = _split(n, MOUSE_SIZES)
    parts = []
    for k, size in enumerate(sizes):
        kept: list[np.ndarray] = [np.empty((0, 2))]
        have = 0
        while have < size:
            P = _mouse_draw(rng, k, max(64, 2 * (size - have)))
            # 1. ELKI's rule: keep a point only where its own cluster's density x size is at
            #    least every other cluster's density x size.
            scores = mouse_scores(P)
            own_wins = scores[:, k] >= scores.max(axis=1)
            # 2. ELKI also discards points outside the unit square.
            inside = np.all((P >= 0.0) & (P <= 1.0), axis=1)
            P = P[own_wins & inside]
            kept.append(P)
            have += P.shape[0]
        parts.append(np.concatenate(kept)[:size])
    X = np.concatenate(parts)
    labels = np.repeat(np.array(MOUSE_LABELS), sizes)
    return _shuffled(rng, X, labels)


def _old_faithful():
    """The 272 eruptions, loaded from assets/data/old_faithful.csv (eruptions, waiting)."""
    X = np.loadtxt(OLD_FAITHFUL_CSV, delimiter=",", skiprows=1, dtype=np.float64)
    return X, None


_GENERATORS = {
    "blobs": _blobs,
    "mouse": _mouse,
    "anisotropic": _anisotropic,
    "unequal-variance": _unequal_variance,
    "unequal-sizes": _unequal_sizes,
    "moons": _moons,
    "circles": _circles,
    "uniform": _uniform,
}


# --- validation -------------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if name not in OPTIONS:
        raise ValueError(f"There is no data set named {name!r}; choose one of: {', '.join(NAMES)}.")


def _check_whole(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{what} must be a whole number, not {value!r}.")
    return int(value)


def _check_n(n) -> int:
    n = _check_whole(n, "The number of points n")
    if n < 2 or n > MAX_POINTS:
        raise ValueError(
            f"The number of points must be between 2 and {MAX_POINTS:,}; got {n:,}."
        )
    return n


def _check_options(name: str, options: dict) -> dict:
    known = {opt.name: opt for opt in OPTIONS[name]}
    unknown = sorted(set(options) - set(known))
    if unknown:
        allowed = ", ".join(known) if known else "none"
        raise ValueError(
            f"The data set {name!r} has no option {unknown[0]!r}; its options are: {allowed}."
        )
    values = {}
    for opt in OPTIONS[name]:
        value = options.get(opt.name, opt.default)
        if opt.integer:
            value = _check_whole(value, f"The option {opt.name!r}")
        elif isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
            raise ValueError(f"The option {opt.name!r} must be a number, not {value!r}.")
        if not opt.min <= value <= opt.max:
            raise ValueError(
                f"The option {opt.name!r} must lie between {opt.min} and {opt.max}; got {value}."
            )
        values[opt.name] = int(value) if opt.integer else float(value)
    return values


# --- the entry point --------------------------------------------------------------------------


def make(name: str, n: int | None = None, seed: int = 0, **options) -> Dataset:
    """The named data set; n=None gives its usual size (``USUAL_SIZES``); same seed, same points.

    name : one of ``NAMES``.
    n : the number of points, 2 to MAX_POINTS. The sets built of parts keep their
        proportions (the mouse: 58 % head, 20 % per ear, 2 % noise; "unequal-sizes":
        500 : 100 : 10).
    seed : a non-negative whole number for ``numpy.random.default_rng``.
    options : the set's extra parameters, listed in ``OPTIONS[name]`` (e.g. blobs: n_blobs,
        spread; moons and circles: noise); a missing option takes its default.

    "old-faithful" is real data: it always has its 272 rows, and n and seed are ignored
    (they are still checked, so a bad value is reported the same way for every set).
    Raises ValueError with a plain message for an unknown name or option, or a value out of
    range.
    """
    _check_name(name)
    if n is not None:
        n = _check_n(n)
    seed = _check_whole(seed, "The seed")
    if seed < 0:
        raise ValueError(f"The seed must be zero or a positive whole number; got {seed}.")
    values = _check_options(name, options)

    if name == "old-faithful":
        X, labels = _old_faithful()
        columns = ("eruptions", "waiting")
    elif name == "collapse":
        X = np.repeat(COLLAPSE_POINTS, COLLAPSE_COPIES, axis=0)
        labels = np.repeat(np.arange(len(COLLAPSE_POINTS)), COLLAPSE_COPIES)
        columns = ("x", "y")
    else:
        rng = np.random.default_rng(seed)
        size = USUAL_SIZES[name] if n is None else n
        X, labels = _GENERATORS[name](size, rng, **values)
        columns = ("x", "y")
    return Dataset(X=X, labels=labels, name=name, description=DESCRIPTIONS[name], columns=columns)
