"""The stage: a run played in the browser, one half-step at a time, in motion, from the keyboard.

One components-v2 element (``st.components.v2``) used by the K-means, GMM and Compare pages.
The server computes the run's half-steps ahead (to convergence, or to a collapse, where the
run stops at its last good step) and sends, once per run, what each half-step's frame needs:

- the drawn points (float64, base64; a fixed sample beyond ``plotting.MAX_DRAWN_POINTS``);
- per half-step: its kind (init / E / M), iteration and parameters (centroids, or π, μ, Σ
  with the Cholesky factors and the 1σ ellipse axes of :mod:`clustering.geometry`);
- the curves from :mod:`clustering.derived`: J, or ℓ and the lower bound 𝓛.

The browser computes the labels (K-means: argmin_k ‖x_n − u_k‖², ties to the lowest k, the
same sums as ``kmeans.assign``) and the responsibilities (log π_k + log N(x_n; μ_k, Σ_k) with
the sent Cholesky factors, as ``gmm.e_step``) of the drawn points; tests hold them equal to
Python's. ``E step``, ``M step``, ``Step back``, ``Run to convergence`` / ``Stop``, ``Reset``,
the timeline and the keys (→ or Space, ←, Home, R) move through the half-steps with no
server round trip. The stage reports the half-step on screen (``cursor``) once the person
pauses (250 ms) and at the end of a play; the page then moves the stored run's cursor there
(:func:`follow`), so its metrics, formulas and link show that half-step.

The root element carries ``data-cursor`` (the half-step on screen, set in the frame that starts
drawing it) and ``data-stage-ready``. Its JavaScript and CSS ship in ``frontend/stage/`` and are
read as text at import: nothing is written to disk at run time.

    payload = stage.kmeans_payload(X, run, axis_titles, x_range, y_range, hints)
    stage.show(payload, key="kmeans.stage", pages=["kmeans"], X=X)
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from clustering import derived, edits, geometry, gmm, plotting, stepper
from clustering.constants import (
    CLUSTER_COLOURS,
    MAX_LINK_EDITS,
    STAGE_FIRST_FRAME_PAUSE_NEW_SESSION_S,
    STAGE_FIRST_FRAME_PAUSE_S,
    UNASSIGNED_COLOUR,
)
from clustering.ui import state

FRONTEND = Path(__file__).resolve().parent / "frontend" / "stage"
JS = (FRONTEND / "stage.js").read_text(encoding="utf-8")
CSS = (FRONTEND / "stage.css").read_text(encoding="utf-8")
HTML = '<div class="cl-stage" data-cursor="-1" tabindex="-1"></div>'

_COMPONENT = st.components.v2.component("clustering_lab.stage", html=HTML, css=CSS, js=JS)


# --------------------------------------------------------------------------------------
# The run, computed ahead
# --------------------------------------------------------------------------------------


def ahead(run: stepper.Run, X: np.ndarray) -> stepper.Run:
    """The run with its half-steps computed to the end (convergence, the iteration cap, or a
    collapse: then the run stops at the last good step and ``stop_reason`` says why), the
    cursor left where it was. A run that already ends (``stop_reason`` set) is returned as is.
    """
    if run.stop_reason is not None:
        return run
    cursor = run.cursor
    end = stepper.step(run, stepper.JumpTo(len(run.history) - 1), X)
    finished = stepper.step(end, stepper.RunToConvergence(), X)
    return stepper.step(finished, stepper.JumpTo(cursor), X)


# --------------------------------------------------------------------------------------
# The payload
# --------------------------------------------------------------------------------------


def _b64(array: np.ndarray, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def _finite(values: Sequence[float | None]) -> list[float | None]:
    return [None if v is None or not np.isfinite(v) else float(v) for v in values]


def points_part(X: np.ndarray) -> dict[str, Any]:
    """The drawn points: all of them, or the fixed sample of ``plotting.drawn_indices``.

    Returns {"n": drawn count, "total": N, "xy": base64 float64 (n·2, x and y interleaved),
    "index": base64 int32 positions in X of the drawn points, or None when all are drawn}.
    """
    indices = plotting.drawn_indices(X.shape[0])
    drawn = X if indices is None else X[indices]
    return {
        "n": int(drawn.shape[0]), "total": int(X.shape[0]), "xy": _b64(drawn[:, :2], "<f8"),
        "index": None if indices is None else _b64(indices, "<i4"),
    }


def drawn_points(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions in X, points) of the points the stage draws: what its labels refer to."""
    indices = plotting.drawn_indices(X.shape[0])
    positions = np.arange(X.shape[0]) if indices is None else indices
    return positions, X[positions]


