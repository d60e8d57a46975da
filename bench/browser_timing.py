"""Timing a click in a real Streamlit app from inside headless Chromium (shared by the benches).

A click is timed in the page itself, on one clock (``performance.now()``):

- it starts at the click event (a capturing ``click`` listener on ``window``);
- it ends at the last of: the script finished (the ``data-test-script-state`` attribute of
  ``[data-testid=stApp]`` back to ``notRunning``; a very quick rerun may never flip it), the
  last websocket message from the server, and the main figure's last redraw (its
  ``plotly_afterplot``; for the bare button app, which has no figure, the last change of its
  text). Streamlit re-creates the chart's graph div on a rerun, so a MutationObserver hooks
  ``plotly_afterplot`` on every ``.js-plotly-plot`` as soon as it appears.

The click is taken as done when nothing of the above has happened for ``QUIET_MS``; the quiet
wait itself is not part of the time (the end is the time of the last event). The script
installs itself with ``page.add_init_script``, so it is in place before Streamlit's own code.

Everything here talks to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_HOOK = Path(__file__).resolve().parent / "server_hook"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1600, "height": 1000}
QUIET_MS = 500  # a click is done when nothing happened for this long after the script finished
BLAS_ENV_ONE_THREAD = {
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "BLIS_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1",
}

INSTRUMENT_JS = r"""
(() => {
  if (window.__bench) return;
  const B = window.__bench = {clicks: [], states: [], plots: [], content: [], messages: [],
                              created: [], mainSelector: null};
  const hooked = new WeakSet();
  const now = () => performance.now();
  window.addEventListener('click', () => B.clicks.push(now()), true);

  // every websocket message from the server (the last one of a rerun is "script finished")
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => B.messages.push(now()));
    }
  };

  // every graph div, as soon as it exists: its redraws, and whether it is the main figure
  // frame: the iframe the graph div is in, when it is in one (then the frame is what sits
  // in the main element)
  const hook = (gd, frame) => {
    if (hooked.has(gd) || typeof gd.on !== 'function') return;
    hooked.add(gd);
    const where = frame || gd;
    if (B.mainSelector && where.closest(B.mainSelector)) B.created.push(now());  // a new main graph div
    gd.on('plotly_afterplot', () => {
      const main = !!(B.mainSelector && where.closest(B.mainSelector));
      let drawn = 0;
      for (const trace of (gd._fullData || [])) {
        if (trace.type === 'scattergl' || (trace.type === 'scatter' && (trace.mode || '').includes('markers') && (trace.name || '').startsWith('points'))) drawn += trace._length || 0;
      }
      B.plots.push([now(), main, drawn]);
    });
  };
  // a figure drawn in a component's frame (same origin): watch the frame's document too, and
  // its next one when the frame loads again
  const frames = new WeakSet(), documents = new WeakSet();
  const watchFrame = (frame) => {
    let doc = null;
    try { doc = frame.contentDocument; } catch (e) { return; }
    if (!doc || documents.has(doc)) return;
    documents.add(doc);
    const scanFrame = () => doc.querySelectorAll('.js-plotly-plot').forEach((gd) => hook(gd, frame));
    new MutationObserver(scanFrame).observe(doc, {subtree: true, childList: true, attributes: true,
                                                  attributeFilter: ['class']});
    scanFrame();
  };
  const hookFrames = () => document.querySelectorAll('iframe').forEach((frame) => {
    if (!frames.has(frame)) {
      frames.add(frame);
      frame.addEventListener('load', () => watchFrame(frame));
    }
    watchFrame(frame);
  });
  let lastState = null;
  const readState = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app ? app.getAttribute('data-test-script-state') : null;
    if (state !== lastState) { lastState = state; B.states.push([now(), state]); }
  };
  const scan = (records) => {
    document.querySelectorAll('.js-plotly-plot').forEach((gd) => hook(gd));
    hookFrames();
    readState();
    // what changed inside the main element (the bare button app's text has no figure)
    if (B.mainSelector) {
      for (const record of records) {
        const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
        if (record.type !== 'attributes' && target && target.closest(B.mainSelector)) {
          B.content.push(now());
          break;
        }
      }
    }
  };
  new MutationObserver(scan).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ['class', 'data-test-script-state'],
  });

  const after = (list, click) => list.filter((t) => t >= click);
  const lastClick = () => (B.clicks.length ? B.clicks[B.clicks.length - 1] : 0);
  // what marks the end of a click: the main figure's redraws (or the main element's changes
  // when it holds no figure), the script's state changes, the server's messages
  const marks = (click, needPlot) => {
    const states = B.states.filter(([t]) => t >= click);
    const plots = B.plots.filter(([t, isMain]) => t >= click && isMain).map(([t]) => t);
    const drawn = needPlot ? plots : after(B.content, click);
    return {states, plots, drawn, messages: after(B.messages, click)};
  };

  // the last click's events, in ms after it
  B.result = (needPlot) => {
    const click = lastClick();
    const m = marks(click, needPlot);
    const running = m.states.find(([, s]) => s === 'running');
    const finished = m.states.filter(([, s]) => s === 'notRunning').pop();
    const last = (list) => (list.length ? list[list.length - 1] : null);
    const end = Math.max(click, last(m.drawn) ?? click, finished ? finished[0] : click,
                         last(m.messages) ?? click);
    const main = B.plots.filter(([t, isMain]) => t >= click && isMain);
    const ms = (t) => (t === null || t === undefined ? null : t - click);
    return {
      click,
      running: running ? running[0] - click : null,
      first_plot: ms(m.drawn[0]),
      last_plot: ms(last(m.drawn)),
      finished: finished ? finished[0] - click : null,
      last_message: ms(last(m.messages)),
      end: end - click,
      redraws: m.drawn.length,
      recreated: after(B.created, click).length,
      messages: m.messages.length,
      drawn: main.length ? main[main.length - 1][2] : null,
      state: lastState,
    };
  };
  // done: the script is not running, the server answered (and the figure redrew), then quiet
  B.settled = (quietMs, needPlot) => {
    const click = lastClick();
    if (lastState !== 'notRunning') return false;
    const m = marks(click, needPlot);
    if (!m.messages.length || !m.drawn.length) return false;
    const last = Math.max(click, ...m.states.map(([t]) => t), ...m.drawn, ...m.messages);
    return now() - last >= quietMs;
  };
  B.idle = (quietMs) => {
    if (lastState !== 'notRunning') return false;
    const last = Math.max(0, ...B.states.map(([t]) => t), ...B.plots.map(([t]) => t),
                          ...B.messages);
    return now() - last >= quietMs;
  };
  B.debug = () => ({clicks: B.clicks.slice(-3), states: B.states.slice(-6),
                    plots: B.plots.slice(-6), content: B.content.slice(-6),
                    messages: B.messages.slice(-8), now: now()});
})();
"""


# a graph div inside the element ``sel``, or inside a (same-origin) frame in it
FIGURE_DRAWN_JS = """(sel) => {
  const main = document.querySelector(sel);
  if (!main) return false;
  if (main.querySelector('.js-plotly-plot')) return true;
  for (const frame of main.querySelectorAll('iframe')) {
    try { if (frame.contentDocument.querySelector('.js-plotly-plot')) return true; } catch (e) {}
  }
  return false;
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(script: str, port: int) -> list[str]:
    """``streamlit run`` as for a class: headless, no file watcher, no rerun on save."""
    return [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--server.runOnSave", "false", "--browser.gatherUsageStats", "false",
    ]


@dataclass
class Server:
    """A ``streamlit run`` process on 127.0.0.1 (started by :func:`start_server`)."""

    script: str
    port: int
    process: subprocess.Popen
    started: float  # time.perf_counter() just before the process was started
    healthy_after: float = float("nan")  # seconds from start to /_stcore/health answering

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_server(script: str, extra_env: dict[str, str] | None = None, timeout: float = 120,
                 rerun_log: Path | None = None, cpus: str | None = None) -> Server:
    """Start ``streamlit run script`` (cwd: the repository, so its .streamlit/config.toml
    applies) and wait until its health endpoint answers.

    rerun_log : write every rerun request and script end to this file (server_hook/)
    cpus : run the server on these CPUs only (``taskset -c``), e.g. "0"
    """
    port = free_port()
    python_path = str(ROOT)
    env = dict(os.environ, **(extra_env or {}))
    if rerun_log is not None:
        python_path = f"{SERVER_HOOK}{os.pathsep}{python_path}"
        env["BENCH_RERUN_LOG"] = str(rerun_log)
    env["PYTHONPATH"] = python_path
    command = server_command(script, port)
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server(script, port, process, started)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit run {script} exited: "
                               + process.stderr.read().decode(errors="replace")[-2000:])
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    server.healthy_after = time.perf_counter() - started
                    return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"streamlit run {script} did not answer within {timeout:.0f} s")


