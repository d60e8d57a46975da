"""Where a click's time goes in the browser: a CPU profile of one page's main thread.

Run from the repository root:

    python bench/profile_click.py /kmeans?dataset=blobs&n=1000&seed=1&k=3&init=random&init_seed=0
    python bench/profile_click.py --clicks 4 --top 30 "/gmm?dataset=blobs&n=1000&k=3"

Starts ``streamlit run app.py`` on 127.0.0.1, opens the link in headless Chromium, clicks
``E step`` / ``M step`` in turn (after one warm-up click) with Chrome's JavaScript profiler
running (DevTools protocol), and prints the functions and scripts that took the most
self time, summed over the timed clicks, next to the click times from ``browser_timing``.
A tool for finding what to draw less of, not a figure for the issues (bench_browser is).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_timing as bt  # noqa: E402


def self_times(profile: dict) -> tuple[Counter, Counter]:
    """Self time (ms) per function and per script from a CPU profile of the DevTools protocol."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    per_node: Counter = Counter()
    samples, deltas = profile.get("samples", []), profile.get("timeDeltas", [])
    for node_id, delta in zip(samples, deltas, strict=False):
        per_node[node_id] += delta / 1000.0
    functions: Counter = Counter()
    scripts: Counter = Counter()
    for node_id, ms in per_node.items():
        frame = nodes[node_id]["callFrame"]
        url = frame.get("url", "").rsplit("/", 1)[-1] or "(native)"
        name = frame.get("functionName") or "(anonymous)"
        functions[f"{name}  [{url}:{frame.get('lineNumber', 0)}]"] += ms
        scripts[url] += ms
    return functions, scripts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("link", help="the page and query, e.g. /kmeans?dataset=blobs&n=1000")
    parser.add_argument("--clicks", type=int, default=4, help="timed clicks (4)")
    parser.add_argument("--top", type=int, default=25, help="rows to print (25)")
    parser.add_argument("--selector", default=None,
                        help="the main figure's container (default: from the page's path)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    page_name = args.link.lstrip("/").split("?")[0]
    selector = args.selector or f".st-key-{page_name}-figure"
    server = bt.start_server("app.py")
    try:
        with sync_playwright() as playwright:
            browser = bt.launch_browser(playwright)
            tab, _ = bt.open_tab(browser, page_name, server.url + args.link, selector,
                                 ("E step", "M step"))
            bt.click_and_time(tab)  # warm-up
            cdp = tab.context.new_cdp_session(tab.page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 200})
            cdp.send("Profiler.start")
            results = [bt.click_and_time(tab) for _ in range(args.clicks)]
            profile = cdp.send("Profiler.stop")["profile"]
            browser.close()
    finally:
        server.stop()
    for result in results:
        print(f"{result['label']}: end {result['end']:.0f} ms, script finished "
              f"{result['finished']:.0f} ms, first plot {result['first_plot']:.0f} ms, "
              f"{result['messages']} messages, {result['bytes'] / 1024:.0f} KB")
    functions, scripts = self_times(profile)
    total = sum(scripts.values())
    print(f"\nMain-thread self time over {args.clicks} clicks (and the quiet waits): "
          f"{total:.0f} ms, idle included")
    print("\nBy script:")
    for url, ms in scripts.most_common(args.top):
        print(f"  {ms:8.0f} ms  {url}")
    print("\nBy function:")
    for name, ms in functions.most_common(args.top):
        print(f"  {ms:8.0f} ms  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
