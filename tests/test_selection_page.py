"""The "How many clusters?" panels and lessons, run through the real router (app.py) with AppTest.

Closed, a panel computes nothing; opened, it draws the numbers of clustering.selection (the
same as a notebook gets), keeps them in session state, and its "Load K = …" sets the page's K
and starts the stepper from that K's best start, whose converged J or ℓ is the curve's. It
works on an upload with fewer points than the largest K, duplicate points and all. The two
lessons open their page with their data, K = 2 and their question.
"""

from __future__ import annotations

from pathlib import Path

import conftest
import numpy as np
import pytest
from conftest import plotted, shown_figure, stage_button
from streamlit.testing.v1 import AppTest
from threadpoolctl import threadpool_limits

from clustering import datasets, gmm, kmeans, selection, stepper
from clustering.ui import lessons, selection_panels, state

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    with threadpool_limits(limits=1):
        yield


def open_page(page_file: str, query: dict[str, str] | None = None) -> AppTest:
    return conftest.open_page(page_file, query, timeout=TIMEOUT)


def open_panel(at: AppTest, page: str) -> AppTest:
    at.session_state[f"{page}.open.{selection_panels.PANEL}"] = True  # open the expander
    at.run()
    assert not at.exception, at.exception
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def load(at: AppTest, page: str, k: int) -> AppTest:
    at.selectbox(key=f"{page}.selection_load_k").set_value(k).run()
    button = at.button(key=f"{page}.btn.selection_load")
    assert button.label == selection_panels.LOAD_LABEL.format(k=k)
    button.click().run()
    assert not at.exception, at.exception
    return at


def test_closed_panels_compute_nothing():
    at = open_page("pages/kmeans.py")
    assert selection_panels.KMEANS_LABEL in [e.label for e in at.expander]
    assert "kmeans.selection_cache" not in at.session_state
    at.switch_page("pages/gmm.py").run()
    assert selection_panels.GMM_LABEL in [e.label for e in at.expander]
    assert "gmm.selection_cache" not in at.session_state


def test_kmeans_panel_draws_the_elbow_and_the_silhouette_and_loads_a_k():
    at = open_panel(open_page("pages/kmeans.py"), "kmeans")  # the mouse, K = 3
    X = at.session_state["data.active"].X
    expected = selection.elbow(X, range(1, 11), n_restarts=10)
    elbow = shown_figure(at, "kmeans.selection_elbow")
    line = next(t for t in elbow["data"] if t.get("name") == "J")
    np.testing.assert_array_equal(plotted(line["y"]), expected.objectives)
    ring = next(t for t in elbow["data"] if t.get("name") == "your K = 3")
    assert list(plotted(ring["x"])) == [3]
    silhouettes = [selection.silhouette(X, expected.labels(X, i)).value for i in range(1, 10)]
    figure = shown_figure(at, "kmeans.selection_silhouette")
    line = next(t for t in figure["data"] if t.get("name") == "mean silhouette")
    shown = plotted(line["y"])
    assert shown[0] is None  # K = 1: undefined, no marker
    np.testing.assert_allclose(np.array(shown[1:], dtype=float), silhouettes, rtol=1e-12)
    text = markdown(at)
    assert "**Here:** J falls by 44 % from K = 1 to 2, 52 % to 3" in text
    assert "The mean silhouette is highest at K = 3 (0.499)." in text
    assert "look for the bend" in text

    cache = at.session_state["kmeans.selection_cache"]
    at.run()  # a rerun draws from the cache: the very same objects
    again = at.session_state["kmeans.selection_cache"]
    assert all(again[key][k] is cache[key][k] for key in cache for k in cache[key])

    load(at, "kmeans", 5)
    assert at.session_state["kmeans.k"] == 5
    assert at.session_state["kmeans.init"] == "kmeans++"
    seed = int(expected.best_seeds[4])
    assert at.session_state["kmeans.init_seed"] == seed
    assert any(s.value.startswith("Loaded K = 5") for s in at.success)
    run = at.session_state["kmeans.run"][1]
    np.testing.assert_array_equal(run.initial.params, kmeans.init_centroids(X, 5, "kmeans++", seed))
    stage_button(at, "Run to convergence", ("kmeans",)).click().run()  # the stage's button
    run = at.session_state["kmeans.run"][1]
    labels = kmeans.assign(X, run.current.params)
    assert kmeans.objective(X, run.current.params, labels) == expected.objectives[4]
    assert at.query_params["k"] == "5" and at.query_params["init_seed"] == str(seed)  # the link


