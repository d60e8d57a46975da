"""Where the server's time goes: the K-means and GMM pages' parts, on opening and per half-step.

Run from the repository root:

    python bench/bench_page_parts.py             # N = 1,000, 20,000, 100,000
    python bench/bench_page_parts.py --quick     # N = 1,000 and 20,000, fewer clicks

The browser benchmark (bench_stage.py) times a half-step and the page's opening end to end;
this one says which part of the page's script the server spends them in. One session per page
and N (Streamlit's AppTest through the real router), opened with the benchmark's link (the
first run's parts are printed too), then the stage's ``E step`` / ``M step`` pressed in turn
as the browser's stage reports them (``conftest.stage_button``: the stored run's cursor moves,
the page reruns; in the browser only the page's cursor fragment reruns, AppTest runs it all).
Every public function of the page's panel module, of ``clustering.plotting``
and of ``clustering.derived``, the stage (``stage.show``), ``st.plotly_chart``,
Plotly's ``to_json`` and Streamlit's element functions
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
sys.path.insert(0, str(ROOT / "tests"))

import plotly.io  # noqa: E402
import streamlit as st  # noqa: E402
from conftest import stage_button  # noqa: E402
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


def measure(page: str, n: int, clicks: int) -> tuple[float, float, dict[str, float], dict[str, float]]:
    page_file, _, link = LINKS[page]
    at = AppTest.from_file(APP, default_timeout=600)
    at.switch_page(page_file)
    at.query_params.update({**link, "n": str(n)})
    SPENT.clear()
    started = time.perf_counter()
    at.run()
    opened = time.perf_counter() - started
    first = click_totals()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    pages = (page,)
    # one untimed press of each kind
    for label in ("E step", "M step"):
        stage_button(at, label, pages).click().run()
    SPENT.clear()
    runs, parts = [], []
    for _ in range(clicks):
        label = "E step" if not stage_button(at, "E step", pages).disabled else "M step"
        started = time.perf_counter()
        stage_button(at, label, pages).click().run()
        runs.append(time.perf_counter() - started)
        parts.append(click_totals())
        if at.exception:
            raise RuntimeError(at.exception[0].message)
    names = {name for totals in parts for name in totals}
    medians = {name: statistics.median(totals.get(name, 0.0) for totals in parts) for name in names}
    return opened, statistics.median(runs), medians, first


def load_line() -> str:
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


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
            opened, script, parts, first = measure(page, n, args.clicks)
            print(f"\n/{page}, N = {n:,}: the page's first run {1000 * opened:,.0f} ms "
                  f"({load_line()})")
            for name, seconds in sorted(first.items(), key=lambda kv: -kv[1])[: args.top]:
                print(f"  {1000 * seconds:8,.1f} ms  {100 * seconds / opened:5.1f}%  {name}")
            print(f"/{page}, N = {n:,}: the whole script {1000 * script:,.0f} ms per half-step "
                  f"(median of {args.clicks})")
            for name, seconds in sorted(parts.items(), key=lambda kv: -kv[1])[: args.top]:
                print(f"  {1000 * seconds:8,.1f} ms  {100 * seconds / script:5.1f}%  {name}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
