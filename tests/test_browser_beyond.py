"""Browser: the Generative model and Exact 1-D optimum pages in headless Chromium, with screenshots.

Run with ``pytest -m browser``; screenshots land in tests/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import clean_screenshot, no_exception, wait_for_app

pytestmark = pytest.mark.browser


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``."""
    page.get_by_test_id("stSelectbox").filter(has_text=label).locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_generative_page_samples_and_fits_em(app_url, page):
    page.goto(f"{app_url}/generative")
    expect(page.get_by_text("How a Gaussian mixture makes each of its N points")).to_be_visible(timeout=30_000)
    wait_for_app(page)
    no_exception(page)
    page.locator(".js-plotly-plot").first.wait_for()
    legend = page.locator(".js-plotly-plot .legend").first.text_content()
    assert "z = 1" in legend and "1σ ellipse" in legend

    page.get_by_role("button", name="Draw a new sample").click()
    wait_for_app(page)
    no_exception(page)
    expect(page.get_by_role("spinbutton", name="Seed")).to_have_value("1")
    clean_screenshot(page, "generative")

    _choose(page, "Start from a mixture", "Tilted and overlapping")
    expect(page.get_by_role("spinbutton", name="Components K")).to_have_value("2")
    no_exception(page)
    clean_screenshot(page, "generative-tilted")

    page.get_by_role("button", name="Fit EM to these points").click()
    page.wait_for_url("**/gmm**")
    wait_for_app(page)
    no_exception(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("sampled mixture")
    clean_screenshot(page, "generative-fit-em")


def test_exact_1d_page_shows_lloyd_stuck_above_the_optimum(app_url, page):
    page.goto(f"{app_url}/exact-1d")
    expect(page.get_by_text("Lloyd is stuck in a local minimum")).to_be_visible(timeout=30_000)
    wait_for_app(page)
    no_exception(page)
    _choose(page, "Line", "Three groups on a line")
    expect(page.get_by_text("Lloyd found the global optimum")).to_be_visible()

    _choose(page, "Line", "Lloyd gets stuck")
    no_exception(page)
    expect(page.get_by_text("Lloyd is stuck in a local minimum")).to_be_visible()
    page.locator(".js-plotly-plot").first.wait_for()
    ticks = page.locator(".js-plotly-plot .ytick").all_text_contents()
    assert any(t.startswith("Lloyd") for t in ticks) and any(t.startswith("Global optimum") for t in ticks)
    clean_screenshot(page, "exact-1d-stuck")
