"""Everything on screen that is not a parameter, recomputed from (X, run, half-step index).

A run stores parameters only (see :mod:`clustering.stepper`). What a half-step *means* is:

- K-means, E step at i: labels z = assign(X, u_i); J = J(u_i, z).
- K-means, M step at i: the assignment of the E step before it is held fixed, the centroids
  move: J = J(u_i, z_{i-1}).  So J falls (or stays) at every half-step.
- EM, E step at i: q = γ(θ_i); the lower bound 𝓛(q, θ_i), computed by gmm.lower_bound, equals
  the log-likelihood ℓ(θ_i) (up to rounding: a check of the E step, not a copy of ℓ).
- EM, M step at i: q = γ(θ_{i-1}) is held fixed, θ moves: 𝓛(q, θ_i) ≤ ℓ(θ_i).
- The initial configuration has no assignment yet: its labels, J, q and bound are None.

Every function here is pure; the UI caches their results per (data, snapshot) with
:func:`snapshot_key` (one memo policy: :func:`clustering.ui.state.memo`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clustering import gmm, kmeans
from clustering.constants import BOUND_ROUNDING_RTOL
from clustering.stepper import Run


def snapshot_key(params: object) -> bytes:
    """The value of a snapshot's parameters as bytes: equal parameters, equal keys.

    params : (K, D) centroids or a GMMParams. Used with the data's key to memoise derived
    numbers per (data, snapshot) (never by ``id()``, which Python reuses).
    """
    if isinstance(params, gmm.GMMParams):
        arrays = (params.weights, params.means, params.covariances)
    else:
        arrays = (np.asarray(params, dtype=float),)
    parts = []
    for array in arrays:
        parts.append(str(array.shape).encode())
        parts.append(np.ascontiguousarray(array).tobytes())
    return b"|".join(parts)


def e_params(run: Run, index: int) -> object | None:
    """The parameters whose assignment / responsibilities are in force at ``index`` (None before an E step)."""
    e_index = _e_index(run, index)
    return None if e_index is None else run.history[e_index].params


def _e_index(run: Run, index: int) -> int | None:
    """The index of the E step whose assignment is in force at ``index`` (None before one)."""
    kind = run.history[index].kind
    if kind == "E":
        return index
    if kind == "M":
        return index - 1
    return None


# --------------------------------------------------------------------------------------
# K-means
# --------------------------------------------------------------------------------------


def kmeans_labels(X: np.ndarray, run: Run, index: int) -> np.ndarray | None:
    """Labels z_n in force at half-step ``index``: (N,) int, or None before the first E step."""
    e_index = _e_index(run, index)
    if e_index is None:
        return None
    return kmeans.assign(X, run.history[e_index].params)


def kmeans_objective(X: np.ndarray, run: Run, index: int) -> float | None:
    """J = Σ_n ‖x_n − u_{z_n}‖² at half-step ``index`` (None before the first E step)."""
    labels = kmeans_labels(X, run, index)
    if labels is None:
        return None
    return kmeans.objective(X, run.history[index].params, labels)


def kmeans_changed(X: np.ndarray, run: Run, index: int) -> np.ndarray | None:
    """(N,) bool: the points whose cluster changed in the E step at ``index``.

    None if ``index`` is not an E step or is the first one (it assigns every point).
    """
    if run.history[index].kind != "E" or index < 2:
        return None
    before = kmeans_labels(X, run, index - 2)
    if before is None:
        return None
    return kmeans_labels(X, run, index) != before


def kmeans_shifts(run: Run, index: int) -> np.ndarray | None:
    """(K,) ‖u_k(new) − u_k(old)‖, how far each centroid moved in the M step at ``index`` (None if not an M step)."""
    if run.history[index].kind != "M":
        return None
    return np.linalg.norm(run.history[index].params - run.history[index - 1].params, axis=1)


@dataclass(frozen=True)
class KMeansView:
    """What the K-means page shows for one half-step.

    labels : (N,) int or None
    objective : J or None
    previous_centroids : (K, D) centroids before this half-step, or None at the start
    changed : (N,) bool, points whose cluster changed in this E step (None if not an E step
        or the first one)
    shifts : (K,) distances each centroid moved in this M step (None if not an M step)
    sizes : (K,) number of points per cluster (None before the first E step)
    empty : clusters with no point (their centroid stays where it was)
    last_changes : points that changed cluster in the last E step up to here (None before the
        second E step)
    last_shift : the largest move of a centroid in the last M step up to here (None before one)
    """

    labels: np.ndarray | None
    objective: float | None
    previous_centroids: np.ndarray | None
    changed: np.ndarray | None
    shifts: np.ndarray | None
    sizes: np.ndarray | None
    empty: tuple[int, ...]
    last_changes: int | None = None
    last_shift: float | None = None


def kmeans_view(X: np.ndarray, run: Run, index: int | None = None) -> KMeansView:
    """Derive the labels, J, changes and centroid moves of half-step ``index`` (default: cursor)."""
    index = run.cursor if index is None else index
    snapshot = run.history[index]
    centroids = snapshot.params
    labels = kmeans_labels(X, run, index)
    objective = None if labels is None else kmeans.objective(X, centroids, labels)
    previous = run.history[index - 1].params if index > 0 else None
    changed = kmeans_changed(X, run, index)
    shifts = kmeans_shifts(run, index)

    # the last E step and the last M step up to here (this one or the one before)
    e_index = index if snapshot.kind == "E" else index - 1
    last = changed if e_index == index else (kmeans_changed(X, run, e_index) if e_index >= 3 else None)
    m_index = index if snapshot.kind == "M" else index - 1
    moved = shifts if m_index == index else (kmeans_shifts(run, m_index) if m_index >= 2 else None)

    sizes = None
    empty: tuple[int, ...] = ()
    if labels is not None:
        sizes = kmeans.cluster_sizes(labels, run.k)
        empty = kmeans.empty_clusters(labels, run.k)
    return KMeansView(labels, objective, previous, changed, shifts, sizes, empty,
                      last_changes=None if last is None else int(np.sum(last)),
                      last_shift=None if moved is None else float(np.max(moved)))


def centroid_trails(run: Run) -> np.ndarray:
    """(T, K, D) the centroids at the start and after every M step up to the cursor."""
    return np.array([s.params for s in run.history[: run.cursor + 1] if s.kind in ("init", "M")])


def kmeans_objective_curve(X: np.ndarray, run: Run) -> list[float | None]:
    """J after every half-step of the history (None for the initial configuration)."""
    return [kmeans_objective(X, run, i) for i in range(len(run.history))]


# --------------------------------------------------------------------------------------
# EM for a Gaussian mixture
# --------------------------------------------------------------------------------------


def gmm_responsibilities(X: np.ndarray, run: Run, index: int) -> np.ndarray | None:
    """q = γ in force at half-step ``index``: (N, K) rows summing to 1, or None before an E step."""
    e_index = _e_index(run, index)
    if e_index is None:
        return None
    return gmm.e_step(X, run.history[e_index].params)


@dataclass(frozen=True)
class GMMView:
    """What the GMM page shows for one half-step.

    resp : (N, K) responsibilities in force (None before the first E step)
    log_likelihood : ℓ(θ) of this half-step's parameters
    lower_bound : 𝓛(q, θ) with the q in force (None before the first E step)
    previous : the parameters before this half-step (None at the start)
    """

    resp: np.ndarray | None
    log_likelihood: float
    lower_bound: float | None
    previous: object | None

    @property
    def counts(self) -> np.ndarray | None:
        """N_k = Σ_n γ_nk, the effective number of points of each component (None before an E step)."""
        return None if self.resp is None else self.resp.sum(axis=0)

    @property
    def labels(self) -> np.ndarray | None:
        """(N,) each point's most responsible component argmax_k γ_nk (None before an E step)."""
        return None if self.resp is None else np.argmax(self.resp, axis=1)

    @property
    def gap(self) -> float | None:
        """ℓ(θ) − 𝓛(q, θ) = KL(q ‖ p(z | x, θ)) ≥ 0 (None before the first E step).

        A difference within float64 rounding of the two sums (BOUND_ROUNDING_RTOL · |ℓ|, e.g.
        right after an E step, where 𝓛 = ℓ) is 0.
        """
        if self.lower_bound is None:
            return None
        gap = self.log_likelihood - self.lower_bound
        return gap if gap > BOUND_ROUNDING_RTOL * max(abs(self.log_likelihood), 1.0) else 0.0


