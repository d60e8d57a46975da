"""Every figure the app builds passes Plotly's own validation.

The stepping figures are assembled from plain dicts without Plotly's checks (for speed, see
clustering.plotting.style.assembled), so a misspelt property would reach the browser unseen.
Here every page is opened through the router (and stepped where it steps), every figure it
sent is read back (through the figure component or st.plotly_chart) and rebuilt with
``go.Figure(figure)``, validation on: an unknown property or a bad value raises.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from conftest import ROOT, open_page, stage_button
from streamlit.testing.v1 import AppTest

KMEANS_LINK = {"dataset": "blobs", "n": "300", "seed": "1", "k": "3", "init": "random", "init_seed": "0"}
MOUSE_LINK = {"dataset": "mouse", "seed": "0", "k": "3", "init": "kmeans", "init_seed": "0"}
# The stepping pages draw their main figures on the stage (a canvas, not Plotly); their Plotly
# figures sit in expanders, opened here, and are checked after every half-step.
EXPANDERS = {"pages/kmeans.py": ("kmeans.open.factorization", "kmeans.open.selection"),
             "pages/gmm.py": ("gmm.show_story",),
             "pages/compare.py": ("compare.open.sigma",)}
STAGE_PAGES = {"pages/kmeans.py": ("kmeans",), "pages/gmm.py": ("gmm",),
               "pages/compare.py": ("compare.gmm", "compare.kmeans")}
PAGES = [
    ("pages/data.py", None, ()),
    ("pages/kmeans.py", KMEANS_LINK, ("E step", "M step")),
    ("pages/gmm.py", MOUSE_LINK, ("E step", "M step")),
    ("pages/compare.py", MOUSE_LINK, ("E step", "M step")),
    ("pages/generative.py", None, ()),
    ("pages/exact-1d.py", None, ("Reveal the global optimum",)),
]


def sent_figures(at) -> list[dict]:
    """Every Plotly figure of the last run, as the browser received it."""
    figures = [json.loads(json.loads(element.proto.json_args)["spec"])
               for element in at.get("component_instance") if "spec" in element.proto.json_args]
    figures += [json.loads(element.proto.spec) for element in at.get("plotly_chart")]
    return figures


def assert_valid(figure: dict) -> None:
    try:
        go.Figure(figure)  # validation on: raises ValueError naming the bad property
    except ValueError as error:
        pytest.fail(f"Plotly rejects a figure the app sent: {str(error)[:600]}")


@pytest.mark.parametrize("page_file, query, steps", PAGES, ids=[p[0] for p in PAGES])
def test_every_figure_a_page_sends_is_valid_plotly(page_file, query, steps):
    if page_file == "pages/exact-1d.py":  # its url path is not its file name: open it alone
        at = AppTest.from_file(str(ROOT / page_file), default_timeout=60).run()
        assert not at.exception, at.exception
    else:
        at = open_page(page_file, query)
    for key in EXPANDERS.get(page_file, ()):
        at.session_state[key] = True
    at.run()
    figures = sent_figures(at)
    for label in steps:
        if page_file in STAGE_PAGES:
            button = stage_button(at, label, STAGE_PAGES[page_file])
            if not button.disabled:
                button.click().run()
        else:
            buttons = [b for b in at.button if b.label == label and not b.disabled]
            if buttons:
                buttons[0].click().run()
        assert not at.exception, at.exception
        figures += sent_figures(at)
    assert figures, f"{page_file} sent no figure"
    for figure in figures:
        assert_valid(figure)


def test_the_storyboard_is_valid_plotly():
    at = open_page("pages/gmm.py", MOUSE_LINK)
    at.toggle(key="gmm.show_story").set_value(True).run()
    assert not at.exception, at.exception
    figures = sent_figures(at)
    # the storyboard is the page's Plotly figure of several panels (the inspector's γ bars are
    # HTML since the stage's first-run diet)
    assert any("xaxis2" in figure.get("layout", {}) for figure in figures), [f.get("layout", {}).keys() for f in figures]
    for figure in figures:
        assert_valid(figure)
