"""Every Plotly figure has a text alternative that says what is on it (issue 16).

Each page is opened through the router (with the expander, toggle or click that makes its
chart appear); every ``st.plotly_chart`` on it must come right after a visually hidden
paragraph (clustering.ui.figures.ALT_CLASS), and that paragraph must name the chart's key
numbers, checked against what the page shows elsewhere (its metrics, its text, its session).
"""

from __future__ import annotations

import html
import re

import pytest
from conftest import ROOT, open_page, shown_figure, stage_button
from streamlit.testing.v1 import AppTest

from clustering.ui.figures import ALT_CLASS
from clustering.ui.numbers import fmt

KMEANS_LINK = {"dataset": "blobs", "n": "300", "seed": "1", "k": "3", "init": "random", "init_seed": "0"}
MOUSE_LINK = {"dataset": "mouse", "seed": "0", "k": "3", "init": "kmeans", "init_seed": "0"}
ALT = re.compile(rf'<p class="{ALT_CLASS}"[^>]*>(.*?)</p>', re.S)


def _leaves(node, out: list) -> list:
    """The page's elements in the order they are drawn (depth first through its blocks)."""
    children = getattr(node, "children", None)
    if children is None:
        out.append(node)
        return out
    for index in sorted(children):
        _leaves(children[index], out)
    return out


def charts_with_alt(at: AppTest) -> dict[str, str | None]:
    """Each plotly chart's key -> the text alternative drawn right before it (None: none)."""
    leaves = _leaves(at.main, [])
    found: dict[str, str | None] = {}
    for index, element in enumerate(leaves):
        if element.type != "plotly_chart":
            continue
        key = element.proto.id.split("-", 2)[-1]
        before = leaves[index - 1] if index else None
        match = ALT.search(before.proto.body) if before is not None and before.type == "html" else None
        found[key] = html.unescape(match.group(1)) if match else None
    return found


def all_alts(at: AppTest, expected_keys: set[str]) -> dict[str, str]:
    """The page drew (at least) the expected charts, and every chart it drew has an alt."""
    found = charts_with_alt(at)
    assert expected_keys <= set(found), f"charts drawn: {sorted(found)}"
    missing = sorted(key for key, alt in found.items() if not alt)
    assert not missing, f"plotly charts without a text alternative: {missing}"
    return found


def texts(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def metric(at: AppTest, label: str) -> str:
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return str(found[0].value)


def click(at: AppTest, label: str) -> None:
    found = [b for b in at.button if b.label == label and not b.disabled]
    assert found, f"no enabled button {label!r}; have {[b.label for b in at.button]}"
    found[0].click().run()
    assert not at.exception, at.exception


# --------------------------------------------------------------------------------------
# The helper itself can fail
# --------------------------------------------------------------------------------------


def _bare_chart_script():
    import plotly.graph_objects as go
    import streamlit as st

    from clustering.ui.figures import show_figure

    show_figure(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), "Two points: (1, 3) and (2, 4).", key="with_alt")
    st.plotly_chart(go.Figure(go.Scatter(x=[1], y=[1])), key="bare")


def test_a_chart_without_alt_is_found():
    at = AppTest.from_function(_bare_chart_script, default_timeout=60).run()
    assert not at.exception, at.exception
    found = charts_with_alt(at)
    assert found == {"with_alt": "Two points: (1, 3) and (2, 4).", "bare": None}
    with pytest.raises(AssertionError, match="without a text alternative: \\['bare'\\]"):
        all_alts(at, {"with_alt"})


def test_the_alt_is_escaped_and_hidden_not_removed():
    from clustering.ui.figures import alt_html

    body = alt_html('File "<b>x</b>.csv": 3 points')
    assert "<b>" not in body and "&lt;b&gt;" in body
    # the clip pattern: off screen but in the accessibility tree (never display:none)
    assert "clip:rect(0,0,0,0)" in body and "position:absolute" in body
    assert "display:none" not in body and "visibility:hidden" not in body and "aria-hidden" not in body


# --------------------------------------------------------------------------------------
# Every page
# --------------------------------------------------------------------------------------


def test_data_page_preview_names_the_data_set_and_n():
    at = open_page("pages/data.py", {"dataset": "blobs", "n": "300", "seed": "1"})
    alt = all_alts(at, {"data.preview"})["data.preview"]
    assert metric(at, "N, points") == "300"
    assert "blobs" in alt and "N = 300 points" in alt, alt
    layout = shown_figure(at, "data.preview")["layout"]
    x_title, y_title = layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]
    assert f"{x_title} against {y_title}" in alt, alt


def test_kmeans_selection_charts_say_their_values_and_best_k():
    at = open_page("pages/kmeans.py", KMEANS_LINK)
    at.session_state["kmeans.open.selection"] = True
    at.run()
    assert not at.exception, at.exception
    alts = all_alts(at, {"kmeans.selection_elbow", "kmeans.selection_silhouette"})
    elbow, silhouette = alts["kmeans.selection_elbow"], alts["kmeans.selection_silhouette"]
    assert "from K = 1 to " in elbow, elbow
    assert elbow.count("J = ") >= 2 and "the page's K = 3" in elbow, elbow
    best = re.search(r"★ highest: K = (\d+)", texts(at)).group(1)  # what the page says above it
    assert f"highest at K = {best}" in silhouette, silhouette


def test_kmeans_restarts_histogram_says_best_and_worst():
    at = open_page("pages/kmeans.py", {"dataset": "uniform", "n": "500", "seed": "0", "k": "5",
                                       "init": "random", "init_seed": "0"})
    click(at, "Run 20 restarts")
    alt = all_alts(at, {"kmeans.restarts_chart"})["kmeans.restarts_chart"]
    _, result = at.session_state["kmeans.restarts"]
    assert "20 restarts" in alt and "K = 5" in alt, alt
    assert f"best J = {fmt(result.best_objective)} (seed {result.best_seed})" in alt, alt
    assert f"the worst at {fmt(float(result.final_objectives.max()))}" in alt, alt


