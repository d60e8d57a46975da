"""scripts/serve.sh for real: two Streamlit processes behind nginx on loopback, four students in
Chromium, one process killed by its id; and the limits a public server needs."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, free_port, no_exception, screenshot, shown_metrics, wait_for_app

from clustering import constants
from clustering.ui import serving

pytestmark = pytest.mark.browser

LINK = "/kmeans?dataset=blobs&n=300&seed=1&k=3&init=random&init_seed=0"
STARTED = re.compile(r"\[serve\] process (\d+) on 127\.0\.0\.1:(\d+) started \(pid (\d+)\)")


class Served:
    """scripts/serve.sh running in the background, its output collected line by line."""

    def __init__(self, processes: int, max_sessions: int) -> None:
        self.port = free_port()
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "serve.sh"), "--processes", str(processes),
             "--port", str(self.port), "--listen", "127.0.0.1", "--max-sessions", str(max_sessions)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, PYTHON=sys.executable), start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for_line("Give the students this address", 180)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def wait_for_line(self, text: str, timeout: float, after: int = 0) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in self.lines[after:]:
                if text in line:
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"serve.sh never said {text!r}:\n" + "\n".join(self.lines))

    def pids(self) -> dict[str, int]:
        """The latest pid of each process, by its loopback port."""
        found = {}
        for line in self.lines:
            if match := STARTED.search(line):
                found[match.group(2)] = int(match.group(3))
        return found

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def process_of(self, cookie: str) -> str:
        """The loopback port of the process that a student with this lab_route cookie reaches."""
        request = urllib.request.Request(self.url + "/_stcore/health",
                                         headers={"Cookie": f"lab_route={cookie}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers["X-Lab-Process"].rsplit(":", 1)[1]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def served():
    server = Served(processes=2, max_sessions=2)
    yield server
    server.stop()


def cookies_per_process(server: Served, each: int) -> dict[str, list[str]]:
    """``each`` lab_route cookie values for each process (nginx's own hash decides where)."""
    chosen: dict[str, list[str]] = {port: [] for port in server.pids()}
    for _ in range(200):
        value = uuid.uuid4().hex
        port = server.process_of(value)
        if len(chosen[port]) < each:
            chosen[port].append(value)
        if all(len(values) == each for values in chosen.values()):
            return chosen
    raise AssertionError(f"nginx sent 200 cookies to one process only: {chosen}")


def open_student(browser, server: Served, cookie: str):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_cookies([{"name": "lab_route", "value": cookie, "url": server.url}])
    page = context.new_page()
    page.goto(server.url + LINK)
    return context, page


def click_step(page, label: str, step: int, timeout: float = 90_000) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('step') === '{step}'",
                           timeout=timeout)
    wait_for_app(page, timeout)


def test_nginx_sets_a_sticky_cookie_and_the_same_cookie_always_reaches_the_same_process(served):
    with urllib.request.urlopen(served.url + "/_stcore/health", timeout=10) as response:
        set_cookie = [c for c in response.headers.get_all("Set-Cookie") if c.startswith("lab_route=")]
    assert len(set_cookie) == 1 and "HttpOnly" in set_cookie[0]
    set_cookie = set_cookie[0]
    value = set_cookie.split(";")[0].split("=", 1)[1]
    assert len({served.process_of(value) for _ in range(10)}) == 1
    # one address (a class behind NAT) still spreads over both processes
    cookies = cookies_per_process(served, 2)
    assert set(cookies) == set(served.pids()) and len(cookies) == 2


