"""A run of K-means or EM as an immutable history of half-steps, and the reducer that extends it.

A run starts with an initial configuration (snapshot 0, kind "init") and grows by half-steps
that alternate as on the slides: E, M, E, M, ...  Each snapshot stores *parameters only*:

- K-means: the centroids u_1..u_K, a (K, D) array;
- EM for a GMM: θ = (π, μ, Σ) as a :class:`clustering.gmm.GMMParams`;
- the σ-limit of EM ("soft-kmeans", :mod:`clustering.softkmeans`): a GMMParams whose weights
  1/K and covariances σ²I never change; its M step moves the means only.

An E step does not change the parameters (it computes labels or responsibilities from them),
so an E snapshot repeats the parameters of the snapshot before it; everything else (labels,
responsibilities γ, J, the log-likelihood, the lower bound 𝓛(q, θ)) is recomputed from
(X, parameters) by :mod:`clustering.derived`.

The reducer ``step(run, msg, X) -> Run`` is pure. Messages form a closed set (``EStep``,
``MStep``, ``Iterate``, ``RunToConvergence``, ``Back``, ``JumpTo``, ``Reset``); one that does not
apply now (an M step before any E step, an E step right after an E step, Back at the start) is
a no-op, and :func:`allowed` tells the page which buttons to disable. A new half-step taken
while the cursor is in the past drops the half-steps after the cursor, as an editor's undo does.

Example (a notebook)::

    from clustering import datasets, kmeans, stepper
    X = datasets.make("blobs", seed=1).X
    run = stepper.new_kmeans_run(kmeans.init_centroids(X, 3, "random", seed=0))
    run = stepper.step(run, stepper.RunToConvergence(), X)
    run.stop_reason            # 'converged'
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from clustering.constants import DEFAULT_EM_TOL, DEFAULT_REG_COVAR, MAX_HISTORY, MAX_ITER

Kind = Literal["init", "E", "M"]
Algorithm = Literal["kmeans", "gmm", "soft-kmeans"]


class StepError(ValueError):
    """A half-step could not be taken (e.g. a covariance collapsed); the run is unchanged."""


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The parameters after one half-step.

    kind : "init", "E" or "M"
    params : (K, D) centroids for K-means, or a GMMParams for EM and soft-kmeans (read-only)
    iteration : number of completed iterations (M steps) up to and including this snapshot
    """

    kind: Kind
    params: object
    iteration: int

    def __post_init__(self) -> None:
        if isinstance(self.params, np.ndarray):
            frozen = np.array(self.params, dtype=float, copy=True)
            frozen.setflags(write=False)
            object.__setattr__(self, "params", frozen)


@dataclass(frozen=True, eq=False)
class Run:
    """An immutable history of half-steps and a cursor into it.

    history : snapshots, history[0] is the initial configuration
    cursor : index of the half-step on screen (0 <= cursor < len(history))
    covariance_type, reg_covar : the M step's settings (EM only)
    tol : EM stops when the total log-likelihood rises by less than tol in one iteration
    max_iter : iteration cap of RunToConvergence
    stop_reason : why the last RunToConvergence stopped ("converged", "max_iter", or a
        plain message when a half-step failed), else None
    """

    algorithm: Algorithm
    history: tuple[Snapshot, ...]
    cursor: int = 0
    covariance_type: str = "full"
    reg_covar: float = DEFAULT_REG_COVAR
    tol: float = DEFAULT_EM_TOL
    max_iter: int = MAX_ITER
    stop_reason: str | None = None
    # Free-form label of where the start came from ("k-means++, seed 0"); shown to people.
    origin: str = field(default="")

    @property
    def current(self) -> Snapshot:
        return self.history[self.cursor]

    @property
    def initial(self) -> Snapshot:
        return self.history[0]

    @property
    def k(self) -> int:
        params = self.initial.params
        return params.shape[0] if isinstance(params, np.ndarray) else params.k

    def __len__(self) -> int:
        return len(self.history)


def new_kmeans_run(centroids: np.ndarray, max_iter: int = MAX_ITER, origin: str = "") -> Run:
    """A K-means run whose initial configuration is ``centroids`` (K, D)."""
    centroids = np.asarray(centroids, dtype=float)
    if centroids.ndim != 2 or centroids.shape[0] < 1:
        raise ValueError(
            f"The initial centroids must be a (K, D) table; got an array of shape {centroids.shape}."
        )
    if not np.all(np.isfinite(centroids)):
        raise ValueError("The initial centroids contain a missing or infinite value.")
    return Run("kmeans", (Snapshot("init", centroids, 0),), max_iter=max_iter, origin=origin)