def test_gmm_panel_draws_bic_and_aic_with_p_and_loads_a_k():
    at = open_panel(open_page("pages/gmm.py"), "gmm")  # the mouse, K = 3, full
    X = at.session_state["data.active"].X
    expected = selection.mixture_criteria(X, range(1, 11), "full")
    figure = shown_figure(at, "gmm.selection_criteria")
    bic = next(t for t in figure["data"] if t.get("name", "").startswith("BIC ="))
    aic = next(t for t in figure["data"] if t.get("name", "").startswith("AIC ="))
    np.testing.assert_allclose(plotted(bic["y"]), expected.bics, rtol=1e-12)
    np.testing.assert_allclose(plotted(aic["y"]), expected.aics, rtol=1e-12)
    assert list(plotted(bic["customdata"])) == [5 + 6 * j for j in range(10)]  # p in the hover
    table = next(t.value for t in at.table if "BIC" in t.value.columns)
    assert [int(p) for p in table["p"]] == [5 + 6 * j for j in range(10)]
    assert list(table["BIC"])[2] == f"{expected.bics[2]:,.1f}"
    text = markdown(at)
    assert "**Here:** BIC is smallest at **K = 3**, AIC at **K = 6**." in text
    assert "Why BIC penalises more than AIC" in text and "ln 500 = 6.21" in text

    load(at, "gmm", 3)
    seed = expected.fits[2].best_seed
    assert (at.session_state["gmm.k"], at.session_state["gmm.init"], at.session_state["gmm.init_seed"]) \
        == (3, "kmeans", seed)
    run = at.session_state["gmm.run"][1]
    assert run.initial.params == gmm.init_params(X, 3, "kmeans", seed)
    # EM from that start at the curve's tolerance ends exactly at the curve's ℓ
    curve_run = stepper.step(stepper.new_gmm_run(run.initial.params, tol=1e-3 * len(X)),
                             stepper.RunToConvergence(), X)
    assert gmm.log_likelihood(X, curve_run.current.params) == expected.log_likelihoods[2]


def test_another_covariance_type_is_another_curve():
    at = open_panel(open_page("pages/gmm.py"), "gmm")
    at.radio(key="gmm.cov").set_value("spherical").run()
    assert not at.exception, at.exception
    X = at.session_state["data.active"].X
    figure = shown_figure(at, "gmm.selection_criteria")
    bic = next(t for t in figure["data"] if t.get("name", "").startswith("BIC ="))
    fit = selection.fit_mixture(X, 4, "spherical")
    assert plotted(bic["y"])[3] == pytest.approx(fit.bic, rel=1e-12)
    assert plotted(bic["customdata"])[3] == selection.n_parameters(4, 2, "spherical") == 15


def test_an_upload_smaller_than_the_largest_k_with_duplicates():
    points = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [5.0, 5.1]])
    upload = datasets.Dataset(X=points, labels=None, name="tiny", description="")
    for page, page_file in (("kmeans", "pages/kmeans.py"), ("gmm", "pages/gmm.py")):
        at = open_page(page_file, {"k": "2"})
        at.session_state["data.active"] = state.build(
            state.DataSpec(name="upload", source_name="tiny.csv"), upload, version=9)
        open_panel(at, page)
        assert at.number_input(key=f"{page}.selection_kmax").value == 5  # at most N
        captions = "\n".join(c.value for c in at.caption)
        if page == "kmeans":
            elbow = shown_figure(at, "kmeans.selection_elbow")
            line = next(t for t in elbow["data"] if t.get("name") == "J")
            assert plotted(line["y"])[-1] == 0  # K = N: every point its own centroid
            assert "K = 5: the best restart left 2 clusters empty" in captions  # 3 distinct points
        else:
            warning = "\n".join(w.value for w in at.warning)
            assert "At K = 2, 3, 4, 5 a component has shrunk onto one point" in warning
            assert "nan" not in markdown(at).lower()
        assert not at.exception, at.exception


# --------------------------------------------------------------------------------------
# The lessons
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key, data, page_file", [
    ("how-many-mouse", "mouse", "pages/kmeans.py"),
    ("how-many-noise", "uniform", "pages/gmm.py"),
])
def test_the_how_many_lessons_open_with_k_2_and_their_question(key, data, page_file):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/lessons.py").run()
    at.button(key=f"lessons.open.{key}").click().run()
    assert not at.exception, at.exception
    lesson = lessons.get(key)
    assert lesson.page[0] == page_file
    assert any(i.value.startswith(f"**Lesson: {lesson.title}.** Predict before you step:")
               for i in at.info)
    assert at.session_state["data.active"].spec.name == data
    assert at.session_state["kmeans.k"] == at.session_state["gmm.k"] == 2
    assert at.session_state["gmm.cov"] == "full"
    page = lesson.page[1]
    at.switch_page(page_file)
    open_panel(at, page)  # the reveal: the answer's numbers are the panel's
    text = markdown(at)
    if key == "how-many-mouse":
        assert "J falls by 44 % from K = 1 to 2, 52 % to 3" in text
        assert "highest at K = 3" in text
    else:
        assert "BIC is smallest at **K = 3**, AIC at **K = 10**." in text
