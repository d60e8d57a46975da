"""20 students at once: simultaneous sessions stepping K-means, with and without a BLAS limit.

Run from the repository root:

    python bench/bench_sessions.py            # 20 sessions, N = 1,000, 8 rounds per setting
    python bench/bench_sessions.py --quick    # 8 sessions, 3 rounds per setting

Two ``streamlit run app.py`` servers run side by side: one as it comes, one with BLAS and
OpenMP limited to one thread per process (``OMP_NUM_THREADS=1``, ``OPENBLAS_NUM_THREADS=1``,
... in its environment; what threadpoolctl reports for each is printed). Each gets
``--sessions`` browser contexts (one Chromium) on
``/kmeans?dataset=blobs&n=1000&seed=1&k=3&init=random&init_seed=0``.

A round is a classroom moment: every session clicks its next step (``E step`` or ``M step``)
at the same instant (a timer set in each page to one wall-clock time), and the round ends when
every page has redrawn. Rounds alternate between the two servers, so a change in the
machine's load hits both alike. For every click, the time from the click event to the
updated figure (as in bench_browser.py), its median and 95th percentile; and the server's
CPU time per click (from /proc), which does not depend on the browsers sharing the machine.

Mind the machine: here the 20 browsers share the server's cores, which a classroom's laptops
do not; the server's CPU time per click is the number that carries over.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_timing as bt  # noqa: E402

LINK = "/kmeans?dataset=blobs&n={n}&seed=1&k=3&init=random&init_seed=0"
SELECTOR = ".st-key-kmeans-figure"
BUTTONS = ("E step", "M step")
TARGET_P95_MS = 1000
SETTINGS = {"as it comes": {}, "BLAS 1 thread": bt.BLAS_ENV_ONE_THREAD}

# every page clicks its next step at one wall-clock time (Date.now() is the machine's clock)
SCHEDULE_CLICK_JS = """
([at, labels]) => {
  const buttons = [...document.querySelectorAll('button')];
  for (const label of labels) {
    const button = buttons.find((b) => b.innerText.trim() === label && !b.disabled);
    if (button) {
      const before = window.__bench.clicks.length;
      setTimeout(() => button.click(), Math.max(0, at - Date.now()));
      return [label, before];
    }
  }
  return [null, 0];
}
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def blas_threads(env: dict[str, str]) -> str:
    """What threadpoolctl reports in a Python started with ``env`` (as the server is)."""
    code = ("import json, numpy, scipy.linalg, threadpoolctl; print(json.dumps(["
            "(d['internal_api'], d['num_threads']) for d in threadpoolctl.threadpool_info()]))")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env),
                         capture_output=True, text=True, timeout=60)
    pools = json.loads(out.stdout) if out.returncode == 0 else []
    return ", ".join(f"{api} {threads} thread(s)" for api, threads in pools) or out.stderr[-200:]


def open_sessions(browser, server: bt.Server, count: int, n: int) -> list[bt.Tab]:
    """``count`` contexts on the link, loaded concurrently (as a class opening the link)."""
    tabs = []
    for i in range(count):
        context = browser.new_context(viewport=bt.VIEWPORT)
        context.add_init_script(bt.INSTRUMENT_JS)
        page = context.new_page()
        tab = bt.Tab(f"session {i + 1}", context, page, SELECTOR, BUTTONS)
        page.on("websocket", lambda ws, tab=tab: ws.on(
            "framereceived", lambda payload, tab=tab: tab.received.__setitem__(
                0, tab.received[0] + len(payload))))
        page.goto(server.url + LINK.format(n=n), wait_until="commit", timeout=300_000)
        tabs.append(tab)
    for tab in tabs:
        tab.page.evaluate("(s) => { window.__bench.mainSelector = s; }", SELECTOR)
        tab.page.wait_for_selector(f"{SELECTOR} .js-plotly-plot", timeout=300_000)
        bt.wait_idle(tab.page, timeout_ms=300_000)
    return tabs


