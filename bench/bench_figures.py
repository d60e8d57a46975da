"""What each figure of a click costs the browser: Plotly.newPlot in headless Chromium, no Streamlit.

Run from the repository root:

    python bench/bench_figures.py                 # N = 1,000 and 20,000
    python bench/bench_figures.py --sizes 3000,5000 --repeats 12

Streamlit draws a figure whose spec changed into a new graph div, so every click on E step or
M step costs the browser one ``Plotly.newPlot`` per changed figure. This bench builds the
figures of the K-means and GMM pages after four half-steps on blobs of N points (with
``clustering.plotting``, as the pages do), plus the reference of bench_browser.py (one WebGL
scatter of the N points), and times each in a fresh div of a blank page: from newPlot to the
frame after it has drawn (WebGL paints in that frame). The cases are drawn in turn, round after
round, after one warm-up round; medians are printed. Figures, never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_timing as bt  # noqa: E402
import numpy as np  # noqa: E402
import plotly  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import plotly.io as pio  # noqa: E402

from clustering import datasets, derived, gmm, kmeans, plotting, stepper  # noqa: E402

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
DRAW_JS = """async (figure) => {
  const host = document.getElementById('host');
  host.innerHTML = '';
  const gd = document.createElement('div');
  host.appendChild(gd);
  const started = performance.now();
  await Plotly.newPlot(gd, figure.data, figure.layout, {displaylogo: false});
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const ms = performance.now() - started;
  Plotly.purge(gd);
  return ms;
}"""


def half_steps(run: stepper.Run, X: np.ndarray, count: int) -> stepper.Run:
    for _ in range(count):
        msg = stepper.EStep() if stepper.next_kind(run) == "E" else stepper.MStep()
        run = stepper.step(run, msg, X)
    return run


def spec(figure: go.Figure) -> dict:
    return json.loads(pio.to_json(figure, validate=False))


def reference(X: np.ndarray) -> dict:
    """bench/apps/webgl_scatter.py's figure."""
    labels = np.arange(len(X)) % 3
    figure = go.Figure(go.Scattergl(
        x=X[:, 0], y=X[:, 1], mode="markers",
        marker=dict(color=labels, colorscale=[[0.0, "#1f77b4"], [0.5, "#ff7f0e"], [1.0, "#2ca02c"]],
                    cmin=0, cmax=2, size=5),
    ))
    figure.update_layout(height=560, margin=dict(l=10, r=10, t=10, b=10), showlegend=False)
    return spec(figure)


def page_figures(n: int) -> dict[str, dict]:
    """The figures a click redraws on the K-means and GMM pages (after an M step)."""
    X = datasets.make("blobs", n=n, seed=1).X
    x_range, y_range = plotting.axis_ranges(X)
    indices = plotting.drawn_indices(n)
    run = half_steps(stepper.new_kmeans_run(kmeans.init_centroids(X, 3, "random", seed=0)), X, 4)
    view = derived.kmeans_view(X, run)
    trails = np.array([s.params for s in run.history[: run.cursor + 1] if s.kind != "E"])
    curve = derived.kmeans_objective_curve(X, run)
    figures = {
        "reference: WebGL scatter": reference(X),
        "K-means: main figure": spec(plotting.kmeans_figure(
            X, run.current.params, view.labels, x_range=x_range, y_range=y_range, trails=trails,
            previous=view.previous_centroids, indices=indices)),
        "K-means: J chart": spec(plotting.objective_figure(
            curve, [s.kind for s in run.history], run.cursor)),
    }
    grun = half_steps(stepper.new_gmm_run(gmm.init_params(X, 3, method="kmeans", seed=0)), X, 4)
    gview = derived.gmm_view(X, grun)
    likelihoods, bounds = derived.gmm_curves(X, grun)
    previous = grun.history[grun.cursor - 1].params
    figures["GMM: main figure"] = spec(plotting.gmm_figure(
        X, grun.current.params, gview.resp, x_range, y_range, previous=previous))
    figures["GMM: bound chart"] = spec(plotting.bound_figure(
        likelihoods, bounds, [s.kind for s in grun.history], grun.cursor))
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=lambda s: tuple(int(v) for v in s.split(",")),
                        default=(1_000, 20_000), help="comma-separated N (1000,20000)")
    parser.add_argument("--repeats", type=int, default=8, help="timed draws per figure (8)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    print(f"Plotly.newPlot to the next frame, ms, median of {args.repeats}; {bt.machine_line()}")
    with sync_playwright() as playwright:
        browser = bt.launch_browser(playwright)
        page = browser.new_page(viewport=bt.VIEWPORT)
        page.set_content("<html><body><div id='host' style='width:900px'></div></body></html>")
        page.add_script_tag(path=str(PLOTLY_JS))
        for n in args.sizes:
            figures = page_figures(n)
            times: dict[str, list[float]] = {name: [] for name in figures}
            for round_ in range(args.repeats + 1):
                for name, figure in figures.items():
                    ms = page.evaluate(DRAW_JS, figure)
                    if round_:  # the first round warms up
                        times[name].append(ms)
            reference_ms = statistics.median(times["reference: WebGL scatter"])
            print(f"\nN = {n:,}")
            for name, values in times.items():
                median = statistics.median(values)
                kb = len(json.dumps(figures[name])) / 1024
                print(f"  {name:<26} {median:7.0f} ms  ({median / reference_ms:4.2f} × reference)"
                      f"  {kb:8.0f} KB")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