def gmm_curve_point(X: np.ndarray, run: Run, index: int) -> tuple[float, float | None]:
    """(ℓ(θ_i), 𝓛(q, θ_i)) at half-step ``index``, the bound None before the first E step.

    Both numbers are computed: ℓ by gmm.log_likelihood, 𝓛 by gmm.lower_bound with the q in
    force (so after an E step the chart's touching is a check, not a copy).
    """
    return _gmm_numbers(X, run, index)[1:]


def gmm_curve_points(X: np.ndarray, run: Run, indices) -> dict[int, tuple[float, float | None]]:
    """:func:`gmm_curve_point` for each of ``indices``, in one pass: the q an E step computes
    is the q in force at the M step after it, so it is computed once for both (the same
    function on the same parameters: the same numbers as one point at a time)."""
    points, known_q = {}, {}
    for index in sorted(indices):
        e_index = _e_index(run, index)
        resp, log_likelihood, bound = _gmm_numbers(X, run, index, known_q.get(e_index))
        if run.history[index].kind == "E":
            known_q = {index: resp}
        points[index] = (log_likelihood, bound)
    return points


def _gmm_numbers(X: np.ndarray, run: Run, index: int,
                 q: np.ndarray | None = None) -> tuple[np.ndarray | None, float, float | None]:
    """(q in force, ℓ(θ_i), 𝓛(q, θ_i)) at half-step ``index``, each computed once; ``q``: the
    q in force when the caller already has it (an M step's: its E step's γ)."""
    snapshot = run.history[index]
    params = snapshot.params
    if snapshot.kind == "E":
        resp, log_likelihood = gmm.e_step_with_log_likelihood(X, params)  # q = γ(θ_i), one pass
    else:
        resp = q if q is not None else gmm_responsibilities(X, run, index)
        log_likelihood = gmm.log_likelihood(X, params)
    bound = None if resp is None else gmm.lower_bound(X, params, resp)
    return resp, log_likelihood, bound