def test_manual_placement_plot_says_how_many_are_placed():
    at = open_page("pages/kmeans.py", {"dataset": "blobs", "n": "200", "seed": "0", "k": "3",
                                       "init": "manual"})
    at.session_state["kmeans.manual.points"] = ((1.5, -2.0), (None, None), (None, None))
    at.run()
    assert not at.exception, at.exception
    alt = all_alts(at, {"kmeans.manual.chart"})["kmeans.manual.chart"]
    assert "N = 200 data points" in alt and "1 of 3 centroids placed" in alt, alt
    assert "u₁ at (1.5, -2)" in alt, alt


def test_gmm_storyboard_and_bic_chart():
    at = open_page("pages/gmm.py", MOUSE_LINK)
    at.toggle(key="gmm.show_story").set_value(True).run()
    at.session_state["gmm.open.selection"] = True
    at.run()
    assert not at.exception, at.exception
    alts = all_alts(at, {"gmm.storyboard", "gmm.selection_criteria"})
    story = alts["gmm.storyboard"]
    panels = int(re.search(r"(\d+) panels", story).group(1))
    assert panels >= 2 and story.count("ℓ = ") == panels and "K = 3 components" in story, story
    n = re.search(r"N = ([\d,]+) points", story).group(1)
    assert f"N = {n}" in at.sidebar.text[0].value, (n, at.sidebar.text[0].value)
    criteria = alts["gmm.selection_criteria"]
    best = re.search(r"BIC is smallest at \*\*K = (\d+)\*\*", texts(at)).group(1)
    assert f"BIC smallest at K = {best}" in criteria and criteria.count("BIC = ") >= 2, criteria


def test_compare_limit_figure_says_sigma_and_distance_from_kmeans():
    at = open_page("pages/compare.py", MOUSE_LINK)
    at.session_state["compare.open.sigma"] = True
    at.run()
    assert not at.exception, at.exception
    alt = all_alts(at, {"compare.limit_figure"})["compare.limit_figure"]
    shown = re.search(r"max \|γ − one-hot\(K-means labels\)\| = (\S+)", texts(at)).group(1)
    assert f"= {shown}." in alt and "K = 3 means" in alt and "σ = " in alt, alt


def test_generative_figure_says_n_k_and_counts():
    at = open_page("pages/generative.py")
    alt = all_alts(at, {"generative.figure"})["generative.figure"]
    n = int(at.number_input(key="generative.n").value)  # the page's "Points N"
    k = int(at.number_input(key="generative.k").value)  # its "Components K"
    match = re.search(r"N = ([\d,]+) points sampled from a mixture of K = (\d+) Gaussians.*\(([\d, ]+) points\)", alt)
    assert match, alt
    counts = [int(c) for c in match.group(3).split(", ")]
    assert int(match.group(1).replace(",", "")) == n and int(match.group(2)) == k, alt
    assert len(counts) == k and sum(counts) == n, alt


def test_exact_1d_number_line_says_both_js():
    at = AppTest.from_file(str(ROOT / "pages/exact-1d.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    alt = all_alts(at, {"exact-1d.figure"})["exact-1d.figure"]  # the stuck line: both rows
    lloyd = float(metric(at, "J of Lloyd's answer").replace(",", ""))
    optimum = float(metric(at, "J of the global optimum").replace(",", ""))
    shown = [float(v.replace(",", "")) for v in re.findall(r"J = ([\d.,]+)\.", alt)]
    assert len(shown) == 2 and shown == pytest.approx([lloyd, optimum], rel=1e-2), alt
    sizes = re.findall(r"clusters of ([\d, ]+) points", alt)
    n = int(re.search(r"N = ([\d,]+) points", alt).group(1).replace(",", ""))
    assert len(sizes) == 2 and all(sum(int(s) for s in part.split(", ")) == n for part in sizes), alt


def test_compress_scatter_and_j_chart():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/compress.py")
    at.run()
    assert not at.exception, at.exception
    at.session_state["compress.open.rgb"] = True
    at.run()
    click(at, "E step")
    alts = all_alts(at, {"compress.rgb", "compress.j_chart"})
    j = alts["compress.j_chart"]
    shown = float(metric(at, "J per pixel").replace(",", ""))
    value = float(re.search(r"J per pixel = ([\d.,]+)", j).group(1).replace(",", ""))
    assert value == pytest.approx(shown, rel=1e-3) and "half-step 1" in j, j
    rgb = alts["compress.rgb"]
    sizes = [int(s.replace(",", "")) for s in
             re.search(r"clusters of ([\d, ]+?) pixels", rgb).group(1).split(", ")]
    k = int(re.search(r"K = (\d+) centroids", rgb).group(1))
    assert len(sizes) == k and sum(sizes) == int(re.search(r"of the photo's ([\d,]+) pixels",
                                                           rgb).group(1).replace(",", "")), rgb


def test_stepping_pages_draw_no_chart_without_alt_after_steps():
    """The stepping pages after an E and an M step, with every expander of Plotly charts open."""
    for page_file, link, keys, stage in (
        ("pages/kmeans.py", KMEANS_LINK, ("kmeans.open.factorization",), ("kmeans",)),
        ("pages/gmm.py", MOUSE_LINK, ("gmm.show_story",), ("gmm",)),
    ):
        at = open_page(page_file, link)
        for key in keys:
            at.session_state[key] = True
        at.run()
        for label in ("E step", "M step"):
            stage_button(at, label, stage).click().run()
            assert not at.exception, at.exception
            all_alts(at, set())
