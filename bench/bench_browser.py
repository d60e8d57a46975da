"""Click on `E step` / `M step` to the updated figure, in headless Chromium, against two references.

Run from the repository root:

    python bench/bench_browser.py            # N = 1,000, 20,000, 100,000 (and 1,000,000 if time is left)
    python bench/bench_browser.py --quick    # a short run: N = 1,000 and 20,000, 3 clicks each

What it does, all on 127.0.0.1:

1. Cold start: ``streamlit run app.py`` from a fresh process to the first rendered page (the
   Home page), and to a first K-means page at N = 1,000 (the first visit imports Plotly & co.).
2. Starts three servers: the real ``app.py`` and two bare reference apps (``bench/apps``): a
   button round trip (``bare_button.py``) and a button that redraws one Plotly WebGL scatter of
   all N points (``webgl_scatter.py``).
3. For each N opens four sessions (one browser context each): ``/kmeans`` and ``/gmm`` on blobs
   of N points (K = 3), the WebGL reference at N and the bare button; clicks them in turn,
   round after round (so a change in the machine's load hits every case alike), after a few
   warm-up clicks that are not counted.

A click's time starts at the click event inside the page and ends when the script has
finished and the main figure has redrawn (``plotly_afterplot``); see ``browser_timing``.
Prints the medians and the ratio of each page to the WebGL reference at the same N.
Figures, never pass/fail: the issue's targets are printed next to them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_timing as bt  # noqa: E402

SIZES = (1_000, 20_000, 100_000, 1_000_000)
LARGEST = 1_000_000  # run only when the time budget allows (or when asked with --sizes)
MIN_REPEATS = 5  # a loaded machine gets fewer timed clicks at the larger N, never fewer than this
KMEANS_LINK = "/kmeans?dataset=blobs&n={n}&seed=1&k=3&init=random&init_seed=0"
GMM_LINK = "/gmm?dataset=blobs&n={n}&seed=1&k=3&init=kmeans&init_seed=0"
STEP_BUTTONS = ("E step", "M step")
# the targets: page / WebGL reference, median
TARGETS = {
    "kmeans": {1_000: 1.25, 20_000: 1.25, 100_000: 1.0, 1_000_000: 1.0},
    "gmm": {1_000: 1.3, 20_000: 1.3, 100_000: 1.0, 1_000_000: 1.0},
}
CASES = ("kmeans", "gmm", "webgl", "bare")
CASE_NAMES = {
    "kmeans": "K-means page",
    "gmm": "GMM page",
    "webgl": "ref: WebGL scatter",
    "bare": "ref: bare button",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a short run: N = 1,000 and 20,000, 3 clicks, 1 cold start")
    parser.add_argument("--sizes", type=lambda s: tuple(int(v) for v in s.split(",")),
                        help="comma-separated N (default 1000,20000,100000 and 1000000 if time is left)")
    parser.add_argument("--repeats", type=int, default=10, help="timed clicks per case and N (10)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed clicks per case first (1)")
    parser.add_argument("--large-repeats", type=int, default=4,
                        help=f"timed clicks per case at N = {LARGEST:,} (4)")
    parser.add_argument("--cold-starts", type=int, default=3, help="cold starts to time (3; 0: none)")
    parser.add_argument("--budget", type=float, default=540,
                        help="seconds for the whole run: fewer clicks at larger N when short, "
                             "N = 1,000,000 only if it fits (540)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or (1_000, 20_000)
        args.repeats, args.warmup, args.cold_starts, args.large_repeats = 3, 1, 1, 2
    return args


# --------------------------------------------------------------------------------------
# Cold start
# --------------------------------------------------------------------------------------


def cold_start(browser) -> tuple[dict, bt.Server]:
    """Seconds from starting ``streamlit run app.py`` to: its health check answering, the
    first page rendered (Home), a first K-means page at N = 1,000 rendered. The server is
    returned running."""
    server = bt.start_server("app.py")
    context = browser.new_context(viewport=bt.VIEWPORT)
    context.add_init_script(bt.INSTRUMENT_JS)
    page = context.new_page()
    rendered = ("(sel) => document.querySelector(sel) && window.__bench"
                " && document.querySelector('[data-testid=stApp]')"
                ".getAttribute('data-test-script-state') === 'notRunning'")
    page.goto(server.url + "/", timeout=120_000)
    page.wait_for_function(rendered, arg="[data-testid=stMain] h1", timeout=120_000, polling=50)
    home = time.perf_counter() - server.started
    bt.wait_idle(page)
    began = time.perf_counter()
    page.goto(server.url + KMEANS_LINK.format(n=1000), timeout=120_000)
    page.wait_for_function(bt.FIGURE_DRAWN_JS, arg=".st-key-kmeans-figure", timeout=120_000,
                           polling=50)
    page.wait_for_function(rendered, arg=".st-key-kmeans-figure", timeout=120_000, polling=50)
    kmeans = time.perf_counter() - began
    context.close()
    return {"health": server.healthy_after, "home": home, "first_kmeans": kmeans}, server


# --------------------------------------------------------------------------------------
# Clicks
# --------------------------------------------------------------------------------------


def open_cases(browser, servers: dict[str, bt.Server], n: int) -> tuple[dict[str, bt.Tab], dict]:
    specs = {
        "kmeans": (servers["app"].url + KMEANS_LINK.format(n=n), ".st-key-kmeans-figure",
                   STEP_BUTTONS, True),
        "gmm": (servers["app"].url + GMM_LINK.format(n=n), ".st-key-gmm-figure",
                STEP_BUTTONS, True),
        "webgl": (servers["webgl"].url + f"/?n={n}", ".st-key-figure", ("Redraw",), True),
        "bare": (servers["bare"].url + "/", ".st-key-count", ("Click",), False),
    }
    tabs, opened = {}, {}
    for case, (url, selector, buttons, figure) in specs.items():
        tabs[case], opened[case] = bt.open_tab(browser, case, url, selector, buttons, figure)
    return tabs, opened


def measure_size(browser, servers, n: int, repeats: int, warmup: int) -> dict:
    tabs, opened = open_cases(browser, servers, n)
    try:
        for _ in range(warmup):
            for tab in tabs.values():
                bt.click_and_time(tab)
        clicks = {case: [] for case in CASES}
        for _ in range(repeats):
            for case, tab in tabs.items():
                clicks[case].append(bt.click_and_time(tab))
    finally:
        for tab in tabs.values():
            tab.close()
    return {"n": n, "opened": opened, "clicks": clicks}


def summarise(result: dict) -> dict[str, dict]:
    """Median numbers per case, and the ratio of each page to the WebGL reference."""
    rows = {}
    for case, clicks in result["clicks"].items():
        ends = [c["end"] for c in clicks]
        rows[case] = {
            "median_ms": bt.median(ends),
            "e_median_ms": bt.median([c["end"] for c in clicks if c["label"] == "E step"]),
            "m_median_ms": bt.median([c["end"] for c in clicks if c["label"] == "M step"]),
            "finished_ms": bt.median([c["finished"] for c in clicks]),
            "first_plot_ms": bt.median([c["first_plot"] for c in clicks]),
            "kb": bt.median([c["bytes"] for c in clicks]) / 1024,
            "messages": bt.median([c["messages"] for c in clicks]),
            "drawn": bt.median([c["drawn"] for c in clicks]),
            "missed": sum(1 for c in clicks if case != "bare" and not c["redraws"]),
            "recreated": sum(1 for c in clicks if c.get("recreated")),
            "count": len(clicks),
            "opened_s": result["opened"][case],
        }
    reference = rows["webgl"]["median_ms"]
    for case in CASES:
        rows[case]["ratio"] = rows[case]["median_ms"] / reference
    return rows


def fmt_ms(value: float) -> str:
    return "—" if value != value else f"{value:,.0f}"


def print_size(n: int, rows: dict[str, dict]) -> None:
    print(f"\nN = {n:,}  ({bt.machine_line()})")
    print(f"  {'case':<20} {'median':>8} {'E step':>8} {'M step':>8} {'ratio':>6} {'target':>7}"
          f" {'script':>7} {'1st fig':>8} {'KB/click':>9} {'msgs':>5} {'drawn':>9} {'new div':>7}"
          f" {'open s':>7}")
    for case in CASES:
        row = rows[case]
        target = TARGETS.get(case, {}).get(n)
        mark = "" if target is None else (f"≤{target:g} " + ("ok" if row["ratio"] <= target else "NO"))
        e, m = (row["e_median_ms"], row["m_median_ms"]) if case in ("kmeans", "gmm") else (
            float("nan"), float("nan"))
        drawn = "—" if row["drawn"] != row["drawn"] else f"{row['drawn']:,.0f}"
        print(f"  {CASE_NAMES[case]:<20} {fmt_ms(row['median_ms']):>8} {fmt_ms(e):>8} "
              f"{fmt_ms(m):>8} {row['ratio']:>6.2f} {mark:>7} {fmt_ms(row['finished_ms']):>7} "
              f"{fmt_ms(row['first_plot_ms']):>8} {row['kb']:>9,.1f} {row['messages']:>5.0f} "
              f"{drawn:>9} {row['recreated']:>3}/{row['count']:<3} {row['opened_s']:>7.1f}")
        if row["missed"]:
            print(f"    ! {row['missed']} of {row['count']} clicks saw no redraw of the main figure")
    sys.stdout.flush()


def print_legend(repeats: int, warmup: int) -> None:
    print(f"\nClick to updated figure, ms, median of {repeats} timed clicks per case after {warmup} "
          "warm-up clicks (E and M alternate on the pages).\n"
          "  ratio: median / the WebGL reference's median at the same N (target: issues 5, 6, 8)\n"
          "  script: click to the script finished; 1st fig: click to the figure's first redraw\n"
          "  KB/click: websocket bytes received; msgs: websocket messages (one per element sent)\n"
          "  drawn: points in the main figure's WebGL traces; new div: clicks after which the main\n"
          "  figure's graph div was a new one (re-created, not updated); open s: loading the page, s")


def main(argv=None) -> int:
    args = parse_args(argv)
    from playwright.sync_api import sync_playwright

    began = time.perf_counter()
    sizes = args.sizes or SIZES
    forced_largest = args.sizes is not None and LARGEST in args.sizes
    results: dict = {"machine": bt.machine_line(), "cold_start": [], "sizes": {}}
    servers: dict[str, bt.Server] = {}
    print(f"Clustering Lab browser benchmark; {bt.machine_line()}")
    with sync_playwright() as playwright:
        browser = bt.launch_browser(playwright)
        try:
            server = None
            if args.cold_starts:
                print(f"\nCold start of `streamlit run app.py` (seconds, {args.cold_starts} run(s)):")
            for i in range(args.cold_starts):
                numbers, server = cold_start(browser)
                results["cold_start"].append(numbers)
                print(f"  run {i + 1}: server answering {numbers['health']:.1f} s, first page "
                      f"rendered {numbers['home']:.1f} s, then a first K-means page (N = 1,000) "
                      f"{numbers['first_kmeans']:.1f} s")
                sys.stdout.flush()
                if i < args.cold_starts - 1:
                    server.stop()
            cold = results["cold_start"]
            if cold:
                print(f"  median: server answering {bt.median([c['health'] for c in cold]):.1f} s, "
                      f"first page rendered {bt.median([c['home'] for c in cold]):.1f} s")
            servers["app"] = server or bt.start_server("app.py")
            servers["webgl"] = bt.start_server("bench/apps/webgl_scatter.py")
            servers["bare"] = bt.start_server("bench/apps/bare_button.py")
            print_legend(args.repeats, args.warmup)

            previous = None  # (n, seconds per round of clicks, seconds to open) of the last N
            for n in sizes:
                wanted = args.large_repeats if n >= LARGEST else args.repeats
                repeats = wanted
                if previous is not None:
                    spent = time.perf_counter() - began
                    # a round (one click of each case) took longer by about sqrt(N ratio) here
                    growth = (n / previous[0]) ** 0.5
                    per_round, opening = previous[1] * growth, previous[2] * growth
                    fits = int((args.budget - spent - opening) / per_round) - args.warmup
                    if n >= LARGEST and not forced_largest and fits < wanted:
                        print(f"\nN = {n:,} skipped: about {opening + per_round * (wanted + args.warmup):.0f} s "
                              f"more would pass the {args.budget:.0f} s budget ({spent:.0f} s spent). "
                              f"Ask for it with --sizes {n}.")
                        continue
                    repeats = max(min(wanted, fits), MIN_REPEATS)
                    if repeats < wanted:
                        print(f"\n(N = {n:,}: {repeats} timed clicks per case instead of {wanted}, "
                              f"to stay near the {args.budget:.0f} s budget)")
                started = time.perf_counter()
                result = measure_size(browser, servers, n, repeats, args.warmup)
                opening = sum(result["opened"].values())
                per_round = (time.perf_counter() - started - opening) / (repeats + args.warmup)
                previous = (n, per_round, opening)
                rows = summarise(result)
                results["sizes"][n] = {"summary": rows, "clicks": result["clicks"],
                                       "opened": result["opened"], "repeats": repeats}
                print_size(n, rows)
        finally:
            browser.close()
            for server in servers.values():
                server.stop()

    print("\nSummary: page / WebGL reference (median click to updated figure)")
    print(f"  {'N':>10} {'K-means':>9} {'GMM':>9} {'WebGL ref ms':>13} {'bare ref ms':>12}")
    for n, size in results["sizes"].items():
        rows = size["summary"]
        print(f"  {n:>10,} {rows['kmeans']['ratio']:>9.2f} {rows['gmm']['ratio']:>9.2f} "
              f"{fmt_ms(rows['webgl']['median_ms']):>13} {fmt_ms(rows['bare']['median_ms']):>12}")
    total = time.perf_counter() - began
    print(f"\nTotal {total:.0f} s; {bt.machine_line()}")
    if args.json:
        results["seconds"] = total
        args.json.write_text(json.dumps(results, indent=1, default=str))
        print(f"Every measurement: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
