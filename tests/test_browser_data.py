"""The Data page in headless Chromium: the real app, the real file input, real links."""

from __future__ import annotations

import pytest
from conftest import free_port, screenshot, start_app, wait_for_app

pytestmark = pytest.mark.browser

GOOD_CSV = b"length,width,species\n1.0,2.0,a\n1.5,2.5,a\n6.0,7.0,b\n6.5,7.5,b\nn/a,1,b\n"
BAD_CSV = b"name,comment\nalice,hello\nbob,world\n"
BAD_NAME = "**notes** :smile: $x$.csv"  # markdown in a file name must show as typed
WAIT = 30_000  # ms; a loaded machine is slow to rerun and to load Plotly


def upload(page, name: str, content: bytes) -> None:
    page.locator("input[type='file']").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )


def test_upload_a_good_then_a_bad_file_and_keep_the_data(app_url, page):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(f"{app_url}/data")
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    main = page.get_by_test_id("stMain")
    # a fresh start: the mouse, in the router's layout (its menu, its page titles)
    expect(sidebar).to_contain_text("N = 500 points, original units", timeout=WAIT)
    expect(page.get_by_test_id("stSidebarNav")).to_contain_text("K-means", timeout=WAIT)
    expect(main.get_by_test_id("stPlotlyChart")).to_be_visible(timeout=WAIT)  # loaded lazily
    expect(main).to_contain_text("Range", timeout=WAIT)
    screenshot(page, "data-mouse")  # the README's assets/screenshots/data.png is a copy

    page.get_by_text("your own file (CSV or TSV)").click()
    upload(page, "flowers.csv", GOOD_CSV)
    expect(sidebar).to_contain_text("flowers.csv", timeout=WAIT)
    expect(sidebar).to_contain_text("N = 4 points", timeout=WAIT)
    expect(main).to_contain_text("dropped 1 row", timeout=WAIT)
    expect(main.locator(".legend .traces")).to_have_count(2, timeout=WAIT)  # coloured by species a and b
    wait_for_app(page)
    screenshot(page, "data-upload-good")

    upload(page, BAD_NAME, BAD_CSV)
    error = main.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text(f"Could not use the file “{BAD_NAME}”: The file has no column of numbers", timeout=WAIT)
    expect(error).to_contain_text("The previous data set stays active.", timeout=WAIT)
    expect(sidebar).to_contain_text("flowers.csv", timeout=WAIT)
    expect(sidebar).to_contain_text("N = 4 points", timeout=WAIT)
    wait_for_app(page)
    screenshot(page, "data-upload-bad")


def test_a_link_opens_exactly_its_data_set_on_a_fresh_server(page):
    """A shared link as the first visit of a freshly started app: its data, in the router.

    (Streamlit's old "pages/ directory" mode would otherwise run pages/data.py alone on a
    fresh server; clustering.ui.layout sends the run through app.py.)
    """
    from playwright.sync_api import expect

    port = free_port()
    process = start_app(port)
    try:
        page.goto(f"http://127.0.0.1:{port}/data?dataset=blobs&n=1000&seed=3")
        wait_for_app(page)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("blobs", timeout=WAIT)
        expect(sidebar).to_contain_text("N = 1,000 points", timeout=WAIT)
        expect(page.get_by_test_id("stSidebarNav")).to_contain_text("K-means", timeout=WAIT)  # the router's menu
        expect(page.get_by_test_id("stMain")).to_contain_text("Gaussian blobs", timeout=WAIT)
        assert "dataset=blobs" in page.url and "n=1000" in page.url and "seed=3" in page.url
        screenshot(page, "data-link")
    finally:
        process.terminate()
        process.wait(timeout=10)
