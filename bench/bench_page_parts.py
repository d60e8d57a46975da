"""Where a click's server time goes: the K-means and GMM pages' parts, timed per click.

Run from the repository root:

    python bench/bench_page_parts.py             # N = 1,000, 20,000, 100,000
    python bench/bench_page_parts.py --quick     # N = 1,000 and 20,000, fewer clicks

The browser benchmark (bench_browser.py) times a click end to end; this one says which part
of the page's script the server spends it in. One session per page and N (Streamlit's AppTest
through the real router), opened with the benchmark's link, then ``E step`` / ``M step``
clicked in turn. Every public function of the page's panel module, of ``clustering.plotting``
and of ``clustering.derived``, the stage, ``st.plotly_chart``, the figure
component (``plotly_view.show``), Plotly's ``to_json`` and Streamlit's element functions
(``st.table``, ``st.latex``, ...) are wrapped with a timer (nothing else changes); the script's
whole run is timed too. Times are per click (the median over the clicks of each part's total
in that click); nested calls are counted in each caller too, so the parts add up to more than
the script.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import plotly.io  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from clustering import derived, plotting  # noqa: E402
from clustering.ui import gmm_panels, kmeans_panels, stage  # noqa: E402

APP = str(ROOT / "app.py")
LINKS = {
    "kmeans": ("pages/kmeans.py", kmeans_panels,
               {"dataset": "blobs", "seed": "1", "k": "3", "init": "random", "init_seed": "0"}),
    "gmm": ("pages/gmm.py", gmm_panels,
            {"dataset": "blobs", "seed": "1", "k": "3", "init": "kmeans", "init_seed": "0"}),
}
ST_ELEMENTS = ("table", "latex", "markdown", "caption", "metric", "dataframe", "button", "slider",
               "select_slider", "number_input", "toggle", "info", "warning", "success", "columns",
               "container", "expander", "selectbox", "radio", "data_editor", "download_button",
               "subheader", "write", "html", "title", "header", "text_input", "checkbox",
               "segmented_control", "pills", "popover", "tabs", "divider")
SPENT: dict[str, list[float]] = defaultdict(list)  # name -> seconds, one entry per call


def timed(name: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name].append(time.perf_counter() - started)

    return wrapper


def wrap_module(module, prefix: str) -> None:
    for name, value in list(vars(module).items()):
        if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("__"):
            setattr(module, name, timed(f"{prefix}.{name}", value))


def instrument() -> None:
    for module, prefix in ((kmeans_panels, "kmeans_panels"), (gmm_panels, "gmm_panels"),
                           (plotting, "plotting"), (derived, "derived")):
        wrap_module(module, prefix)
    stage.show = timed("stage.show", stage.show)
    st.plotly_chart = timed("st.plotly_chart (incl. to_json)", st.plotly_chart)
    for name in ST_ELEMENTS:  # Streamlit's own time per kind of element
        setattr(st, name, timed(f"st.{name}", getattr(st, name)))
    plotly.io.to_json = timed("plotly.io.to_json", plotly.io.to_json)


def click_totals() -> dict[str, float]:
    """Seconds spent in every timed name since the last call (one click's totals)."""
    totals = {name: sum(values) for name, values in SPENT.items()}
    SPENT.clear()
    return totals


def measure(page: str, n: int, clicks: int) -> tuple[float, float, dict[str, float]]:
    page_file, _, link = LINKS[page]
    at = AppTest.from_file(APP, default_timeout=600)
    at.switch_page(page_file)
    at.query_params.update({**link, "n": str(n)})
    started = time.perf_counter()
    at.run()
    opened = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    # one untimed click of each kind: the first E step adds the slider and the J chart
    for label in ("E step", "M step"):
        next(b for b in at.button if b.label == label).click().run()
    SPENT.clear()
    runs, parts = [], []
    for _ in range(clicks):
        label = "E step" if not next(b for b in at.button if b.label == "E step").disabled else "M step"
        started = time.perf_counter()
        next(b for b in at.button if b.label == label).click().run()
        runs.append(time.perf_counter() - started)
        parts.append(click_totals())
        if at.exception:
            raise RuntimeError(at.exception[0].message)
    names = {name for totals in parts for name in totals}
    medians = {name: statistics.median(totals.get(name, 0.0) for totals in parts) for name in names}
    return opened, statistics.median(runs), medians


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=lambda s: tuple(int(v) for v in s.split(",")),
                        default=(1_000, 20_000, 100_000))
    parser.add_argument("--clicks", type=int, default=6, help="timed clicks per page and N (6)")
    parser.add_argument("--top", type=int, default=12, help="parts to list per page and N (12)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.clicks = (1_000, 20_000), 4
    instrument()
    warm = AppTest.from_file(APP, default_timeout=600)  # imports, outside the timings
    warm.switch_page("pages/kmeans.py")
    warm.run()
    for n in args.sizes:
        for page in LINKS:
            opened, script, parts = measure(page, n, args.clicks)
            print(f"\n/{page}, N = {n:,}: the whole script {1000 * script:,.0f} ms per click "
                  f"(median of {args.clicks}; the page opened in {opened:.1f} s)")
            for name, seconds in sorted(parts.items(), key=lambda kv: -kv[1])[: args.top]:
                print(f"  {1000 * seconds:8,.1f} ms  {100 * seconds / script:5.1f}%  {name}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
