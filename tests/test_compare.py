"""Compare K-means and EM: the best matching, the shared start, the σ → 0 limit, and the page.

Core: the Hungarian matching on hand-made labels; on the mouse set EM puts more points in the
right group than K-means from the same start, with weights near 0.6 / 0.2 / 0.2; EM with
weights 1/K and σ²I equals K-means for a small σ and differs for a large one. App: the
Compare page, run through the real router (app.py), steps both runs together with one set of
buttons and shows the same numbers.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from conftest import open_page, stage_button
from hypothesis import given
from hypothesis import strategies as hst
from streamlit.testing.v1 import AppTest
from threadpoolctl import threadpool_limits

from clustering import compare, datasets, derived, gmm, kmeans, softkmeans, stepper
from clustering.ui import compare_panels

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE_FILE = "pages/compare.py"
TIMEOUT = 90
MOUSE_LINK = {"dataset": "mouse", "seed": "0", "k": "3", "init": "kmeans++", "init_seed": "0"}


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """One BLAS thread: EM's small triangular solves run several times slower when BLAS
    threads fight over a busy machine's cores (the tests' time, not their result)."""
    with threadpool_limits(limits=1):
        yield


def converged(run: stepper.Run, X: np.ndarray) -> stepper.Run:
    return stepper.step(run, stepper.RunToConvergence(), X)


@functools.cache
def mouse_runs(method: str = "kmeans++", seed: int = 0):
    """The mouse set and both runs to convergence from the same start (made once: runs are
    immutable)."""
    data = datasets.make("mouse")
    start = kmeans.init_centroids(data.X, 3, method, seed=seed)
    km = converged(stepper.new_kmeans_run(start), data.X)
    em = converged(stepper.new_gmm_run(compare.em_start(data.X, start)), data.X)
    return data, start, km, em


# --------------------------------------------------------------------------------------
# The best matching of cluster to label
# --------------------------------------------------------------------------------------


def test_best_matching_by_hand():
    # clusters 0: a a | 1: b b | 2: b c  -> pairs 0-a, 1-b, 2-c: 5 of 6 points right
    matching = compare.best_matching([0, 0, 1, 1, 2, 2], ["a", "a", "b", "b", "b", "c"])
    assert matching.correct == 5 and matching.total == 6
    assert matching.accuracy == pytest.approx(5 / 6)
    assert dict(matching.pairs) == {0: "a", 1: "b", 2: "c"}
    np.testing.assert_array_equal(matching.counts, [[2, 0, 0], [0, 2, 0], [0, 1, 1]])


def test_the_numbering_of_clusters_does_not_matter():
    truth = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    for permutation in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        labels = np.array(permutation)[truth]
        assert compare.matched_accuracy(labels, truth) == 1.0


def test_a_label_left_without_a_cluster_counts_as_wrong():
    # two clusters, three labels: the smallest label ("noise") can't be matched
    labels = [0, 0, 0, 1, 1, 1, 1]
    truth = ["head", "head", "head", "ear", "ear", "ear", "noise"]
    assert compare.matched_accuracy(labels, truth) == pytest.approx(6 / 7)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="same length"):
        compare.best_matching([0, 1], [0, 1, 1])


def test_em_starts_from_the_same_means_with_the_data_covariance():
    X = datasets.make("blobs", n=300, seed=2).X
    start = kmeans.init_centroids(X, 3, "farthest", seed=1)
    params = compare.em_start(X, start)
    np.testing.assert_array_equal(params.means, start)
    np.testing.assert_allclose(params.weights, [1 / 3] * 3)
    for covariance in params.covariances:
        np.testing.assert_array_equal(covariance, gmm.data_covariance(X))
    # the one home: the maximum-likelihood covariance plus DEFAULT_REG_COVAR·I
    np.testing.assert_allclose(gmm.data_covariance(X), np.cov(X, rowvar=False, bias=True) + 1e-6 * np.eye(2),
                               rtol=1e-12)


def test_em_can_start_from_circles_of_the_average_variance():
    X = datasets.standardize(datasets.make("old-faithful").X)
    params = compare.em_start(X, [[-1.5, 1.5], [1.5, -1.5]], shape="round")
    average = np.trace(np.cov(X, rowvar=False, bias=True)) / 2 + 1e-6
    for covariance in params.covariances:
        np.testing.assert_allclose(covariance, average * np.eye(2))
    assert average == pytest.approx(1.0, abs=0.01)  # unit circles on standardized data
    with pytest.raises(ValueError, match="Unknown covariance shape 'oval'"):
        compare.em_start(X, X[:2], shape="oval")


def test_em_start_on_points_on_a_line_gets_a_ridge():
    X = np.column_stack([np.arange(10.0), 2 * np.arange(10.0)])
    params = compare.em_start(X, X[:2])
    assert np.all(np.linalg.eigvalsh(params.covariances[0]) > 0)


# --------------------------------------------------------------------------------------
# The mouse: K-means cuts into the head, EM finds the head and both ears
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["kmeans++", "random", "farthest"])
def test_on_the_mouse_em_beats_kmeans_from_the_same_start(method):
    data, _, km, em = mouse_runs(method)
    assert km.stop_reason == "converged" and em.stop_reason == "converged"
    km_share = compare.matched_accuracy(kmeans.assign(data.X, km.current.params), data.labels)
    em_share = compare.matched_accuracy(compare.gmm_labels(data.X, em.current.params), data.labels)
    assert km_share < 0.88  # about 80 head points go to the ears
    assert em_share > 0.94  # only the 10 noise points and a few at the rims are wrong
    assert em_share > km_share + 0.08
    np.testing.assert_allclose(np.sort(em.current.params.weights), [0.2, 0.2, 0.6], atol=0.04)


def test_on_the_mouse_kmeans_gives_head_points_to_the_ears():
    data, _, km, em = mouse_runs()
    head = data.labels == "Head"
    km_labels = kmeans.assign(data.X, km.current.params)
    em_labels = compare.gmm_labels(data.X, em.current.params)
    km_head = np.bincount(km_labels[head]).argmax()
    em_head = np.bincount(em_labels[head]).argmax()
    assert np.sum(km_labels[head] != km_head) > 50  # the lecture's figure: ~80 of 290
    assert np.sum(em_labels[head] != em_head) < 15


# --------------------------------------------------------------------------------------
# K-means as the σ → 0 limit of EM
# --------------------------------------------------------------------------------------


def test_soft_e_step_is_the_gmm_e_step_with_equal_weights_and_sigma_squared_i():
    X = datasets.make("blobs", n=200, seed=3).X
    means = X[:3]
    for sigma in (0.3, 2.0, 20.0):
        resp = softkmeans.e_step(X, means, sigma)
        np.testing.assert_allclose(resp, gmm.e_step(X, softkmeans.mixture(means, sigma)),
                                   atol=1e-12)
        np.testing.assert_allclose(resp.sum(axis=1), 1.0)


@pytest.mark.parametrize("name, seed, k", [("mouse", 0, 3), ("blobs", 4, 4), ("unequal-variance", 1, 3)])
def test_a_small_sigma_runs_exactly_like_kmeans(name, seed, k):
    X = datasets.make(name, n=400, seed=seed).X
    start = kmeans.init_centroids(X, k, "random", seed=seed)
    km = converged(stepper.new_kmeans_run(start), X)
    sigma = 1e-3 * compare_panels.spread(X)
    soft = converged(stepper.new_soft_kmeans_run(start, sigma), X)
    np.testing.assert_allclose(soft.current.params.means, km.current.params, atol=1e-6, rtol=0)
    # ... step for step, not only at the end
    assert soft.current.iteration == km.current.iteration
    for soft_snapshot, km_snapshot in zip(soft.history, km.history, strict=True):
        np.testing.assert_allclose(soft_snapshot.params.means, km_snapshot.params, atol=1e-6, rtol=0)
    resp = softkmeans.e_step(X, soft.current.params.means, sigma)
    assert softkmeans.distance_from_hard(resp, kmeans.assign(X, km.current.params)) < 1e-6


def test_a_large_sigma_does_not_run_like_kmeans():
    X = datasets.make("mouse").X
    start = kmeans.init_centroids(X, 3, "kmeans++", seed=0)
    km = converged(stepper.new_kmeans_run(start), X)
    sigma = compare_panels.spread(X)
    soft = converged(stepper.new_soft_kmeans_run(start, sigma), X)
    means = soft.current.params.means
    assert np.max(np.abs(means - km.current.params)) > 1e-2
    # the soft means crowd towards the centre of the data, K-means' centroids do not
    centre = X.mean(axis=0)
    assert np.max(np.linalg.norm(means - centre, axis=1)) < np.max(
        np.linalg.norm(km.current.params - centre, axis=1)) - 0.05
    # ... and they are a fixed point of EM with weights 1/K and σ²I (γ from the GMM's own E step)
    resp = gmm.e_step(X, softkmeans.mixture(means, sigma))
    np.testing.assert_allclose(resp.T @ X / resp.sum(axis=0)[:, None], means, atol=2e-3)
    assert softkmeans.distance_from_hard(resp, kmeans.assign(X, km.current.params)) > 0.3
    # weights and σ²I never change: only the means move
    np.testing.assert_array_equal(soft.current.params.weights, soft.initial.params.weights)
    np.testing.assert_array_equal(soft.current.params.covariances, soft.initial.params.covariances)


def test_the_soft_run_never_lowers_the_log_likelihood():
    X = datasets.make("unequal-sizes", n=300, seed=5).X
    run = stepper.new_soft_kmeans_run(kmeans.init_centroids(X, 3, "random", seed=2), sigma=1.5)
    likelihoods = []
    for _ in range(15):
        run = stepper.step(run, stepper.Iterate(), X)
        likelihoods.append(gmm.log_likelihood(X, run.current.params))
    assert np.all(np.diff(likelihoods) >= -1e-9 * np.abs(likelihoods[:-1]))


def test_a_mean_no_point_is_near_keeps_its_place():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    means = np.array([[0.3, 0.3], [100.0, 100.0]])
    resp = softkmeans.e_step(X, means, sigma=0.01)
    assert resp[:, 1].sum() == 0.0  # underflowed: no point is near the second mean
    updated = softkmeans.update_means(X, resp, means)
    np.testing.assert_allclose(updated[0], X.mean(axis=0))
    np.testing.assert_array_equal(updated[1], means[1])


def test_the_soft_run_is_a_stepper_run_like_the_others():
    X = datasets.make("blobs", n=120, seed=6).X
    run = stepper.new_soft_kmeans_run(X[:3], sigma=2.0, origin="test")
    assert run.algorithm == "soft-kmeans" and run.k == 3
    assert not stepper.allowed(run, stepper.MStep())  # an M step needs an E step first
    run = stepper.step(run, stepper.EStep(), X)
    assert run.current.params is run.history[0].params  # the E step changes no parameter
    view = derived.gmm_view(X, run)
    assert view.lower_bound == view.log_likelihood  # the bound touches after an E step
    run = stepper.step(run, stepper.MStep(), X)
    assert run.current.kind == "M" and run.current.iteration == 1
    view = derived.gmm_view(X, run)
    assert view.lower_bound <= view.log_likelihood + 1e-9
    assert stepper.step(run, stepper.Back(), X).cursor == 1
    assert len(stepper.step(run, stepper.Reset(), X).history) == 1
    assert softkmeans.sigma_of(run.current.params) == pytest.approx(2.0)


def test_sigma_must_be_positive():
    with pytest.raises(ValueError, match="σ must be a positive number"):
        stepper.new_soft_kmeans_run(np.zeros((2, 2)), sigma=0.0)


@pytest.mark.parametrize(
    "text, k, message",
    [
        ("-1.5, 1.5", 2, "Type exactly K = 2 means"),
        ("-1.5, 1.5; 1.5", 2, "“1.5” is not a pair of finite numbers"),
        ("-1.5, x; 1, 2", 2, "“-1.5, x” is not a pair of numbers"),
    ],
)
def test_typed_means_give_plain_messages(text, k, message):
    with pytest.raises(ValueError) as error:
        compare_panels.parse_means(text, k)
    assert str(error.value).startswith(message)


def test_typed_means_accept_a_unicode_minus_and_round_trip():
    means = compare_panels.parse_means("−1.5, 1.5; 1.5, −1.5", 2)
    np.testing.assert_array_equal(means, [[-1.5, 1.5], [1.5, -1.5]])
    np.testing.assert_array_equal(compare_panels.parse_means(compare_panels.format_means(means), 2), means)


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def open_compare(query: dict[str, str] | None = None) -> AppTest:
    return open_page(PAGE_FILE, MOUSE_LINK if query is None else query, TIMEOUT)


BUTTONS = {"e": "E step", "m": "M step", "back": "Step back", "run": "Run to convergence",
           "reset": "Reset"}


def click(at: AppTest, name: str) -> AppTest:
    """Press the stage's button (as the browser's stage reports it: conftest.StageButton)."""
    stage_button(at, BUTTONS[name], compare_panels.RUNS).click().run()
    assert not at.exception, at.exception
    return at


def runs(at: AppTest) -> tuple[stepper.Run, stepper.Run]:
    return (at.session_state[f"{compare_panels.KMEANS}.run"][1],
            at.session_state[f"{compare_panels.EM}.run"][1])


def metric_values(at: AppTest, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def percent(text: str) -> float:
    return float(text.rstrip("%")) / 100


def test_one_set_of_buttons_steps_both_runs_together():
    at = open_compare()
    panels = at.session_state["compare.stage_payload"][1]["panels"]
    assert [p["algorithm"] for p in panels] == ["kmeans", "gmm"]  # one stage, both runs
    km, em = runs(at)
    np.testing.assert_array_equal(em.initial.params.means, km.initial.params)  # the same start
    click(at, "e")
    assert [r.cursor for r in runs(at)] == [1, 1]
    assert metric_values(at, "J")[0] != "—"
    click(at, "m")
    assert [r.cursor for r in runs(at)] == [2, 2]
    assert [r.current.kind for r in runs(at)] == ["M", "M"]
    assert [r.current.iteration for r in runs(at)] == [1, 1]
    assert any(c.value == "K-means: half-step 2 (iteration 1)." for c in at.caption)
    click(at, "back")
    assert [r.cursor for r in runs(at)] == [1, 1]
    click(at, "reset")
    assert [r.cursor for r in runs(at)] == [0, 0]
    assert metric_values(at, "Points in the right group") == ["—", "—"]


def test_run_to_convergence_shows_em_beating_kmeans_on_the_mouse():
    at = open_compare()
    click(at, "run")
    km, em = runs(at)
    assert km.stop_reason == "converged" and em.stop_reason == "converged"
    km_share, em_share = (percent(v) for v in metric_values(at, "Points in the right group"))
    active = at.session_state["data.active"]
    _, _, core_km, core_em = mouse_runs()  # the same points and start, outside the app
    core_labels = kmeans.assign(active.X, core_km.current.params)
    assert km_share == pytest.approx(compare.matched_accuracy(core_labels, active.dataset.labels),
                                     abs=5e-4)
    assert float(metric_values(at, "J")[0]) == pytest.approx(
        kmeans.objective(active.X, core_km.current.params, core_labels), abs=1e-3)
    np.testing.assert_array_equal(em.current.params.means, core_em.current.params.means)
    assert em_share > km_share + 0.08 and km_share < 0.88 and em_share > 0.94
    assert any(i.value.startswith("**From the same start, EM puts more points in the right group")
               for i in at.info)
    weights = next(m.value for m in at.markdown if m.value.startswith("Weights π = "))
    shown = sorted(float(w) for w in weights.removeprefix("Weights π = ").split(" · "))
    np.testing.assert_allclose(shown, [0.2, 0.2, 0.6], atol=0.04)


def test_the_sigma_slider_shows_kmeans_as_the_limit():
    at = open_compare()
    assert not [s for s in at.select_slider if s.key == "compare.sigma"]  # closed: nothing made
    at.session_state["compare.open.sigma"] = True  # open the expander
    at.run()
    at.select_slider(key="compare.sigma").set_value(min(compare_panels.SIGMA_EXPONENTS)).run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("**The final means equal K-means' centroids**") for s in at.success)
    line = next(m.value for m in at.markdown if "max |γ − one-hot(K-means labels)|" in m.value)
    assert line.endswith("= 0.000")
    at.select_slider(key="compare.sigma").set_value(max(compare_panels.SIGMA_EXPONENTS)).run()
    assert not at.success and not at.warning
    assert any(i.value.startswith("**The final means differ from K-means' centroids**")
               for i in at.info)
    line = next(m.value for m in at.markdown if "max |γ − one-hot(K-means labels)|" in m.value)
    assert float(line.rsplit("= ", 1)[1]) > 0.3


def test_typed_means_start_both_runs_and_a_bad_one_is_explained():
    at = open_compare({"dataset": "old-faithful", "standardize": "true", "k": "2",
                       "means": "-1.5, 1.5; 1.5, -1.5"})
    km, em = runs(at)
    np.testing.assert_array_equal(km.initial.params, [[-1.5, 1.5], [1.5, -1.5]])
    np.testing.assert_array_equal(em.initial.params.means, km.initial.params)
    assert any("no true labels" in c.value for c in at.caption)  # Old Faithful has none
    assert not metric_values(at, "Points in the right group")
    at.text_input(key="compare.typed").input("-1.5, 1.5").run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Type exactly K = 2 means as “x, y” pairs separated by semicolons, e.g. “-1.5, 1.5; "
        "1.5, -1.5”; you typed 1. Change K, the initialization or the data set."
    ]


def test_a_change_of_data_resets_both_runs_and_says_so_once():
    from clustering.ui import state

    at = open_compare()
    click(at, "e")
    at.session_state["data.active"] = state.build(state.DataSpec(name="blobs", n=300), version=7)
    at.run()
    assert not at.exception, at.exception
    assert [i.value for i in at.info if "data set changed" in i.value] == [
        "K-means and EM: The data set changed, so the run made on the previous data was reset."
    ]
    assert [r.cursor for r in runs(at)] == [0, 0]  # new runs, shown at their start
    assert runs(at)[0].initial.params.shape == (3, 2)


# --------------------------------------------------------------------------------------
# The link: a typed set-up and the half-step
# --------------------------------------------------------------------------------------

@hst.composite
def compare_setups(draw) -> compare_panels.Setup:
    init = draw(hst.sampled_from(tuple(compare_panels.INITS)))
    k = draw(hst.integers(1, 8))
    typed = ""
    if init == "typed":
        typed = "; ".join(f"{draw(hst.floats(-1e6, 1e6))!r}, {draw(hst.floats(-1e6, 1e6))!r}"
                          for _ in range(k))
    return compare_panels.Setup(
        k=k, init=init, typed=typed,
        init_seed=compare_panels.DEFAULT_SEED if init == "typed" else draw(hst.integers(0, 2**32 - 1)),
        shape=draw(hst.sampled_from(tuple(compare_panels.SHAPES))),
    )


@given(compare_setups())
def test_the_compare_link_round_trips(setup):
    again, messages = compare_panels.Setup.from_query(setup.to_query())
    assert again == setup and messages == []


def test_a_bad_compare_link_keeps_the_default_and_says_why():
    setup, messages = compare_panels.Setup.from_query({"k": "0", "init": "magic", "em_start": "data"})
    assert setup == compare_panels.Setup()
    assert len(messages) == 2 and "“k”" in messages[0] and "“init”" in messages[1]


def test_the_link_carries_the_half_step_and_reopens_there():
    at = open_compare()
    for name in ("e", "m", "e"):
        click(at, name)
    link = dict(at.query_params)
    assert link["step"] == ["3"] or link["step"] == "3"
    shown = {label: metric_values(at, label) for label in ("J", "Log-likelihood")}
    again = open_compare({key: value[0] if isinstance(value, list) else value
                          for key, value in link.items()})
    assert [r.cursor for r in runs(again)] == [3, 3]
    assert {label: metric_values(again, label) for label in shown} == shown
