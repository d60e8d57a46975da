"""Browser: the Compare and Lessons pages in headless Chromium, with screenshots.

Run with ``pytest -m browser``; screenshots land in tests/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clustering.ui import lessons
from tests.conftest import clean_screenshot, instant, no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

MOUSE = "dataset=mouse&seed=0&k=3&init=kmeans%2B%2B&init_seed=0"


def _no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.inner_text("body")


def _shot(page, name: str) -> None:
    page.mouse.move(5, 995)  # no tooltip of the last button clicked in the picture
    page.wait_for_timeout(400)
    screenshot(page, name)


def _instant(page) -> None:
    """The stage's speed "instant": Run to convergence jumps to the end (one report)."""
    page.locator(".cl-stage[data-ready='1']").wait_for(timeout=60_000)
    page.get_by_label("Animation speed").select_option("instant")


def _scroll_to(page, locator) -> None:
    """Scroll the page so that ``locator`` sits at the top of the window."""
    locator.first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)


def _plots(page, count: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('.js-plotly-plot').length >= {count}", timeout=60_000)


def test_compare_runs_the_mouse_and_shows_the_sigma_limit(app_url, page):
    page.goto(f"{app_url}/compare?{MOUSE}")
    expect(page.get_by_text("Compare K-means and EM from the same start")).to_be_visible(timeout=30_000)
    wait_for_app(page)
    page.locator(".cl-stage[data-ready='1']").wait_for(timeout=60_000)  # the runs are on the stage
    _no_exception(page)
    _instant(page)
    page.get_by_role("button", name="Run to convergence").click()
    expect(page.get_by_text("From the same start, EM puts more points in the right group")).to_be_visible(
        timeout=60_000)
    wait_for_app(page)
    no_exception(page)
    metrics = page.get_by_test_id("stMetric").filter(has_text="Points in the right group")
    expect(metrics).to_have_count(2)
    km_share, em_share = (float(t.split("group")[-1].strip().rstrip("%"))
                          for t in metrics.all_inner_texts())
    assert em_share > km_share + 8
    _scroll_to(page, page.get_by_role("heading", name="K-means: hard assignments"))
    clean_screenshot(page, "compare-mouse")

    # σ → 0: the smallest σ makes EM's run K-means' run (in an expander, closed at first)
    expander = page.get_by_test_id("stExpander").filter(has_text="K-means as a limit of EM")
    _scroll_to(page, expander)
    expander.get_by_text("K-means as a limit of EM").first.click()
    wait_for_app(page)
    page.get_by_role("slider", name="σ (log scale").focus()
    page.keyboard.press("Home")
    wait_for_app(page)
    expect(page.get_by_text("The final means equal K-means' centroids")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("max |γ − one-hot(K-means labels)| = 0.000", exact=True)).to_be_visible()
    no_exception(page)
    _scroll_to(page, page.get_by_test_id("stSlider").filter(has_text="σ (log scale"))
    clean_screenshot(page, "compare-sigma-limit")


def test_a_lesson_opens_bishops_old_faithful_on_compare(app_url, page):
    page.goto(f"{app_url}/lessons")
    expect(page.get_by_role("heading", name="Lessons", exact=True)).to_be_visible(timeout=30_000)
    wait_for_app(page)
    no_exception(page)
    expect(page.get_by_role("button", name="Start this lesson")).to_have_count(len(lessons.LESSONS))
    clean_screenshot(page, "lessons")

    page.locator(".st-key-lessons-open-old-faithful button").click()
    page.wait_for_url("**/compare**", timeout=30_000)
    wait_for_app(page)
    expect(page.get_by_text("Lesson: Old Faithful.")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("old-faithful")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("standardized")
    page.locator(".cl-stage[data-ready='1']").wait_for(timeout=60_000)
    _no_exception(page)
    assert "means=" in page.url and "dataset=old-faithful" in page.url
    instant(page)
    page.get_by_role("button", name="E step").click()  # Bishop's Fig. 9.1 (b)
    wait_for_app(page)
    expect(page.get_by_text("K-means: half-step 1")).to_be_visible(timeout=30_000)  # followed
    _no_exception(page)
    _scroll_to(page, page.get_by_role("heading", name="K-means: hard assignments"))
    clean_screenshot(page, "lesson-old-faithful")
