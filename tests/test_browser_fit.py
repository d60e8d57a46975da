"""Fit the small_page (issue 16) in headless Chromium at 1280×720.

- Normal mode, sidebar collapsed: on /kmeans, /gmm and /compare the stage's step buttons, the
  whole main figure(s) and the key numbers (J, or ℓ and 𝓛) lie inside the viewport, before and
  after the first half-steps (the page must not scroll to show them).
- Presenter mode (``?present=1``): the same, with the sidebar collapsed by the mode itself, the
  secondary panels folded away, the keys hint in view, bigger type and markers; the link keeps
  ``present=1``; the toggle at the top right turns it on and off (and the link follows).
- The stage's full-screen button puts the stage alone on the screen, re-fitted, and takes it back.
"""

from __future__ import annotations

import pytest
from conftest import SCREENSHOTS, metric_text, open_stage_link, wait_for_app

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 720
STEP_BUTTONS = ("E step", "M step", "Step back", "Run to convergence", "Reset")
LINKS = {
    "kmeans": "/kmeans?dataset=blobs&n=1000&seed=1&k=3&init=random&init_seed=0",
    "gmm": "/gmm?dataset=mouse&seed=0&k=3&init=random&init_seed=0",
    "compare": "/compare?dataset=mouse&seed=0&k=3&init=kmeans%2B%2B&init_seed=0",
}
# The key numbers: the page's st.metric labels (a contract) where the page shows them beside the
# stage; else the stage's own numbers above each figure (J; ℓ and 𝓛), named by their curve.
METRICS = {"kmeans": ("J",), "gmm": ("Log-likelihood", "Lower bound")}
READOUTS = {"kmeans": ("J",), "gmm": ("ll", "bound"), "compare": ("J", "ll", "bound")}


def open_link(page, app_url: str, link: str) -> None:
    open_stage_link(page, app_url, link, 90_000)
    page.wait_for_timeout(400)  # the stage re-fits when the page around it has settled


def collapse_sidebar(page) -> None:
    page.hover("[data-testid='stSidebar']")
    page.locator("[data-testid='stSidebarCollapseButton'] button").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().right <= 0")
    page.wait_for_timeout(400)


def sidebar_collapsed(page) -> bool:
    return page.evaluate(
        "() => document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().right <= 0")


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def assert_in_view(page, locator, what: str) -> None:
    b = box(locator)
    assert b["width"] > 0 and b["height"] > 0, (what, b)
    inside = (b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= WIDTH + 0.5
              and b["y"] + b["height"] <= HEIGHT + 0.5)
    assert inside, f"{what} is not inside the 1280×720 viewport: {b}"


def scroll_top(page) -> float:
    return page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return Math.max(window.scrollY, m ? m.scrollTop : 0); }")


def assert_first_screen(page, name: str, presenting: bool) -> None:
    """Step buttons, every main figure and the key numbers inside the viewport, unscrolled."""
    assert scroll_top(page) == 0
    stage = page.locator(".cl-stage")
    for label in STEP_BUTTONS:
        assert_in_view(page, stage.get_by_role("button", name=label, exact=True), label)
    figures = stage.locator("canvas.main")
    assert figures.count() == (2 if name == "compare" else 1)
    for i in range(figures.count()):
        figure = figures.nth(i)
        assert_in_view(page, figure, f"main figure {i}")
        assert box(figure)["height"] >= 280  # a figure, not a strip
    if name in METRICS and not presenting:
        for label in METRICS[name]:
            metric = page.get_by_test_id("stMetric").filter(
                has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)).first
            assert_in_view(page, metric.get_by_test_id("stMetricValue"), f"metric {label}")
    else:
        for curve in READOUTS[name]:
            number = stage.locator(f".readout .number[data-name='{curve}']").first
            assert_in_view(page, number, f"the stage's {curve}")


def step(page, label: str) -> None:
    page.locator(".cl-stage").get_by_role("button", name=label, exact=True).click()
    page.wait_for_timeout(900)  # the animation (normal speed), the report, the rerun
    wait_for_app(page)
    page.wait_for_timeout(300)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(WIDTH - 5, HEIGHT - 5)
    page.screenshot(path=str(SCREENSHOTS / f"fit-{name}.png"))


