"""The stage against the anchor: a half-step's first painted frame, the first figure, server CPU.

Run from the repository root (figures for the notes; never a timed test):

    python bench/bench_stage.py                 # everything, N = 1,000 and 20,000 (about 10 min)
    python bench/bench_stage.py --only step     # one part: step, open, run, sessions
    python bench/bench_stage.py --quick         # fewer repetitions

Parts:

- **step**: in one run, the anchor (../shared/anchors/lp-gmm, Luka Popijac's GMM demo served by
  ``python -m http.server`` on 127.0.0.1) and our /gmm page, at N = 1,000 and 20,000. The
  anchor: ``t0 = performance.now(); #btn-run-a.click()`` then
  ``requestAnimationFrame(() => setTimeout(resolve, 0))``, as its README times it. Ours: the
  same from a key (→, dispatched on the document) and from a click on the stage's
  ``E step`` / ``M step``, ending at the first painted frame after ``data-cursor`` changed (a
  MutationObserver, then requestAnimationFrame + setTimeout). Median of ``--repeat``.
- **open**: navigation to the stage's first drawn frame (``data-ready-at``, the page's own
  clock from navigation start) on a warm server, each time in a fresh browser context (cold
  browser cache), for /kmeans, /gmm and /compare, beside a reference in the same run: a
  Streamlit app whose one page (also at /kmeans) holds the stage alone with the same K-means
  run (Streamlit's own start-up plus the stage: the floor of a fresh browser's first frame);
  and in-app navigation: from the loaded Data page, a click on the page's sidebar entry to
  the stage's first frame (timed in the page).
- **run**: the server's CPU time (utime + stime of its process, /proc/<pid>/stat) for Run to
  convergence on the GMM mouse run at normal speed, from the click to the page settled at the
  last half-step.
- **sessions**: ``--sessions`` browser contexts on /kmeans (N = 1,000) each take six
  half-steps with →, pausing 0.6 s after each (so each half-step is reported to the server);
  the server's CPU per half-step and its resident memory before and after. With
  ``--gc-reference`` the same again on a server with Streamlit's default ``postScriptGC``
  (a full ``gc.collect(2)`` after every run, about 0.1 s of CPU with this app's imports; the
  app's .streamlit/config.toml turns it off).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = ROOT.parent / "shared" / "anchors" / "lp-gmm"
if not ANCHOR.exists():
    ANCHOR = Path("/work/shared/anchors/lp-gmm")
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_app  # noqa: E402

NEXT_FRAME_JS = "() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))"

ANCHOR_TIME_JS = """
async () => {
  const button = document.getElementById('btn-run-a');
  const t0 = performance.now();
  button.click();
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return performance.now() - t0;
}
"""

# our half-step: a key (or a click on the stage's button), then the first painted frame after
# data-cursor changed
STAGE_TIME_JS = """
async ([how]) => {
  const host = [...document.querySelectorAll('*')].find((e) => e.shadowRoot && e.shadowRoot.querySelector('.cl-stage'));
  const root = (host ? host.shadowRoot : document).querySelector('.cl-stage');
  const stage = root.__stage;
  const before = root.dataset.cursor;
  const done = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (root.dataset.cursor !== before) {
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(resolve, 0));
      }
    });
    observer.observe(root, {attributes: true, attributeFilter: ['data-cursor']});
  });
  const t0 = performance.now();
  if (how === 'key') {
    document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
  } else {
    (stage.btnE.disabled ? stage.btnM : stage.btnE).click();
  }
  await done;
  return performance.now() - t0;
}
"""


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    """The resident memory of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(page, timeout: float = 120_000) -> None:
    page.locator(".cl-stage[data-ready='1']").wait_for(timeout=timeout)


def settled_at(page, step: int, timeout: float = 120_000) -> None:
    page.wait_for_function(
        "([s]) => new URLSearchParams(location.search).get('step') === s", arg=[str(step)],
        timeout=timeout)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') !== 'running'",
        timeout=timeout)


# --------------------------------------------------------------------------------------


