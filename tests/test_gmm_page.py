"""The Gaussian mixture (EM) page, run through the real router (app.py) with Streamlit's AppTest.

Every button, every covariance type, the collapse path, the link, the inspector, the
storyboard; the lecture's central fact read from the page's own metrics: the lower bound
equals the log-likelihood after every E step and lies below it after every M step.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import open_page, stage_button
from streamlit.testing.v1 import AppTest

from clustering import gmm
from clustering.constants import UNASSIGNED_COLOUR
from clustering.ui import gmm_panels as panels
from clustering.ui.numbers import read_number

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
GMM_PAGE = "pages/gmm.py"
TIMEOUT = 60
MOUSE_LINK = {"dataset": "mouse", "seed": "0", "k": "3", "init": "kmeans", "init_seed": "0"}


def open_gmm(query: dict[str, str] | None = None) -> AppTest:
    """A fresh browser session opening /gmm (with the link's query parameters)."""
    return open_page(GMM_PAGE, query if query is not None else MOUSE_LINK, TIMEOUT)


BUTTONS = {"e": "E step", "m": "M step", "back": "Step back", "run": "Run to convergence",
           "reset": "Reset"}


def btn(at: AppTest, name: str):
    """The stage's button (pressed as the browser's stage reports it: conftest.StageButton)."""
    return stage_button(at, BUTTONS[name], ("gmm",))


def click(at: AppTest, name: str) -> AppTest:
    btn(at, name).click().run()
    assert not at.exception, at.exception
    return at


def instant(at: AppTest) -> AppTest:
    """(The stage's speed lives in the browser; AppTest's presses are instant.)"""
    return at


def at_convergence(at: AppTest) -> bool:
    run = at.session_state["gmm.run"][1]
    return run.stop_reason == "converged" and run.cursor == len(run.history) - 1


def metric(at: AppTest, label: str) -> str:
    (found,) = [m for m in at.metric if m.label == label]
    return found.value


def number(at: AppTest, label: str) -> float:
    return read_number(metric(at, label))


def table(at: AppTest, index: int):
    value = at.table[index].value
    return value.data if hasattr(value, "data") else value


def everything_shown(at: AppTest) -> str:
    """Every text on the page: metrics, markdown, captions, tables, messages, LaTeX."""
    parts = [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    for kind in ("markdown", "caption", "error", "warning", "info", "latex", "success"):
        parts += [str(element.value) for element in getattr(at, kind)]
    for element in at.table:
        parts.append(table_text(element.value))
    return "\n".join(parts)


def table_text(value) -> str:
    frame = value.data if hasattr(value, "data") else value
    return frame.to_string()


def assert_no_nan(at: AppTest) -> None:
    text = everything_shown(at)
    assert not re.search(r"\bnan\b|\binf\b", text, flags=re.IGNORECASE), text


# --- opening and stepping -----------------------------------------------------------------


def test_opens_from_a_link_at_the_start():
    at = open_gmm()
    assert metric(at, "Iteration") == "0"
    assert metric(at, "Lower bound") == "—"  # no q before the first E step
    assert not btn(at, "e").disabled
    assert btn(at, "m").disabled  # an M step needs responsibilities first
    assert btn(at, "back").disabled
    assert at.query_params["k"] == "3" and at.query_params["cov"] == "full"
    assert_no_nan(at)


def test_e_m_back_reset_and_run_to_convergence():
    at = open_gmm()
    start = number(at, "Log-likelihood")
    click(at, "e")
    assert metric(at, "Iteration") == "0"
    assert btn(at, "e").disabled and not btn(at, "m").disabled
    click(at, "m")
    assert metric(at, "Iteration") == "1"
    after_m = number(at, "Log-likelihood")
    assert after_m > start
    assert at.query_params["step"] == "2"
    click(at, "back")
    assert metric(at, "Iteration") == "0"
    assert number(at, "Log-likelihood") == pytest.approx(start)
    instant(at)
    click(at, "run")
    assert at_convergence(at) and "less than tol = 0.0001" in "\n".join(c.value for c in at.caption)
    converged = number(at, "Log-likelihood")
    assert converged > after_m
    assert btn(at, "run").disabled
    click(at, "reset")
    assert metric(at, "Iteration") == "0"
    assert number(at, "Log-likelihood") == pytest.approx(start)
    assert btn(at, "reset").disabled
    assert_no_nan(at)


def test_bound_touches_after_every_e_step_and_lies_below_after_every_m_step():
    at = open_gmm()
    previous_ll = number(at, "Log-likelihood")
    for _ in range(6):
        click(at, "e")
        assert metric(at, "Lower bound") == metric(at, "Log-likelihood")
        assert number(at, "Gap ℓ − 𝓛 (KL)") == 0
        click(at, "m")
        ll, bound = number(at, "Log-likelihood"), number(at, "Lower bound")
        assert bound < ll
        assert number(at, "Gap ℓ − 𝓛 (KL)") == pytest.approx(ll - bound, abs=2e-3)
        assert ll >= previous_ll  # and the log-likelihood never falls
        assert bound >= previous_ll  # the M step lifted the bound above the touching point
        previous_ll = ll
    assert_chart_touches_and_lies_below(at, 13)
    # ... also when the half-steps were all computed at once (a link's step)
    assert_chart_touches_and_lies_below(open_gmm({**MOUSE_LINK, "step": "12"}), 13)


def assert_chart_touches_and_lies_below(at: AppTest, half_steps: int) -> None:
    """The chart of both curves: 𝓛 = ℓ after each E step, 𝓛 < ℓ after each M step."""
    curves = at.session_state["gmm.stage_payload"][1]["panels"][0]["curves"]  # what the stage draws
    likelihoods, bounds = curves["ll"][:half_steps], curves["bound"][:half_steps]
    assert len(likelihoods) == len(bounds) == half_steps and bounds[0] is None
    for half_step in range(1, half_steps):
        if half_step % 2:  # an E step: the bound touches
            assert bounds[half_step] == pytest.approx(likelihoods[half_step], rel=1e-12, abs=1e-9)
        else:  # an M step: below
            assert bounds[half_step] < likelihoods[half_step]


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_each_covariance_type_runs_and_has_its_shape(covariance_type):
    at = open_gmm({**MOUSE_LINK, "cov": covariance_type})
    start = number(at, "Log-likelihood")
    instant(at)
    click(at, "run")
    assert at_convergence(at)
    assert number(at, "Log-likelihood") >= start
    frame = table(at, 0)  # π, N, μ, Σ per component
    var1 = frame["Σₖ var x₁"].astype(float).to_numpy()
    cov = frame["Σₖ cov"].astype(float).to_numpy()
    var2 = frame["Σₖ var x₂"].astype(float).to_numpy()
    if covariance_type == "diag":
        assert np.all(cov == 0)
    elif covariance_type == "spherical":
        assert np.all(cov == 0) and np.allclose(var1, var2)
    elif covariance_type == "tied":
        assert len(set(zip(var1, cov, var2, strict=True))) == 1  # one Σ shared by every component
    else:
        assert np.all(cov != 0) and len(set(var1)) == 3
    caption = "\n".join(c.value for c in at.sidebar.caption)
    assert panels.COVARIANCE_TYPES[covariance_type] in caption
    assert_no_nan(at)


def test_mouse_em_from_kmeans_finds_the_head_and_both_ears():
    at = open_gmm()
    kmeans_weights = sorted(table(at, 0)["πₖ"].astype(float))
    assert kmeans_weights[-1] - kmeans_weights[0] > 0.03  # cluster shares, not equal weights
    assert kmeans_weights[-1] < 0.45  # K-means cuts the head: no cluster holds its ~58 %
    instant(at)
    click(at, "run")
    weights = sorted(table(at, 0)["πₖ"].astype(float))
    assert weights == pytest.approx([0.2, 0.2, 0.6], abs=0.05)


# --- degenerate cases -----------------------------------------------------------------------


def load_collapse_example() -> AppTest:
    at = open_gmm()
    assert not [b for b in at.button if b.key == "gmm.collapse"]  # a closed expander is empty
    at.session_state["gmm.open.degenerate"] = True  # open "Degenerate cases"
    at.run()
    at.button(key="gmm.collapse").click().run()
    assert not at.exception, at.exception
    assert at.slider(key="gmm.k").value == 4
    assert at.select_slider(key="gmm.reg_covar").value == 0.0
    return at


def test_collapse_with_reg_covar_zero_is_a_plain_message_and_the_run_stops_there():
    at = load_collapse_example()
    run = at.session_state["gmm.run"][1]  # computed ahead: it ends at the last good step
    assert run.history[-1].kind == "E" and run.stop_reason.startswith("Stopped at the last good step")
    assert not at.error  # nothing to say at the start
    click(at, "run")
    message = at.error[0].value
    assert "collapsed" in message and "raise reg_covar (now 0)" in message
    assert "last good step" in message
    assert btn(at, "m").disabled and btn(at, "e").disabled  # the run ends there
    assert_no_nan(at)
    click(at, "back")
    assert not at.error  # the message belongs to the end of the run
    assert_no_nan(at)


def test_reg_covar_prevents_the_collapse():
    at = load_collapse_example()
    at.select_slider(key="gmm.reg_covar").set_value(1e-3).run()
    instant(at)
    click(at, "run")
    assert not at.error, [e.value for e in at.error]
    assert at_convergence(at)
    assert "Why it exists" in "\n".join(c.value for c in at.sidebar.caption)
    assert_no_nan(at)


# --- link, inspector, manual start, storyboard ---------------------------------------------------


def test_link_reproduces_the_half_step():
    at = open_gmm({**MOUSE_LINK, "step": "3", "cov": "diag", "init": "random", "init_seed": "2"})
    assert metric(at, "Iteration") == "1"
    assert metric(at, "Lower bound") == metric(at, "Log-likelihood")  # half-step 3 is an E step
    assert at.radio(key="gmm.cov").value == "diag"
    assert at.selectbox(key="gmm.init").value == "random"
    assert at.query_params["step"] == "3" and at.query_params["init_seed"] == "2"


def test_a_bad_link_value_gives_a_plain_warning_and_the_default():
    at = open_gmm({**MOUSE_LINK, "k": "99"})
    assert any("“k”" in w.value for w in at.warning)
    assert at.slider(key="gmm.k").value == 3


def test_point_inspector_shows_the_e_step_with_that_points_numbers():
    at = open_gmm()
    click(at, "e")
    at.number_input(key="gmm.point").set_value(7).run()
    assert any("Point 7 (chosen)" in c.value for c in at.caption)
    frame = table(at, len(at.table) - 1)  # the inspector's table comes last
    gamma = frame["γₙₖ = πₖ·N / Σ"].astype(float).to_numpy()
    assert gamma.sum() == pytest.approx(1.0, abs=2e-4)
    joint = frame["πₖ·N"].astype(float).to_numpy()  # the E step's own numbers, 3 digits
    np.testing.assert_allclose(gamma, joint / joint.sum(), rtol=5e-3, atol=5e-4)
    bars = [h.proto.body for h in at.get("html") if "cl-gamma-bars" in h.proto.body]
    assert len(bars) == 1, bars
    bar_heights = [float(v) for v in re.findall(r'data-gamma="([^"]+)"', bars[0])]
    # the one home of the E step: γ of point 7 under the run's parameters, from gmm.e_step
    run = at.session_state["gmm.run"][1]
    expected = gmm.e_step(at.session_state["data.active"].X[7:8], run.current.params)[0]
    np.testing.assert_allclose(bar_heights, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gamma, expected, atol=6e-5)  # the table's 4 decimals
    assert any(r"\gamma_{n" in str(x.value) for x in at.latex)
    assert any("Normalisation" in c.value for c in at.caption)


def test_manual_start_waits_for_the_means_then_runs():
    at = open_gmm({**MOUSE_LINK, "init": "manual"})
    assert any("Place all 3 means" in i.value for i in at.info)
    assert not at.metric  # no run yet
    at.session_state["gmm.manual.points"] = ((0.25, 0.75), (0.75, 0.75), (0.5, 0.45))
    at.run()
    assert not at.exception, at.exception
    assert metric(at, "Iteration") == "0"
    means = table(at, 0)["μₖ"].tolist()
    assert means[0] == "(0.250, 0.750)"
    click(at, "e")
    click(at, "m")
    assert metric(at, "Iteration") == "1"


def test_storyboard_is_one_figure_with_the_lectures_moments():
    at = open_gmm()
    at.toggle(key="gmm.show_story").set_value(True).run()
    assert not at.exception, at.exception
    charts = [e for e in at.get("plotly_chart") if "storyboard" in e.proto.id]
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles == [title for title, _ in panels.LECTURE_MOMENTS]
    panel_traces = {}
    for trace in spec["data"]:
        panel_traces.setdefault(trace.get("xaxis", "x"), []).append(trace)
    dashed = {axis: sum(t.get("line", {}).get("dash") == "dash" for t in traces)
              for axis, traces in panel_traces.items()}
    assert dashed["x"] == 0 and dashed["x2"] == 0  # start, after the E step: nothing moved yet
    assert dashed["x3"] > 0 and dashed["x4"] > 0  # after an M step: the ellipses before it, ghosted
    first_points = panel_traces["x"][0]["marker"]["color"]
    assert set(first_points) == {UNASSIGNED_COLOUR}  # no responsibilities at the start: grey
    assert len(set(panel_traces["x2"][0]["marker"]["color"])) > 3  # after the E step: γ colours
    config = json.loads(charts[0].proto.config)
    assert config["toImageButtonOptions"]["filename"].startswith("gmm-storyboard-lecture")
    at.radio(key="gmm.story_kind").set_value("bishop").run()
    charts = [e for e in at.get("plotly_chart") if "storyboard" in e.proto.id]
    titles = [a["text"] for a in json.loads(charts[0].proto.spec)["layout"]["annotations"]]
    assert titles == [title for title, _ in panels.BISHOP_MOMENTS]
