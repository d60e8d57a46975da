"""The "How many clusters?" panels in headless Chromium: a real click on a curve loads its K."""

from __future__ import annotations

import pytest
from conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser

WAIT = 120_000  # ms: a first opening fits ten K (seconds on a loaded machine)


def open_panel(page, url: str, label: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(url)
    wait_for_app(page, WAIT)
    header = page.get_by_text(label).first
    header.scroll_into_view_if_needed()
    header.click()
    page.wait_for_timeout(500)
    wait_for_app(page, WAIT)


def chart(page, key: str):
    """The graph div of a panel's chart (st.plotly_chart keyed ``key``)."""
    return page.locator(f".st-key-{key} .js-plotly-plot")


def click_k(page, key: str, k: int) -> None:
    """Click the chart above K = k, halfway up its plot area (the invisible column of that K)."""
    graph = chart(page, key)
    graph.wait_for(timeout=WAIT)
    graph.scroll_into_view_if_needed()
    offset = graph.evaluate(
        """(gd, k) => {
            const L = gd._fullLayout;
            return [L.xaxis._offset + L.xaxis.d2p(k), L.yaxis._offset + 0.5 * L.yaxis._length];
        }""", k)
    box = graph.bounding_box()
    page.mouse.move(box["x"] + offset[0], box["y"] + offset[1])
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + offset[0], box["y"] + offset[1])


def test_click_a_k_on_the_elbow_loads_it(app_url, page):
    from playwright.sync_api import expect

    open_panel(page, f"{app_url}/kmeans?dataset=mouse&k=3", "How many clusters? The elbow")
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("The mean silhouette is highest at K = 3", timeout=WAIT)
    chart(page, "kmeans-selection_elbow").wait_for(timeout=WAIT)
    chart(page, "kmeans-selection_silhouette").wait_for(timeout=WAIT)
    page.get_by_text("Largest K").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1000)
    screenshot(page, "selection-kmeans-mouse")
    click_k(page, "kmeans-selection_elbow", 5)
    page.wait_for_function("() => new URLSearchParams(location.search).get('k') === '5'",
                           timeout=WAIT)
    wait_for_app(page, WAIT)
    expect(main).to_contain_text("Loaded K = 5: the start of the best of 10 k-means++ restarts",
                                 timeout=WAIT)
    assert page.get_by_test_id("stSidebar").get_by_role("spinbutton", name="Number of clusters K").input_value() == "5"


def test_click_a_k_on_the_bic_curve_loads_it(app_url, page):
    from playwright.sync_api import expect

    open_panel(page, f"{app_url}/gmm?dataset=mouse&k=2", "How many clusters? BIC and AIC")
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("BIC is smallest at K = 3, AIC at K = 6", timeout=WAIT)
    page.get_by_text("Starts per K").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1000)
    screenshot(page, "selection-gmm-mouse")
    click_k(page, "gmm-selection_criteria", 3)
    page.wait_for_function("() => new URLSearchParams(location.search).get('k') === '3'",
                           timeout=WAIT)
    wait_for_app(page, WAIT)
    expect(main).to_contain_text("Loaded K = 3: the converged K-means start", timeout=WAIT)


def test_a_large_data_set_shows_the_k_being_fitted(app_url, page):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/gmm?dataset=blobs&n=20000&seed=0&k=3")
    wait_for_app(page, WAIT)
    header = page.get_by_text("How many clusters? BIC and AIC").first
    header.scroll_into_view_if_needed()
    header.click()
    progress = page.get_by_test_id("stProgress")
    expect(progress).to_contain_text("Fitting K = ", timeout=WAIT)
    screenshot(page, "selection-gmm-progress")
    expect(page.get_by_test_id("stMain")).to_contain_text("BIC is smallest at K = 3", timeout=3 * WAIT)
