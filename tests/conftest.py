"""Shared fixtures: a running app for the browser tests, and Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Tests write only to a temporary folder (the clone stays clean); set SCREENSHOTS_DIR to keep them
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR")
                   or Path(tempfile.gettempdir()) / "clustering-lab-test-screenshots")
# The README's pictures are refreshed from the tests only when asked
UPDATE_README_SCREENSHOTS = bool(os.environ.get("UPDATE_README_SCREENSHOTS"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(port: int, script: str = "app.py", cwd: Path = ROOT) -> subprocess.Popen:
    """Start ``streamlit run script`` on 127.0.0.1:port and wait until it answers."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("streamlit did not start: " + process.stderr.read().decode()[-2000:])


@pytest.fixture(scope="session")
def app_url():
    """The base URL of the real app, started once for the browser tests."""
    port = free_port()
    process = start_app(port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the tests with scripts/test.sh, which installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


PROJECTOR = {"width": 1280, "height": 720}  # the classroom projector the issues name


@contextlib.contextmanager
def browser_page(browser, viewport: dict[str, int]):
    """A page in a fresh browser context (own cookies and storage) of the given viewport."""
    context = browser.new_context(viewport=viewport)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser):
    with browser_page(browser, {"width": 1600, "height": 1000}) as page:
        yield page


@pytest.fixture
def small_page(browser):
    """A page at the projector's 1280 × 720."""
    with browser_page(browser, PROJECTOR) as page:
        yield page


def open_stage_link(page, app_url: str, link: str, timeout: float = 60_000) -> None:
    """Open a stepping page's link and wait for its stage. The router first: a link as a
    fresh server's very first request would otherwise run the page outside st.navigation."""
    page.goto(f"{app_url}/")
    wait_for_app(page)
    page.goto(f"{app_url}{link}")
    page.locator(".cl-stage[data-ready='1']").wait_for(timeout=timeout)
    wait_for_app(page, timeout)


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout,
    )
    page.wait_for_timeout(300)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def shown_figure(at, key: str) -> dict:
    """The Plotly figure (data, layout) an AppTest run drew under ``key``: through the
    plotly_view component (the stepping pages' figures) or st.plotly_chart."""
    import json

    for element in at.get("component_instance"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(json.loads(element.proto.json_args)["spec"])
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.spec)
    raise AssertionError(f"no figure under the key {key!r}")


def plotted(values):
    """A figure's array as sent to the browser: a list, or Plotly's typed array {dtype, bdata}."""
    import base64

    import numpy as np

    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return values


# --------------------------------------------------------------------------------------
# AppTest: a page opened through the real router
# --------------------------------------------------------------------------------------

APPTEST_TIMEOUT = 60


def open_page(page_file: str, query: dict[str, str] | None = None, timeout: float = APPTEST_TIMEOUT):
    """A fresh browser session opening ``page_file`` (e.g. "pages/kmeans.py") through app.py,
    with the link's query parameters; asserts the first run raised nothing."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.switch_page(page_file)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


# --------------------------------------------------------------------------------------
# Browser helpers shared by the Playwright tests
# --------------------------------------------------------------------------------------


def no_exception(page) -> None:
    """The page shows no Streamlit exception box and no traceback."""
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.inner_text("body")


def wait_for_page(page, timeout: float = 60_000) -> None:
    """Wait until the page has a title, no placeholder skeleton, and the script has finished."""
    page.wait_for_function(
        "() => document.querySelector('h1') && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=timeout)
    wait_for_app(page, timeout)


def shown_metrics(page) -> dict[str, list[str]]:
    """Every st.metric on the page: label -> values, as a person reads them."""
    pairs = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
        (m.querySelector('[data-testid="stMetricLabel"]') || {}).innerText || '',
        (m.querySelector('[data-testid="stMetricValue"]') || {}).innerText || ''])""")
    shown: dict[str, list[str]] = {}
    for label, value in pairs:
        shown.setdefault(label.strip(), []).append(value.strip())
    return shown


def clean_screenshot(page, name: str, settle_ms: int = 300) -> Path:
    """A full-page screenshot with the mouse moved away (no tooltip of the last button clicked)."""
    page.mouse.move(5, 995)
    page.wait_for_timeout(settle_ms)
    return screenshot(page, name)


def metric_text(page, label: str) -> str:
    """The value of the st.metric labelled exactly ``label``, as shown."""
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue").first.inner_text().strip()


def click_and_wait(page, label: str, step: int) -> None:
    """Click a stepping button and wait until the page (and its link) show half-step ``step``."""
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_function(
        "([expected]) => new URLSearchParams(location.search).get('step') === expected",
        arg=[str(step)], timeout=30_000,
    )
    wait_for_app(page)


def instant(page) -> None:
    """The stage's speed "instant": Run to convergence jumps to the end (one report)."""
    page.locator(".cl-stage[data-ready='1']").wait_for(timeout=60_000)
    page.get_by_label("Animation speed").select_option("instant")


STAGE_LABELS = ("E step", "M step", "Step back", "Run to convergence", "Reset")


class StageButton:
    """A button of the stage (clustering/ui/stage.py) as AppTest sees the page.

    The stage's buttons live in the browser (tests/test_browser_stage.py drives them); here a
    press does what the stage then reports to the server: it moves the stored runs' cursor
    (as ``stage.follow`` does) and reruns. ``disabled`` follows the stage's own rules (its
    updateControls): E step / M step when that kind comes next and the run has not ended,
    Step back and Reset away from the start, Run to convergence before the end.
    """

    def __init__(self, at, label: str, pages: tuple[str, ...]):
        assert label in STAGE_LABELS, label
        self.at, self.label, self.pages = at, label, pages
        assert any(f"{page}.run" in at.session_state for page in pages), \
            f"no stage on the page: no run stored for {pages}"

    def _runs(self):
        return [self.at.session_state[f"{page}.run"][1] for page in self.pages]

    def _cursor_and_last(self) -> tuple[int, int]:
        runs = self._runs()
        return max(run.cursor for run in runs), max(len(run.history) for run in runs) - 1

    def _target(self) -> int | None:
        cursor, last = self._cursor_and_last()
        nxt = None if cursor >= last else ("E" if (cursor + 1) % 2 == 1 else "M")
        return {
            "E step": cursor + 1 if nxt == "E" else None,
            "M step": cursor + 1 if nxt == "M" else None,
            "Step back": cursor - 1 if cursor > 0 else None,
            "Reset": 0 if cursor > 0 else None,
            "Run to convergence": last if cursor < last else None,
        }[self.label]

    @property
    def disabled(self) -> bool:
        return self._target() is None

    def click(self):
        target = self._target()
        assert target is not None, f"{self.label} is disabled"
        from clustering import stepper

        for page in self.pages:
            version, run = self.at.session_state[f"{page}.run"]
            self.at.session_state[f"{page}.run"] = (version, stepper.step(run, stepper.JumpTo(target), None))
        return self.at


def stage_button(at, label: str, pages: tuple[str, ...]) -> StageButton:
    """The stage's button ``label`` (see StageButton); pages: whose runs the stage steps."""
    return StageButton(at, label, pages)
