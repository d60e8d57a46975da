"""Touching the data on the stage, in headless Chromium at 1280×720 (issue 16, "Touch the data").

- A centroid dragged at half-step 0 changes the start (the points recolour while dragging),
  the link (``init=manual&centroids=…``, the page's own manual start) and J after the next E step:
  J is then Python's J for the link's centroids.
- In "Add points" mode a click adds a point: it is drawn, the data set becomes "… + 1 point
  edited", the link carries it (``edits=…``), a fresh session opened from that link has it too,
  and after an E and an M step its cluster's centroid is the mean with it (not without it).
  A shift-click removes it again.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from conftest import PROJECTOR, clean_screenshot, open_stage_link, screenshot, wait_for_app

from clustering import datasets, edits, kmeans, stepper
from clustering.ui.numbers import fmt_sig

pytestmark = pytest.mark.browser

VIEWPORT = PROJECTOR
DRAG_LINK = "/kmeans?dataset=blobs&n=300&seed=1&k=3&init=random&init_seed=0"
START = "-6.5,9;-3,-1;0.5,9"
ADD_LINK = f"/kmeans?dataset=blobs&n=300&seed=1&k=3&init=manual&centroids={START}"


def query(page) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlparse(page.url).query).items()}


def stage(page):
    return page.locator(".cl-stage")


def centres(page) -> np.ndarray:
    return np.array(stage(page).evaluate("(el) => el.stageCentres(0)"))


def pixel(page, point) -> tuple[float, float]:
    return tuple(stage(page).evaluate("(el, xy) => el.stagePixel(0, xy[0], xy[1])",
                                      [float(point[0]), float(point[1])]))


def data_per_pixel(page) -> float:
    return float(stage(page).evaluate("(el) => el.__stage.views[0].frame.s"))


def axes(page) -> list:
    """The axes on screen: the payload's ranges and the frame drawn (equal scale)."""
    return stage(page).evaluate("(el) => [el.__stage.payload.x_range, el.__stage.payload.y_range, "
                                "el.__stage.views[0].frame.xr, el.__stage.views[0].frame.yr]")


def step_to(page, label: str, step: int) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_function("([s]) => new URLSearchParams(location.search).get('step') === s",
                           arg=[str(step)], timeout=30_000)
    wait_for_app(page)
    assert stage(page).get_attribute("data-cursor") == str(step)


def j_metric(page) -> str:
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text("J", exact=True))
    return metric.get_by_test_id("stMetricValue").first.inner_text().strip()


def show_figure(page) -> None:
    """Scroll so that the whole figure is on screen (the mouse acts in the viewport)."""
    page.locator(".cl-stage canvas.main").first.scroll_into_view_if_needed()
    box = page.locator(".cl-stage canvas.main").first.bounding_box()
    if box["y"] < 0 or box["y"] + box["height"] > VIEWPORT["height"]:
        page.mouse.wheel(0, box["y"] - 40)
        page.wait_for_timeout(300)


def drag(page, start, end, steps: int = 12) -> None:
    (x0, y0), (x1, y1) = pixel(page, start), pixel(page, end)
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
        page.wait_for_timeout(15)


def test_dragging_a_centroid_changes_the_start_the_link_and_J(app_url, small_page):
    page = small_page
    X = datasets.make("blobs", n=300, seed=1).X
    open_stage_link(page, app_url, DRAG_LINK)
    step_to(page, "E step", 1)
    j_before = j_metric(page)
    step_to(page, "Reset", 0)
    before = centres(page)
    assert query(page)["init"] == "random" and "centroids" not in query(page)
    axes_before = axes(page)

    show_figure(page)
    target = np.array([2.0, 0.0])
    drag(page, before[0], target)
    # while dragging: the points already wear the colours of the next E step (the dragged start)
    live = np.array(stage(page).evaluate("(el) => Array.from(el.__stage.panels[0].live ? "
                                         "el.__stage.panels[0].liveAssignment(el.__stage.panels[0].live).labels : [])"))
    moved = before.copy()
    moved[0] = centres(page)[0]
    drawn = np.array(stage(page).evaluate("(el) => el.stageDrawnIndex()"))
    np.testing.assert_array_equal(live, kmeans.assign(X[drawn], moved))
    screenshot(page, "touch-kmeans-dragging")
    page.mouse.up()

    page.wait_for_function("() => new URLSearchParams(location.search).get('init') === 'manual'",
                           timeout=30_000)
    wait_for_app(page)
    link_start = np.array([[float(v) for v in pair.split(",")] for pair in query(page)["centroids"].split(";")])
    after = centres(page)
    np.testing.assert_array_equal(after, link_start)  # the stage runs from the link's start
    assert np.linalg.norm(after[0] - target) <= 3 * data_per_pixel(page)  # where it was let go
    np.testing.assert_array_equal(after[1:], before[1:])  # the others did not move at all
    assert stage(page).get_attribute("data-cursor") == "0"
    assert axes(page) == axes_before  # the drag moved no axis

    step_to(page, "E step", 1)
    labels = kmeans.assign(X, link_start)
    expected = float(np.sum((X - link_start[labels]) ** 2))
    assert j_metric(page) == fmt_sig(expected, 6)
    assert j_metric(page) != j_before
    clean_screenshot(page, "touch-kmeans-after-drag")