def gmm_view(X: np.ndarray, run: Run, index: int | None = None) -> GMMView:
    """Derive γ, the log-likelihood and the lower bound of half-step ``index`` (default: cursor)."""
    index = run.cursor if index is None else index
    resp, log_likelihood, bound = _gmm_numbers(X, run, index)
    previous = run.history[index - 1].params if index > 0 else None
    return GMMView(resp, log_likelihood, bound, previous)


def gmm_curves(X: np.ndarray, run: Run) -> tuple[list[float], list[float | None]]:
    """(log-likelihood, lower bound) after every half-step of the history."""
    points = [gmm_curve_point(X, run, i) for i in range(len(run.history))]
    return [p[0] for p in points], [p[1] for p in points]


def kmeans_as_factorization(X: np.ndarray, centroids: np.ndarray, labels: np.ndarray,
                            dense: bool = True) -> tuple[np.ndarray | None, float]:
    """K-means as matrix factorization: X ≈ Z U with Z the (N, K) one-hot indicator matrix.

    Returns (Z, ‖X − Z U‖²_F); the second equals J (the slides write X ≈ U Z with points as
    columns; here points are rows, so the factors are transposed). With dense=False, Z is not
    built (None): Z U is then U[labels], row n holding u_{z_n}.
    """
    k = centroids.shape[0]
    if not dense:
        residual = X - centroids[labels]
        return None, float(np.sum(residual**2))
    indicator = np.zeros((X.shape[0], k))
    indicator[np.arange(X.shape[0]), labels] = 1.0
    residual = X - indicator @ centroids
    return indicator, float(np.sum(residual**2))
