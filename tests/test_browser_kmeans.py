"""The K-means page in headless Chromium: the real app, real clicks on buttons and on the plot."""

from __future__ import annotations

import re
import shutil
from itertools import pairwise

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

from clustering import datasets

pytestmark = pytest.mark.browser

LINK = "/kmeans?dataset=blobs&n=1000&seed=1&k=3&init=random&init_seed=0"
README_SCREENSHOT = ROOT / "assets" / "screenshots" / "kmeans.png"


def j_number(page) -> float | None:
    text = metric_text(page, "J")
    assert "nan" not in text.lower() and "none" not in text.lower(), text
    return None if text == "—" else float(text.replace(",", ""))


def main_graph(page, key: str = "kmeans-figure"):
    """The graph div of a page's main figure (drawn in its component's frame: plotly_view)."""
    return page.frame_locator(f".st-key-{key} iframe").locator(".js-plotly-plot")


def plot_pixel(page, x: float, y: float) -> tuple[float, float]:
    """Where the data point (x, y) of the main figure is on screen, from Plotly's own axis mapping."""
    graph = main_graph(page)
    offset = graph.evaluate(
        """(gd, [x, y]) => {
            const L = gd._fullLayout;
            return [L.xaxis._offset + L.xaxis.d2p(x), L.yaxis._offset + L.yaxis.d2p(y)];
        }""",
        [x, y],
    )
    box = graph.bounding_box()
    return box["x"] + offset[0], box["y"] + offset[1]


def open_link(page, app_url: str, link: str) -> None:
    # Streamlit runs a page of a "pages/" folder without app.py when a server's very first
    # request is a deep link (its multipage v1 relic); open the router once so the app is in
    # its own layout (clustering.ui.layout works around it; test_browser_data pins that on a
    # fresh server).
    page.goto(f"{app_url}/")
    wait_for_app(page)
    page.goto(f"{app_url}{link}")
    wait_for_app(page)


def test_e_m_e_m_step_back_j_never_rises_and_a_click_selects_a_point(app_url, page):
    from playwright.sync_api import expect

    open_link(page, app_url, LINK)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("Next: E step.")
    expect(main_graph(page)).to_be_visible(timeout=30_000)
    assert metric_text(page, "J") == "—"
    assert page.get_by_role("button", name="M step", exact=True).is_disabled()

    # the figure is redrawn in place (plotly_view): mark its graph div, count its draws
    main_graph(page).evaluate(
        "(gd) => { gd.__mark = 'first'; gd.__draws = 0; gd.on('plotly_afterplot', () => gd.__draws++); }")
    shown = []
    for step, label in enumerate(("E step", "M step", "E step", "M step"), start=1):
        click_and_wait(page, label, step)
        expect(main).to_contain_text("Next: M step." if label == "E step" else "Next: E step.")
        shown.append(j_number(page))
    assert main_graph(page).evaluate("(gd) => [gd.__mark, gd.__draws]") == ["first", 4]
    assert all(b <= a for a, b in pairwise(shown)), shown
    assert metric_text(page, "Iteration") == "2"

    click_and_wait(page, "Step back", 3)
    assert j_number(page) == shown[2]
    assert metric_text(page, "Iteration") == "1"
    expect(main).to_contain_text("Next: M step.")

    # a click on a data point selects it: the E-step panel shows its distances
    X = datasets.make("blobs", n=1000, seed=1).X
    n = 123
    px, py = plot_pixel(page, float(X[n, 0]), float(X[n, 1]))
    page.mouse.click(px, py)
    expect(main).to_contain_text("the point you selected", timeout=30_000)
    wait_for_app(page)
    text = main.inner_text()
    chosen = re.search(r"For x([₀-₉]+) = ", text)
    assert chosen, text[:500]
    index = int(chosen.group(1).translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))) - 1
    assert np.linalg.norm(X[index] - X[n]) < 0.5  # the clicked point (or one under the cursor)

    page.mouse.move(5, 5)  # no hover label or tool bar in the picture
    page.wait_for_timeout(300)
    path = screenshot(page, "kmeans")
    if UPDATE_README_SCREENSHOTS:  # refresh the README's picture on request only
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, README_SCREENSHOT)


def test_run_to_convergence_animates_and_stop_ends_it(app_url, page):
    from playwright.sync_api import expect

    # uniform noise, K = 8: 39 iterations to converge, so there is time to stop the animation
    open_link(page, app_url, "/kmeans?dataset=uniform&n=1000&seed=1&k=8&init=random&init_seed=0")
    main = page.get_by_test_id("stMain")
    page.get_by_role("button", name="Run to convergence", exact=True).click()
    stop = page.get_by_role("button", name="Stop", exact=True)
    expect(stop).to_be_visible(timeout=15_000)
    page.wait_for_function("() => Number(new URLSearchParams(location.search).get('step')) >= 3",
                           timeout=30_000)  # it animates: the half-step (and the link) advance
    stop.dispatch_event("click")  # the button is redrawn at every frame; a real click may miss it
    expect(stop).to_have_count(0, timeout=90_000)
    wait_for_app(page)
    stopped_at = int(re.search(r"step=(\d+)", page.url).group(1))
    assert 3 <= stopped_at < 78, stopped_at  # stopped well before the end (half-step 78)
    expect(main).not_to_contain_text("Converged after")
    expect(page.get_by_role("button", name="Run to convergence", exact=True)).to_be_enabled()
    # the rest at speed "instant" (the select slider's last option)
    page.get_by_role("slider", name="Animation speed").focus()
    page.keyboard.press("End")
    wait_for_app(page)
    page.get_by_role("button", name="Run to convergence", exact=True).click()
    expect(main).to_contain_text(re.compile(r"Converged after \d+ iterations"), timeout=90_000)
    wait_for_app(page)
    expect(stop).to_have_count(0)
    screenshot(page, "kmeans-converged")


def test_manual_start_places_centroids_by_clicking_empty_space(app_url, page):
    from playwright.sync_api import expect

    open_link(page, app_url, "/kmeans?dataset=mouse&k=3&init=manual")
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("Click on the plot to place centroid u₁")
    for placed, (fx, fy) in enumerate(((0.08, 0.08), (0.5, 0.55), (0.92, 0.92)), start=1):
        area = page.locator(".nsewdrag").first.bounding_box()  # the plotting area
        page.mouse.click(area["x"] + fx * area["width"], area["y"] + fy * area["height"])
        if placed < 3:
            expect(main).to_contain_text(f"({placed} of 3 placed)", timeout=30_000)
            wait_for_app(page)
            page.wait_for_timeout(800)  # the chart is drawn anew with the placed centroid
    expect(main).to_contain_text("All 3 centroids are placed", timeout=30_000)
    wait_for_app(page)
    expect(page.get_by_role("button", name="E step", exact=True)).to_be_enabled()
    assert "centroids=" in page.url
    screenshot(page, "kmeans-manual")