def anchor_times(browser, n: int, repeat: int) -> list[float]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "-d", str(ANCHOR)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/index.html")
        page.select_option("#number-of-points", "20")
        page.select_option("#number-of-clusters", "3")
        box = page.locator("canvas").bounding_box()
        import random

        rng = random.Random(1)
        for _ in range(n // 20):
            page.mouse.click(box["x"] + rng.uniform(0.05, 0.95) * box["width"],
                             box["y"] + rng.uniform(0.05, 0.95) * box["height"])
        page.click("#btn-init-clusters")
        page.evaluate(NEXT_FRAME_JS)
        times = []
        for _ in range(repeat + 2):
            times.append(page.evaluate(ANCHOR_TIME_JS))
            page.wait_for_timeout(100)
        context.close()
        return times[2:]  # the first two warm up
    finally:
        server.terminate()
        server.wait()


def stage_times(browser, base: str, n: int, repeat: int, how: str) -> list[float]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(f"{base}/gmm?dataset=blobs&n={n}&seed=1&k=3&init=random&init_seed=0", timeout=180_000)
    wait_ready(page, 180_000)
    page.wait_for_timeout(1500)
    times = []
    for _ in range(repeat + 2):
        if int(page.locator(".cl-stage").get_attribute("data-cursor")) >= last_half_step(page):
            page.keyboard.press("Home")  # back to the start (and let that report settle)
            page.wait_for_timeout(400)
            settle_quiet(page)
        times.append(page.evaluate(STAGE_TIME_JS, [how]))
        page.wait_for_timeout(400)  # the animation (300 ms) and the report (250 ms after)
        settle_quiet(page)  # the server's rerun done: it must not land in the next trial
    context.close()
    return times[2:]


def last_half_step(page) -> int:
    return int(page.locator(".cl-stage").evaluate("(el) => el.__stage.last"))


def settle_quiet(page) -> None:
    """Wait until the page's script is not running and nothing changed for 300 ms."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') !== 'running'",
        timeout=120_000)
    page.wait_for_timeout(300)


def part_step(browser, base: str, sizes: list[int], repeat: int) -> None:
    print("\n## click / key to the first painted frame of the next half-step (ms, median; min–max)")
    print("| N | anchor #btn-run-a | stage → key | stage button | key / anchor |")
    print("| --- | --- | --- | --- | --- |")
    for n in sizes:
        anchor = anchor_times(browser, n, repeat)
        key = stage_times(browser, base, n, repeat, "key")
        button = stage_times(browser, base, n, repeat, "button")
        row = [statistics.median(t) for t in (anchor, key, button)]
        print(f"| {n:,} | {row[0]:.1f} ({min(anchor):.1f}–{max(anchor):.1f}) | {row[1]:.1f} "
              f"({min(key):.1f}–{max(key):.1f}) | {row[2]:.1f} ({min(button):.1f}–{max(button):.1f}) "
              f"| {row[1] / row[0]:.2f} |", flush=True)


OPEN_LINKS = {
    "/kmeans": "/kmeans?dataset=blobs&n=1000&seed=1&k=3&init=random&init_seed=0",
    "/gmm": "/gmm?dataset=mouse&seed=0&k=3&init=random&init_seed=0",
    "/compare": "/compare?dataset=blobs&n=1000&seed=1&k=3",
}

# The floor of a first frame: a Streamlit app whose one page (at /kmeans, as ours) holds only the
# stage, with the K-means run of OPEN_LINKS["/kmeans"]; written to a temporary folder.
STAGE_ALONE_APP = """
import json, sys
sys.path.insert(0, {root!r})
import streamlit as st
from clustering import datasets, stepper
from clustering.ui import stage

def page():
    X = datasets.make("blobs", n=1000, seed=1).X
    run = stage.ahead(stepper.new_kmeans_run(X[:3].copy()), X)
    panel = stage.kmeans_panel(X, run, curve=[None] * len(run.history))
    body = stage.payload(X, [panel], cursor=0, x_range=(-12.0, 12.0), y_range=(-12.0, 12.0),
                         axis_titles=("x", "y"), hints={{}}, options={{}})
    body["touch"] = {{"drag": False, "edit": False, "added": 0}}
    stage._COMPONENT(key="stage", data={{**body, "panels": json.dumps(body["panels"])}})

st.set_page_config(layout="wide")
st.navigation([st.Page(page, title="K-means", url_path="kmeans")]).run()
"""


def fresh_opens(browser, url: str, repeat: int) -> list[float]:
    """The stage's first frame (``data-ready-at``, from navigation start) in ``repeat`` fresh
    contexts; one visit before, unrecorded, warms the server."""
    times = []
    for i in range(repeat + 1):
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        page.goto(url)
        wait_ready(page)
        if i:
            times.append(float(page.locator(".cl-stage").first.get_attribute("data-ready-at")))
        context.close()
    return times


def part_open(browser, base: str, repeat: int) -> None:
    print("\n## navigation to the stage's first frame, warm server, fresh context (ms)")
    for path, link in OPEN_LINKS.items():
        times = fresh_opens(browser, base + link, repeat)
        print(f"{path}: median {statistics.median(times):.0f} ms "
              f"(min {min(times):.0f}, max {max(times):.0f}; {len(times)} visits)", flush=True)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "stage_alone.py"
        script.write_text(STAGE_ALONE_APP.format(root=str(ROOT)), encoding="utf-8")
        port = free_port()
        server = start_app(port, script=str(script), cwd=Path(folder))
        try:
            times = fresh_opens(browser, f"http://127.0.0.1:{port}/kmeans", repeat)
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"reference, a Streamlit app with the stage alone at /kmeans: median "
          f"{statistics.median(times):.0f} ms (min {min(times):.0f}, max {max(times):.0f}; "
          f"{len(times)} visits)", flush=True)


NAVIGATE_JS = """([path]) => {
    const link = [...document.querySelectorAll('[data-testid=stSidebarNav] a')]
        .find((a) => new URL(a.href).pathname === path);
    const t0 = performance.now();
    link.click();
    return t0;
}"""


def part_navigate(browser, base: str, repeat: int) -> None:
    """In-app navigation: from the Data page, a click on the page's entry in the sidebar to the
    stage's first drawn frame (the app is already loaded; the server runs the new page)."""
    print("\n## in-app navigation (sidebar link) to the stage's first frame, warm server (ms)")
    for path in OPEN_LINKS:
        times = []
        for i in range(repeat + 1):
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            page.goto(base + "/data")
            page.locator("[data-testid=stSidebarNav] a").first.wait_for()
            page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                                   "?.getAttribute('data-test-script-state') === 'notRunning'")
            page.wait_for_timeout(500)
            clicked = float(page.evaluate(NAVIGATE_JS, [path]))
            wait_ready(page)
            ready = float(page.locator(".cl-stage").get_attribute("data-ready-at"))
            if i:
                times.append(ready - clicked)
            context.close()
        print(f"{path}: median {statistics.median(times):.0f} ms (min {min(times):.0f}, max "
              f"{max(times):.0f}; {len(times)} navigations)", flush=True)