def new_gmm_run(
    params,
    covariance_type: str = "full",
    reg_covar: float = DEFAULT_REG_COVAR,
    tol: float = DEFAULT_EM_TOL,
    max_iter: int = MAX_ITER,
    origin: str = "",
) -> Run:
    """An EM run whose initial configuration is ``params`` (a GMMParams)."""
    if covariance_type not in ("full", "diag", "spherical", "tied"):
        raise ValueError(
            f"Unknown covariance type {covariance_type!r}; use full, diag, spherical or tied."
        )
    if not reg_covar >= 0:
        raise ValueError(f"reg_covar must be zero or positive; got {reg_covar}.")
    return Run(
        "gmm",
        (Snapshot("init", params, 0),),
        covariance_type=covariance_type,
        reg_covar=float(reg_covar),
        tol=float(tol),
        max_iter=max_iter,
        origin=origin,
    )


def new_soft_kmeans_run(
    means: np.ndarray,
    sigma: float,
    tol: float = DEFAULT_EM_TOL,
    max_iter: int = MAX_ITER,
    origin: str = "",
) -> Run:
    """A run of EM with weights 1/K and one fixed variance σ²I, only the means updated."""
    from clustering import softkmeans

    return Run("soft-kmeans", (Snapshot("init", softkmeans.mixture(means, sigma), 0),),
               tol=float(tol), max_iter=max_iter, origin=origin)


# --------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EStep:
    """Assign points (K-means) or compute responsibilities γ (EM) from the current parameters."""


@dataclass(frozen=True)
class MStep:
    """Move the parameters to the best ones for the current assignment / responsibilities."""


@dataclass(frozen=True)
class Iterate:
    """One full iteration: the E step and M step that come next (as many half-steps as needed)."""


@dataclass(frozen=True)
class RunToConvergence:
    """Alternate E and M steps until convergence or the run's iteration cap."""


@dataclass(frozen=True)
class Back:
    """Move the cursor one half-step back (nothing is forgotten)."""


@dataclass(frozen=True)
class JumpTo:
    """Move the cursor to half-step ``index`` (clipped into the history)."""

    index: int


@dataclass(frozen=True)
class Reset:
    """Forget every half-step; keep the initial configuration."""


Msg = EStep | MStep | Iterate | RunToConvergence | Back | JumpTo | Reset


# --------------------------------------------------------------------------------------
# The reducer
# --------------------------------------------------------------------------------------


def next_kind(run: Run) -> Kind:
    """The half-step that comes next from the cursor: "E" after init or M, "M" after E."""
    return "M" if run.current.kind == "E" else "E"


def allowed(run: Run, msg: Msg) -> bool:
    """Whether ``msg`` does something now (the page disables the buttons for which it is not)."""
    if isinstance(msg, (EStep, MStep)):
        # done (converged) or stopped by a collapse: the page says so, and no step is offered
        if is_converged(run) or stopped_by_failure(run):
            return False
        return next_kind(run) == ("E" if isinstance(msg, EStep) else "M")
    if isinstance(msg, Back):
        return run.cursor > 0
    if isinstance(msg, Reset):
        return len(run.history) > 1 or run.cursor > 0 or run.stop_reason is not None
    if isinstance(msg, (Iterate, RunToConvergence)):
        return not (is_converged(run) or stopped_by_failure(run))
    if isinstance(msg, JumpTo):
        return True
    raise TypeError(f"Unknown message {msg!r}.")


def step(run: Run, msg: Msg, X: np.ndarray, weights: np.ndarray | None = None) -> Run:
    """Apply one message to a run and return the new run (the old one is unchanged).

    ``weights`` (K-means only): optional (N,) numbers >= 0, how many times each point of X
    counts (``kmeans.update``'s); a photo's distinct colours with their pixel counts step
    exactly as its pixels would, up to the order of summation of the means.

    Raises StepError when a half-step cannot be taken (a GMM covariance collapsed with
    reg_covar too small); RunToConvergence instead stops at the last good half-step and puts
    the message in ``stop_reason``.
    """
    if weights is not None and run.algorithm != "kmeans":
        raise ValueError(f"weights apply to K-means runs only; this run is {run.algorithm}.")
    if isinstance(msg, Back):
        return replace(run, cursor=max(run.cursor - 1, 0))
    if isinstance(msg, JumpTo):
        return replace(run, cursor=int(np.clip(msg.index, 0, len(run.history) - 1)))
    if isinstance(msg, Reset):
        return replace(run, history=run.history[:1], cursor=0, stop_reason=None)
    if isinstance(msg, EStep):
        return _append(run, _e_snapshot(run)) if allowed(run, msg) else run
    if isinstance(msg, MStep):
        return _append(run, _m_snapshot(run, X, weights)) if allowed(run, msg) else run
    if isinstance(msg, Iterate):
        if next_kind(run) == "E":
            run = _append(run, _e_snapshot(run))
        return _append(run, _m_snapshot(run, X, weights))
    if isinstance(msg, RunToConvergence):
        return _run_to_convergence(run, X, weights)
    raise TypeError(f"Unknown message {msg!r}.")