def round_of_clicks(tabs: list[bt.Tab], delay_ms: int = 600) -> list[dict]:
    """Every session clicks its next step at the same instant; wait until every page is done."""
    at = int(time.time() * 1000) + delay_ms
    scheduled = [tab.page.evaluate(SCHEDULE_CLICK_JS, [at, list(BUTTONS)]) for tab in tabs]
    if any(label is None for label, _ in scheduled):
        raise RuntimeError(f"no enabled step button in some sessions: {scheduled}")
    time.sleep(max(0.0, at / 1000 - time.time()))
    results = []
    for tab, (label, before) in zip(tabs, scheduled):
        tab.page.wait_for_function(
            "([q, before]) => window.__bench.clicks.length > before && window.__bench.settled(q, true)",
            arg=[bt.QUIET_MS, before], timeout=300_000, polling=200,
        )
        result = tab.page.evaluate("() => window.__bench.result(true)")
        result["label"] = label
        results.append(result)
    return results


def summary(clicks: list[dict], cpu: list[float]) -> dict:
    ends = [c["end"] for c in clicks]
    finished = [c["finished"] for c in clicks]
    return {
        "clicks": len(clicks),
        "median_ms": bt.median(ends), "p95_ms": bt.percentile(ends, 95), "max_ms": max(ends),
        "finished_median_ms": bt.median(finished), "finished_p95_ms": bt.percentile(finished, 95),
        "server_cpu_ms_per_click": 1000 * sum(cpu) / max(len(clicks), 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="simultaneous sessions (20)")
    parser.add_argument("--n", type=int, default=1_000, help="points (1000)")
    parser.add_argument("--rounds", type=int, default=8, help="timed rounds per setting (8)")
    parser.add_argument("--quick", action="store_true", help="8 sessions, 3 rounds per setting")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.rounds = 8, 3
    from playwright.sync_api import sync_playwright

    began = time.perf_counter()
    print(f"{args.sessions} simultaneous sessions stepping /kmeans at N = {args.n:,}; "
          f"{bt.machine_line()}")
    servers: dict[str, bt.Server] = {}
    results: dict = {"machine": bt.machine_line(), "settings": {}}
    with sync_playwright() as playwright:
        browser = bt.launch_browser(playwright)
        try:
            tabs = {}
            for name, env in SETTINGS.items():
                print(f"  server '{name}': {blas_threads(env)}")
                servers[name] = bt.start_server("app.py", extra_env=env)
                started = time.perf_counter()
                tabs[name] = open_sessions(browser, servers[name], args.sessions, args.n)
                print(f"    {args.sessions} sessions opened in {time.perf_counter() - started:.0f} s")
                sys.stdout.flush()
            clicks = {name: [] for name in SETTINGS}
            cpu = {name: [] for name in SETTINGS}
            walls = {name: [] for name in SETTINGS}
            for name in SETTINGS:  # warm-up round, not counted
                round_of_clicks(tabs[name])
            for i in range(args.rounds):
                order = list(SETTINGS) if i % 2 == 0 else list(SETTINGS)[::-1]
                for name in order:
                    pid = servers[name].process.pid
                    before, wall = cpu_seconds(pid), time.perf_counter()
                    clicks[name].extend(round_of_clicks(tabs[name]))
                    cpu[name].append(cpu_seconds(pid) - before)
                    walls[name].append(time.perf_counter() - wall)
                print(f"  round {i + 1} of {args.rounds} done ({bt.machine_line()})")
                sys.stdout.flush()
        finally:
            browser.close()
            for server in servers.values():
                server.stop()

    print(f"\nClick to updated figure, {args.sessions} sessions clicking at once, "
          f"{args.rounds} rounds per setting (ms):")
    print(f"  {'setting':<14} {'clicks':>6} {'median':>8} {'p95':>8} {'max':>8} {'target p95':>11}"
          f" {'script med':>11} {'script p95':>11} {'server CPU/click':>17}")
    for name in SETTINGS:
        row = summary(clicks[name], cpu[name])
        results["settings"][name] = {"summary": row, "clicks": clicks[name],
                                     "round_seconds": walls[name]}
        verdict = "ok" if row["p95_ms"] <= TARGET_P95_MS else "NO"
        print(f"  {name:<14} {row['clicks']:>6} {row['median_ms']:>8,.0f} {row['p95_ms']:>8,.0f} "
              f"{row['max_ms']:>8,.0f} {'≤1,000 ' + verdict:>11} {row['finished_median_ms']:>11,.0f}"
              f" {row['finished_p95_ms']:>11,.0f} {row['server_cpu_ms_per_click']:>14,.0f} ms")
    print("  script: click to the script finished, as the page saw it; server CPU/click: the "
          "server process's CPU time in a round / clicks")
    total = time.perf_counter() - began
    print(f"\nTotal {total:.0f} s; {bt.machine_line()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
        print(f"Every measurement: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
