"""The stage (clustering/ui/stage.py) in headless Chromium: keys, colours, Run / Stop, the link.

- A keyboard-only run on /kmeans and /gmm (→ six times, then ←): J never rises, ℓ never falls,
  and once the page has settled its metrics are Python's numbers for the half-step on screen
  and the link's ``step`` equals the stage's ``data-cursor``.
- The stage's colours (K-means: its labels; EM: argmax γ) equal ``kmeans.assign`` /
  ``gmm.e_step`` for the drawn points at every half-step of a run.
- Run to convergence plays in the browser and Stop ends it; the server follows once.
- Using the pages writes no file outside the repository and the test's own temp folder.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, free_port, open_stage_link, screenshot, wait_for_app

from clustering import datasets, derived, gmm, kmeans, plotting, stepper
from clustering.ui.numbers import fmt_sig

pytestmark = pytest.mark.browser

KMEANS_LINK = "/kmeans?dataset=blobs&n=1000&seed=1&k=3&init=random&init_seed=0"
GMM_LINK = "/gmm?dataset=mouse&seed=0&k=3&init=random&init_seed=0"


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def unfocus(page) -> None:
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def stage(page):
    return page.locator(".cl-stage")


def cursor(page) -> int:
    return int(stage(page).get_attribute("data-cursor"))


def url_step(page) -> int | None:
    value = page.evaluate("() => new URLSearchParams(location.search).get('step')")
    return None if value is None else int(value)


def settle(page, expected: int) -> None:
    """Wait until the stage shows ``expected`` and the server has followed (the link says so)."""
    page.wait_for_function(
        "([expected]) => new URLSearchParams(location.search).get('step') === expected",
        arg=[str(expected)], timeout=30_000,
    )
    wait_for_app(page)
    assert cursor(page) == expected


def metric_text(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def press_right(page) -> int:
    """→ once; returns the half-step now on screen (set in the frame that starts drawing it)."""
    before = cursor(page)
    page.keyboard.press("ArrowRight")
    after = cursor(page)
    assert after == before + 1, (before, after)
    return after


def stage_run_curves(page) -> dict:
    """The curves the stage draws (its payload), read from the session via the page's link."""
    return stage(page).evaluate("(el) => el.__stage.payload.panels[0].curves")


def kmeans_run_in_python() -> tuple[np.ndarray, stepper.Run]:
    X = datasets.make("blobs", n=1000, seed=1).X
    run = stepper.new_kmeans_run(kmeans.init_centroids(X, 3, "random", seed=0))
    return X, stepper.step(run, stepper.RunToConvergence(), X)


def gmm_run_in_python() -> tuple[np.ndarray, stepper.Run]:
    X = datasets.make("mouse", seed=0).X
    run = stepper.new_gmm_run(gmm.init_params(X, 3, "random", seed=0))
    return X, stepper.step(run, stepper.RunToConvergence(), X)


# --------------------------------------------------------------------------------------
# Keyboard-only runs
# --------------------------------------------------------------------------------------


def test_keyboard_only_run_on_kmeans(app_url, page):
    X, run = kmeans_run_in_python()
    J = derived.kmeans_objective_curve(X, run)
    open_stage_link(page, app_url, KMEANS_LINK)
    assert cursor(page) == 0 and metric_text(page, "J") == "—"
    unfocus(page)  # the keys go to the page, no field has the focus
    for step in range(1, 7):
        assert press_right(page) == step  # the stage moves at once, before the server knows
        page.wait_for_timeout(120)
    settle(page, 6)
    shown = stage_run_curves(page)["J"][1:7]
    assert all(b <= a for a, b in zip(shown, shown[1:], strict=False)), shown  # J never rises
    assert metric_text(page, "J") == fmt_sig(J[6], 6)  # the Python value, as the page writes it
    assert metric_text(page, "Iteration") == "3"
    page.keyboard.press("ArrowLeft")
    assert cursor(page) == 5
    settle(page, 5)
    assert metric_text(page, "J") == fmt_sig(J[5], 6)
    assert metric_text(page, "Iteration") == "2"
    assert metric_text(page, "Next step") == "M step"
    page.keyboard.press("Home")
    settle(page, 0)
    assert metric_text(page, "J") == "—"
    screenshot(page, "stage-kmeans-keys")