@pytest.mark.parametrize("name", ["kmeans", "gmm", "compare"])
def test_first_screen_holds_buttons_figure_and_numbers(app_url, small_page, name):
    page = small_page
    open_link(page, app_url, LINKS[name])
    collapse_sidebar(page)
    assert_first_screen(page, name, presenting=False)
    step(page, "E step")
    step(page, "M step")
    step(page, "E step")
    assert_first_screen(page, name, presenting=False)
    shot(page, f"{name}-normal")
    if name == "compare":  # the stage's numbers are the page's metrics (fmt_sig, 6 digits)
        readout = page.locator(".cl-stage .readout .number[data-name='J'] b").inner_text()
        assert readout == metric_text(page, "J")
        ll = page.locator(".cl-stage .readout .number[data-name='ll'] b").inner_text()
        assert ll == metric_text(page, "Log-likelihood")


@pytest.mark.parametrize("name", ["kmeans", "gmm", "compare"])
def test_presenter_mode_from_the_link(app_url, small_page, name):
    page = small_page
    open_link(page, app_url, LINKS[name] + "&present=1")
    assert sidebar_collapsed(page)  # the mode collapsed it
    stage = page.locator(".cl-stage")
    assert "present" in stage.get_attribute("class")
    assert_first_screen(page, name, presenting=True)
    step(page, "E step")
    step(page, "M step")
    assert_first_screen(page, name, presenting=True)
    assert_in_view(page, stage.locator(".keys"), "the keys hint")
    assert "present=1" in page.url  # the link carries the mode
    # bigger: the stage draws at a zoom above 1, its status line in larger type
    assert stage.evaluate("(el) => el.__stage.zoom()") > 1.2
    assert float(stage.locator(".status").evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")) >= 18
    # the secondary panels fold away: no formula, expander or (beside the stage) metric shows
    assert page.locator(".katex-display:visible").count() == 0
    assert page.locator("[data-testid='stExpander']:visible").count() == 0
    assert page.locator("[data-testid='stMetric']:visible").count() == 0
    shot(page, f"{name}-present")


def test_presenter_toggle_collapses_the_sidebar_and_writes_the_link(app_url, small_page):
    page = small_page
    open_link(page, app_url, LINKS["kmeans"])
    assert not sidebar_collapsed(page)
    assert "present" not in page.url
    toggle = page.locator(".st-key-presenter-on")
    assert_in_view(page, toggle, "the presenter toggle")
    assert box(toggle)["y"] < 60  # at the top, where a slide tool keeps its "Present" switch
    toggle.get_by_text("Presenter mode").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('present') === '1'")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().right <= 0")
    wait_for_app(page)
    page.wait_for_timeout(500)
    assert "present" in page.locator(".cl-stage").get_attribute("class")
    assert_first_screen(page, "kmeans", presenting=True)
    toggle.get_by_text("Presenter mode").click()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('present')")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().left >= 0")
    wait_for_app(page)
    assert "present" not in page.locator(".cl-stage").get_attribute("class").split()


def test_full_screen_button(app_url, small_page):
    page = small_page
    open_link(page, app_url, LINKS["gmm"])
    stage = page.locator(".cl-stage")
    before = box(stage.locator("canvas.main"))
    stage.get_by_role("button", name="Full screen", exact=True).click()
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=\"stBidiComponentIsolated\"]');"
        " return s && s.shadowRoot && s.shadowRoot.fullscreenElement"
        " && s.shadowRoot.fullscreenElement.classList.contains('cl-stage'); }")
    page.wait_for_timeout(600)
    assert "present" in stage.get_attribute("class")
    for label in STEP_BUTTONS:
        assert_in_view(page, stage.get_by_role("button", name=label, exact=True), label)
    figure = box(stage.locator("canvas.main"))
    assert_in_view(page, stage.locator("canvas.main"), "the figure in full screen")
    assert figure["width"] > before["width"]  # the canvas re-fitted to the screen
    shot(page, "gmm-fullscreen")
    stage.get_by_role("button", name="Leave full screen", exact=True).click()
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=\"stBidiComponentIsolated\"]');"
        " return s && s.shadowRoot && !s.shadowRoot.fullscreenElement; }")
    page.wait_for_timeout(400)
    assert "present" not in stage.get_attribute("class").split()