def _status(run: stepper.Run) -> dict[str, Any]:
    return {"stop_reason": run.stop_reason, "tol": run.tol, "max_iter": run.max_iter,
            "length": len(run.history)}


def kmeans_panel(X: np.ndarray, run: stepper.Run, title: str = "",
                 curve: Sequence[float | None] | None = None) -> dict[str, Any]:
    """One K-means panel: per half-step kind, iteration, centroids; J from derived (or
    ``curve``, the page's own J per half-step, so the stage and the metrics agree)."""
    history = run.history
    if curve is None:
        curve = derived.kmeans_objective_curve(X, run)
    return {
        "algorithm": "kmeans", "title": title, "k": run.k,
        "kinds": "".join("I" if s.kind == "init" else s.kind for s in history),
        "iterations": [int(s.iteration) for s in history],
        "centroids": [np.asarray(s.params, dtype=float)[:, :2].tolist() for s in history],
        "curves": {"J": _finite(curve)},
        **_status(run),
    }


def _gmm_step(params) -> dict[str, Any]:
    axes = [geometry.ellipse_axes(params.covariances[k][:2, :2], 1.0) for k in range(params.k)]
    return {
        "w": np.asarray(params.weights, dtype=float).tolist(),
        "mu": np.asarray(params.means, dtype=float)[:, :2].tolist(),
        "cov": np.asarray(params.covariances, dtype=float)[:, :2, :2].tolist(),
        "chol": np.asarray(params.cholesky, dtype=float)[:, :2, :2].tolist(),
        "axes": [[float(half[0]), float(half[1]), float(angle)] for half, angle in axes],
    }


def gmm_panel(X: np.ndarray, run: stepper.Run, title: str = "",
              curves: tuple[list, list] | None = None, manual_start: bool = False) -> dict[str, Any]:
    """One EM panel: per half-step kind, iteration, θ; ℓ and 𝓛 from derived (or ``curves``).

    manual_start : a dragged mean makes the GMM page's manual start (weights 1/K, every Σ_k the
        data covariance, projected to the run's covariance type); ``dragged`` holds its π and Σ
        so that the stage previews exactly that start while a mean is dragged.
    """
    history = run.history
    likelihoods, bounds = curves if curves is not None else derived.gmm_curves(X, run)
    extra = {"dragged": dragged_gmm_start(X, run)} if manual_start else {}
    return {**extra,
        "algorithm": "gmm", "title": title, "k": run.k,
        "kinds": "".join("I" if s.kind == "init" else s.kind for s in history),
        "iterations": [int(s.iteration) for s in history],
        "params": [_gmm_step(s.params) for s in history],
        "curves": {"ll": _finite(likelihoods), "bound": _finite(bounds)},
        **_status(run),
    }


def dragged_gmm_start(X: np.ndarray, run: stepper.Run) -> dict[str, Any]:
    """π, Σ and the Cholesky factors of the GMM page's manual start (the means left out)."""
    k = run.k
    covariance = gmm.data_covariance(X)
    params = gmm.GMMParams(np.full(k, 1.0 / k), np.zeros((k, X.shape[1])),
                           np.broadcast_to(covariance, (k, *covariance.shape)))
    part = _gmm_step(gmm.project_to_covariance_type(params, run.covariance_type))
    return {"w": part["w"], "cov": part["cov"], "chol": part["chol"]}