HISTORY_FULL = (f"This run has reached {MAX_HISTORY:,} half-steps, the most a run keeps on this "
                "server; step back, or Reset to start again.")


def _append(run: Run, snapshot: Snapshot) -> Run:
    if run.cursor + 1 >= MAX_HISTORY:  # one session's memory stays bounded
        return replace(run, history=run.history[: run.cursor + 1], stop_reason=HISTORY_FULL)
    history = run.history[: run.cursor + 1] + (snapshot,)
    return replace(run, history=history, cursor=len(history) - 1, stop_reason=None)


def _e_snapshot(run: Run) -> Snapshot:
    # The E step changes no parameter: labels / responsibilities are derived from these.
    current = run.current
    return Snapshot("E", current.params, current.iteration)


def _m_snapshot(run: Run, X: np.ndarray, weights: np.ndarray | None = None) -> Snapshot:
    current = run.current  # an E snapshot: its parameters define the assignment held fixed
    if run.algorithm == "kmeans":
        from clustering import kmeans

        labels = kmeans.assign(X, current.params)
        centroids = kmeans.update(X, labels, current.params, weights=weights)
        return Snapshot("M", centroids, current.iteration + 1)
    if run.algorithm == "soft-kmeans":
        from clustering import gmm, softkmeans

        params = current.params  # weights 1/K, covariances σ²I: the GMM's own E step
        return Snapshot("M", softkmeans.m_step(X, gmm.e_step(X, params), params), current.iteration + 1)

    from clustering import gmm

    resp = gmm.e_step(X, current.params)
    try:
        params = gmm.m_step(X, resp, reg_covar=run.reg_covar, covariance_type=run.covariance_type)
    except ValueError as error:  # CollapseError and friends: a plain message, run unchanged
        raise StepError(str(error)) from error
    return Snapshot("M", params, current.iteration + 1)


def advance_to(run: Run, index: int, X: np.ndarray) -> Run:
    """The run with its cursor at half-step ``index`` (a link's ``step=``), reached by the reducer.

    The run is taken to convergence (as Run to convergence would), then the cursor jumps to
    ``index``; so a link to the last half-step of a converged run, or of a run stopped by a
    collapse, opens it converged or stopped, with the same ``stop_reason``. An ``index`` past
    the end (a step after convergence changes nothing, a collapse allows none) opens the last
    half-step.
    """
    return step(step(run, RunToConvergence(), X), JumpTo(index), X)  # JumpTo stops at the end


def stopped_by_failure(run: Run) -> bool:
    """Whether the half-step on screen is where Run to convergence stopped because the next
    half-step failed (a collapse); ``stop_reason`` then says why, and E / M step do nothing."""
    return (run.stop_reason not in (None, "converged", "max_iter")
            and run.cursor == len(run.history) - 1)


def is_converged(run: Run) -> bool:
    """Whether the half-step on screen ends a converged run (RunToConvergence said so)."""
    return run.stop_reason == "converged" and run.cursor == len(run.history) - 1


def _run_to_convergence(run: Run, X: np.ndarray, weights: np.ndarray | None = None) -> Run:
    from clustering import gmm

    history = list(run.history[: run.cursor + 1])
    iterations_done = 0
    previous_ll = None
    if run.algorithm != "kmeans":  # EM and its σ-limit stop on a small log-likelihood gain
        previous_ll = gmm.log_likelihood(X, history[-1].params)
    reason = "max_iter"
    while iterations_done < run.max_iter:
        if len(history) + 2 > MAX_HISTORY:  # an E and an M snapshot would pass the cap
            reason = HISTORY_FULL
            break
        if history[-1].kind != "E":
            history.append(Snapshot("E", history[-1].params, history[-1].iteration))
        probe = replace(run, history=tuple(history), cursor=len(history) - 1)
        try:
            m_snapshot = _m_snapshot(probe, X, weights)
        except StepError as error:
            reason = f"Stopped at the last good step: {error}"
            break
        history.append(m_snapshot)
        iterations_done += 1
        if run.algorithm == "kmeans":
            # 2c. converged when the M step leaves every centroid where it was
            if np.array_equal(m_snapshot.params, history[-2].params):
                reason = "converged"
                break
        else:
            ll = gmm.log_likelihood(X, m_snapshot.params)
            if ll - previous_ll < run.tol:
                reason = "converged"
                break
            previous_ll = ll
    return replace(run, history=tuple(history), cursor=len(history) - 1, stop_reason=reason)
