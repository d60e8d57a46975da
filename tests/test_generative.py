"""The generative model: sampling as the lecture says (core), and the Generative model page (AppTest)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from clustering import generative
from clustering.generative import Component
from clustering.gmm import GMMParams
from clustering.ui import state, urls

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILE = "pages/generative.py"
PAGE_PATH = str(ROOT / PAGE_FILE)


def _params() -> GMMParams:
    return GMMParams(
        weights=np.array([0.5, 0.3, 0.2]),
        means=np.array([[0.0, 0.0], [6.0, 1.0], [-3.0, 4.0]]),
        covariances=np.array([
            [[1.0, 0.0], [0.0, 1.0]],
            [[2.0, 0.9], [0.9, 0.8]],
            [[0.3, -0.2], [-0.2, 0.5]],
        ]),
    )


# --------------------------------------------------------------------------------------
# Core: z ~ Categorical(π), x | z = k ~ N(μ_k, Σ_k)
# --------------------------------------------------------------------------------------


def test_component_sizes_follow_the_weights():
    params = _params()
    n = 200_000
    _, z = generative.sample_mixture(params, n, seed=1)
    shares = generative.component_counts(z, 3) / n
    # four binomial standard deviations: fails by chance about once in 15,000 runs (seed is fixed)
    tolerance = 4 * np.sqrt(params.weights * (1 - params.weights) / n)
    assert np.all(np.abs(shares - params.weights) < tolerance), (shares, params.weights)


def test_each_component_has_its_mean_and_covariance():
    params = _params()
    X, z = generative.sample_mixture(params, 200_000, seed=2)
    for k in range(3):
        points = X[z == k]
        n_k = points.shape[0]
        sd = np.sqrt(np.diag(params.covariances[k]))
        assert np.all(np.abs(points.mean(axis=0) - params.means[k]) < 5 * sd / np.sqrt(n_k))
        np.testing.assert_allclose(np.cov(points.T), params.covariances[k], atol=0.03)


def test_same_seed_same_points_other_seed_other_points():
    params = _params()
    X1, z1 = generative.sample_mixture(params, 300, seed=7)
    X2, z2 = generative.sample_mixture(params, 300, seed=7)
    X3, _ = generative.sample_mixture(params, 300, seed=8)
    assert np.array_equal(X1, X2) and np.array_equal(z1, z2)
    assert not np.allclose(X1, X3)
    assert X1.shape == (300, 2) and z1.shape == (300,) and set(np.unique(z1)) <= {0, 1, 2}


def test_a_component_of_weight_zero_gets_no_point():
    params, notes = generative.params_from_components(
        [Component(1, 0, 0, 1, 1, 0), Component(0, 5, 5, 1, 1, 0)]
    )
    _, z = generative.sample_mixture(params, 5_000, seed=0)
    assert np.all(z == 0)
    assert notes == ("Component 2 has weight 0 and will get no points.",)


def test_rows_become_the_mixture_and_back():
    rows = (Component(0.25, 1.0, 2.0, 2.0, 0.5, 0.6), Component(0.75, -1.0, 0.0, 1.0, 3.0, -0.3))
    params, notes = generative.params_from_components(rows)
    assert notes == ()
    np.testing.assert_allclose(params.covariances[0], [[4.0, 0.6], [0.6, 0.25]])
    np.testing.assert_allclose(params.covariances[1], [[1.0, -0.9], [-0.9, 9.0]])
    back = generative.components_from_params(params)
    for row, again in zip(rows, back, strict=True):
        np.testing.assert_allclose(
            [again.weight, again.mean_x, again.mean_y, again.sigma_x, again.sigma_y, again.rho],
            [row.weight, row.mean_x, row.mean_y, row.sigma_x, row.sigma_y, row.rho],
        )


def test_weights_are_normalised_with_a_note():
    params, notes = generative.params_from_components(
        [Component(1, 0, 0, 1, 1, 0), Component(3, 4, 0, 1, 1, 0)]
    )
    np.testing.assert_allclose(params.weights, [0.25, 0.75])
    assert notes == ("The weights add up to 4, not 1, so each was divided by 4: π = (0.25, 0.75).",)


@pytest.mark.parametrize(
    "row, message",
    [
        (Component(1, 0, 0, 1, 1, 1.0),
         "Row 2: the correlation ρ must lie strictly between −1 and 1; it is 1."),
        (Component(1, 0, 0, 1, 1, -1.5),
         "Row 2: the correlation ρ must lie strictly between −1 and 1; it is -1.5."),
        (Component(1, 0, 0, 0, 1, 0),
         "Row 2: σx is a standard deviation and must be positive; it is 0."),
        (Component(1, 0, 0, 1, -2, 0),
         "Row 2: σy is a standard deviation and must be positive; it is -2."),
        (Component(-0.5, 0, 0, 1, 1, 0), "Row 2: the weight must be zero or positive; it is -0.5."),
        (Component(1, float("nan"), 0, 1, 1, 0), "Row 2: mean x must be a number; it is empty."),
        (Component(1, 0, None, 1, 1, 0), "Row 2: mean y must be a number; it is empty."),
        (Component(1, 0, 0, float("inf"), 1, 0), "Row 2: σx must be a number; it is inf."),
    ],
)
def test_bad_rows_give_plain_messages(row, message):
    with pytest.raises(ValueError) as error:
        generative.params_from_components([Component(0.5, 0, 0, 1, 1, 0), row])
    assert str(error.value).startswith(message)


def test_all_weights_zero_and_no_rows_are_refused():
    with pytest.raises(ValueError, match="All weights are zero"):
        generative.params_from_components([Component(0, 0, 0, 1, 1, 0)])
    with pytest.raises(ValueError, match="at least one component"):
        generative.params_from_components([])


def test_every_preset_is_a_valid_mixture():
    for name, rows in generative.PRESETS.items():
        params, notes = generative.params_from_components(rows)
        assert notes == (), name
        assert params.k == len(rows)


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def _figure(at) -> dict:
    charts = [e for e in at.get("plotly_chart") if e.key == "generative.figure"]
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def test_page_renders_the_sample_story_and_ellipses():
    at = AppTest.from_file(PAGE_PATH).run(timeout=30)
    assert not at.exception
    assert not at.error
    assert "Categorical" in at.latex[0].value and r"\mathcal{N}(\mu_k, \Sigma_k)" in at.latex[0].value
    figure = _figure(at)
    names = [trace.get("name", "") for trace in figure["data"]]
    point_traces = [name for name in names if name.startswith("z = ")]
    assert len(point_traces) == 3  # one colour per true component of the default mixture
    assert sum(int(name.split(": ")[1].split()[0].replace(",", "")) for name in point_traces) == 500
    assert any(name.startswith("1σ ellipse") for name in names)
    assert any(name.startswith("2σ ellipse") for name in names)
    counts = at.dataframe[-1].value
    assert list(counts["component"]) == ["1", "2", "3"]


def test_new_sample_button_draws_other_points():
    at = AppTest.from_file(PAGE_PATH).run(timeout=30)
    before = _figure(at)["data"][0]["x"]
    next(b for b in at.button if b.label == "Draw a new sample").click().run(timeout=30)
    assert not at.exception
    assert at.number_input(key="generative.seed").value == 1
    assert _figure(at)["data"][0]["x"] != before


def test_changing_k_adds_a_component():
    at = AppTest.from_file(PAGE_PATH).run(timeout=30)
    at.number_input(key="generative.k").set_value(4).run(timeout=30)
    assert not at.exception and not at.error
    names = [trace.get("name", "") for trace in _figure(at)["data"]]
    assert len([name for name in names if name.startswith("z = ")]) == 4


def test_bad_table_shows_a_plain_error_and_disables_fit():
    at = AppTest.from_file(PAGE_PATH)
    at.session_state["generative.rows"] = (Component(0.5, 0, 0, 1, 1, 0), Component(0.5, 3, 0, 1, 1, 1.2))
    at.run(timeout=30)
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith("Row 2: the correlation ρ must lie strictly between −1 and 1")
    assert next(b for b in at.button if b.label == "Fit EM to these points").disabled
    assert not at.get("plotly_chart")


def test_unnormalised_weights_are_explained():
    at = AppTest.from_file(PAGE_PATH)
    at.session_state["generative.rows"] = (Component(2, 0, 0, 1, 1, 0), Component(2, 5, 0, 1, 1, 0))
    at.run(timeout=30)
    assert not at.exception and not at.error
    assert any("divided by 4" in info.value for info in at.info)


def test_fit_em_makes_the_sample_the_active_data_and_opens_the_gmm_page():
    at = AppTest.from_file(str(ROOT / "app.py")).run(timeout=30)
    at.switch_page(PAGE_FILE).run(timeout=30)
    at.number_input(key="generative.n").set_value(800).run(timeout=30)
    at.number_input(key="generative.seed").set_value(5).run(timeout=30)
    next(b for b in at.button if b.label == "Fit EM to these points").click().run(timeout=60)

    active = at.session_state["data.active"]
    assert active.spec.name == "generated" and not active.spec.is_upload  # a link rebuilds it
    params, _ = generative.params_from_components(generative.PRESETS[generative.DEFAULT_PRESET])
    X, z = generative.sample_mixture(params, 800, seed=5)
    assert np.array_equal(active.X, X)  # exactly the points on the screen
    assert np.array_equal(active.dataset.labels, z)  # the true components travel with them
    assert at.session_state["gmm.true_params"] == params
    assert at.session_state["gmm.true_params_version"] == active.version
    assert at.session_state["gmm.k"] == 3
    assert at.title[0].value.startswith("Gaussian mixture")  # we are on the GMM page now
    # ... which shows the true parameters under the estimates, one row per true component
    assert any(m.value.startswith("**True parameters**") for m in at.markdown)
    weight_columns = [list(t.value["πₖ"]) for t in at.table if "πₖ" in t.value.columns]
    assert ["0.400", "0.350", "0.250"] in weight_columns
    # the GMM page's link carries the sample: a new browser rebuilds the very same points
    link = {key: value[0] if isinstance(value, list) else value for key, value in at.query_params.items()}
    assert link["dataset"] == "mixture"
    rebuilt = state.build(urls.parse_data(link))
    assert np.array_equal(rebuilt.X, X) and np.array_equal(rebuilt.dataset.labels, z)


@st.composite
def generative_setups(draw):
    from clustering.ui import generative_panels

    number = st.floats(-1e3, 1e3, allow_nan=False)
    rows = tuple(
        generative.Component(draw(st.floats(0, 1)), draw(number), draw(number),
                             draw(st.floats(0.01, 100)), draw(st.floats(0.01, 100)),
                             draw(st.floats(-0.99, 0.99)))
        for _ in range(draw(st.integers(1, 6)))
    )
    return generative_panels.Setup(rows, draw(st.integers(2, 5000)), draw(st.integers(0, 2**32 - 1)))


@given(generative_setups())
def test_the_generative_link_round_trips(setup):
    from clustering.ui import generative_panels

    again, messages = generative_panels.Setup.from_query(setup.to_query())
    assert again == setup and messages == []


def test_a_new_sample_and_an_edited_mixture_are_in_the_link():
    at = AppTest.from_file(str(ROOT / "app.py")).run(timeout=30)
    at.switch_page(PAGE_FILE).run(timeout=30)
    next(b for b in at.button if b.label == "Draw a new sample").click().run(timeout=30)
    at.selectbox(key="generative.preset").select("Tilted and overlapping").run(timeout=30)
    link = {key: value[0] if isinstance(value, list) else value for key, value in at.query_params.items()}
    assert link["sample_seed"] == "1"
    assert link["components"] == generative.format_components(generative.PRESETS["Tilted and overlapping"])
    again = AppTest.from_file(str(ROOT / "app.py"))
    again.query_params.update(link)
    again.run(timeout=30)
    again.switch_page(PAGE_FILE)
    again.query_params.update(link)
    again.run(timeout=30)
    assert not again.exception
    assert again.session_state["generative.seed"] == 1
    assert again.session_state["generative.rows"] == generative.PRESETS["Tilted and overlapping"]
    assert again.session_state["generative.k"] == 2