def part_run(browser, base: str, pid: int) -> None:
    print("\n## Run to convergence, GMM mouse run, normal speed: server CPU")
    for link in ("/gmm?dataset=mouse&seed=0&k=3&init=random&init_seed=0",
                 "/gmm?dataset=mouse&seed=0&k=3&init=kmeans&init_seed=0"):
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        page.goto(base + link)
        wait_ready(page)
        page.wait_for_timeout(1500)
        last = int(page.locator(".cl-stage").evaluate("(el) => el.__stage.last"))
        idle_start = cpu_seconds(pid)
        time.sleep(10)
        idle_rate = (cpu_seconds(pid) - idle_start) / 10  # the server doing nothing, per second
        before = cpu_seconds(pid)
        started = time.time()
        page.get_by_role("button", name="Run to convergence", exact=True).click()
        settled_at(page, last, timeout=600_000)
        page.wait_for_timeout(300)
        wall = time.time() - started
        used = cpu_seconds(pid) - before
        print(f"{link}: {last} half-steps played in {wall:.1f} s; server CPU {used:.2f} s "
              f"(idle, the same time with no page acting: {idle_rate * wall:.2f} s)", flush=True)
        context.close()


def part_sessions(browser, base: str, pid: int, sessions: int, rapid: bool = False) -> None:
    """Six half-steps per session: with a pause after each (each one reported, one rerun per
    half-step), or ``rapid`` (→ every 120 ms, so the stage reports once, at the end)."""
    how = "→ every 120 ms, one pause at the end" if rapid else "a pause after each"
    print(f"\n## {sessions} sessions on /kmeans (N = 1,000), six half-steps each by →, {how}")
    link = "/kmeans?dataset=blobs&n=1000&seed=1&k=3&init=random&init_seed=0"
    contexts, pages = [], []
    for _ in range(sessions):
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.goto(base + link)
        contexts.append(context)
        pages.append(page)
    for page in pages:
        wait_ready(page, 300_000)
    time.sleep(3)
    before = cpu_seconds(pid)
    memory_before = resident_mb(pid)
    steps = 6
    if rapid:
        for page in pages:  # each page presses → six times, 120 ms apart, on its own clock
            page.evaluate(
                """([steps]) => { for (let i = 0; i < steps; i++) setTimeout(() => document.dispatchEvent(
                    new KeyboardEvent('keydown', {key: 'ArrowRight'})), 120 * i); }""", [steps])
        for page in pages:
            settled_at(page, steps, timeout=300_000)
        time.sleep(0.6)
    for step in range(1, steps + 1) if not rapid else ():
        for page in pages:  # all at (nearly) the same instant
            page.evaluate("() => document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'}))")
        for page in pages:
            settled_at(page, step, timeout=300_000)
        time.sleep(0.6)
    used = cpu_seconds(pid) - before
    print(f"server CPU {used:.2f} s for {sessions * steps} half-steps: "
          f"{1000 * used / (sessions * steps):.1f} ms per half-step; server memory "
          f"{memory_before:.0f} MB before the half-steps, {resident_mb(pid):.0f} MB after", flush=True)
    for context in contexts:
        context.close()


