"""Where a half-step's time goes in the browser: a CPU profile of one page's main thread.

Run from the repository root:

    python bench/profile_click.py /kmeans?dataset=blobs&n=1000&seed=1&k=3&init=random&init_seed=0
    python bench/profile_click.py --clicks 4 --top 30 "/gmm?dataset=blobs&n=1000&k=3"

Starts ``streamlit run app.py`` on 127.0.0.1, opens the link in headless Chromium, presses
the stage's → (after one warm-up press) with Chrome's JavaScript profiler running (DevTools
protocol), each press timed from the key to the first painted frame after ``data-cursor``
changed (as bench_stage.py), then waits for the page to settle (the stage's report and the
server's fragment rerun are in the profile too). Prints the functions and scripts that took
the most self time, summed over the timed presses. A tool for finding what to draw less of
(stage.js's drawAt, Streamlit's rerun), not a figure for the issues (bench_stage.py is).
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
    parser.add_argument("--clicks", type=int, default=4, help="timed presses of → (4)")
    parser.add_argument("--top", type=int, default=25, help="rows to print (25)")
    args = parser.parse_args(argv)
    import bench_stage  # the key's timing and the settled wait
    from playwright.sync_api import sync_playwright

    server = bt.start_server("app.py")
    try:
        with sync_playwright() as playwright:
            browser = bt.launch_browser(playwright)
            context = browser.new_context(viewport=bt.VIEWPORT)
            page = context.new_page()
            page.goto(server.url + "/")
            page.goto(server.url + args.link)
            bench_stage.wait_ready(page)
            bench_stage.settle_quiet(page)

            def press() -> float:
                ms = page.evaluate(bench_stage.STAGE_TIME_JS, ["key"])
                page.wait_for_timeout(400)  # the animation, then the report
                bench_stage.settle_quiet(page)
                return ms

            press()  # warm-up
            cdp = context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 200})
            cdp.send("Profiler.start")
            results = [press() for _ in range(args.clicks)]
            profile = cdp.send("Profiler.stop")["profile"]
            browser.close()
    finally:
        server.stop()
    for i, ms in enumerate(results, 1):
        print(f"→ {i}: first painted frame of the next half-step after {ms:.1f} ms")
    functions, scripts = self_times(profile)
    total = sum(scripts.values())
    print(f"\nMain-thread self time over {args.clicks} presses (and the quiet waits): "
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