def rerun_requests(page) -> list:
    """Every rerun the page asks the server for from now on (decoded BackMsg.rerun_script)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    sent: list = []

    def on_socket(socket) -> None:
        def on_frame(payload) -> None:
            if isinstance(payload, bytes | bytearray):
                message = BackMsg.FromString(bytes(payload))
                if message.WhichOneof("type") == "rerun_script":
                    sent.append(message.rerun_script)

        socket.on("framesent", on_frame)

    page.on("websocket", on_socket)
    return sent


def test_a_reported_cursor_reruns_only_the_stepping_part(app_url, page):
    """The stage's report reruns the page's fragment alone (stage, metrics, link); a change
    in the sidebar still reruns the whole page and starts a new run."""
    X, run = kmeans_run_in_python()
    J = derived.kmeans_objective_curve(X, run)
    sent = rerun_requests(page)  # before the socket opens
    open_stage_link(page, app_url, KMEANS_LINK)
    unfocus(page)
    before = len(sent)
    press_right(page)
    settle(page, 1)
    reports = sent[before:]
    assert reports and all(r.fragment_id for r in reports), reports  # the fragment alone
    assert metric_text(page, "J") == fmt_sig(J[1], 6)  # the metrics followed
    page.keyboard.press("ArrowRight")
    settle(page, 2)  # the link's step= is written from the fragment
    assert metric_text(page, "J") == fmt_sig(J[2], 6)
    assert metric_text(page, "Iteration") == "1"
    before = len(sent)
    seed = page.get_by_role("spinbutton", name="Initialization seed")
    seed.fill("5")
    seed.press("Enter")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('init_seed') === '5'", timeout=30_000)
    wait_for_app(page)
    assert any(not r.fragment_id for r in sent[before:])  # the whole page ran
    settle(page, 0)  # a new run, at its start
    assert metric_text(page, "J") == "—"


def test_keyboard_only_run_on_gmm(app_url, page):
    X, run = gmm_run_in_python()
    likelihoods, bounds = derived.gmm_curves(X, run)
    open_stage_link(page, app_url, GMM_LINK)
    unfocus(page)
    for step in range(1, 7):
        assert press_right(page) == step
        page.wait_for_timeout(120)
    settle(page, 6)
    ll = stage_run_curves(page)["ll"][:7]
    assert all(b >= a - 1e-9 * abs(a) for a, b in zip(ll, ll[1:], strict=False)), ll  # never falls
    assert metric_text(page, "Log-likelihood") == fmt_sig(likelihoods[6], 6)
    assert metric_text(page, "Lower bound") == fmt_sig(bounds[6], 6)
    assert metric_text(page, "Iteration") == "3"
    page.keyboard.press("ArrowLeft")
    settle(page, 5)
    assert metric_text(page, "Log-likelihood") == fmt_sig(likelihoods[5], 6)
    assert metric_text(page, "Lower bound") == metric_text(page, "Log-likelihood")  # an E step
    screenshot(page, "stage-gmm-keys")


def test_keys_are_ignored_while_typing_in_a_number_field(app_url, page):
    open_stage_link(page, app_url, KMEANS_LINK)
    field = page.get_by_role("spinbutton", name="Initialization seed")
    field.click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("r")
    page.wait_for_timeout(500)
    assert cursor(page) == 0


# --------------------------------------------------------------------------------------
# The colours on the stage are Python's labels
# --------------------------------------------------------------------------------------


def test_stage_colours_equal_kmeans_assign_at_every_half_step(app_url, page):
    X, run = kmeans_run_in_python()
    open_stage_link(page, app_url, KMEANS_LINK)
    drawn = stage(page).evaluate("(el) => el.stageDrawnIndex()")
    np.testing.assert_array_equal(drawn, np.arange(X.shape[0]))
    assert int(stage(page).evaluate("(el) => el.__stage.last")) == len(run.history) - 1
    unfocus(page)
    for index in range(len(run.history)):
        if index:
            page.keyboard.press("ArrowRight")
        assert cursor(page) == index
        shown = stage(page).evaluate("(el) => el.stageLabels(0)")
        expected = derived.kmeans_labels(X, run, index)
        if expected is None:
            assert shown is None  # grey before the first E step
        else:
            np.testing.assert_array_equal(shown, expected, err_msg=f"half-step {index}")


def test_stage_colours_equal_argmax_gamma_at_every_half_step(app_url, page):
    n = plotting.MAX_DRAWN_POINTS + 5_000  # a drawn sample: the labels are the sample's
    X = datasets.make("blobs", n=n, seed=1).X
    run = stepper.new_gmm_run(gmm.init_params(X, 3, "random", seed=0))
    run = stepper.step(run, stepper.RunToConvergence(), X)
    open_stage_link(page, app_url, f"/gmm?dataset=blobs&n={n}&seed=1&k=3&init=random&init_seed=0")
    drawn = np.array(stage(page).evaluate("(el) => el.stageDrawnIndex()"))
    np.testing.assert_array_equal(drawn, plotting.drawn_indices(n))
    last = len(run.history) - 1
    assert int(stage(page).evaluate("(el) => el.__stage.last")) == last
    unfocus(page)
    for index in range(last + 1):
        if index:
            page.keyboard.press("ArrowRight")
        shown = stage(page).evaluate("(el) => el.stageLabels(0)")
        resp = derived.gmm_responsibilities(X, run, index)
        if resp is None:
            assert shown is None
        else:
            np.testing.assert_array_equal(shown, np.argmax(resp[drawn], axis=1),
                                          err_msg=f"half-step {index}")


# --------------------------------------------------------------------------------------
# Buttons, Run to convergence and Stop
# --------------------------------------------------------------------------------------


def test_buttons_run_to_convergence_then_stop(app_url, page):
    from playwright.sync_api import expect

    # uniform noise, K = 8: 39 iterations to converge, time enough to stop the play
    open_stage_link(page, app_url, "/kmeans?dataset=uniform&n=1000&seed=1&k=8&init=random&init_seed=0")
    last = int(stage(page).evaluate("(el) => el.__stage.last"))
    e_step = page.get_by_role("button", name="E step", exact=True)
    m_step = page.get_by_role("button", name="M step", exact=True)
    expect(m_step).to_be_disabled()
    e_step.click()
    assert cursor(page) == 1
    expect(e_step).to_be_disabled()
    expect(m_step).to_be_enabled()
    focused = stage(page).evaluate("(el) => el.getRootNode().activeElement?.textContent")
    assert focused == "M step"  # the focus moved to a visible control, not to the page
    settle(page, 1)

    page.get_by_role("button", name="Run to convergence", exact=True).click()
    stop = page.get_by_role("button", name="Stop", exact=True)
    expect(stop).to_be_visible()
    for _ in range(200):  # it plays in the browser: the cursor advances
        if cursor(page) >= 4:
            break
        page.wait_for_timeout(50)
    assert url_step(page) == 1  # playing: the server is not asked for every frame
    stop.click()
    expect(page.get_by_role("button", name="Run to convergence", exact=True)).to_be_visible()
    stopped = cursor(page)
    assert 4 <= stopped < last
    page.wait_for_timeout(800)
    assert cursor(page) == stopped  # it stays stopped
    settle(page, stopped)  # and the server followed once

    page.get_by_label("Animation speed").select_option("instant")
    page.keyboard.press("r")  # R plays again; at "instant" straight to the end
    assert cursor(page) == last
    settle(page, last)
    expect(stage(page).locator(".status")).to_contain_text("Converged after")
    expect(e_step).to_be_disabled()
    expect(m_step).to_be_disabled()
    assert metric_text(page, "Next step") == "done"
    page.get_by_role("button", name="Reset", exact=True).click()
    settle(page, 0)
    screenshot(page, "stage-run-stop")


def test_a_click_on_a_point_inspects_it_and_the_stage_keeps_its_cursor(app_url, page):
    from playwright.sync_api import expect

    X = datasets.make("blobs", n=1000, seed=1).X
    open_stage_link(page, app_url, KMEANS_LINK)
    unfocus(page)
    page.keyboard.press("ArrowRight")
    settle(page, 1)
    n = 123
    px, py = stage(page).evaluate("(el, xy) => el.stagePixel(0, xy[0], xy[1])",
                                  [float(X[n, 0]), float(X[n, 1])])
    page.mouse.click(px, py)
    expect(page.get_by_test_id("stMain")).to_contain_text("the point you selected", timeout=30_000)
    wait_for_app(page)
    assert cursor(page) == 1 and url_step(page) == 1  # the rerun did not move the stage


# --------------------------------------------------------------------------------------
# Nothing written outside the repository and the test's temp folder
# --------------------------------------------------------------------------------------


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


def test_pages_write_no_file_outside_the_repository(browser, tmp_path):
    from conftest import start_app

    home, temp, cache = tmp_path / "home", tmp_path / "tmp", tmp_path / "cache"
    for folder in (home, temp, cache):
        folder.mkdir()
    repo_before = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=ROOT,
                                 capture_output=True, text=True).stdout
    saved = {name: os.environ.get(name) for name in ("HOME", "TMPDIR", "XDG_CACHE_HOME")}
    os.environ.update(HOME=str(home), TMPDIR=str(temp), XDG_CACHE_HOME=str(cache))
    try:
        port = free_port()
        server = start_app(port)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        base = f"http://127.0.0.1:{port}"
        for link in (KMEANS_LINK, GMM_LINK, "/compare?dataset=mouse&k=3"):
            open_stage_link(page, base, link)
            unfocus(page)
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            assert cursor(page) == 3
            page.wait_for_timeout(600)  # the report, and the server's rerun
            wait_for_app(page)
        context.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    written = {name: _files(folder) for name, folder in (("home", home), ("tmp", temp), ("cache", cache))}
    assert written == {"home": set(), "tmp": set(), "cache": set()}, written
    repo_after = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=ROOT,
                                capture_output=True, text=True).stdout
    new = set(repo_after.splitlines()) - set(repo_before.splitlines())
    assert not {line for line in new if "__pycache__" not in line and "screenshots" not in line}, new


def test_the_curve_zooms_to_the_last_eight_half_steps(app_url, page):
    """The curve's zoom toggle: the last 8 half-steps up to the one on screen, axes fitted to
    them, so late small rises of ℓ are visible; off again: the whole run."""
    open_stage_link(page, app_url, GMM_LINK)
    last = int(stage(page).evaluate("(el) => el.__stage.last"))
    assert last > 16
    page.get_by_label("Animation speed").select_option("instant")
    unfocus(page)
    page.keyboard.press("r")  # to the end
    settle(page, last)
    window = "(el) => el.__stage.curveWindow(el.__stage.panels[0], el.__stage.cursor)"
    curve = "(el) => el.querySelector('canvas.curve').toDataURL()"
    assert stage(page).evaluate(window) == [0, last]
    whole = stage(page).evaluate(curve)
    page.get_by_label("Zoom the curve to the last 8 half-steps").check()
    assert stage(page).evaluate(window) == [last - 8, last]
    assert stage(page).evaluate(curve) != whole  # redrawn at once, zoomed
    screenshot(page, "stage-gmm-curve-zoom")
    page.keyboard.press("Home")
    assert stage(page).evaluate(window) == [0, 8]  # near the start: the first 8
    page.get_by_label("Zoom the curve to the last 8 half-steps").uncheck()
    assert stage(page).evaluate(window) == [0, last]