def payload(X: np.ndarray, panels: Sequence[dict[str, Any]], *, cursor: int,
            x_range: Sequence[float], y_range: Sequence[float],
            axis_titles: Sequence[str] = ("x₁", "x₂"), hints: dict[str, str] | None = None,
            options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the stage draws, once per run. ``cursor``: the half-step to show first.

    ``id`` names the run's content: the stage keeps its cursor while the id stays the same.
    ``options`` (display settings, the selected point) may change without resetting it.
    """
    body = {
        "points": points_part(X),
        "x_range": [float(v) for v in x_range], "y_range": [float(v) for v in y_range],
        "axis_titles": [str(t) for t in axis_titles],
        "colours": list(CLUSTER_COLOURS), "unassigned": UNASSIGNED_COLOUR,
        "hints": dict(hints or {}), "panels": list(panels),
    }
    digest = hashlib.sha256(repr(body).encode()).hexdigest()[:16]
    return {"id": digest, "start": int(cursor), **body, "options": dict(options or {})}


def cached_payload(page: str, token: tuple, build: Callable[[], dict[str, Any]],
                   options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The page's payload for ``token`` (the run's identity), built once and reused: the same
    payload on every rerun means the browser is not told anything new (no redraw, no reset)."""
    stored = state.get_value(page, "stage_payload")
    if stored is None or stored[0] != token:
        # a new run gets a new id even when its content equals an earlier one's (K 3 → 4 → 3):
        # the stage then starts at this run's cursor instead of keeping the old one's
        builds = int(state.get_value(page, "stage_builds", 0)) + 1
        state.set_value(page, "stage_builds", builds)
        # ... and a session's ids are its own: a browser whose server restarted holds a stage
        # (and reports a cursor) for the old session's run, which the new session must not take
        # for its own, or the figure would stay where the page's numbers and link are not
        session = state.get_value(page, "stage_session")
        if session is None:
            session = secrets.token_hex(4)
            state.set_value(page, "stage_session", session)
        body = steady_view(page, build())
        stored = (token, {**body, "id": f"{body['id']}-{session}-{builds}"})
        state.set_value(page, "stage_payload", stored)
    body = stored[1]
    if options is not None and body.get("options") != options:
        body = {**body, "options": dict(options)}
        state.set_value(page, "stage_payload", (token, body))
    return body


def keep_view(page: str) -> None:
    """After a drag or an edit on the stage: the next payload keeps the axes now shown."""
    stored = state.get_value(page, "stage_payload")
    if stored is not None:
        body = stored[1]
        state.set_value(page, "stage_keep_view", (tuple(body["x_range"]), tuple(body["y_range"])))


def steady_view(page: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with the axes of the payload before a drag or an edit (:func:`keep_view`) when
    its points and starts still lie inside them: touching the data never pans or zooms."""
    kept = state.get_value(page, "stage_keep_view")
    if kept is None:
        return body
    state.set_value(page, "stage_keep_view", None)
    xy = np.frombuffer(base64.b64decode(body["points"]["xy"]), dtype="<f8").reshape(-1, 2)
    starts = [np.asarray(panel["centroids"][0] if panel["algorithm"] == "kmeans"
                         else panel["params"][0]["mu"], dtype=float).reshape(-1, 2)
              for panel in body["panels"]]
    every = np.vstack([xy, *starts])
    (x0, x1), (y0, y1) = kept
    # the stage shows at least the kept ranges, widened on one axis to the canvas' shape: a
    # point placed anywhere on screen lies within the larger span around the centre
    half = max(x1 - x0, y1 - y0)
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    inside = bool(np.all(np.abs(every - centre) <= half))
    return {**body, "x_range": [x0, x1], "y_range": [y0, y1]} if inside else body


def run_token(active: state.ActiveData, run: stepper.Run, *extra: Any) -> tuple:
    """What names a run's content for :func:`cached_payload` (not its cursor)."""
    return (active.key, len(run.history), run.stop_reason, id(run.history[-1]), *extra)


# --------------------------------------------------------------------------------------
# The element and the server following it
# --------------------------------------------------------------------------------------


def reported_cursor(key: str, run_id: str | None = None) -> int | None:
    """The half-step the stage under ``key`` last reported (None: none, or for another run).

    The stage reports ``{"index": i, "run": payload id, "seq": count}`` (the count makes every
    report a change, so the same index reported again for a new run still arrives).
    """
    result = st.session_state.get(key)
    report = None if result is None else result.get("cursor")
    if not isinstance(report, dict) or not isinstance(report.get("index"), int):
        return None
    if run_id is not None and report.get("run") != run_id:
        return None
    return int(report["index"])


def follow(pages: Sequence[str], key: str, X: np.ndarray, payload_page: str | None = None) -> None:
    """Callback: move every page's stored run to the half-step the stage reports (a report
    about a run no longer shown is ignored). ``payload_page``: where the payload is cached
    (default: the first page)."""
    stored = state.get_value(payload_page or pages[0], "stage_payload")
    cursor = reported_cursor(key, None if stored is None else stored[1]["id"])
    if cursor is None:
        return
    for page in pages:
        run = state.get_run(page)
        if run is not None:
            state.set_run(page, stepper.step(run, stepper.JumpTo(cursor), X))


def show(body: dict[str, Any], *, key: str, pages: Sequence[str], X: np.ndarray,
         on_pick: Callable[[], None] | None = None, payload_page: str | None = None,
         on_start: Callable[[np.ndarray], None] | None = None) -> Any:
    """Mount the stage under ``key``; its cursor reports move the runs of ``pages``.

    on_pick : called (as a widget callback) when a drawn point is clicked; the point's index
        in X is ``st.session_state[key]["picked"]``.
    on_start : called with the (K, 2) centres dragged at half-step 0 (see :func:`dragged_start`);
        None: the centres can't be dragged. Points can always be added and removed
        (:func:`edit_points`).
    Returns the component's result ({"cursor": int | None, "picked": int | None}).
    """
    callbacks = {"on_cursor_change": lambda: follow(pages, key, X, payload_page)}
    callbacks["on_picked_change"] = on_pick or (lambda: None)
    callbacks.update(touch_callbacks(key, pages, payload_page, on_start))
    added = len(state.get_data().spec.edits.added)  # the last `added` points of X, framed
    body = {**body, "touch": {"drag": on_start is not None, "edit": True, "added": added}}
    body = _with_presenter(body)
    result = _COMPONENT(key=key, data={**body, "panels": _panels_json(body["panels"])}, **callbacks)
    draw_alone_first(key)
    return result


def draw_alone_first(key: str) -> None:
    """Once per visit to the page: wait ``STAGE_FIRST_FRAME_PAUSE_S`` after mounting the stage
    (``STAGE_FIRST_FRAME_PAUSE_NEW_SESSION_S`` on the session's first page).

    The browser then draws the figure before the rest of the page reaches it. The stage's
    script starts in an effect that React runs only after everything rendered with it is on
    screen, and the rest of a stepping page (metrics, KaTeX formulas, tables) takes the
    browser's one thread 0.5–0.8 s; sent together, the figure waited for all of it. The wait
    costs the server no CPU, and later runs of the page (its cursor, its set-up) do not wait.
    """
    visit = (key, state.page_visit())
    if state.get_value("stage", "drawn_alone") == visit:
        return
    state.set_value("stage", "drawn_alone", visit)
    first_page = visit[1] <= 1
    time.sleep(STAGE_FIRST_FRAME_PAUSE_NEW_SESSION_S if first_page else STAGE_FIRST_FRAME_PAUSE_S)


def _panels_json(panels: list[dict[str, Any]]) -> str:
    """The run's half-steps (the bulk of the payload) as JSON text, made once per payload.

    Streamlit serializes a component's data at every rerun, and scans a dict's values for data
    frames first; the stage's run does not change between the reruns that follow its cursor,
    so its text is kept beside the payload (the same list object) and sent as one string,
    which the stage parses.
    """
    stored = state.get_value("stage", "panels_json")
    if stored is None or stored[0] is not panels:
        stored = (panels, json.dumps(panels))
        state.set_value("stage", "panels_json", stored)
    return stored[1]


def _with_presenter(body: dict[str, Any]) -> dict[str, Any]:
    """The payload with ``options["present"]`` set while presenter mode is on (an option: the
    stage keeps its cursor, draws bigger and puts the curve beside the figure)."""
    from clustering.ui import presenter

    if not presenter.is_on():
        return body
    return {**body, "options": {**body.get("options", {}), "present": True}}


def picked(key: str) -> int | None:
    """The index (in X) of the point last clicked on the stage, or None."""
    result = st.session_state.get(key)
    value = None if result is None else result.get("picked")
    return None if value is None else int(value)


def ahead_stored(page: str, run: stepper.Run, X: np.ndarray) -> stepper.Run:
    """:func:`ahead`, stored as the page's run when it computed anything."""
    finished = ahead(run, X)
    if finished is not run:
        state.set_run(page, finished)
    return finished


# --------------------------------------------------------------------------------------
# Touching the data: a dragged start, points added or removed
# --------------------------------------------------------------------------------------


def touch_callbacks(key: str, pages: Sequence[str], payload_page: str | None,
                    on_start: Callable[[np.ndarray], None] | None) -> dict[str, Callable[[], None]]:
    """The stage's callbacks for a dragged start (``start``) and an edit of the points (``edit``)."""
    home = payload_page or pages[0]

    def started() -> None:
        centres = dragged_start(key, home)
        if centres is not None and on_start is not None:
            keep_view(home)
            on_start(centres)

    return {"on_start_change": started, "on_edit_change": lambda: edit_points(key, pages, home)}


def _current_id(home: str) -> str | None:
    stored = state.get_value(home, "stage_payload")
    return None if stored is None else stored[1]["id"]


def dragged_start(key: str, home: str) -> np.ndarray | None:
    """The (K, 2) centres the person left after dragging them at half-step 0, or None.

    The stage sends ``{"run": payload id, "centres": [[x, y], ...]}``; a report about a run no
    longer shown, or anything but K finite pairs, is ignored.
    """
    result = st.session_state.get(key)
    report = None if result is None else result.get("start")
    if not isinstance(report, dict) or report.get("run") != _current_id(home):
        return None
    try:
        centres = np.asarray(report.get("centres"), dtype=float)
    except (TypeError, ValueError):
        return None
    if centres.ndim != 2 or centres.shape[1] != 2 or not 1 <= centres.shape[0] <= 64:
        return None
    if not np.isfinite(centres).all():
        return None
    moved = report.get("k")  # the dragged one is kept to EDIT_DIGITS digits, the others as they were
    if isinstance(moved, int) and 0 <= moved < centres.shape[0]:
        centres[moved] = [edits.rounded(centres[moved, 0]), edits.rounded(centres[moved, 1])]
    return centres


def edit_points(key: str, pages: Sequence[str], home: str) -> None:
    """Callback: add a point where the person clicked in "Add points" mode, or remove the point
    they shift-clicked; the active data set becomes "… + n points edited" for every page.

    The stage sends ``{"run": id, "op": "add", "x": x, "y": y}`` (in the coordinates drawn,
    z-scores when standardized) or ``{"run": id, "op": "remove", "index": position in X}``.
    The runs of ``pages`` start again on the new points (at half-step 0).
    """
    result = st.session_state.get(key)
    report = None if result is None else result.get("edit")
    if not isinstance(report, dict) or report.get("run") != _current_id(home):
        return
    active = state.get_data()
    source = active.source if active.source is not None else active.dataset
    try:
        if report.get("op") == "add":
            point = np.array([float(report["x"]), float(report["y"])])
            if not np.isfinite(point).all():
                return
            if active.spec.standardize:  # drawn in z-scores: the edits are kept in original units
                mean, std = active.dataset.X.mean(axis=0), active.dataset.X.std(axis=0)
                point = point * np.where(std > 0, std, 1.0) + mean
            changed = edits.add(active.spec.edits, (float(point[0]), float(point[1])))
        elif report.get("op") == "remove":
            changed = edits.remove(active.spec.edits, source.n_points, int(report["index"]))
        else:
            return
        state.set_data(replace(active.spec, edits=changed), source)
        keep_view(home)
    except (KeyError, TypeError, ValueError) as error:
        state.push_message(home, f"That edit can't be made: {error}", "warning")
        return
    for page in pages:  # they start again on the new points (no "data set changed" notice here)
        state.forget_run(page)


def forget_edits() -> None:
    """Callback: the data set without the points edited by hand (the runs start again)."""
    active = state.get_data()
    if active.spec.edits:
        source = active.source if active.source is not None else active.dataset
        state.set_data(replace(active.spec, edits=edits.Edits()), source)


def edits_note(page: str) -> None:
    """Under the stage, when points were edited by hand: what changed, and a way back."""
    spec = state.get_data().spec
    if not spec.edits:
        return
    added, removed = len(spec.edits.added), len(spec.edits.removed)
    text = (f"**Edited data set: {spec.label()}** ({added} added, {removed} removed by hand; an "
            "added point has a square frame); every page uses it.")
    if not edits.fits_in_link(spec.edits):
        text += (f" More than {MAX_LINK_EDITS} edits do not fit in a link: send the CSV of the "
                 "points (in the sidebar) with it.")
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.markdown(text)
    right.button("Undo all edits", key=state.widget_key(page, "forget_edits"), on_click=forget_edits,
                 help="Back to the data set as generated or read.")