def reference_sessions(browser, sessions: int, rapid: bool) -> None:
    """The sessions part again on a second server with ``runner.postScriptGC`` on (Streamlit's
    default: gc.collect(2) after every script run, fragment reruns included)."""
    port = free_port()
    os.environ["STREAMLIT_RUNNER_POST_SCRIPT_GC"] = "true"
    try:
        server = start_app(port)
    finally:
        del os.environ["STREAMLIT_RUNNER_POST_SCRIPT_GC"]
    try:
        print("\n(reference: the same server with runner.postScriptGC = true)")
        part_sessions(browser, f"http://127.0.0.1:{port}", server.pid, sessions, rapid)
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("step", "open", "run", "sessions"), action="append")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rapid", action="store_true", help="sessions: → every 120 ms")
    parser.add_argument("--gc-reference", action="store_true",
                        help="sessions: also on a server with Streamlit's default full garbage "
                             "collection after every script run (the app's config turns it off)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 20_000])
    args = parser.parse_args()
    parts = args.only or ["step", "open", "run", "sessions"]
    repeat = 5 if args.quick else args.repeat
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_app(port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm = browser.new_page()  # the router first, then a visit: a warm server
            warm.goto(base + "/")
            warm.goto(base + "/gmm?dataset=mouse&seed=0&k=3&init=random&init_seed=0")
            wait_ready(warm)
            warm.close()
            if "step" in parts:
                part_step(browser, base, args.sizes, repeat)
            if "open" in parts:
                part_open(browser, base, 5 if args.quick else 7)
                part_navigate(browser, base, 5 if args.quick else 7)
            if "run" in parts:
                part_run(browser, base, server.pid)
            if "sessions" in parts:
                part_sessions(browser, base, server.pid, 8 if args.quick else args.sessions, args.rapid)
                if args.gc_reference:
                    reference_sessions(browser, 8 if args.quick else args.sessions, args.rapid)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
