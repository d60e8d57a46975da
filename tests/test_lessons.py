"""The Lessons page, run through the real router (app.py) with Streamlit's AppTest.

Every lesson is opened with its button: it must land on its page with its data set, K and
start, show its question there, raise nothing, and end (after Run to convergence) on the
picture it promises, checked with the numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import stage_button
from streamlit.testing.v1 import AppTest
from threadpoolctl import threadpool_limits

from clustering import compare, kmeans, presets, restarts
from clustering.ui import compare_panels, lessons

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 90
TITLES = {
    "pages/kmeans.py": "K-means",
    "pages/gmm.py": "Gaussian mixture",
    "pages/compare.py": "Compare K-means and EM",
    "pages/exact-1d.py": "Exact 1-D optimum",
}


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """One BLAS thread: EM's small triangular solves run several times slower when BLAS
    threads fight over a busy machine's cores (the tests' time, not their result)."""
    with threadpool_limits(limits=1):
        yield


def open_lesson(key: str, at: AppTest | None = None) -> AppTest:
    """Open /lessons (in a fresh session unless ``at`` is given) and click the lesson's button."""
    if at is None:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception, at.exception
    at.button(key=f"lessons.open.{key}").click().run()
    assert not at.exception, at.exception
    lesson = lessons.get(key)
    assert at.title[0].value.startswith(TITLES[lesson.page[0]]), at.title[0].value
    assert any(i.value.startswith(f"**Lesson: {lesson.title}.** Predict before you step:")
               for i in at.info), [i.value for i in at.info]
    # AppTest reruns the page it was last told to switch to (/lessons); the browser stays on
    # the lesson's page, so tell AppTest where the app went
    at.switch_page(lesson.page[0])
    return at


def run_to_convergence(at: AppTest, lead: str) -> AppTest:
    """Press the stage's Run to convergence (as the browser's stage reports it)."""
    pages = compare_panels.RUNS if lead == compare_panels.RUNS[0] else (lead,)
    stage_button(at, "Run to convergence", pages).click().run()
    assert not at.exception, at.exception
    return at


def compare_runs(at: AppTest):
    return (at.session_state[f"{compare_panels.KMEANS}.run"][1],
            at.session_state[f"{compare_panels.EM}.run"][1])


def shares(at: AppTest) -> list[float]:
    return [float(m.value.rstrip("%")) / 100 for m in at.metric
            if m.label == compare_panels.ACCURACY_LABEL]


def test_the_page_lists_every_lesson_with_its_question():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button].count(lessons.OPEN_LABEL) == len(lessons.LESSONS) == 8
    text = "\n".join(m.value for m in at.markdown)
    for lesson in lessons.LESSONS:
        assert f"**Predict before you step:** {lesson.question}" in text
        assert lesson.answer in text  # behind an expander


def test_a_bad_start():
    at = open_lesson("bad-start")
    active = at.session_state["data.active"]
    assert active.spec.name == "blobs" and at.session_state["kmeans.k"] == 3
    assert at.session_state["kmeans.init"] == "manual"
    run = at.session_state["kmeans.run"][1]
    np.testing.assert_allclose(run.initial.params,
                               presets.two_in_one_cluster(active.X, active.dataset.labels))
    run_to_convergence(at, "kmeans")
    final = at.session_state["kmeans.run"][1]
    labels = kmeans.assign(active.X, final.current.params)
    truth = active.dataset.labels
    # centroids 1 and 2 share one blob for good; the third holds the other two blobs
    assert np.unique(truth[labels == 0]).tolist() == np.unique(truth[labels == 1]).tolist()
    assert len(np.unique(truth[labels == 2])) == 2
    best = restarts.best_of_restarts(active.X, 3, "kmeans++", n=3).best_objective
    assert kmeans.objective(active.X, final.current.params, labels) > 2 * best


def test_round_clusters_only():
    at = open_lesson("round-only")
    active = at.session_state["data.active"]
    assert (active.spec.name, active.spec.seed) == ("anisotropic", lessons.ANISOTROPIC_SEED)
    km, em = compare_runs(at)
    assert km.k == em.k == 3
    np.testing.assert_array_equal(km.initial.params, kmeans.init_centroids(active.X, 3, "kmeans++", 0))
    run_to_convergence(at, compare_panels.RUNS[0])
    km_share, em_share = shares(at)
    assert km_share < 0.8 and em_share > 0.98


def test_the_mouse():
    at = open_lesson("mouse")
    active = at.session_state["data.active"]
    assert active.spec.name == "mouse" and at.session_state["compare.k"] == 3
    assert at.query_params["dataset"] == "mouse" and at.query_params["k"] == "3"  # the link
    run_to_convergence(at, compare_panels.RUNS[0])
    km, em = compare_runs(at)
    assert km.stop_reason == em.stop_reason == "converged"
    km_share, em_share = shares(at)
    assert km_share < 0.88 and em_share > 0.94
    np.testing.assert_allclose(np.sort(em.current.params.weights), [0.2, 0.2, 0.6], atol=0.04)


