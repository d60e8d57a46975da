"""Browser: what a newcomer checks first. Every path in the README's page table opens its page;
no number, label or formula is cut at projector widths; a link opened in a new browser shows
what the person saw (every st.metric, and the half-step)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, no_exception, shown_metrics, wait_for_page

pytestmark = pytest.mark.browser

MOUSE = "dataset=mouse&seed=0"
# Pages with numbers and formulas on them, at a half-step that shows them (the collapse example
# has the longest formula: the inspector's fraction with powers of ten)
PAGES_WITH_NUMBERS = (
    f"/kmeans?{MOUSE}&k=3&init=random&init_seed=0&step=4",
    f"/gmm?{MOUSE}&k=3&init=kmeans&init_seed=0&cov=full&step=30",
    "/gmm?dataset=collapse&k=4&init=random&init_seed=0&cov=full&reg_covar=0&step=40",
    f"/compare?{MOUSE}&k=3&init=kmeans%2B%2B&init_seed=0&step=5",
    "/exact-1d",
    "/data",
)
VIEWPORTS = ((1280, 720), (1366, 768), (1920, 1080))

# A metric's label or value wider than its box, or a display formula beyond its column
CUT = """() => {
  const cut = [];
  for (const el of document.querySelectorAll(
      '[data-testid="stMetricValue"], [data-testid="stMetricLabel"], '
      + '[data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] *')) {
    if (el.scrollWidth > el.clientWidth + 1) cut.push('metric: ' + el.innerText.slice(0, 40));
  }
  for (const el of document.querySelectorAll('.katex-display')) {
    const column = el.closest('[data-testid="stColumn"]') || el.closest('[data-testid="stMain"]');
    const a = (el.querySelector('.katex-html') || el).getBoundingClientRect();
    const c = column.getBoundingClientRect();
    if (a.left < c.left - 1 || a.right > c.right + 1) cut.push('formula: ' + el.textContent.slice(0, 40));
  }
  return cut;
}"""


def readme_paths() -> list[str]:
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("## The pages", 1)[1]
    return re.findall(r"^\| [^|]+ \| `(/[a-z0-9-]*)` \|", table, flags=re.MULTILINE)


def test_the_readme_lists_the_pages():
    assert "/home" in readme_paths() and "/kmeans" in readme_paths() and len(readme_paths()) >= 8


@pytest.mark.parametrize("path", readme_paths())
def test_every_path_in_the_readme_opens_its_page(app_url, page, path):
    page.goto(app_url + path)
    wait_for_page(page)
    no_exception(page)
    assert page.get_by_text("Page not found").count() == 0
    assert urlparse(page.url).path.rstrip("/") in (path, "") or path == "/home"
    expect(page.locator("h1").first).to_be_visible()


@pytest.mark.parametrize("width,height", VIEWPORTS)
def test_no_number_label_or_formula_is_cut(browser, app_url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        for path in PAGES_WITH_NUMBERS:
            page.goto(app_url + path)
            wait_for_page(page)
            no_exception(page)
            assert page.evaluate(CUT) == [], f"{path} at {width}×{height}"
            values = [v for vs in shown_metrics(page).values() for v in vs]
            assert not any("…" in v or re.search(r"\de[-+]\d", v) for v in values), values
    finally:
        context.close()


def _half_step(url: str) -> str | None:
    return parse_qs(urlparse(url).query).get("step", [None])[0]


@pytest.mark.parametrize("path", [f"/kmeans?{MOUSE}&k=3&init=random&init_seed=0",
                                  f"/gmm?{MOUSE}&k=3&init=kmeans&init_seed=0",
                                  f"/compare?{MOUSE}&k=3&init=kmeans%2B%2B&init_seed=0"])
def test_a_link_opened_in_a_new_browser_shows_what_the_person_saw(browser, app_url, path):
    first = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = first.new_page()
    page.goto(app_url + path)
    wait_for_page(page)
    for label in ("E step", "M step", "E step"):
        page.get_by_role("button", name=label, exact=True).first.click()
        wait_for_page(page)
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '3'",
                           timeout=30_000)
    seen, link = shown_metrics(page), page.url
    first.close()
    assert seen and _half_step(link) == "3"

    second = browser.new_context(viewport={"width": 1600, "height": 1000})
    again = second.new_page()
    again.goto(link)
    wait_for_page(again)
    again.wait_for_selector("[data-testid='stMetricValue']", timeout=60_000)
    wait_for_page(again)
    no_exception(again)
    assert shown_metrics(again) == seen
    assert _half_step(again.url) == "3"
    second.close()


def test_a_link_as_a_fresh_servers_first_visit_finds_its_page(page):
    """The first visit of a freshly started server runs in Streamlit's "pages/" mode for one
    rerun: a page whose file name is not its path ("exact_1d.py" for /exact-1d) showed "Page
    not found" over the page. Every page file is named after its path."""
    from tests.conftest import free_port, start_app

    port = free_port()
    process = start_app(port)
    try:
        page.goto(f"http://127.0.0.1:{port}/exact-1d?line=stuck&k=3&start=preset")
        wait_for_page(page)
        page.wait_for_timeout(1000)
        assert page.get_by_text("Page not found").count() == 0
        expect(page.locator("h1").first).to_contain_text("Exact 1-D optimum")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_every_page_file_is_named_after_its_path():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for file, path in re.findall(r'st\.Page\("pages/([^"]+)\.py".*?url_path="([^"]+)"', app):
        assert file == path or (file, path) == ("home", "start"), (file, path)
