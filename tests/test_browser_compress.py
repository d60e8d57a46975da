"""The Compress a photo page in headless Chromium: E, M, E, M on a shipped photo; J per pixel
never rises and the quantized photo on screen changes at every half-step."""

from __future__ import annotations

import pytest
from conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser

LINK = "/compress?photo=chelsea&k=8&init=kmeans%2B%2B&init_seed=0"


def metric_text(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def j_per_pixel(page) -> float | None:
    text = metric_text(page, "J per pixel")
    assert "nan" not in text.lower() and "none" not in text.lower(), text
    return None if text == "—" else float(text.replace(",", ""))


def quantized_source(page) -> str | None:
    """The address of the quantized photo (the second image of the page), None before one."""
    pictures = page.get_by_test_id("stMain").get_by_test_id("stImage").locator("img")
    if pictures.count() < 2:
        return None
    return pictures.nth(1).get_attribute("src")


def click_and_wait(page, label: str, step: int) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('step') === '{step}'",
                           timeout=60_000)
    wait_for_app(page, timeout=60_000)


def test_e_m_e_m_j_per_pixel_never_rises_and_the_photo_changes(app_url, page):
    from playwright.sync_api import expect

    page.goto(f"{app_url}/")
    wait_for_app(page)
    page.goto(f"{app_url}{LINK}")
    wait_for_app(page, timeout=60_000)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("Next: E step.", timeout=60_000)
    assert j_per_pixel(page) is None
    assert quantized_source(page) is None
    assert page.get_by_role("button", name="M step", exact=True).is_disabled()

    values, sources = [], []
    for step, label in enumerate(("E step", "M step", "E step", "M step"), start=1):
        click_and_wait(page, label, step)
        values.append(j_per_pixel(page))
        sources.append(quantized_source(page))
        expect(main).to_contain_text(f"Half-step {step} of {step}.")
    assert all(value is not None for value in values), values
    assert all(b <= a for a, b in zip(values, values[1:], strict=False)), values
    assert values[-1] < values[0], values
    assert all(source for source in sources) and len(set(sources)) == 4, sources
    # the picture really arrived: the browser decoded it
    loaded = page.get_by_test_id("stMain").get_by_test_id("stImage").locator("img").nth(1)
    assert loaded.evaluate("img => img.complete && img.naturalWidth") == 451
    screenshot(page, "compress")