def test_old_faithful_follows_bishop():
    at = open_lesson("old-faithful")
    active = at.session_state["data.active"]
    assert active.spec.name == "old-faithful" and active.spec.standardize
    np.testing.assert_allclose(active.X.mean(axis=0), 0, atol=1e-12)
    km, em = compare_runs(at)
    np.testing.assert_array_equal(km.initial.params, [[-1.5, 1.1], [1.5, -1.5]])  # Fig. 9.1 (a)
    np.testing.assert_array_equal(em.initial.params.means, km.initial.params)
    for covariance in em.initial.params.covariances:  # Fig. 9.8 (a): unit circles
        np.testing.assert_allclose(covariance, np.eye(2), atol=0.01)
    run_to_convergence(at, compare_panels.RUNS[0])
    km, em = compare_runs(at)
    # Fig. 9.1 (b): the first E step cuts straight across the long eruptions
    first = kmeans.assign(active.X, km.initial.params)
    final = kmeans.assign(active.X, km.current.params)
    long_group = np.bincount(final).argmax()
    assert np.bincount(first[final == long_group], minlength=2).min() > 60
    # Fig. 9.1 (i): the short and the long eruptions (the well-known answer)
    centroids = km.current.params[np.argsort(km.current.params[:, 0])]
    np.testing.assert_allclose(centroids, [[-1.26, -1.20], [0.71, 0.68]], atol=0.03)
    assert km.current.iteration <= 8
    # Fig. 9.8 (c)-(f): EM at L = 1, 2, 5, 20 cycles is at half-steps 2, 4, 10, 40 of the timeline
    assert len(em.history) > 40 and em.current.iteration > km.current.iteration

    def apart(h: int) -> float:
        return float(np.linalg.norm(np.diff(em.history[h].params.means, axis=0)))

    final_apart = apart(len(em.history) - 1)
    assert apart(2) < apart(4) < apart(10) < 0.5 * final_apart  # part-way at L = 5
    assert abs(apart(40) - final_apart) < 0.02  # there by L = 20
    np.testing.assert_allclose(np.sort(em.history[40].params.weights), [0.356, 0.644], atol=0.01)
    np.testing.assert_allclose(np.sort(em.current.params.weights), [0.356, 0.644], atol=0.005)
    agree = compare.matched_accuracy(compare.gmm_labels(active.X, em.current.params), final)
    assert agree > 0.97


def test_collapse():
    at = open_lesson("collapse")
    assert at.slider(key="gmm.k").value == 4
    assert at.select_slider(key="gmm.reg_covar").value == 0.0
    assert at.session_state["data.active"].n == 24
    run_to_convergence(at, "gmm")
    message = next(e.value for e in at.error if "Stopped at the last good step" in e.value)
    assert "collapsed" in message and "raise reg_covar (now 0)" in message


def test_the_exact_1d_answer():
    at = open_lesson("exact-1d")
    assert at.selectbox(key="exact-1d.preset").value == "stuck"
    assert at.radio(key="exact-1d.start").value == "preset"
    # "Predict before you step": Lloyd's answer alone, the optimum hidden until asked for
    assert [m.label for m in at.metric] == ["J of Lloyd's answer", "Lloyd's rounds (E + M)"]
    assert not any("stuck in a local minimum" in w.value for w in at.warning)
    assert at.query_params["reveal"] in ("0", ["0"])
    at.button(key="exact-1d.reveal").click().run()
    assert "J of the global optimum" in [m.label for m in at.metric]
    assert any("stuck in a local minimum" in w.value for w in at.warning)
    assert "reveal" not in at.query_params


def test_a_lesson_overrides_what_was_set_before():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/compare.py").run()
    at.number_input(key="compare.k").set_value(5).run()
    at.selectbox(key="compare.init").select("farthest").run()
    assert compare_runs(at)[0].k == 5
    at = open_lesson("mouse", at)
    km, em = compare_runs(at)
    assert km.k == 3 and at.selectbox(key="compare.init").value == "kmeans++"
    assert km.cursor == em.cursor == 0  # fresh runs from the lesson's start


def test_an_unknown_lesson_is_refused():
    with pytest.raises(ValueError, match="There is no lesson 'nope'"):
        lessons.get("nope")


def _shown(at: AppTest) -> dict[str, list[str]]:
    """Every st.metric on the page, label -> values (a page may show a label twice)."""
    shown: dict[str, list[str]] = {}
    for metric in at.metric:
        shown.setdefault(metric.label, []).append(metric.value)
    return shown


def _status(at: AppTest) -> list[str]:
    """The stepping status line(s): where the run is and what comes next, or why it stopped."""
    return [m.value for m in at.markdown
            if m.value.startswith(("**Next:", "✅", "⏹", "⛔"))]


def reopen_from_link(at: AppTest, page_file: str) -> AppTest:
    """A fresh session (a new browser) opening the link the page wrote."""
    link = {key: (value[0] if isinstance(value, list) else value)
            for key, value in at.query_params.items()}
    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    again.query_params.update(link)
    # AppTest finds a page whose path differs from its file name ("exact-1d") only after a
    # first run; the link's data set is read there, the page's own parameters on its first visit
    again.run()
    again.switch_page(page_file)
    again.query_params.update(link)
    again.run()
    assert not again.exception, again.exception
    return again


@pytest.mark.parametrize("key", [lesson.key for lesson in lessons.LESSONS])
def test_every_lesson_link_reproduces_the_page(key):
    at = open_lesson(key)
    page_file = lessons.get(key).page[0]
    if page_file != "pages/exact-1d.py":
        run_to_convergence(at, "compare.gmm" if page_file == "pages/compare.py" else
                           "kmeans" if page_file == "pages/kmeans.py" else "gmm")
    again = reopen_from_link(at, page_file)
    assert _shown(again) == _shown(at)
    assert _status(again) == _status(at)  # converged, or stopped by a collapse, and why
    assert again.session_state["data.active"].n == at.session_state["data.active"].n
