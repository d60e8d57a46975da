"""The K-means page, run through the real router (app.py) with Streamlit's AppTest.

Every button and preset is clicked; J (the metric) never rises; Step back works after Run to
convergence; an empty cluster is named with its centroid staying put; K > N is refused; a
link reproduces the run at its half-step; a bad link falls back with a plain message; the
restarts load the best start; the formulas and the factorization show this step's numbers.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from conftest import STAGE_LABELS, open_page, stage_button
from streamlit.testing.v1 import AppTest

from clustering import datasets, derived, kmeans, presets, restarts, stepper
from clustering.ui import kmeans_panels as panels
from clustering.ui import manual
from clustering.ui.numbers import fmt_sig

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE_FILE = "pages/kmeans.py"
TIMEOUT = 60
LINK = {"dataset": "blobs", "n": "1000", "seed": "1", "k": "3", "init": "random", "init_seed": "0"}
LABELS = ("E step", "M step", "Step back", "Run to convergence", "Reset")


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def open_kmeans(query: dict[str, str] | None = None) -> AppTest:
    """A fresh browser session opening /kmeans (with the link's query parameters)."""
    return open_page(PAGE_FILE, query, TIMEOUT)


def button(at: AppTest, label: str):
    if label in STAGE_LABELS:  # the stage's buttons (pressed as the browser's stage reports)
        return stage_button(at, label, ("kmeans",))
    found = [b for b in at.button if b.label == label]
    assert found, f"no button labelled {label!r}; have {[b.label for b in at.button]}"
    return found[0]


def click(at: AppTest, label: str) -> AppTest:
    button(at, label).click().run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, f"expected one metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def j_shown(at: AppTest) -> float | None:
    """The J metric as a number (None for "—"); never "nan" or "None"."""
    text = metric(at, "J").value
    assert "nan" not in text.lower() and "none" not in text.lower(), text
    return None if text == "—" else float(text.replace(",", ""))


def texts(at: AppTest, kind: str = "markdown") -> str:
    return "\n".join(str(element.value) for element in getattr(at, kind))


def stored_run(at: AppTest) -> stepper.Run:
    return at.session_state["kmeans.run"][1]


def active_X(at: AppTest) -> np.ndarray:
    return at.session_state["data.active"].X


def select_by_click(at: AppTest, n: int) -> AppTest:
    """Click point n on the main figure: the page's own click handler runs on the click event
    (the figure component's value), with this session's state, then the page reruns."""
    from types import SimpleNamespace

    from clustering.ui import state

    X = active_X(at)
    session = {key: at.session_state[key] for key in ("data.active", "data.version")
               if key in at.session_state}
    session["kmeans.figure"] = {"selection": {"points": [{"x": float(X[n, 0]), "y": float(X[n, 1])}]}}
    real = state.st
    state.st = SimpleNamespace(session_state=session)  # the handler reads and writes through state
    try:
        panels._on_figure_click()
    finally:
        state.st = real
    at.session_state["kmeans.selected"] = session["kmeans.selected"]
    at.run()
    assert not at.exception, at.exception
    return at


def instant(at: AppTest) -> AppTest:
    """(The stage's speed lives in the browser; AppTest's presses are instant.)"""
    return at


# --------------------------------------------------------------------------------------
# Opening, stepping, J
# --------------------------------------------------------------------------------------


def test_opens_at_the_start_with_the_exact_labels():
    at = open_kmeans()
    for label in LABELS:
        button(at, label)
    assert metric(at, "Iteration").value == "0"
    assert metric(at, "J").value == "—"  # no assignment yet: a dash, never nan / None
    assert metric(at, "J").delta in ("", None)
    assert button(at, "M step").disabled and not button(at, "E step").disabled
    assert button(at, "Step back").disabled
    assert metric(at, "Next step").value == "E step"


def test_e_and_m_alternate_and_j_never_rises():
    at = open_kmeans(LINK)
    values = []
    for i in range(8):
        label = "E step" if i % 2 == 0 else "M step"
        other = "M step" if label == "E step" else "E step"
        assert button(at, other).disabled, f"{other} must be disabled when {label} is next"
        click(at, label)
        values.append(j_shown(at))
        delta = metric(at, "J").delta
        if i == 0:
            assert delta in ("", None)  # nothing to compare the first J with
        else:
            assert delta == "0" or delta.startswith("-"), delta  # a fall (or nothing), never a rise
    assert all(v is not None for v in values)
    assert all(b <= a for a, b in pairwise(values)), values
    assert metric(at, "Iteration").value == "4"
    assert values[-1] < values[0]


def test_status_counts_changes_and_moves():
    at = open_kmeans(LINK)
    click(at, "E step")
    assert metric(at, "Changed cluster (last E step)").value == "—"  # the first E step assigns all
    click(at, "M step")
    run = stored_run(at)
    move = np.max(np.linalg.norm(run.history[2].params - run.history[1].params, axis=1))
    assert float(metric(at, "Largest move (last M step)").value.replace(",", "")) == pytest.approx(move, abs=1e-3)
    click(at, "E step")
    X = active_X(at)
    changed = np.sum(kmeans.assign(X, run.history[0].params) != kmeans.assign(X, run.history[2].params))
    assert int(metric(at, "Changed cluster (last E step)").value.replace(",", "")) == changed > 0


def test_run_to_convergence_then_step_back_and_reset():
    at = instant(open_kmeans(LINK))
    click(at, "Run to convergence")
    run = stored_run(at)
    assert run.stop_reason == "converged" and run.cursor == len(run.history) - 1
    assert button(at, "Run to convergence").disabled
    assert metric(at, "Next step").value == "done"
    final = j_shown(at)
    click(at, "Step back")
    assert stored_run(at).cursor == len(run.history) - 2
    assert j_shown(at) >= final
    assert not button(at, "Run to convergence").disabled
    click(at, "Reset")
    assert stored_run(at).cursor == 0  # the half-steps computed ahead stay for the stage
    assert metric(at, "J").value == "—"


def test_the_stage_gets_the_whole_run_computed_ahead():
    at = open_kmeans(LINK)
    run = stored_run(at)
    assert run.cursor == 0 and run.stop_reason == "converged"  # computed ahead, shown at 0
    body = at.session_state["kmeans.stage_payload"][1]
    assert body["start"] == 0 and body["panels"][0]["kinds"][0] == "I"
    assert len(body["panels"][0]["kinds"]) == len(run.history)
    J = derived.kmeans_objective_curve(active_X(at), run)
    assert body["panels"][0]["curves"]["J"] == J  # the numbers the J metric shows


# --------------------------------------------------------------------------------------
# Formulas, figure selection, factorization
# --------------------------------------------------------------------------------------


def test_formulas_follow_the_step_with_the_selected_points_distances():
    at = open_kmeans(LINK)
    assert "Start" in texts(at)
    click(at, "E step")
    select_by_click(at, 6)
    assert "E step: assign every point to its nearest centroid" in texts(at)
    assert "For x₇" in texts(at)  # point index 6 is x₇ on screen
    label = derived.kmeans_view(active_X(at), stored_run(at)).labels[6]  # the E step's one home
    assert any("z_{7} = \\arg\\min_k" in latex.value
               and latex.value.strip("$\n ").endswith(f"= {label + 1}") for latex in at.latex)
    assert "Why J cannot rise in an E step" in texts(at, "info")
    click(at, "M step")
    assert "M step: move every centroid to the mean of its points" in texts(at)
    assert "Why J cannot rise in an M step" in texts(at, "info")
    assert any(r"\frac{1}{N_k}" in latex.value for latex in at.latex)


def test_figure_click_selects_the_nearest_point():
    at = open_kmeans(LINK)
    X = active_X(at)
    event = {"selection": {"points": [{"x": float(X[42, 0]) + 1e-4, "y": float(X[42, 1])}],
                           "point_indices": [0], "box": [], "lasso": []}}
    assert manual.click_position(event) == pytest.approx((X[42, 0] + 1e-4, X[42, 1]))
    index = int(np.argmin(np.sum((X - np.array(manual.click_position(event))) ** 2, axis=1)))
    assert index == 42


def test_factorization_equals_j():
    at = open_kmeans(LINK)
    assert "take the first E step" not in texts(at, "caption")  # closed: nothing is made
    at.session_state["kmeans.open.factorization"] = True  # open the expander
    at.run()
    assert "take the first E step" in texts(at, "caption")
    click(at, "E step")
    click(at, "M step")
    assert "They are equal." in texts(at)
    run = stored_run(at)
    X = active_X(at)
    labels = kmeans.assign(X, run.history[1].params)
    _, frobenius = derived.kmeans_as_factorization(X, run.current.params, labels)
    assert frobenius == pytest.approx(j_shown(at), rel=1e-6)


# --------------------------------------------------------------------------------------
# Empty clusters, K > N
# --------------------------------------------------------------------------------------


def test_empty_cluster_is_named_and_its_centroid_stays():
    X = datasets.make("blobs", n=30, seed=0).X
    low, high = X.min(axis=0), X.max(axis=0)
    far = high + 10 * (high - low)  # no point is nearest to this centroid
    start = np.array([X[0], X[1], far])
    query = {"dataset": "blobs", "n": "30", "seed": "0", "k": "3", "init": "manual",
             "centroids": panels.format_centroids(start)}
    at = open_kmeans(query)
    assert not at.warning, [w.value for w in at.warning]
    click(at, "E step")
    warnings = texts(at, "warning")
    assert "Cluster 3 (u₃) has no points" in warnings and "stays where it was" in warnings
    click(at, "M step")
    warnings = texts(at, "warning")
    assert "Cluster 3 (u₃) has no points" in warnings and "stayed where it was" in warnings
    np.testing.assert_array_equal(stored_run(at).current.params[2], start[2])


def test_a_start_that_cannot_be_made_is_explained():
    from clustering.ui import state

    at = open_kmeans({"k": "3", "init": "random"})
    twins = datasets.Dataset(X=np.ones((6, 2)), labels=None, name="twins", description="")
    at.session_state["data.active"] = state.build(state.DataSpec(name="upload", source_name="twins.csv"),
                                                  twins, version=7)
    at.run()
    assert not at.exception, at.exception
    errors = texts(at, "error")
    assert "only 1 distinct points, fewer than k = 3" in errors
    assert "Change K, the initialization or the data set." in errors


def test_k_above_n_is_refused_with_a_plain_message():
    at = open_kmeans({"dataset": "blobs", "n": "5", "seed": "0", "k": "8"})
    errors = texts(at, "error")
    assert "K = 8 is more than the 5 points" in errors and "Choose K ≤ 5" in errors
    assert not [b for b in at.button if b.label == "E step"]
    at.number_input(key="kmeans.k").set_value(4).run()
    assert not at.error and button(at, "E step")


# --------------------------------------------------------------------------------------
# The link
# --------------------------------------------------------------------------------------


def test_link_reproduces_the_run_at_its_half_step():
    at = open_kmeans(LINK)
    for label in ("E step", "M step", "E step", "M step"):
        click(at, label)
    assert at.query_params["step"] == "4"
    link = {key: str(value) for key, value in at.query_params.items()}
    expected = stored_run(at).current.params.copy()
    again = open_kmeans(link)
    assert stored_run(again).cursor == 4
    np.testing.assert_array_equal(stored_run(again).current.params, expected)
    assert metric(again, "J").value == metric(at, "J").value
    assert metric(again, "Iteration").value == "2"


def test_link_names_the_init_methods():
    for name in ("random", "random-partition", "kmeans++", "farthest"):
        at = open_kmeans(dict(LINK, init=name, init_seed="3"))
        expected = kmeans.init_centroids(active_X(at), 3, name, seed=3)
        np.testing.assert_array_equal(stored_run(at).initial.params, expected)
        assert at.query_params["init"] == name


def test_bad_link_values_give_a_plain_message_and_the_defaults():
    at = open_kmeans(dict(LINK, init="bogus", k="99"))
    warnings = texts(at, "warning")
    assert "“init” must be one of" in warnings and "“bogus”" in warnings
    assert "“k” must be between 1 and 20" in warnings
    assert at.query_params["init"] == "kmeans++" and at.query_params["k"] == "3"
    assert not at.exception


def test_parse_query_is_pure_and_strict():
    found, messages = panels.parse_query({"k": "2", "init": "manual", "centroids": "0,0;1,1.5"})
    assert found["k"] == 2 and found["init"] == "manual" and not messages
    np.testing.assert_array_equal(found["centroids"], [[0, 0], [1, 1.5]])
    found, messages = panels.parse_query({"k": "3", "init": "manual", "centroids": "0,0;1,x"})
    assert "centroids" not in found and "pairs of numbers" in messages[0]
    found, messages = panels.parse_query({"k": "2", "centroids": "0,0,0;1,1"})
    assert "centroids" not in found and "pairs of numbers" in messages[0]
    found, messages = panels.parse_query({"k": "3", "centroids": "0,0;1,1"})
    assert "centroids" not in found and "give 2 centroids but K is 3" in messages[0]
    found, messages = panels.parse_query({"step": "-1"})
    assert "step" not in found and "between 0" in messages[0]


# --------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------


def _load_preset(name: str) -> AppTest:
    at = instant(open_kmeans())
    preset = presets.get(name)
    at.button(key=f"kmeans.preset.{name}").click().run()
    assert not at.exception, at.exception
    assert f"Bad start loaded: {preset.label}" in texts(at, "info")
    assert at.session_state["kmeans.init"] == "manual"
    if preset.k:
        assert at.session_state["kmeans.k"] == preset.k
    if preset.dataset:
        assert at.session_state["data.active"].spec.name == preset.dataset
    assert at.query_params["init"] == "manual" and "centroids" in at.query_params
    assert stored_run(at).origin == f"bad start: {preset.label.lower()}"
    return at


def test_preset_two_centroids_in_one_blob_ends_badly():
    at = _load_preset("two-in-one")
    active = at.session_state["data.active"]
    np.testing.assert_allclose(stored_run(at).initial.params,
                               presets.two_in_one_cluster(active.X, active.dataset.labels))
    click(at, "Run to convergence")
    run = stored_run(at)
    labels = kmeans.assign(active.X, run.current.params)
    truth = active.dataset.labels
    # the first two centroids share one true blob; one centroid holds two blobs
    assert len(np.unique(truth[labels == 0])) == 1 and len(np.unique(truth[labels == 1])) == 1
    assert np.unique(truth[labels == 0]) == np.unique(truth[labels == 1])
    best = restarts.best_of_restarts(active.X, 3, "kmeans++", n=5).best_objective
    assert j_shown(at) > 2 * best


def test_preset_all_in_one_corner():
    at = _load_preset("corner")
    active = at.session_state["data.active"]
    start = stored_run(at).initial.params
    low, high = active.X.min(axis=0), active.X.max(axis=0)
    assert np.all(start <= low + 0.1 * (high - low))
    click(at, "E step")
    click(at, "Run to convergence")
    assert stored_run(at).stop_reason == "converged"


def test_preset_mouse_ends_with_the_head_split():
    at = _load_preset("mouse-head")
    click(at, "Run to convergence")
    active = at.session_state["data.active"]
    labels = kmeans.assign(active.X, stored_run(at).current.params)
    head = active.dataset.labels == "Head"
    shares = np.bincount(labels[head], minlength=3) / head.sum()
    assert np.sort(shares)[-2] >= 0.25, shares  # two clusters share the head
    left, right = (active.dataset.labels == "Ear_left"), (active.dataset.labels == "Ear_right")
    assert np.bincount(labels[left]).argmax() != np.bincount(labels[right]).argmax()
    assert "Cluster 3 (u₃) has no points" in texts(at, "warning")


# --------------------------------------------------------------------------------------
# Manual start, restarts, navigation
# --------------------------------------------------------------------------------------


def test_manual_start_waits_for_k_centroids_then_steps():
    at = open_kmeans({"dataset": "blobs", "n": "200", "seed": "0", "k": "3", "init": "manual"})
    assert "no “centroids”" in texts(at, "warning")
    assert "Click on the plot to place centroid u₁** (0 of 3 placed)" in texts(at)
    assert not [b for b in at.button if b.label == "E step"]
    X = active_X(at)
    at.session_state["kmeans.manual.points"] = ((X[0, 0], X[0, 1]), (X[1, 0], X[1, 1]), (None, None))
    at.run()
    assert "Click on the plot to place centroid u₃** (2 of 3 placed)" in texts(at)
    assert not at.error and "kmeans.run" not in at.session_state
    at.session_state["kmeans.manual.points"] = tuple((float(a), float(b)) for a, b in X[:3])
    at.run()
    np.testing.assert_array_equal(stored_run(at).initial.params, X[:3])
    click(at, "E step")
    assert j_shown(at) is not None
    click(at, "Reset")
    button(at, "Clear all").click().run()  # back at the start: the placement (and its table) shows
    assert "(0 of 3 placed)" in texts(at)
    assert "kmeans.run" not in at.session_state


def test_manual_placement_helpers():
    slots = manual.place((), (1.0, 2.0), 2)
    assert slots == ((1.0, 2.0), (None, None))
    slots = manual.place(slots, (5.0, 5.0), 2)
    assert manual.as_array(slots, 2).tolist() == [[1.0, 2.0], [5.0, 5.0]]
    slots = manual.place(slots, (4.0, 4.0), 2)  # all placed: the nearest one moves
    assert slots == ((1.0, 2.0), (4.0, 4.0))
    slots = manual.apply_edits(slots, {0: {"x₁": 0.5}, 1: {"x₂": None}}, ("x₁", "x₂"))
    assert slots == ((0.5, 2.0), (4.0, None)) and manual.as_array(slots, 2) is None
    assert manual.click_position({"selection": {"points": []}}) is None
    assert manual.click_position(None) is None


def test_restarts_histogram_and_use_the_best():
    # uniform noise with K = 5: many local minima, and seed 0 is not the best of 20
    at = open_kmeans({"dataset": "uniform", "n": "500", "seed": "0", "k": "5", "init": "random",
                      "init_seed": "0"})
    click(at, "Run 20 restarts")
    assert "Best final J" in texts(at)
    _, result = at.session_state["kmeans.restarts"]
    assert result.n == 20 and list(result.seeds) == list(range(20))
    assert result.best_seed != 0  # the precondition of what follows
    assert not button(at, "Use the best").disabled
    click(at, "Use the best")
    assert at.session_state["kmeans.init_seed"] == result.best_seed
    assert f"seed {result.best_seed}" in texts(at, "success")
    # the caption names the histogram's seeds (0 to 19), not the next 20 from the new seed
    assert "seeds 0 to 19" in " ".join(c.value for c in at.caption)
    np.testing.assert_array_equal(stored_run(at).initial.params, result.starts[result.best])
    instant(at)
    click(at, "Run to convergence")
    final = derived.kmeans_objective_curve(active_X(at), stored_run(at))[-1]
    assert final == result.best_objective  # the same loop: the same J to the last bit
    assert metric(at, "J").value == fmt_sig(result.best_objective, 6)
    assert button(at, "Use the best").disabled


def test_restarts_are_off_for_a_manual_start():
    at = open_kmeans({"dataset": "blobs", "n": "200", "k": "2", "init": "manual",
                      "centroids": "0,0;1,1"})
    assert "Restarts need a random initialization" in texts(at, "caption")
    assert not [b for b in at.button if b.label.startswith("Run ") and "restarts" in b.label]


def test_the_run_survives_a_visit_to_another_page():
    at = open_kmeans(LINK)
    click(at, "E step")
    click(at, "M step")
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE_FILE).run()
    assert not at.exception
    assert metric(at, "Iteration").value == "1"
    assert at.session_state["kmeans.init"] == "random"


def test_the_stage_is_sent_the_current_runs_half_steps_as_json():
    """The run goes to the browser as JSON text made once per payload (stage._panels_json):
    it must be the payload on screen, also after a new run replaced the old one."""
    import json

    at = open_kmeans(LINK)
    first = at.session_state["stage.panels_json"][1]
    assert json.loads(first) == at.session_state["kmeans.stage_payload"][1]["panels"]
    at.number_input(key="kmeans.k").set_value(4).run()
    assert not at.exception
    again = at.session_state["stage.panels_json"][1]
    panels = at.session_state["kmeans.stage_payload"][1]["panels"]
    assert json.loads(again) == panels and again != first
    assert len(panels[0]["centroids"][0]) == 4  # the new run's K