def test_an_added_point_is_drawn_kept_by_its_link_and_moves_its_centroid(app_url, small_page, browser):
    page = small_page
    X = datasets.make("blobs", n=300, seed=1).X
    start = np.array([[-6.5, 9.0], [-3.0, -1.0], [0.5, 9.0]])
    open_stage_link(page, app_url, ADD_LINK)
    assert stage(page).evaluate("(el) => el.__stage.points.n") == 300
    page.get_by_role("button", name="Add points", exact=True).click()
    assert stage(page).get_attribute("data-add-mode") == "1"
    show_figure(page)
    axes_before = axes(page)
    target = np.array([7.0, 0.0])  # inside the figure, beyond the data's range: no axis moves
    page.mouse.click(*pixel(page, target))
    page.wait_for_function("() => new URLSearchParams(location.search).get('edits')", timeout=30_000)
    wait_for_app(page)
    edit = edits.parse_edits(query(page)["edits"], 300)
    assert edit.removed == () and len(edit.added) == 1
    added = np.array(edit.added[0])
    assert np.linalg.norm(added - target) <= 2 * data_per_pixel(page)
    assert stage(page).evaluate("(el) => el.__stage.points.n") == 301  # drawn
    xy = np.array(stage(page).evaluate("(el) => Array.from(el.__stage.points.xy.slice(600, 602))"))
    np.testing.assert_array_equal(xy, added)
    assert "blobs + 1 point edited" in page.get_by_test_id("stSidebar").inner_text()
    np.testing.assert_array_equal(centres(page), start)  # the same start, on the edited points
    assert axes(page) == axes_before  # adding a point near the edge moved no axis
    clean_screenshot(page, "touch-kmeans-added")

    # a fresh session from the link: the same edited points
    link = page.url
    other = browser.new_context(viewport=VIEWPORT)
    fresh = other.new_page()
    try:
        fresh.goto(link.split("/kmeans")[0] + "/")
        wait_for_app(fresh)
        fresh.goto(link)
        fresh.locator(".cl-stage[data-ready='1']").wait_for(timeout=60_000)
        wait_for_app(fresh)
        assert stage(fresh).evaluate("(el) => el.__stage.points.n") == 301
        assert "blobs + 1 point edited" in fresh.get_by_test_id("stSidebar").inner_text()
        assert query(fresh)["edits"] == query(page)["edits"]

        step_to(fresh, "E step", 1)
        step_to(fresh, "M step", 2)
        shown = centres(fresh)
    finally:
        other.close()
    with_point = np.vstack([X, added])
    run = stepper.new_kmeans_run(start)
    for message in (stepper.EStep(), stepper.MStep()):
        run = stepper.step(run, message, with_point)
    np.testing.assert_allclose(shown, run.current.params, rtol=1e-12, atol=1e-12)
    without = stepper.new_kmeans_run(start)
    for message in (stepper.EStep(), stepper.MStep()):
        without = stepper.step(without, message, X)
    k = int(kmeans.assign(added[None, :], start)[0])
    assert shown[k, 0] > without.current.params[k, 0]  # pulled towards the added point (x = 7)
    others = [j for j in range(3) if j != k]
    np.testing.assert_allclose(shown[others], without.current.params[others], rtol=1e-12)

    # a shift-click removes the nearest point: the added one
    page.get_by_role("button", name="Add points", exact=True).scroll_into_view_if_needed()
    if stage(page).get_attribute("data-add-mode") != "1":
        page.get_by_role("button", name="Add points", exact=True).click()
    show_figure(page)
    page.keyboard.down("Shift")
    page.mouse.click(*pixel(page, added))
    page.keyboard.up("Shift")
    page.wait_for_function("() => !new URLSearchParams(location.search).get('edits')", timeout=30_000)
    wait_for_app(page)
    assert stage(page).evaluate("(el) => el.__stage.points.n") == 300
    assert "point edited" not in page.get_by_test_id("stSidebar").inner_text()


def test_dragging_a_gmm_mean_makes_the_manual_start_that_the_link_carries(app_url, small_page):
    page = small_page
    X = datasets.make("mouse", seed=0).X
    open_stage_link(page, app_url, "/gmm?dataset=mouse&seed=0&k=3&init=random&init_seed=0")
    before = centres(page)
    axes_before = axes(page)
    show_figure(page)
    drag(page, before[0], (0.8, 0.45))
    preview = stage(page).evaluate("(el) => el.__stage.panels[0].live.params")
    page.mouse.up()
    page.wait_for_function("() => new URLSearchParams(location.search).get('means')", timeout=30_000)
    wait_for_app(page)
    assert query(page)["init"] == "manual"
    means = np.array([[float(v) for v in pair.split(",")] for pair in query(page)["means"].split(";")])
    np.testing.assert_array_equal(centres(page), means)
    np.testing.assert_array_equal(means[1:], before[1:])
    assert np.linalg.norm(means[0] - [0.8, 0.45]) <= 3 * data_per_pixel(page)
    start = stage(page).evaluate("(el) => el.__stage.payload.panels[0].params[0]")
    np.testing.assert_allclose(start["w"], [1 / 3] * 3)
    np.testing.assert_allclose(start["cov"], [np.cov(X.T, bias=True)] * 3, rtol=1e-4)
    # what was previewed while dragging is the start the page made on release
    np.testing.assert_allclose(preview["cov"], start["cov"], rtol=1e-12)
    np.testing.assert_allclose(preview["w"], start["w"], rtol=1e-12)
    assert axes(page) == axes_before