def test_uploads_over_the_app_limit_are_refused_by_nginx_and_without_xsrf_token_by_streamlit(served):
    limit = constants.MAX_FILE_BYTES
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(rf"^maxUploadSize = {limit // 2**20}$", config, re.M)
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    connection.putrequest("PUT", "/_stcore/upload_file/some-session/some-file")
    connection.putheader("Content-Length", str(limit + 1))  # refused before the body is read
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    connection.request("PUT", "/_stcore/upload_file/some-session/some-file", body=b"x" * 1000,
                       headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert connection.getresponse().status == 403  # XSRF on: no token, no upload
    connection.close()


def test_error_details_are_off_and_xsrf_on_in_the_app_config():
    code = ("from streamlit import config; config.get_config_options(force_reparse=True); "
            "print(config.get_option('client.showErrorDetails'), "
            "config.get_option('server.enableXsrfProtection'), config.get_option('server.maxUploadSize'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["none", "True", str(constants.MAX_FILE_BYTES // 2**20)]
    script = (ROOT / "scripts" / "serve.sh").read_text()
    assert "--client.showErrorDetails none" in script and "--server.enableXsrfProtection true" in script


def test_the_session_cap_admits_up_to_the_cap_and_forgets_closed_sessions():
    active = {"a", "b", "c"}
    serving._admitted.clear()
    try:
        assert serving.admit("a", active.__contains__, 2)
        assert serving.admit("b", active.__contains__, 2)
        assert not serving.admit("c", active.__contains__, 2)
        assert serving.admit("a", active.__contains__, 2)  # an admitted session stays admitted
        active.discard("a")  # its tab closed
        assert serving.admit("c", active.__contains__, 2)
    finally:
        serving._admitted.clear()


def test_four_students_one_process_killed(served, browser):
    """Two students per process; a fifth is refused (cap 2); one process is killed by its id:
    the students on the other one go on untouched, the ones on the killed one get the plain
    message and their run back from their link once it has restarted."""
    cookies = cookies_per_process(served, 3)
    ports = sorted(cookies)
    victim_port, other_port = ports[0], ports[1]
    students = {port: [open_student(browser, served, c) for c in cookies[port][:2]] for port in ports}
    contexts = [context for port in ports for context, _ in students[port]]
    try:
        for port in ports:
            for _, page in students[port]:
                page.wait_for_selector("h1", timeout=90_000)
                wait_for_app(page, 90_000)
                click_step(page, "E step", 1)
                click_step(page, "M step", 2)
                no_exception(page)
        # a fifth student on a full process gets the plain page
        context, fifth = open_student(browser, served, cookies[victim_port][2])
        contexts.append(context)
        fifth.get_by_text(serving.CLASS_FULL_TITLE).wait_for(timeout=60_000)
        assert "try again in a minute" in fifth.inner_text("body").lower()
        screenshot(fifth, "serve-class-full")
        context.close()
        contexts.remove(context)

        before = shown_metrics(students[other_port][0][1])
        pid = served.pids()[victim_port]
        mark = len(served.lines)
        os.kill(pid, signal.SIGKILL)
        # the students on the other process are untouched: same session, next step, no message
        for _, page in students[other_port]:
            assert shown_metrics(page) == before
            click_step(page, "E step", 3)
            assert serving.RESTARTED_TEXT not in page.inner_text("body")
        served.wait_for_line(f"127.0.0.1:{victim_port} started", 60, after=mark)
        # the students of the killed process click their next step (the button is disabled
        # while their browser reconnects). Their click reaches the restarted process as a fresh
        # session carrying the page's link: the run is rebuilt at half-step 2 and the page says
        # plainly what happened. (The very first run of a fresh process reruns once through the
        # router, which may drop that click: the run is then back at 2, and one more click
        # takes it to 3.)
        for index, (_, page) in enumerate(students[victim_port]):
            screenshot(page, f"serve-victim-{index}-before-click")
            page.get_by_role("button", name="E step", exact=True).click(timeout=90_000)
            try:
                page.get_by_text(serving.RESTARTED_TEXT).wait_for(timeout=90_000)
            finally:
                screenshot(page, f"serve-victim-{index}-after-click")
            wait_for_app(page, 60_000)
            if "step=2" in page.url:
                click_step(page, "E step", 3)
            assert "step=3" in page.url
            no_exception(page)
        screenshot(students[victim_port][0][1], "serve-victim-after-restart")
        expected = shown_metrics(students[other_port][0][1])
        for _, page in students[victim_port]:
            assert shown_metrics(page) == expected  # the run is back, one half-step on
    finally:
        for context in contexts:
            context.close()


def test_the_restart_page_is_plain_and_reloads_itself():
    html = (ROOT / "deploy" / "restarting.html").read_text()
    assert "The server restarted" in html and "link brings your run back" in html
    assert 'http-equiv="refresh"' in html
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    assert "error_page 502 503 504 /lab-restarting.html" in template
    assert "hash $lab_route consistent" in template and "ip_hash" not in template.split("upstream")[1]


def test_serve_sh_stops_everything_it_started():
    before = set(Path("/tmp").glob("clustering-lab-serve.*"))
    server = Served(processes=1, max_sessions=5)
    run_dirs = set(Path("/tmp").glob("clustering-lab-serve.*")) - before
    assert len(run_dirs) == 1
    nginx = int(re.search(r"nginx on .*\(pid (\d+)\)", server.wait_for_line("nginx on", 5)).group(1))
    streamlit = list(server.pids().values())
    for pid in [*streamlit, nginx]:
        assert Path(f"/proc/{pid}").exists()
    server.stop()
    assert server.process.returncode == 0
    assert server.wait_for_line("[serve] stopped", 5)
    time.sleep(1)
    for pid in [*streamlit, nginx]:
        assert not Path(f"/proc/{pid}").exists(), pid
    assert not any(path.exists() for path in run_dirs)
