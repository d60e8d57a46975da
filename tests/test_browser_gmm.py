"""The GMM page in headless Chromium: open a shared link, step, step back, click a point.

The log-likelihood shown on the page never falls over E, M, E, M, E, M; Step back returns to
the previous half-step; a click on a data point opens it in the point inspector. The final
screenshot is the README's (assets/screenshots/gmm.png).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import (
    ROOT,
    UPDATE_README_SCREENSHOTS,
    click_and_wait,
    metric_text,
    screenshot,
    wait_for_app,
)

from clustering import datasets, plotting

LINK = "/gmm?dataset=mouse&seed=0&k=3&init=kmeans&init_seed=0"


def log_likelihood(page) -> float:
    return float(metric_text(page, "Log-likelihood").replace(",", ""))


def stage_pixel(page, point) -> tuple[float, float]:
    """Where the data point is drawn on the stage, in page pixels (the stage's own mapping)."""
    return tuple(page.locator(".cl-stage").evaluate(
        "(el, xy) => el.stagePixel(0, xy[0], xy[1])", [float(point[0]), float(point[1])]))


def click_button(page, label: str, half_step: int) -> None:
    """Click a stepping button and wait until the page (and its link) shows that half-step."""
    page.locator(".cl-stage[data-ready='1']").wait_for(timeout=90_000)
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_function(
        "([expected]) => new URLSearchParams(location.search).get('step') === expected",
        arg=[str(half_step)], timeout=90_000,
    )
    wait_for_app(page)


@pytest.mark.browser
def test_stepping_the_mouse_in_the_browser(app_url, page):
    page.goto(app_url + LINK)
    wait_for_app(page, timeout=90_000)  # the first load (scripts, fonts, WebGL) is the slow one
    page.wait_for_selector("[data-testid='stMetric']", timeout=90_000)
    assert metric_text(page, "Iteration") == "0"
    assert metric_text(page, "Lower bound") == "—"
    shown = [log_likelihood(page)]

    for cycle in range(1, 4):
        click_and_wait(page, "E step", 2 * cycle - 1)
        assert metric_text(page, "Lower bound") == metric_text(page, "Log-likelihood")
        shown.append(log_likelihood(page))
        click_and_wait(page, "M step", 2 * cycle)
        shown.append(log_likelihood(page))
        assert float(metric_text(page, "Lower bound").replace(",", "")) < shown[-1]
    assert all(b >= a for a, b in zip(shown, shown[1:], strict=False)), shown
    assert shown[-1] > shown[0]

    click_and_wait(page, "Step back", 5)  # back to the E step of the third cycle
    assert log_likelihood(page) == pytest.approx(shown[-2])
    assert metric_text(page, "Lower bound") == metric_text(page, "Log-likelihood")
    assert "nan" not in page.locator("[data-testid='stMain']").inner_text().lower()

    # a click on an isolated data point makes it the inspected point
    X = datasets.make("mouse", seed=0).X
    distances = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=2)
    np.fill_diagonal(distances, np.inf)
    n = int(np.argmax(distances.min(axis=1)))
    page.mouse.click(*stage_pixel(page, X[n]))
    page.get_by_text(f"Point {n} (chosen)").first.wait_for(timeout=30_000)
    wait_for_app(page)

    page.mouse.move(5, 5)  # no hover label or tool bar in the picture
    page.get_by_role("button", name="Step back", exact=True).scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    page.wait_for_timeout(500)
    path = screenshot(page, "gmm")
    if UPDATE_README_SCREENSHOTS:  # refresh the README's picture on request only
        target = ROOT / "assets" / "screenshots" / "gmm.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


@pytest.mark.browser
def test_a_click_selects_a_point_when_too_many_to_carry_their_numbers(app_url, page):
    """Above plotting.GAMMA_HOVER_POINTS drawn points none carries its number: the frame sends
    the clicked trace and position, and the page maps it back to the point n."""
    n_points = plotting.GAMMA_HOVER_POINTS + 1_000
    page.goto(f"{app_url}/")
    wait_for_app(page)
    page.goto(f"{app_url}/gmm?dataset=blobs&n={n_points}&seed=1&k=3&init=kmeans&init_seed=0")
    wait_for_app(page)
    click_and_wait(page, "E step", 1)
    X = datasets.make("blobs", n=n_points, seed=1).X
    distances = np.linalg.norm(X[:, None, :] - X[None, ::7, :], axis=2)  # to a seventh of them
    distances[distances == 0] = np.inf
    n = int(np.argmax(distances.min(axis=1)))  # an isolated point, so the click cannot miss it
    page.mouse.click(*stage_pixel(page, X[n]))
    page.get_by_text(f"Point {n} (chosen)").first.wait_for(timeout=30_000)