def launch_browser(playwright, cpus: str | None = None, wrapper_dir: Path | None = None):
    """Chromium, headless; on the CPUs ``cpus`` only (through a ``taskset`` wrapper script
    written to ``wrapper_dir``) when given."""
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (scripts/test.sh installs Debian's chromium).")
    executable = CHROMIUM
    if cpus is not None:
        wrapper = Path(wrapper_dir) / "chromium-on-cpus"
        wrapper.write_text(f'#!/bin/sh\nexec taskset -c {cpus} {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        executable = str(wrapper)
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def read_rerun_log(path: Path) -> list[tuple[str, float, float]]:
    """(session id, request time, finish time) of every rerun the server finished, in order
    (wall-clock seconds, server side); a request whose run was interrupted is left out."""
    pending: dict[str, float] = {}
    reruns = []
    if not Path(path).exists():
        return reruns
    for line in Path(path).read_text().splitlines():
        session, what, when = line.split()
        if what == "request":
            pending[session] = float(when)
        elif what == "finished" and session in pending:  # an interrupted run: wait for the next
            reruns.append((session, pending.pop(session), float(when)))
    return reruns


@dataclass
class Tab:
    """One browser context (one Streamlit session) on one page of one server."""

    name: str
    context: object
    page: object
    main_selector: str  # the main figure's container (the bare button app: its text's)
    buttons: tuple[str, ...]  # labels clicked in turn (the first enabled one in this order)
    figure: bool = True  # the main element holds a Plotly figure (False: the bare button app)
    received: list[int] = field(default_factory=lambda: [0])  # websocket bytes received

    def close(self) -> None:
        self.context.close()


def open_tab(browser, name: str, url: str, main_selector: str, buttons: tuple[str, ...],
             figure: bool = True, timeout_ms: float = 180_000) -> tuple[Tab, float]:
    """A new context on ``url``, instrumented; returns it and the seconds until it was ready."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INSTRUMENT_JS)
    page = context.new_page()
    tab = Tab(name, context, page, main_selector, buttons, figure)

    def count(payload) -> None:
        tab.received[0] += len(payload)

    page.on("websocket", lambda ws: ws.on("framereceived", count))
    started = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    page.evaluate("(s) => { window.__bench.mainSelector = s; }", main_selector)
    if figure:  # drawn in the page, or in a component's frame inside the main element
        page.wait_for_function(FIGURE_DRAWN_JS, arg=main_selector, timeout=timeout_ms, polling=100)
    else:
        page.wait_for_selector(main_selector, timeout=timeout_ms)
    wait_idle(page, timeout_ms)
    return tab, time.perf_counter() - started


def wait_idle(page, timeout_ms: float = 180_000, quiet_ms: float = QUIET_MS) -> None:
    """Wait until the script is not running and nothing was redrawn for ``quiet_ms``."""
    page.wait_for_function("(q) => window.__bench && window.__bench.idle(q)", arg=quiet_ms,
                           timeout=timeout_ms, polling=100)


def next_button(tab: Tab) -> str:
    """The first of the tab's buttons that is enabled now (E step or M step, in turn)."""
    for label in tab.buttons:
        if tab.page.get_by_role("button", name=label, exact=True).is_enabled():
            return label
    raise RuntimeError(f"{tab.name}: none of {tab.buttons} is enabled")


def click_and_time(tab: Tab, timeout_ms: float = 180_000) -> dict:
    """Click the tab's next button like a person (Playwright's mouse click) and time it.

    Returns the page's numbers (ms after the click event): ``end`` (the click's time),
    ``running``, ``first_plot``, ``last_plot``, ``finished``, ``redraws``, ``drawn``, and
    ``label`` and ``bytes`` (websocket bytes received for this click).
    """
    label = next_button(tab)
    before = tab.received[0]
    tab.page.get_by_role("button", name=label, exact=True).click(timeout=timeout_ms)
    need_plot = tab.figure
    try:
        tab.page.wait_for_function(
            "([q, plot]) => window.__bench.settled(q, plot)", arg=[QUIET_MS, need_plot],
            timeout=timeout_ms, polling=100,
        )
    except Exception as error:
        debug = tab.page.evaluate("() => window.__bench.debug()")
        raise RuntimeError(f"{tab.name}: the click on {label!r} did not settle: {debug}") from error
    result = tab.page.evaluate("(plot) => window.__bench.result(plot)", need_plot)
    result["label"] = label
    result["bytes"] = tab.received[0] - before
    return result


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def percentile(values, q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return float("nan")
    position = (len(values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def machine_line() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
            f"(1 / 5 / 15 min)")
